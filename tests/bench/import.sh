#!/usr/bin/env bash
# Import benchmark: generates BOOKINGS bookings (dosedesk-cli generate), imports
# them with dosedesk-cli into a fresh store, then loads the same file with the
# sqlite3 shell's .import into a table with the same columns, key and indexes.
# Prints rows/s, peak memory and the ratio, then times `check` over the
# store. It measures; it never fails on speed.
#
#   tests/bench/import.sh BIN_DIR BOOKINGS [SITES] [DB_TO_KEEP]
set -euo pipefail
bin=${1:?BIN_DIR holding dosedesk-cli}
bookings=${2:?number of bookings}
sites=${3:-3000}
work=$(mktemp -d "${TMPDIR:-/tmp}/dosedesk-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# With Ottawa's incident scaled to the run: 3,100 bookings repeated into full
# slots over three days (at most one booking in 3,000), so checks find work.
incident=$(( bookings / 3000 < 3100 ? bookings / 3000 : 3100 ))
"$bin/dosedesk-cli" generate --out "$work/data" --bookings "$bookings" --dose-counts 1 --sites "$sites" --seed 42 --incident "$incident" >/dev/null
bytes=$(stat -c %s "$work/data/bookings.csv")
db=${4:-$work/dosedesk.sqlite3}
rm -f "$db" "$db-wal" "$db-shm"
"$bin/dosedesk-cli" --db "$db" import sites "$work/data/sites.csv" >/dev/null
"$bin/dosedesk-cli" --db "$db" import shifts "$work/data/shifts.csv" >/dev/null

# Ours: validated, one transaction, WAL + synchronous=FULL, indexed store.
/usr/bin/time -f "%e %M" -o "$work/ours.time" "$bin/dosedesk-cli" --db "$db" import bookings "$work/data/bookings.csv" --timings >/dev/null 2>"$work/stages.txt"
read -r ours_s ours_kb <"$work/ours.time"

# sqlite3 .import: same columns, the same unique key and secondary indexes,
# the same journal settings; no validation at all.
ref="$work/sqlite3.sqlite3"
sqlite3 "$ref" <<'SQL' >/dev/null
PRAGMA journal_mode = WAL;
CREATE TABLE booking (booking_id TEXT, person_id TEXT, birth_date TEXT, phone TEXT, site_code TEXT,
  slot_start TEXT, dose_number INTEGER, product TEXT, status TEXT, booked_at TEXT,
  given_name TEXT, family_name TEXT, preferred_language TEXT);
CREATE UNIQUE INDEX booking_by_id ON booking(booking_id);
CREATE INDEX booking_by_site_slot ON booking(site_code, slot_start);
CREATE INDEX booking_by_person ON booking(person_id, dose_number);
SQL
/usr/bin/time -f "%e %M" -o "$work/sqlite3.time" sqlite3 "$ref" \
  "PRAGMA synchronous = FULL" ".import --csv --skip 1 $work/data/bookings.csv booking" >/dev/null
read -r ref_s ref_kb <"$work/sqlite3.time"

awk -v n="$bookings" -v mb="$bytes" -v os="$ours_s" -v okb="$ours_kb" -v rs="$ref_s" -v rkb="$ref_kb" 'BEGIN {
  printf "import  bookings.csv  %d rows  %.0f MB\n", n, mb / 1e6
  printf "import  dosedesk-cli      %8.2f s  %10.0f rows/s  peak RSS %5.0f MB\n", os, n / (os > 0 ? os : 1e-9), okb / 1024
  printf "import  sqlite3 .import   %8.2f s  %10.0f rows/s  peak RSS %5.0f MB\n", rs, n / (rs > 0 ? rs : 1e-9), rkb / 1024
  printf "import  ratio (sqlite3 time / ours)  %.2fx\n", rs / (os > 0 ? os : 1e-9)
}'
# Where our time goes (dosedesk-cli import --timings): the stages after the
# rows are SQLite's own work (index sorts, fsync, the WAL checkpoint).
sed -n 's/^bookings: /import  stage  /p' "$work/stages.txt"

/usr/bin/time -f "%e %M" -o "$work/check.time" "$bin/dosedesk-cli" --db "$db" check --json >"$work/check.json"
read -r check_s check_kb <"$work/check.time"
awk -v n="$bookings" -v s="$check_s" -v kb="$check_kb" 'BEGIN {
  printf "check   dosedesk-cli check over %d bookings  %.2f s  peak RSS %.0f MB\n", n, s, kb / 1024
}'

# The results kept for the app's Checks and Rebooking views: the first pass
# after a bulk import judges everything; after one booking changes, only its
# site-day and person are judged again.
/usr/bin/time -f "%e %M" -o "$work/kept.time" "$bin/dosedesk-cli" --db "$db" check --kept --json >"$work/kept.json"
read -r kept_s kept_kb <"$work/kept.time"
sqlite3 "$db" "PRAGMA busy_timeout = 5000; UPDATE appointment SET status = 'cancelled' WHERE id = (SELECT max(id) FROM appointment)" >/dev/null
/usr/bin/time -f "%e %M" -o "$work/kept2.time" "$bin/dosedesk-cli" --db "$db" check --kept --json >/dev/null
read -r kept2_s _ <"$work/kept2.time"
findings=$(tr -d ' \n' <"$work/check.json" | grep -o '"excess_bookings":[0-9]*,"outside_shift_bookings":[0-9]*,"duplicate_people":[0-9]*' || true)
same=$(cmp -s "$work/check.json" "$work/kept.json" && echo "equal to" || echo "DIFFERENT from")
awk -v s="$kept_s" -v kb="$kept_kb" -v s2="$kept2_s" -v f="$findings" -v same="$same" 'BEGIN {
  printf "check   findings (incident planted)  %s\n", f
  printf "check   kept results, first pass after import  %.2f s  peak RSS %.0f MB (report %s the fresh check)\n", s, kb / 1024, same
  printf "check   kept results after one booking changed  %.2f s (whole process)\n", s2
}'

