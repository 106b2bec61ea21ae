# Sourced by the screenshot scripts (from the checkout's root): installs what
# they need, builds (or takes BUILD_DIR=dir, relative to the checkout or
# absolute, as it is), and gives the window fresh settings, journal and
# runtime folder in a scratch $work (removed on exit), so it opens as on a
# first launch on tab $1 and the user's own files are never touched.
# Sets: binary, work; defines shoot.
scripts/deps.sh --with-screenshot
if [[ -z "${BUILD_DIR:-}" ]]; then
    scripts/build.sh >/dev/null
fi
build="${BUILD_DIR:-build}"
[[ "$build" == /* ]] || build="$PWD/$build"
binary="$build/app/taskpool"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p docs
export XDG_CONFIG_HOME="$work/config"
export XDG_DATA_HOME="$work/data"
export XDG_RUNTIME_DIR="$work/runtime"
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME/taskpool" && chmod 700 "$XDG_RUNTIME_DIR"
# The window reopens the tab it was closed on.
printf '[window]\ntab=%s\n' "$1" >"$XDG_CONFIG_HOME/taskpool/taskpool.conf"

# shoot SCREEN SCALE OUT [GEOMETRY]: "$binary" "${gui[@]}" on an Xvfb screen
# of SCREEN pixels at SCALE, captured after $delay seconds once its window is
# mapped; without GEOMETRY the window places itself as on a first launch.
shoot() {
    local screen="$1" scale="$2" out="$3" geometry=("${@:4}")
    QT_SCALE_FACTOR="$scale" xvfb-run --auto-servernum --server-args="-screen 0 ${screen}x24" bash -c '
        set -euo pipefail
        out="$1" delay="$2" binary="$3"
        shift 3
        "$binary" "$@" &
        app=$!
        for _ in $(seq 50); do
            xwininfo -root -tree | grep -q "\"taskpool\"" && break
            sleep 0.2
        done
        sleep "$delay"
        import -window root -display "$DISPLAY" "$out"
        kill "$app"
        wait "$app" || true
    ' _ "$out" "$delay" "$binary" "${gui[@]}" "${geometry[@]}"
    echo "wrote $out"
}
