#!/usr/bin/env bash
# Briefing benchmark on an imported store: one whole `dosedesk-cli brief`
# process (PDF), then its over-capacity figures read back from the page and
# compared with a fresh `dosedesk-cli check` from the same day; a mismatch
# exits 1 (the figures are never judged on speed).
#
#   tests/bench/brief.sh BIN_DIR DB_PATH DATE
set -euo pipefail
# shellcheck source=tests/bench/signed_in.sh
. "$(dirname "${BASH_SOURCE[0]}")/signed_in.sh"
bin=${1:?BIN_DIR holding dosedesk-cli and examples/store_sql}
db=${2:?DB_PATH}
date=${3:?DATE}
work=$(mktemp -d "${TMPDIR:-/tmp}/dosedesk-brief.XXXXXX")
trap 'rm -rf "$work"' EXIT
rows=$("$bin/examples/store_sql" "$db" "SELECT count(*) FROM appointment")
/usr/bin/time -f "%e %M" -o "$work/time" "$bin/dosedesk-cli" --db "$db" brief --date "$date" --out "$work/brief.pdf" >/dev/null
read -r s kb <"$work/time"
printf "brief   dosedesk-cli brief --date %s over %d bookings: %.2f s, peak RSS %.0f MB\n" "$date" "$rows" "$s" "$((kb / 1024))"
pdftotext -layout "$work/brief.pdf" "$work/brief.txt"
"$bin/dosedesk-cli" --db "$db" check --from "$date" --json >"$work/check.json"
python3 - "$work/brief.txt" "$work/check.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
check = json.load(open(sys.argv[2]))
# A figure as printed: grouped digits, or "<10" for a small count (1 to 9).
def figure_above(label, pick):
    for i, line in enumerate(lines):
        if label in line and i > 0:
            shown = [t for t in lines[i - 1].split() if t == "<10" or t.replace(",", "").isdigit()]
            return pick(shown)
    sys.exit(f"brief: no {label!r} on the page")
def agrees(shown, value):
    return 1 <= value <= 9 if shown == "<10" else int(shown.replace(",", "")) == value
shown = {
    "overbooked_slots": figure_above("Over-capacity slots ahead", lambda n: n[-1]),
    "excess_bookings": figure_above("Excess bookings ahead", lambda n: n[0]),
}
for key, figure in shown.items():
    if not agrees(figure, check[key]):
        sys.exit(f"brief: the page shows {key} {figure}, a fresh check {check[key]}")
print("brief   over-capacity slots %s and excess bookings %s on the page, as a fresh check finds" % (shown["overbooked_slots"], shown["excess_bookings"]))
PY
