# Sourced by the screenshot scripts (from the checkout's root): installs what
# they need, builds (or takes BUILD_DIR=dir, relative to the checkout or
# absolute, as it is), and gives the window fresh settings, journal and
# runtime folder in a scratch $work (removed on exit), so it opens as on a
# first launch on tab $1 and the user's own files are never touched.
# Sets: binary, work.
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
