#!/usr/bin/env bash
# The cost of encryption at rest, in one run: the same generated bookings
# imported into a plain store and into an encrypted one (SQLCipher), then a
# fresh check and the views' core calls (examples/bench_views) over each.
# Both sides run the same core calls through examples/bench_store, which
# times the step itself: the encrypted side's sign-in (Argon2id, paid once
# per session) is printed apart. The app and the command line open only
# encrypted stores; the plain side exists here to be measured against.
# Prints both sides and the ratios. It measures; it never fails on speed.
#
#   tests/bench/encryption.sh BIN_DIR BOOKINGS [SITES]   (BIN_DIR holds dosedesk-cli, examples/bench_store and examples/bench_views)
set -euo pipefail
bin=${1:?BIN_DIR holding dosedesk-cli}
bookings=${2:?number of bookings}
sites=${3:-3000}
work=$(mktemp -d "${TMPDIR:-/tmp}/dosedesk-encbench.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$bin/dosedesk-cli" generate --out "$work/data" --bookings "$bookings" --dose-counts 1 --sites "$sites" --seed 42 >/dev/null
printf 'a bench passphrase, long enough\n' >"$work/pass"
export DOSEDESK_PASSPHRASE_FILE=$work/pass

# One step on side $1 (plain or encrypted); its own seconds and the
# process's peak RSS (KB) into $work/$1.$2.
step() {
  local side=$1 what=$2; shift 2
  /usr/bin/time -f "%M" -o "$work/$side.$what.rss" \
    "$bin/examples/bench_store" "$side" "$work/$side.sqlite3" "$@" >"$work/$side.$what.s" 2>"$work/$side.$what.err" \
    || { cat "$work/$side.$what.err"; exit 1; }
}

# Each side's schedule (sites and shifts) once; then three rounds, the two
# sides taking turns, each importing the bookings into a fresh copy of its
# schedule and checking them: the medians are printed (a run here varies by
# ±10 % with what else the machine does).
for side in plain encrypted; do
  step "$side" sites import sites "$work/data/sites.csv"
  step "$side" shifts import shifts "$work/data/shifts.csv"
  for f in "" .keys; do
    if [ -e "$work/$side.sqlite3$f" ]; then mv "$work/$side.sqlite3$f" "$work/$side.schedule$f"; fi
  done
done
for round in 1 2 3; do
  for side in plain encrypted; do
    rm -f "$work/$side.sqlite3" "$work/$side.sqlite3-wal" "$work/$side.sqlite3-shm" "$work/$side.sqlite3.keys"
    cp "$work/$side.schedule" "$work/$side.sqlite3"
    if [ -e "$work/$side.schedule.keys" ]; then cp "$work/$side.schedule.keys" "$work/$side.sqlite3.keys"; fi
    step "$side" "import$round" import bookings "$work/data/bookings.csv"
    step "$side" "check$round" check
  done
done
for side in plain encrypted; do
  head -c 16 "$work/$side.sqlite3" | grep -q 'SQLite format 3' && kind=plain || kind=encrypted
  [ "$kind" = "$side" ] || { echo "encryption: the $side side's file is $kind"; exit 1; }
done
# Both sides hold the same bookings: the same answer from each.
# Twice: a fresh connection per call (a view's first open), and one
# connection per view kept open (as the app's pool keeps them).
for mode in fresh pooled; do
  pooled=(); [ "$mode" = pooled ] && pooled=(BENCH_VIEWS_POOLED=1)
  env -u DOSEDESK_USER "${pooled[@]}" "$bin/examples/bench_views" "$work/plain.sqlite3" 2021-02-01 >"$work/plain.$mode.views"
  env DOSEDESK_USER=bench "${pooled[@]}" "$bin/examples/bench_views" "$work/encrypted.sqlite3" 2021-02-01 >"$work/encrypted.$mode.views"
done
counts() { sed 's/.*(\([0-9]*\) items)$/\1/' "$1"; }
cmp -s <(counts "$work/plain.fresh.views") <(counts "$work/encrypted.fresh.views") \
  || { echo "encryption: the two stores answer the views differently"; diff <(counts "$work/plain.fresh.views") <(counts "$work/encrypted.fresh.views"); exit 1; }

# The median of the three rounds' seconds, and the largest peak RSS.
figure() { cat "$work/$1.${2}"[123].s | sort -n | sed -n 2p; }
rss() { cat "$work/$1.${2}"[123].rss | sort -n | tail -1; }
awk -v n="$bookings" -v pi="$(figure plain import)" -v pik="$(rss plain import)" \
    -v ei="$(figure encrypted import)" -v eik="$(rss encrypted import)" \
    -v pc="$(figure plain check)" -v pck="$(rss plain check)" \
    -v ec="$(figure encrypted check)" -v eck="$(rss encrypted check)" 'BEGIN {
  printf "encryption  import %d bookings (median of 3)  plain %7.2f s (%8.0f rows/s, peak RSS %5.0f MB)  encrypted %7.2f s (%8.0f rows/s, peak RSS %5.0f MB)  cost %+.0f%%\n", n, pi, n / (pi > 0 ? pi : 1e-9), pik / 1024, ei, n / (ei > 0 ? ei : 1e-9), eik / 1024, (ei / (pi > 0 ? pi : 1e-9) - 1) * 100
  printf "encryption  check  %d bookings (median of 3)  plain %7.2f s (peak RSS %5.0f MB)  encrypted %7.2f s (peak RSS %5.0f MB)  cost %+.0f%%\n", n, pc, pck / 1024, ec, eck / 1024, (ec / (pc > 0 ? pc : 1e-9) - 1) * 100
}'
echo "encryption  sign-in to the encrypted store (Argon2id, once per session): $(sed -n 's/^sign-in //p' "$work/encrypted.import1.err")"
# The views, median of 7 on each side, and the total of the medians.
for mode in fresh pooled; do
  for side in plain encrypted; do
    sed "s/^/encryption  $side $mode  /" "$work/$side.$mode.views"
  done
done
total() { awk '{ for (i = 1; i <= NF; i++) if ($i == "median") s += $(i + 1) } END { printf "%.1f", s }' "$1"; }
for mode in fresh pooled; do
  awk -v m="$mode" -v p="$(total "$work/plain.$mode.views")" -v e="$(total "$work/encrypted.$mode.views")" 'BEGIN {
    printf "encryption  views (%s connection), sum of the medians  plain %.1f ms  encrypted %.1f ms  cost %+.0f%%\n", m, p, e, (e / (p > 0 ? p : 1e-9) - 1) * 100
  }'
done
