#!/usr/bin/env bash
# The cost of encryption at rest, in one run: the same generated bookings
# imported into a plain store and into an encrypted one (SQLCipher, signed in
# with a passphrase file), then `check` and the views' core calls
# (examples/bench_views) over each. Prints both sides and the ratios. It
# measures; it never fails on speed.
#
#   tests/bench/encryption.sh BIN_DIR BOOKINGS [SITES]   (BIN_DIR holds dosedesk-cli and examples/bench_views)
set -euo pipefail
bin=${1:?BIN_DIR holding dosedesk-cli}
bookings=${2:?number of bookings}
sites=${3:-3000}
work=$(mktemp -d "${TMPDIR:-/tmp}/dosedesk-encbench.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$bin/dosedesk-cli" generate --out "$work/data" --bookings "$bookings" --dose-counts 1 --sites "$sites" --seed 42 >/dev/null
printf 'a bench passphrase, long enough\n' >"$work/pass"

# `env` arguments for a side: signed in for the encrypted store, no user
# at all for the plain one. ($work holds no spaces: mktemp made it.)
side_env() {
  if [ "$1" = encrypted ]; then echo "DOSEDESK_USER=bench DOSEDESK_PASSPHRASE_FILE=$work/pass"
  else echo "-u DOSEDESK_USER -u DOSEDESK_PASSPHRASE_FILE"; fi
}
# Runs dosedesk-cli on store $1 (plain or encrypted) with the rest as arguments.
run() {
  local side=$1; shift
  # shellcheck disable=SC2046
  env $(side_env "$side") "$bin/dosedesk-cli" --db "$work/$side.sqlite3" "$@"
}
# The same, timed (wall seconds and peak RSS) into $work/$side.$what.
timed() {
  local side=$1 what=$2; shift 2
  # shellcheck disable=SC2046
  /usr/bin/time -f "%e %M" -o "$work/$side.$what" env $(side_env "$side") "$bin/dosedesk-cli" --db "$work/$side.sqlite3" "$@" >/dev/null
}

for side in plain encrypted; do
  run "$side" import sites "$work/data/sites.csv" >/dev/null
  run "$side" import shifts "$work/data/shifts.csv" >/dev/null
  timed "$side" import import bookings "$work/data/bookings.csv"
  timed "$side" check check --json
  timed "$side" stats stats --json
done
[ "$(run encrypted store status --json | grep -o '"encryption":"[a-z]*"')" = '"encryption":"encrypted"' ] \
  || { echo "encryption: the encrypted side is not encrypted"; exit 1; }

read -r pi_s pi_kb <"$work/plain.import"; read -r ei_s ei_kb <"$work/encrypted.import"
read -r pc_s pc_kb <"$work/plain.check"; read -r ec_s ec_kb <"$work/encrypted.check"
read -r ps_s ps_kb <"$work/plain.stats"; read -r es_s es_kb <"$work/encrypted.stats"
# Each encrypted command first derives its user's key (Argon2id, 64 MiB):
# a constant per process, in every encrypted figure above the views'.
awk -v ps="$ps_s" -v pk="$ps_kb" -v es="$es_s" -v ek="$es_kb" 'BEGIN {
  printf "encryption  one small command (stats)  plain %.2f s (peak RSS %.0f MB)  encrypted %.2f s (peak RSS %.0f MB): the sign-in (Argon2id) each encrypted command pays once\n", ps, pk / 1024, es, ek / 1024
}'
awk -v n="$bookings" -v pi="$pi_s" -v pik="$pi_kb" -v ei="$ei_s" -v eik="$ei_kb" \
    -v pc="$pc_s" -v pck="$pc_kb" -v ec="$ec_s" -v eck="$ec_kb" 'BEGIN {
  printf "encryption  import %d bookings  plain %7.2f s (%8.0f rows/s, peak RSS %5.0f MB)  encrypted %7.2f s (%8.0f rows/s, peak RSS %5.0f MB)  cost %+.0f%%\n", n, pi, n / (pi > 0 ? pi : 1e-9), pik / 1024, ei, n / (ei > 0 ? ei : 1e-9), eik / 1024, (ei / (pi > 0 ? pi : 1e-9) - 1) * 100
  printf "encryption  check  %d bookings  plain %7.2f s (peak RSS %5.0f MB)  encrypted %7.2f s (peak RSS %5.0f MB)  cost %+.0f%%\n", n, pc, pck / 1024, ec, eck / 1024, (ec / (pc > 0 ? pc : 1e-9) - 1) * 100
}'
for side in plain encrypted; do
  echo "encryption  views over the $side store (bench_views: first and median of 7, ms):"
  # shellcheck disable=SC2046
  env $(side_env "$side") "$bin/examples/bench_views" "$work/$side.sqlite3" 2021-02-01 | sed "s/^/encryption  $side  /"
done
