#!/usr/bin/env bash
# App benchmark under Xvfb: start-up to the schedule painted (the UI reports
# the paint; the page cache is warm, as on a laptop that has run the app
# before), then idle memory as proportional set size (PSS) summed over the app
# and its WebKit processes, next to an empty Tauri 2 window's.
#
#   tests/bench/app.sh BIN_DIR DB_PATH [WEEK]   (BIN_DIR holds dosedesk and examples/empty_window)
set -euo pipefail
bin=${1:?BIN_DIR}
db=${2:?DB_PATH}
week=${3:-2021-02-01} # inside the generated data (dosedesk-cli generate starts 2021-01-04)
work=$(mktemp -d "${TMPDIR:-/tmp}/dosedesk-appbench.XXXXXX")
display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1400x900x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; rm -rf "$work"' EXIT
export DISPLAY=$display WEBKIT_DISABLE_COMPOSITING_MODE=1
sleep 1

descendants() { local p=$1; echo "$p"; for c in $(pgrep -P "$p"); do descendants "$c"; done; }
pss_mb() {
  local total=0 kb
  for p in $(descendants "$1"); do
    kb=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  echo $((total / 1024))
}

# Start-up: best of three launches.
best=""
for run in 1 2 3; do
  start=$(date +%s%3N)
  "$bin/dosedesk" --db "$db" --week "$week" 2>"$work/app.err" >/dev/null &
  app=$!
  for _ in $(seq 1 300); do grep -q "schedule painted at" "$work/app.err" && break; sleep 0.05; done
  painted=$(grep -m1 -o "schedule painted at [0-9]*" "$work/app.err" | awk '{print $4}')
  if [ -z "$painted" ]; then echo "app: the schedule never painted"; cat "$work/app.err"; kill $app; exit 1; fi
  ms=$((painted - start))
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  if [ "$run" = 3 ]; then sleep 3; app_pss=$(pss_mb $app); fi
  kill $app; wait $app 2>/dev/null || true
done
render=$(grep -m1 -o "rendered in [0-9]* ms" "$work/app.err" | awk '{print $3}')

# Every view twice (--tour-views): the time from opening each to its paint,
# data fetched over IPC included; a first open also loads the view's module.
# Each round ends on the schedule again.
"$bin/dosedesk" --db "$db" --week "$week" --tour-views 2>"$work/tour.err" >/dev/null &
app=$!
for _ in $(seq 1 1200); do [ "$(grep -c "painted at" "$work/tour.err")" -ge 19 ] && break; sleep 0.1; done
kill $app; wait $app 2>/dev/null || true
grep -o "dosedesk: [a-z]* painted at [0-9]* (rendered in [0-9]* ms)" "$work/tour.err" | tail -n +2 >"$work/tour.txt" || true
round() { sed -n "$1" "$work/tour.txt" | awk '{printf "%s %s ms; ", $2, $8}'; }
slowest() { sed -n "$1" "$work/tour.txt" | awk '$8 + 0 >= max { max = $8 + 0; name = $2 } END { printf "%s %d ms", name, max }'; }
views=$(round 1,9p)
again=$(round 10,18p)
if [ -z "$views" ]; then echo "app: the view tour reported nothing"; tail -5 "$work/tour.err"; fi

"$bin/examples/empty_window" >/dev/null 2>&1 &
empty=$!
sleep 4
empty_pss=$(pss_mb $empty)
kill $empty; wait $empty 2>/dev/null || true

rows=$(sqlite3 "$db" "SELECT count(*) FROM appointment")
shown=$(grep -c . <<<"$(sqlite3 "$db" "SELECT 1 FROM shift WHERE date BETWEEN date('$week', 'weekday 1', '-7 days') AND date('$week', 'weekday 1', '-1 days') LIMIT 100000")" || true)
echo "app     database          $rows appointments; schedule opened on the week of $week ($shown shifts that week)"
echo "app     start-up to schedule painted  ${best} ms (best of 3; schedule view rendered in ${render} ms)"
echo "app     each view, first open to painted  ${views}"
echo "app     slowest first open                 $(slowest 1,9p)"
echo "app     each view, opened again           ${again}"
echo "app     slowest view opened again          $(slowest 10,18p)"
echo "app     idle memory (PSS, app + WebKit)  ${app_pss} MB"
echo "app     empty Tauri window (PSS)         ${empty_pss} MB"
awk -v a="$app_pss" -v e="$empty_pss" 'BEGIN { printf "app     memory ratio to the empty window   %.2fx\n", a / (e > 0 ? e : 1) }'
