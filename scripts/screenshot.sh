#!/usr/bin/env bash
# Renders docs/screenshot.png: the desktop app a few seconds into the demo job,
# with the Runs tab open on a few past runs, in a real X server (Xvfb) at
# 1366x768, captured with ImageMagick's import.
# Usage: scripts/screenshot.sh [seconds into the run, default 4]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/screenshot-setup.sh runs # sets binary and work
delay="${1:-4}"

# Some history, recorded by the headless runner into the same journal.
quiet=(-q --results /dev/null)
"$binary" run "${quiet[@]}" -j 4 --range 5000 --worker -- "$binary" demo-worker --fast
"$binary" run "${quiet[@]}" -j 2 --range 60 -- sh -c 'sleep 0.02; test $(( $0 % 9 )) -ne 4' {} || true
"$binary" run "${quiet[@]}" -j 2 --range 40 --stall 0.5 --halt-on-failures 3 \
    -- sh -c 'if [ $(( $0 % 6 )) -eq 5 ]; then sleep 60; fi; echo "$0"' {} || true
for signal in INT KILL; do # a run stopped with Ctrl-C, and one whose process was killed
    "$binary" run "${quiet[@]}" -j 2 --range 400 -- sh -c 'sleep 0.1; echo "$0"' {} &
    runner=$!
    sleep 1.5
    kill -s "$signal" "$runner"
    wait "$runner" || true
done

# The demo job with more tasks and four workers, so the tables are busy.
cat >"$work/demo.json" <<JSON
{
  "mode": "worker",
  "command": ["$binary", "demo-worker"],
  "workers": 4,
  "retries": 1,
  "inputs": {"kind": "range", "count": 200}
}
JSON

gui=(gui --job "$work/demo.json" --start)
shoot 1366x768 1 docs/screenshot.png -geometry 1366x768+0+0
