#!/usr/bin/env bash
# The full chaos suite: thousands of tasks per scenario. Prints one table and
# exits non-zero if anything was lost, duplicated or left running.
#   tests/chaos/run-chaos.sh [TASKS]      (default 3000)
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/build.sh >/dev/null
build/tests/chaos/chaos --tasks "${1:-3000}"
