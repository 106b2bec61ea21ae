#!/usr/bin/env bash
# Renders docs/screenshot.png: the desktop app a few seconds into the demo job,
# in a real X server (Xvfb) at 1366x768, captured with ImageMagick's import.
# Usage: scripts/screenshot.sh [seconds into the run, default 4]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --with-screenshot
# BUILD_DIR=dir uses an existing build instead of (re)building ./build.
if [[ -z "${BUILD_DIR:-}" ]]; then
    scripts/build.sh >/dev/null
fi
binary="$PWD/${BUILD_DIR:-build}/app/taskpool"

delay="${1:-4}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p docs

# A fresh settings folder: the window opens as on a first launch, at its default size.
export XDG_CONFIG_HOME="$work/config"
export XDG_RUNTIME_DIR="$work/runtime"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

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

xvfb-run --auto-servernum --server-args="-screen 0 1366x768x24" bash -c '
    set -euo pipefail
    "$3" gui --job "$1" --start -geometry 1366x768+0+0 &
    app=$!
    # Wait for the window to be mapped, then let the run get going.
    for _ in $(seq 50); do
        xwininfo -root -tree | grep -q "\"taskpool\"" && break
        sleep 0.2
    done
    sleep "$2"
    import -window root -display "$DISPLAY" docs/screenshot.png
    kill "$app"
    wait "$app" || true
' _ "$work/demo.json" "$delay" "$binary"
echo "wrote docs/screenshot.png"
