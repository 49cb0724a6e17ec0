#!/usr/bin/env bash
# The morning refresh: a generated export of BOOKINGS bookings imported into
# a fresh store, the same file imported again, then the file with 1% of its
# rows changed (every 100th booking's status). Prints each time and its
# ratio to the first import, with peak memory; then checks the refreshed
# store against a fresh import of the changed file (appointments, people,
# daily totals, kept check results) and exits 1 if they differ, or if the
# reports do not count what changed. It never fails on speed.
#
#   tests/bench/refresh.sh BIN_DIR BOOKINGS [SITES]
set -euo pipefail
# shellcheck source=tests/bench/signed_in.sh
. "$(dirname "${BASH_SOURCE[0]}")/signed_in.sh"
bin=${1:?BIN_DIR holding dosedesk-cli and examples/store_sql}
bookings=${2:?number of bookings}
sites=${3:-3000}
work=$(mktemp -d "${TMPDIR:-/tmp}/dosedesk-refresh.XXXXXX")
trap 'rm -rf "$work"' EXIT

incident=$(( bookings / 3000 < 3100 ? bookings / 3000 : 3100 ))
"$bin/dosedesk-cli" generate --out "$work/data" --bookings "$bookings" --dose-counts 1 --sites "$sites" --seed 42 --incident "$incident" >/dev/null
# Every 100th booking's status flipped (booked <-> cancelled, others booked):
# the generated file has no quoted fields, so its commas split it.
awk -F, -v OFS=, 'NR > 1 && (NR - 2) % 100 == 0 { $9 = ($9 == "booked" ? "cancelled" : "booked") } { print }' \
  "$work/data/bookings.csv" >"$work/changed.csv"
changed=$(( (bookings + 99) / 100 ))

new_store() {
  "$bin/dosedesk-cli" --db "$1" import sites "$work/data/sites.csv" >/dev/null
  "$bin/dosedesk-cli" --db "$1" import shifts "$work/data/shifts.csv" >/dev/null
}
# import DB FILE NAME: times one import (and the check refresh after it).
import() {
  /usr/bin/time -f "%e %M" -o "$work/$3.time" "$bin/dosedesk-cli" --db "$1" import bookings "$2" --json >"$work/$3.json"
}
field() { tr -d ' \n' <"$work/$1.json" | grep -o "\"$2\":[0-9]*" | cut -d: -f2; }

db=$work/refreshed.sqlite3
new_store "$db"
import "$db" "$work/data/bookings.csv" first
import "$db" "$work/data/bookings.csv" same
import "$db" "$work/changed.csv" changed

read -r first_s first_kb <"$work/first.time"
read -r same_s same_kb <"$work/same.time"
read -r changed_s changed_kb <"$work/changed.time"
awk -v n="$bookings" -v c="$changed" -v f="$first_s" -v fk="$first_kb" -v s="$same_s" -v sk="$same_kb" -v ch="$changed_s" -v ck="$changed_kb" 'BEGIN {
  d = (f > 0 ? f : 1e-9)
  printf "refresh  first import of %d bookings           %8.2f s  peak RSS %5.0f MB\n", n, f, fk / 1024
  printf "refresh  the same file again                  %8.2f s  %.2fx the first  peak RSS %5.0f MB\n", s, s / d, sk / 1024
  printf "refresh  %d rows (1%%) changed               %8.2f s  %.2fx the first  peak RSS %5.0f MB\n", c, ch, ch / d, ck / 1024
}'

# Wrong results fail the run: the counts in each report...
wrong=0
same_counts="$(field same inserted) $(field same updated) $(field same unchanged)"
changed_counts="$(field changed inserted) $(field changed updated) $(field changed unchanged)"
if [ "$same_counts" != "0 0 $bookings" ]; then
  echo "refresh: WRONG: the same file again reported inserted/updated/unchanged $same_counts"; wrong=1
fi
if [ "$changed_counts" != "0 $changed $(( bookings - changed ))" ]; then
  echo "refresh: WRONG: the changed file reported inserted/updated/unchanged $changed_counts ($changed changed)"; wrong=1
fi
# ...and the refreshed store against a fresh import of the changed file.
fresh=$work/fresh.sqlite3
new_store "$fresh"
"$bin/dosedesk-cli" --db "$fresh" import bookings "$work/changed.csv" >/dev/null
for table in \
  "SELECT booking_id, person_id, site_id, slot_minute, dose_number, product, status, booked_at FROM appointment ORDER BY booking_id" \
  "SELECT person_id, birth_date, phone, given_name, family_name, preferred_language FROM person ORDER BY person_id" \
  "SELECT site_id, date, administered, booked, attended, capacity FROM site_day ORDER BY site_id, date"; do
  a=$("$bin/examples/store_sql" "$db" "$table" | md5sum)
  b=$("$bin/examples/store_sql" "$fresh" "$table" | md5sum)
  if [ "$a" != "$b" ]; then
    echo "refresh: WRONG: the refreshed store differs from a fresh import: $table"; wrong=1
  fi
done
"$bin/dosedesk-cli" --db "$db" check --kept --json >"$work/kept.json"
"$bin/dosedesk-cli" --db "$fresh" check --json >"$work/fresh-check.json"
if ! cmp -s "$work/kept.json" "$work/fresh-check.json"; then
  echo "refresh: WRONG: the refreshed store's kept check results differ from a fresh import's check"; wrong=1
fi
if [ "$wrong" = 0 ]; then
  echo "refresh  refreshed store equal to a fresh import of the changed file (bookings, people, daily totals, check results)"
fi
exit "$wrong"
