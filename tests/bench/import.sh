#!/usr/bin/env bash
# Import benchmark: generates BOOKINGS bookings (dosedesk-cli generate), imports
# them with dosedesk-cli into a fresh store, then loads the same file with the
# sqlite3 shell's .import into a table with the same columns, key and indexes
# (built after the load, as an expert would; and before it, the naive way).
# Prints rows/s, peak memory and the ratio, then times `check` over the
# store. It measures; it never fails on speed, and fails on a wrong result
# (a row missing on any side, kept check results unlike a fresh check).
#
#   tests/bench/import.sh BIN_DIR BOOKINGS [SITES] [DB_TO_KEEP]
set -euo pipefail
# shellcheck source=tests/bench/signed_in.sh
. "$(dirname "${BASH_SOURCE[0]}")/signed_in.sh"
bin=${1:?BIN_DIR holding dosedesk-cli and examples/store_sql}
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
mkdir -p "$(dirname "$db")"
rm -f "$db" "$db-wal" "$db-shm" "$db.keys"
"$bin/dosedesk-cli" --db "$db" import sites "$work/data/sites.csv" >/dev/null
"$bin/dosedesk-cli" --db "$db" import shifts "$work/data/shifts.csv" >/dev/null

# Ours: validated, one transaction, WAL + synchronous=FULL, indexed store.
/usr/bin/time -f "%e %M" -o "$work/ours.time" "$bin/dosedesk-cli" --db "$db" import bookings "$work/data/bookings.csv" --timings >/dev/null 2>"$work/stages.txt"
read -r ours_s ours_kb <"$work/ours.time"

# sqlite3 .import, twice, with no validation at all. As an expert loads it:
# a bare table, the indexes built after the load, and our import's settings
# (WAL, synchronous=FULL, a 64 MiB page cache, two sorter threads). And, for
# comparison with earlier figures, the naive load: .import into a table
# that already has its indexes, on sqlite3's default 2 MB cache.
columns="booking_id TEXT, person_id TEXT, birth_date TEXT, phone TEXT, site_code TEXT,
  slot_start TEXT, dose_number INTEGER, product TEXT, status TEXT, booked_at TEXT,
  given_name TEXT, family_name TEXT, preferred_language TEXT"
indexes="CREATE UNIQUE INDEX booking_by_id ON booking(booking_id);
CREATE INDEX booking_by_site_slot ON booking(site_code, slot_start);
CREATE INDEX booking_by_person ON booking(person_id, dose_number);"
expert="$work/sqlite3-expert.sqlite3"
sqlite3 "$expert" "PRAGMA journal_mode = WAL" "CREATE TABLE booking ($columns)" >/dev/null
/usr/bin/time -f "%e %M" -o "$work/expert.time" sqlite3 "$expert" \
  "PRAGMA synchronous = FULL" "PRAGMA cache_size = -65536" "PRAGMA threads = 2" \
  ".import --csv --skip 1 $work/data/bookings.csv booking" "$indexes" >/dev/null
read -r ref_s ref_kb <"$work/expert.time"
naive="$work/sqlite3-naive.sqlite3"
sqlite3 "$naive" "PRAGMA journal_mode = WAL" "CREATE TABLE booking ($columns)" "$indexes" >/dev/null
/usr/bin/time -f "%e %M" -o "$work/naive.time" sqlite3 "$naive" \
  "PRAGMA synchronous = FULL" ".import --csv --skip 1 $work/data/bookings.csv booking" >/dev/null
read -r naive_s naive_kb <"$work/naive.time"

# A wrong result fails the run (a slow one never does): every side holds
# every row of the file.
ours_n=$("$bin/examples/store_sql" "$db" "SELECT count(*) FROM appointment")
expert_n=$(sqlite3 "$expert" "SELECT count(*) FROM booking")
naive_n=$(sqlite3 "$naive" "SELECT count(*) FROM booking")
if [ "$ours_n" != "$bookings" ] || [ "$expert_n" != "$bookings" ] || [ "$naive_n" != "$bookings" ]; then
  echo "import: WRONG: $bookings rows in the file; dosedesk holds $ours_n, sqlite3 $expert_n (indexes after) and $naive_n (indexes before)"
  exit 1
fi

awk -v n="$bookings" -v mb="$bytes" -v os="$ours_s" -v okb="$ours_kb" -v rs="$ref_s" -v rkb="$ref_kb" -v ns="$naive_s" -v nkb="$naive_kb" 'BEGIN {
  printf "import  bookings.csv  %d rows  %.0f MB\n", n, mb / 1e6
  printf "import  dosedesk-cli (validated; people, daily totals)  %8.2f s  %10.0f rows/s  peak RSS %5.0f MB\n", os, n / (os > 0 ? os : 1e-9), okb / 1024
  printf "import  sqlite3 .import, indexes after (expert)         %8.2f s  %10.0f rows/s  peak RSS %5.0f MB\n", rs, n / (rs > 0 ? rs : 1e-9), rkb / 1024
  printf "import  sqlite3 .import, indexes before (naive)         %8.2f s  %10.0f rows/s  peak RSS %5.0f MB\n", ns, n / (ns > 0 ? ns : 1e-9), nkb / 1024
  printf "import  ratio (sqlite3 expert time / ours)  %.2fx\n", rs / (os > 0 ? os : 1e-9)
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
"$bin/examples/store_sql" --write "$db" "UPDATE appointment SET status = 'cancelled' WHERE id = (SELECT max(id) FROM appointment)" >/dev/null
/usr/bin/time -f "%e %M" -o "$work/kept2.time" "$bin/dosedesk-cli" --db "$db" check --kept --json >/dev/null
read -r kept2_s _ <"$work/kept2.time"
findings=$(tr -d ' \n' <"$work/check.json" | grep -o '"excess_bookings":[0-9]*,"outside_shift_bookings":[0-9]*,"duplicate_people":[0-9]*' || true)
same=$(cmp -s "$work/check.json" "$work/kept.json" && echo "equal to" || echo "DIFFERENT from")
awk -v s="$kept_s" -v kb="$kept_kb" -v s2="$kept2_s" -v f="$findings" -v same="$same" 'BEGIN {
  printf "check   findings (incident planted)  %s\n", f
  printf "check   kept results, first pass after import  %.2f s  peak RSS %.0f MB (report %s the fresh check)\n", s, kb / 1024, same
  printf "check   kept results after one booking changed  %.2f s (whole process)\n", s2
}'
if [ "$same" != "equal to" ]; then
  echo "check: WRONG: the kept results differ from a fresh check"
  diff <(tr ',' '\n' <"$work/check.json") <(tr ',' '\n' <"$work/kept.json") | head -20
  exit 1
fi

