#!/usr/bin/env bash
# Renders docs/timeline.png: the desktop app's Timeline tab some seconds into
# the demo job (six workers, failures retried once), in a real X server (Xvfb)
# at 1366x768, captured with ImageMagick's import. Like scripts/screenshot.sh.
# Usage: scripts/screenshot-timeline.sh [seconds into the run, default 14]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --with-screenshot
# BUILD_DIR=dir uses an existing build instead of (re)building ./build.
if [[ -z "${BUILD_DIR:-}" ]]; then
    scripts/build.sh >/dev/null
fi
build="${BUILD_DIR:-build}"
[[ "$build" == /* ]] || build="$PWD/$build"
binary="$build/app/taskpool"

delay="${1:-14}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p docs

# Fresh settings and journal; the window opens on the Timeline tab.
export XDG_CONFIG_HOME="$work/config"
export XDG_DATA_HOME="$work/data"
export XDG_RUNTIME_DIR="$work/runtime"
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME/taskpool" && chmod 700 "$XDG_RUNTIME_DIR"
printf '[window]\ntab=timeline\n' >"$XDG_CONFIG_HOME/taskpool/taskpool.conf"

cat >"$work/demo.json" <<JSON
{
  "mode": "worker",
  "command": ["$binary", "demo-worker"],
  "workers": 6,
  "retries": 1,
  "inputs": {"kind": "range", "count": 200}
}
JSON

xvfb-run --auto-servernum --server-args="-screen 0 1366x768x24" bash -c '
    set -euo pipefail
    "$3" gui --job "$1" --start -geometry 1366x768+0+0 &
    app=$!
    for _ in $(seq 50); do
        xwininfo -root -tree | grep -q "\"taskpool\"" && break
        sleep 0.2
    done
    sleep "$2"
    import -window root -display "$DISPLAY" docs/timeline.png
    kill "$app"
    wait "$app" || true
' _ "$work/demo.json" "$delay" "$binary"
echo "wrote docs/timeline.png"
