#!/usr/bin/env bash
# Speed benchmark of issue 6: taskpool vs xargs -P, GNU parallel and Python's
# multiprocessing on the same workloads, in one run, on this machine.
#   tests/bench/compare.sh            medians of 5 runs (about 5 minutes on 2 cores)
#   tests/bench/compare.sh --quick    one run of each
#   tests/bench/compare.sh --help     every option
# Needs a built taskpool (build/app/taskpool, or --taskpool PATH / $TASKPOOL) and
# GNU parallel (scripts/deps.sh --with-bench). Exits 1 when any tool's output is wrong.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec python3 "$here/compare.py" "$@"
