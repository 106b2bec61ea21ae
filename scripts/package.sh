#!/usr/bin/env bash
# Installs dependencies if missing, builds, and makes the Debian package
# build/taskpool_VERSION_ARCH.deb (cpack -G DEB); prints its path.
# Install it with: sudo apt install ./build/taskpool_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
# cpack says: "CPack: - package: /abs/path/taskpool_0.1.0_amd64.deb generated."
output="$(cd build && cpack -G DEB)"
deb="$(sed -n 's/^CPack: - package: \(.*\.deb\) generated\.$/\1/p' <<<"$output")"
[[ -n "$deb" && -f "$deb" ]] || { echo "$output" >&2; echo "package.sh: cpack wrote no .deb" >&2; exit 1; }
echo "$deb"
