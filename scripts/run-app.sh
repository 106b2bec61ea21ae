#!/usr/bin/env bash
# Installs dependencies if missing, builds, and launches taskpool on its built-in demo job.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
exec build/app/taskpool "$@"
