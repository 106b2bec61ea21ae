#!/usr/bin/env python3
"""A small taskpool protocol worker for the benchmarks: f(x) = x + 1.

Reads {"id": N, "input": "x"} lines on stdin and answers {"id": N, "result": x+1}.
It reads whatever is available and writes all its answers for that chunk at
once, the way a fast worker should when the pool keeps several tasks in flight.

  --line       read line by line and flush after every answer (the naive loop)
  --sleep S    sleep S seconds per task (the 10 x 1 s workload)

With TASKPOOL_BENCH_CPU_DIR set, it writes its own CPU seconds (user+sys) to a
file named after its pid there on exit, so the benchmark can tell the pool's
share of the CPU from the workers'.
"""
import json
import os
import sys
import time


def main():
    args = sys.argv[1:]
    per_line = "--line" in args
    pause = float(args[args.index("--sleep") + 1]) if "--sleep" in args else 0.0
    if per_line or pause:
        for line in sys.stdin:
            task = json.loads(line)
            if pause:
                time.sleep(pause)
            print(json.dumps({"id": task["id"], "result": int(task["input"]) + 1}), flush=True)
        return
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    loads, dumps = json.loads, json.dumps
    tail = b""
    while True:
        chunk = stdin.read1(1 << 16)
        if not chunk:
            break
        lines = (tail + chunk).split(b"\n")
        tail = lines.pop()
        out = []
        for line in lines:
            task = loads(line)
            out.append(dumps({"id": task["id"], "result": int(task["input"]) + 1}))
        if out:
            out.append("")
            stdout.write("\n".join(out).encode())
            stdout.flush()


def report_cpu():
    where = os.environ.get("TASKPOOL_BENCH_CPU_DIR")
    if where:
        import resource
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with open(os.path.join(where, str(os.getpid())), "w") as f:
            f.write("%.6f\n" % (usage.ru_utime + usage.ru_stime))


if __name__ == "__main__":
    main()
    report_cpu()
