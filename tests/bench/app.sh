#!/usr/bin/env bash
# App benchmark under Xvfb: start-up to the schedule painted (the UI reports
# the paint; the page cache is warm, as on a laptop that has run the app
# before), then idle memory as proportional set size (PSS) summed over the app
# and its WebKit processes, next to an empty Tauri 2 window's. Fails when a
# view never paints or paints an error (never on speed).
#
#   tests/bench/app.sh BIN_DIR DB_PATH [WEEK]   (BIN_DIR holds dosedesk, examples/empty_window and examples/store_sql)
set -euo pipefail
# shellcheck source=tests/bench/signed_in.sh
. "$(dirname "${BASH_SOURCE[0]}")/signed_in.sh"
bin=${1:?BIN_DIR}
db=${2:?DB_PATH}
week=${3:-2021-02-01} # inside the generated data (dosedesk-cli generate starts 2021-01-04)
work=$(mktemp -d "${TMPDIR:-/tmp}/dosedesk-appbench.XXXXXX")
# Xvfb picks a free display itself (-displayfd) and writes its number once it
# accepts clients, so a display left taken by another run cannot be confused
# with ours.
Xvfb -displayfd 3 -screen 0 1400x900x24 3>"$work/display" >"$work/xvfb.err" 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do [ -s "$work/display" ] && break; sleep 0.1; done
if [ ! -s "$work/display" ]; then echo "app: Xvfb did not start"; cat "$work/xvfb.err"; exit 1; fi
export DISPLAY=:$(tr -d '[:space:]' <"$work/display") WEBKIT_DISABLE_COMPOSITING_MODE=1

# A process that has already ended cannot be killed: that is not a failure.
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

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
  # A cold first start (fresh font and WebKit caches, a debug build) can take
  # many seconds on a busy machine: wait up to two minutes, but stop waiting
  # as soon as the app has died.
  for _ in $(seq 1 1200); do
    grep -q "schedule painted at" "$work/app.err" && break
    kill -0 $app 2>/dev/null || break
    sleep 0.1
  done
  painted=$(grep -m1 -o "schedule painted at [0-9]*" "$work/app.err" | awk '{print $4}' || true)
  if [ -z "$painted" ]; then
    echo "app: launch $run: the schedule never painted ($DISPLAY); the app's error output:"
    tail -40 "$work/app.err"
    stop $app
    exit 1
  fi
  ms=$((painted - start))
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  if [ "$run" = 3 ]; then sleep 3; app_pss=$(pss_mb $app); fi
  stop $app
done
render=$(grep -m1 -o "rendered in [0-9]* ms" "$work/app.err" | awk '{print $3}' || true)

# Every view twice (--tour-views): the time from opening each to its paint,
# data fetched over IPC included; each round ends on the schedule again.
# Twice over: at once after start-up (a first open also fetches the view's
# module and meets each new text size for the first time), and after the
# prefetch the app does while the schedule is read (as someone who clicks
# after a second or two meets it).
tour() { # FLAG OUT
  "$bin/dosedesk" --db "$db" --week "$week" "$1" 2>"$work/tour.err" >/dev/null &
  app=$!
  for _ in $(seq 1 1200); do
    [ "$(grep -c "painted at" "$work/tour.err" || true)" -ge 19 ] && break
    kill -0 $app 2>/dev/null || break
    sleep 0.1
  done
  stop $app
  grep -o "dosedesk: [a-z]* painted at [0-9]* (rendered in [0-9]* ms)" "$work/tour.err" | tail -n +2 >"$2" || true
  if [ "$(wc -l <"$2")" -lt 18 ]; then echo "app: the view tour ($1) painted $(wc -l <"$2") of 18 views; the app's error output:"; tail -40 "$work/tour.err"; exit 1; fi
  # A view that painted an error is a wrong result, however fast.
  if grep -q "painted at .*, showing the error:" "$work/tour.err"; then
    echo "app: WRONG: a view painted an error ($1):"
    grep "painted at .*, showing the error:" "$work/tour.err"
    exit 1
  fi
}
tour --tour-views "$work/cold.txt"
tour --tour-views=prefetched "$work/tour.txt"
round() { sed -n "$2" "$1" | awk '{printf "%s %s ms; ", $2, $8}'; }
slowest() { sed -n "$2" "$1" | awk '$8 + 0 >= max { max = $8 + 0; name = $2 } END { printf "%s %d ms", name, max }'; }
cold=$(round "$work/cold.txt" 1,9p)
views=$(round "$work/tour.txt" 1,9p)
again=$(round "$work/tour.txt" 10,18p)

"$bin/examples/empty_window" >/dev/null 2>"$work/empty.err" &
empty=$!
sleep 4
if kill -0 $empty 2>/dev/null; then
  empty_pss=$(pss_mb $empty)
else
  echo "app: the empty Tauri window ended before it could be measured:"
  tail -20 "$work/empty.err"
  exit 1
fi
stop $empty

rows=$("$bin/examples/store_sql" "$db" "SELECT count(*) FROM appointment")
shown=$(grep -c . <<<"$("$bin/examples/store_sql" "$db" "SELECT 1 FROM shift WHERE date BETWEEN date('$week', 'weekday 1', '-7 days') AND date('$week', 'weekday 1', '-1 days') LIMIT 100000")" || true)
echo "app     database          $rows appointments; schedule opened on the week of $week ($shown shifts that week)"
echo "app     start-up to schedule painted  ${best} ms (best of 3; schedule view rendered in ${render} ms)"
echo "app     each view, first open at once   ${cold}"
echo "app     slowest first open at once         $(slowest "$work/cold.txt" 1,9p)"
echo "app     each view, first open after the start-up prefetch  ${views}"
echo "app     slowest first open after prefetch  $(slowest "$work/tour.txt" 1,9p)"
echo "app     each view, opened again           ${again}"
echo "app     slowest view opened again          $(slowest "$work/tour.txt" 10,18p)"
echo "app     idle memory (PSS, app + WebKit)  ${app_pss} MB"
echo "app     empty Tauri window (PSS)         ${empty_pss} MB"
awk -v a="$app_pss" -v e="$empty_pss" 'BEGIN { printf "app     memory ratio to the empty window   %.2fx\n", a / (e > 0 ? e : 1) }'
