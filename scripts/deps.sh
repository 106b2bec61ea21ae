#!/usr/bin/env bash
# Installs what taskpool needs to build, test and show itself, from Debian packages.
# Does nothing when everything is already there.
set -euo pipefail

# dpkg-dev (dpkg-shlibdeps for cpack), desktop-file-utils, appstream, lintian and file: scripts/package.sh and the tests in tests/packaging.
# groff-base and zsh: tst_clidocs reads the man page with groff and parses the zsh completion.
# parallel: tst_sweep compares taskpool's sweeps with GNU parallel's on the same sources.
# openssh, slurm and munge: the remote suites (tst_remotehosts, tst_transfer, tst_slurm, tst_cli) start a real sshd and a one-node Slurm cluster on 127.0.0.1.
packages=(cmake g++ make qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libqt6sql6-sqlite libsqlite3-dev
          qt6-qpa-plugins python3 openssh-server openssh-client slurmctld slurmd slurm-client munge
          dpkg-dev desktop-file-utils appstream lintian file groff-base zsh parallel)
[[ "${1:-}" == "--with-bench" ]] && packages+=(hyperfine libbenchmark-dev time)
[[ "${1:-}" == "--with-screenshot" ]] && packages+=(xvfb imagemagick x11-utils)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "Installing: ${missing[*]}"
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
