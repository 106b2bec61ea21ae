#!/usr/bin/env bash
# Proves that the Debian package installs and runs on a fresh Debian 12: makes
# a minimal bookworm chroot (debootstrap --variant=minbase) under /tmp, installs
# the .deb there with apt (which pulls in its dependencies), and runs
# `taskpool run --range 3 -- echo`, `taskpool runs` (the journal) and the
# desktop app (offscreen; it must stay up until killed). Needs root, debootstrap (installed if missing) and network
# access to a Debian mirror. Not run by CI: it takes minutes and needs root.
# Usage: scripts/verify-package.sh [path/to/taskpool_VERSION_ARCH.deb]
#   (default: the one scripts/package.sh makes in build/)
# MIRROR=URL picks the mirror (default: this machine's first Debian mirror);
# KEEP=1 keeps the chroot for a look around (its path is printed).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "verify-package.sh: needs root (debootstrap, chroot)" >&2; exit 2; }

deb="${1:-}"
if [[ -z "$deb" ]]; then
    shopt -s nullglob
    debs=(build/taskpool_*.deb)
    [[ ${#debs[@]} -eq 1 ]] || { echo "verify-package.sh: give the .deb (found ${#debs[@]} in build/; scripts/package.sh makes one)" >&2; exit 2; }
    deb="${debs[0]}"
fi
[[ -f "$deb" ]] || { echo "verify-package.sh: no such file: $deb" >&2; exit 2; }

if ! command -v debootstrap >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
fi
mirror="${MIRROR:-$(grep -hoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | head -1 | grep -oE 'https?://[^ ]+' || true)}"
mirror="${mirror:-http://deb.debian.org/debian}"

root="$(mktemp -d /tmp/taskpool-verify.XXXXXX)"
chmod 755 "$root" # it becomes /, which apt's _apt user must be able to enter
cleanup() {
    umount "$root/proc" 2>/dev/null || true
    if grep -qF " $root/" /proc/mounts; then
        echo "something is still mounted under $root: not removing it" >&2
    elif [[ "${KEEP:-}" == 1 ]]; then
        echo "kept the chroot: $root"
    else
        rm -rf "$root"
    fi
}
trap cleanup EXIT

echo "== debootstrap --variant=minbase bookworm $root $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 \
    || { tail -20 "$root.log"; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
mount -t proc proc "$root/proc"
cp "$deb" "$root/tmp/"
inroot=(chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive)

echo "== apt-get install ./$(basename "$deb") (in the chroot)"
"${inroot[@]}" apt-get update -qq
"${inroot[@]}" apt-get install -y -qq -o Dpkg::Use-Pty=0 "/tmp/$(basename "$deb")" >/dev/null
"${inroot[@]}" dpkg-query -W -f='installed: ${Package} ${Version} (${Status})\n' taskpool

echo "== taskpool run --range 3 -- echo"
output="$("${inroot[@]}" taskpool run --range 3 -- echo)"
echo "$output"
# One JSON line per task, inputs 0, 1, 2, each echoed back.
for i in 0 1 2; do
    grep -qF "\"input\":\"$i\",\"status\":\"ok\"" <<<"$output" \
        || { echo "FAIL: no successful result for input $i" >&2; exit 1; }
done

echo "== taskpool runs (the journal, through Qt's SQLite driver, libqt6sql6-sqlite)"
runs="$("${inroot[@]}" taskpool runs)"
echo "$runs"
grep -qE '^ +1 .* finished +3 ' <<<"$runs" || { echo "FAIL: the journal does not list the run above as finished with 3 ok" >&2; exit 1; }

echo "== QT_QPA_PLATFORM=offscreen taskpool (must stay up for 5 s)"
status=0
"${inroot[@]}" QT_QPA_PLATFORM=offscreen timeout 5 taskpool >"$root/tmp/app.log" 2>&1 || status=$?
if [[ $status -ne 124 ]]; then
    echo "FAIL: the app exited with status $status within 5 s:" >&2
    cat "$root/tmp/app.log" >&2
    exit 1
fi
echo "the app was still running after 5 s (ended by timeout)"
[[ -s "$root/tmp/app.log" ]] && { echo "its messages:"; cat "$root/tmp/app.log"; }

echo "== the X11 platform plugin a desktop session needs (qt6-qpa-plugins) is installed"
ls "$root"/usr/lib/*/qt6/plugins/platforms/libqxcb.so | sed "s|^$root|present: |"

echo "== the desktop files are in place"
for f in /usr/share/applications/taskpool.desktop /usr/share/icons/hicolor/scalable/apps/taskpool.svg \
         /usr/share/icons/hicolor/48x48/apps/taskpool.png /usr/share/doc/taskpool/copyright; do
    [[ -f "$root$f" ]] || { echo "FAIL: missing $f" >&2; exit 1; }
    echo "present: $f"
done
ls "$root"/usr/share/metainfo/*.metainfo.xml | sed "s|^$root|present: |"
echo "OK: $(basename "$deb") installs on a fresh Debian 12 (bookworm) chroot and runs"
