#!/usr/bin/env bash
# Chart benchmark: DOSE_COUNTS tallies over SITES sites (dosedesk-cli generate,
# several years from 2021-01-04), imported into a fresh store; then the
# region-wide daily chart of the data's last year, in process (query + SVG)
# and as a whole `dosedesk-cli chart` process, next to pandas + matplotlib
# (Debian's, hence /usr/bin/python3) doing the same, like for like: both from
# the kept day totals (pandas from them exported as a file), and both
# grouping the raw tallies (pandas from the imported file itself; the store
# is encrypted, so pandas reads files, as an analyst is given them). It
# measures; it never fails on speed, and fails when the kept totals and
# pandas' recount of the raw tallies disagree.
#
#   tests/bench/chart.sh BIN_DIR DOSE_COUNTS [SITES]
set -euo pipefail
# shellcheck source=tests/bench/signed_in.sh
. "$(dirname "${BASH_SOURCE[0]}")/signed_in.sh"
bin=${1:?BIN_DIR holding dosedesk-cli and examples/chart_bench, examples/store_sql}
counts=${2:?number of dose counts}
sites=${3:-3000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/dosedesk-chart.XXXXXX")
trap 'rm -rf "$work"' EXIT
db=$work/dosedesk.sqlite3

"$bin/dosedesk-cli" generate --out "$work/data" --bookings 1 --dose-counts "$counts" --sites "$sites" --seed 7 >/dev/null
"$bin/dosedesk-cli" --db "$db" import sites "$work/data/sites.csv" >/dev/null
/usr/bin/time -f "%e %M" -o "$work/import.time" "$bin/dosedesk-cli" --db "$db" import dose-counts "$work/data/dose_counts.csv" >/dev/null
read -r import_s import_kb <"$work/import.time"
sql() { "$bin/examples/store_sql" "$db" "$1"; }
span=$(sql "SELECT min(date) || '..' || max(date) FROM region_day")
to=$(sql "SELECT max(date) FROM region_day")
from=$(sql "SELECT date(max(date), '-364 days') FROM region_day")
# The kept day totals as a file, for pandas.
{ echo "date,doses"; sql "SELECT date || ',' || administered FROM region_day ORDER BY date"; } >"$work/region_day.csv"
awk -v n="$counts" -v s="$import_s" -v kb="$import_kb" -v span="$span" 'BEGIN {
  printf "chart   import dose_counts.csv %d rows (%s): %.1f s, %.0f rows/s, peak RSS %.0f MB\n", n, span, s, n / (s > 0 ? s : 1e-9), kb / 1024
}'

"$bin/examples/chart_bench" "$db" "$from" "$to" 30

# Whole processes, warm file cache: the median of 11 runs each.
median_ms() {
  local times=()
  for _ in $(seq 11); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 6p
}
# Like for like, twice: our chart from the kept per-day totals against
# pandas reading the same totals; and grouping the raw tallies, SQLite's
# GROUP BY over the store's date index (as the store would without kept
# totals; the statement's own time, median of 11) against pandas grouping
# the imported file's rows.
range_sql="date BETWEEN '$from' AND '$to'"
raw_sql="SELECT date, sum(doses) FROM dose_count WHERE $range_sql AND withdrawn_at IS NULL AND held_at IS NULL GROUP BY date"
kept_file=$work/region_day.csv raw_file=$work/data/dose_counts.csv
ours=$(median_ms "$bin/dosedesk-cli" --db "$db" chart daily --from "$from" --to "$to" --out "$work/ours.svg")
pandas_kept=$(median_ms /usr/bin/python3 "$here/chart_pandas.py" "$kept_file" "$from" "$to" "$work/pandas.svg" kept)
sqlite_raw=$(for _ in $(seq 11); do "$bin/examples/store_sql" --time "$db" "$raw_sql"; done | sort -n | sed -n 6p)
pandas_raw=$(median_ms /usr/bin/python3 "$here/chart_pandas.py" "$raw_file" "$from" "$to" "$work/pandas.svg" raw)
/usr/bin/python3 "$here/chart_pandas.py" "$kept_file" "$from" "$to" "$work/pandas.svg" kept >"$work/pandas-kept.txt"
/usr/bin/python3 "$here/chart_pandas.py" "$raw_file" "$from" "$to" "$work/pandas.svg" raw >"$work/pandas-raw.txt"
for source in kept raw; do
  sed 's/^/chart   pandas in script, /' "$work/pandas-$source.txt"
done
awk -v o="$ours" -v pk="$pandas_kept" -v sr="$sqlite_raw" -v pr="$pandas_raw" -v f="$from" -v t="$to" 'BEGIN {
  printf "chart   whole process, daily chart %s..%s from kept day totals: dosedesk-cli %d ms (its sign-in, Argon2id, included), python3 pandas+matplotlib %d ms, ratio %.1fx\n", f, t, o, pk, pk / (o > 0 ? o : 1)
  printf "chart   the raw tallies: SQLite GROUP BY date over the store %d ms (the statement alone, no drawing); python3 pandas read+group+draw of the file %d ms (read+group alone: the raw line above)\n", sr, pr
}'

# A wrong result fails the run: the totals the chart draws, pandas' count of
# the same totals and pandas' own recount of the raw tallies must agree.
kept=$(sql "SELECT coalesce(sum(administered), 0) FROM region_day WHERE $range_sql")
recount=$(sql "SELECT coalesce(sum(doses), 0) FROM dose_count WHERE $range_sql AND withdrawn_at IS NULL AND held_at IS NULL")
total_of() { sed -n 's/.*total \([0-9]*\)$/\1/p' "$work/pandas-$1.txt"; }
if [ "$kept" != "$(total_of kept)" ] || [ "$kept" != "$(total_of raw)" ] || [ "$kept" != "$recount" ]; then
  echo "chart: WRONG: kept day totals $kept doses, pandas over them $(total_of kept), pandas over the raw tallies $(total_of raw), SQLite's recount $recount"
  exit 1
fi
echo "chart   the kept day totals ($kept doses) equal pandas' recount of the raw tallies"
