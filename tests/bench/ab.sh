#!/usr/bin/env bash
# A/B of two builds on the same data: generates BOOKINGS bookings once (with
# the first build), then, ROUNDS times and alternating A and B, imports them
# into a fresh store, times `check`, and compares the two check reports; then
# times each view's core calls on both stores (bench_views). For a refactor
# that must change nothing: the reports must be identical and the times alike.
# Each BIN_DIR holds dosedesk-cli and bench_views (release builds, e.g. from
# `cargo build --release -p dosedesk-cli --bins` and `-p dosedesk-core
# --example bench_views` of each commit). It measures; it never fails on speed.
#
#   tests/bench/ab.sh A_BIN_DIR B_BIN_DIR BOOKINGS [ROUNDS]
set -euo pipefail
# shellcheck source=tests/bench/signed_in.sh
. "$(dirname "${BASH_SOURCE[0]}")/signed_in.sh"
a=${1:?A_BIN_DIR}; b=${2:?B_BIN_DIR}; n=${3:?number of bookings}; rounds=${4:-2}
work=$(mktemp -d "${TMPDIR:-/tmp}/dosedesk-ab.XXXXXX")
trap 'rm -rf "$work"' EXIT
incident=$(( n / 3000 < 3100 ? n / 3000 : 3100 ))
"$a/dosedesk-cli" generate --out "$work/data" --bookings "$n" --dose-counts 1 --sites 3000 \
  --seed 42 --incident "$incident" >/dev/null
status=0
for r in $(seq 1 "$rounds"); do
  for side in A B; do
    bin=$a; [ "$side" = B ] && bin=$b
    db=$work/$side.sqlite3; rm -f "$db" "$db-wal" "$db-shm" "$db.keys"
    "$bin/dosedesk-cli" --db "$db" import sites "$work/data/sites.csv" >/dev/null
    "$bin/dosedesk-cli" --db "$db" import shifts "$work/data/shifts.csv" >/dev/null
    /usr/bin/time -f "%e %M" -o "$work/t" "$bin/dosedesk-cli" --db "$db" import bookings "$work/data/bookings.csv" >/dev/null
    read -r s kb <"$work/t"
    /usr/bin/time -f "%e" -o "$work/c" "$bin/dosedesk-cli" --db "$db" check --json >"$work/$side.check.json"
    printf "ab  round %d  %s  import %7.2f s  peak RSS %4d MB  check %6.2f s\n" "$r" "$side" "$s" $((kb / 1024)) "$(cat "$work/c")"
  done
  if cmp -s "$work/A.check.json" "$work/B.check.json"; then
    echo "ab  round $r  check reports identical"
  else
    echo "ab  round $r  check reports DIFFER"; status=1
  fi
done
for side in A B; do
  bin=$a; [ "$side" = B ] && bin=$b
  "$bin/bench_views" "$work/$side.sqlite3" 2021-02-01 | sed "s/^view /ab  $side  /"
done
exit $status
