#!/usr/bin/env python3
"""The Python side of tests/bench/compare.sh: the same workloads done the way a
Python user would, with multiprocessing. Prints one JSON line with what it got,
which compare.py checks.

  pool-map N W              Pool(W).map(x+1, range(N), chunksize=1)
  executor-map N W          ProcessPoolExecutor(W).map(x+1, range(N))  (chunksize 1)
  pool-sleep N W S          Pool(W).map(sleep S; x+1, range(N), chunksize=1)
  pool-imap-file N W FILE   Pool(W).imap(x+1, range(N), chunksize=1), one result per line to FILE
  threadpool-run N W CMD..  ThreadPool(W): subprocess.run([CMD..., str(x)], capture_output=True)
"""
import json
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Pool
from multiprocessing.pool import ThreadPool

SLEEP = 0.0


def inc(x):
    return x + 1


def sleep_inc(x):
    time.sleep(SLEEP)
    return x + 1


def set_sleep(seconds):
    global SLEEP
    SLEEP = seconds


def main():
    what, n, w = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rest = sys.argv[4:]
    if what == "pool-map":
        with Pool(w) as pool:
            results = pool.map(inc, range(n), chunksize=1)
    elif what == "executor-map":
        with ProcessPoolExecutor(w) as executor:
            results = list(executor.map(inc, range(n)))
    elif what == "pool-sleep":
        with Pool(w, initializer=set_sleep, initargs=(float(rest[0]),)) as pool:
            results = pool.map(sleep_inc, range(n), chunksize=1)
    elif what == "pool-imap-file":
        count = total = 0
        with Pool(w) as pool, open(rest[0], "w") as out:
            for value in pool.imap(inc, range(n), chunksize=1):
                out.write("%d\n" % value)
                count += 1
                total += value
        print(json.dumps({"count": count, "sum": total, "ok": count}))
        return
    elif what == "threadpool-run":
        def run(x):
            done = subprocess.run(rest + [str(x)], stdin=subprocess.DEVNULL, capture_output=True)
            return done.returncode
        with ThreadPool(w) as pool:
            codes = pool.map(run, range(n), chunksize=1)
        print(json.dumps({"count": len(codes), "ok": sum(1 for c in codes if c == 0), "sum": None}))
        return
    else:
        sys.exit("pybench: unknown workload " + what)
    print(json.dumps({"count": len(results), "sum": sum(results), "ok": len(results)}))


if __name__ == "__main__":
    main()
