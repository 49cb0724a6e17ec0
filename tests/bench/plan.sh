#!/usr/bin/env bash
# Shift-planner benchmark on an imported store: one whole `dosedesk-cli plan
# shifts` process over a month (demand from the kept daily totals, the kept
# check results for overbooked shifts, second doses due from the bookings),
# run twice: the first pays the check results' refresh after an import.
#
#   tests/bench/plan.sh BIN_DIR DB_PATH FROM TO
set -euo pipefail
# shellcheck source=tests/bench/signed_in.sh
. "$(dirname "${BASH_SOURCE[0]}")/signed_in.sh"
bin=${1:?BIN_DIR holding dosedesk-cli and examples/store_sql}
db=${2:?DB_PATH}
from=${3:?FROM}
to=${4:?TO}
work=$(mktemp -d "${TMPDIR:-/tmp}/dosedesk-plan.XXXXXX")
trap 'rm -rf "$work"' EXIT
rows=$("$bin/examples/store_sql" "$db" "SELECT count(*) FROM appointment")
for run in first again; do
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin/dosedesk-cli" --db "$db" plan shifts --from "$from" --to "$to" --json >"$work/plan.json"
  read -r s kb <"$work/time"
  summary=$(python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
t = p["totals"]
print("%d new shifts, %d reinforced, %d to move, unmet %d" % (t["shifts_added"], t["shifts_reinforced"], t["people_to_move"], p["unmet_demand"]))
' "$work/plan.json")
  printf "plan    dosedesk-cli plan shifts %s..%s over %d bookings (%s run): %.2f s, peak RSS %.0f MB; %s\n" "$from" "$to" "$rows" "$run" "$s" "$((kb / 1024))" "$summary"
done
