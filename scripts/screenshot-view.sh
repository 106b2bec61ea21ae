#!/usr/bin/env bash
# Renders one of the README's pictures of a view, in a real X server (Xvfb) at
# 1366x768, captured with ImageMagick's import. Like scripts/screenshot.sh.
#   timeline  docs/timeline.png: the Timeline tab some seconds into the demo
#             job (six workers, failures retried once)
#   watch     docs/watch.png: `taskpool gui --attach` watching the demo job
#             that a headless `taskpool run` started (the Runs tab, the run's
#             own workers, its results)
#   sweep     docs/heatmap.png: the "By parameter" tab filling in a heatmap of
#             the loss of a 7 x 5 sweep (lr x bs) on
#             resources/examples/sweep_loss_worker.py, some seconds in
#   editor    docs/sweep-editor.png: the job form with a 3 x 8 x 2 parameter
#             sweep opened from a job file (its table, task count and the
#             first commands); nothing runs
#   screens   docs/screen-1366x768.png, docs/screen-1366x768-150.png and
#             docs/screen-1920x1080.png: eight workers on the demo job as the
#             window first opens on those screens (150 %: QT_SCALE_FACTOR),
#             the job form folded while the run goes; docs/screen-dark.png:
#             the dark theme at 1366x768 on the Timeline tab
# Usage: scripts/screenshot-view.sh timeline|watch|sweep|editor|screens [seconds into the run, default 14; sweep 3; editor 2; screens 6]
set -euo pipefail
cd "$(dirname "$0")/.."
view="${1:-}"
[[ "$view" == timeline || "$view" == watch || "$view" == sweep || "$view" == editor || "$view" == screens ]] || { echo "usage: $0 timeline|watch|sweep|editor|screens [seconds]" >&2; exit 2; }
source scripts/screenshot-setup.sh timeline # sets binary and work
delay="${2:-14}"
out="docs/$view.png"

cat >"$work/demo.json" <<JSON
{
  "mode": "worker",
  "command": ["$binary", "demo-worker"],
  "workers": 6,
  "retries": 1,
  "inputs": {"kind": "range", "count": 200}
}
JSON

if [[ "$view" == watch ]]; then
    "$binary" run -q --results /dev/null --job "$work/demo.json" &
    runner=$!
    trap 'kill "$runner" 2>/dev/null || true; rm -rf "$work"' EXIT
    gui=(gui --attach)
elif [[ "$view" == sweep ]]; then
    # The sweep goes to the window as tuples with their parameters, by a small
    # program of the tests (sweep_demo) until job files carry parameters.
    cmake --build "$build" --target sweep_demo >/dev/null
    binary="$build/tests/ui/sweep_demo"
    gui=("$PWD/resources/examples/sweep_loss_worker.py")
    delay="${2:-3}"
    out="docs/heatmap.png"
elif [[ "$view" == editor ]]; then
    # The values as typed ("source") are shown; the values are what runs, so
    # @optimizers.txt need not exist here.
    cat >"$work/sweep.json" <<JSON
{
  "mode": "per-task",
  "command": ["python3", "train.py", "--lr", "{lr}", "--batch", "{bs}", "--opt", "{opt}"],
  "workers": 4,
  "inputs": {"kind": "range", "count": 0},
  "parameters": [
    {"name": "lr", "values": ["0.1", "0.01", "0.001"], "source": "0.1,0.01,0.001"},
    {"name": "bs", "values": ["16", "32", "48", "64", "80", "96", "112", "128"], "source": "16..128:16"},
    {"name": "opt", "values": ["adam", "sgd"], "source": "@optimizers.txt"}
  ]
}
JSON
    gui=(gui --job "$work/sweep.json")
    delay="${2:-2}"
    out="docs/sweep-editor.png"
else
    gui=(gui --job "$work/demo.json" --start)
fi

if [[ "$view" == screens ]]; then
    sed -i 's/"workers": 6/"workers": 8/; s/"count": 200/"count": 400/' "$work/demo.json"
    delay="${2:-6}"
    printf '[window]\ntab=results\n' >"$XDG_CONFIG_HOME/taskpool/taskpool.conf"
    shoot 1366x768 1 docs/screen-1366x768.png -geometry 1366x768+0+0 # a laptop, the window maximized
    rm -f "$XDG_CONFIG_HOME/taskpool/taskpool.conf" # each one a first launch, on the Results tab
    shoot 1366x768 1.5 docs/screen-1366x768-150.png
    rm -f "$XDG_CONFIG_HOME/taskpool/taskpool.conf"
    shoot 1920x1080 1 docs/screen-1920x1080.png
    printf '[window]\ntab=timeline\n' >"$XDG_CONFIG_HOME/taskpool/taskpool.conf"
    gui+=(--theme dark)
    shoot 1366x768 1 docs/screen-dark.png -geometry 1366x768+0+0
else
    shoot 1366x768 1 "$out" -geometry 1366x768+0+0
fi
