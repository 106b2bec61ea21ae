#!/usr/bin/env python3
"""A taskpool protocol worker: one JSON task per line in, JSON lines out.

    taskpool run -j 4 --range 100 --worker -- python3 square_worker.py
"""
import json
import sys
import time

# optional: after a slow start-up (imports, a model to load), say so; the first
# task's clock starts then (see --worker-startup)
print(json.dumps({"ready": True}), flush=True)

for line in sys.stdin:                      # ends when taskpool closes stdin
    task = json.loads(line)
    n = int(task["input"])
    for step in range(1, 4):                # optional: report progress as you go
        time.sleep(0.01)
        print(json.dumps({"id": task["id"], "progress": step / 4}), flush=True)
    if n % 13 == 7:
        print(json.dumps({"id": task["id"], "error": f"{n} is unlucky"}), flush=True)
    else:
        print(json.dumps({"id": task["id"], "result": {"square": n * n}}), flush=True)
