#!/usr/bin/env python3
"""A taskpool protocol worker for a parameter sweep: it "trains" with a learning
rate and a batch size and answers the loss and accuracy it reached, so the
"By parameter" tab has a surface to draw.

    taskpool run -j 4 --worker --param lr=0.3,0.1,0.03,0.01 --param bs=16,32,64 \
        -- python3 sweep_loss_worker.py

A sweep task carries its values by name in "params":
{"id": 7, "input": "0.1 32", "params": {"lr": "0.1", "bs": "32"}}.
"""
import json
import math
import sys
import time

for line in sys.stdin:                      # ends when taskpool closes stdin
    task = json.loads(line)
    lr, bs = float(task["params"]["lr"]), float(task["params"]["bs"])
    time.sleep(0.3 + 0.1 * math.log2(bs) / 2)   # bigger batches take longer
    # A valley around lr = 0.03, shallower with bigger batches.
    loss = 0.08 + 0.6 * (math.log10(lr) - math.log10(0.03)) ** 2 + 0.02 * math.log2(bs / 16)
    print(json.dumps({"id": task["id"], "result": {"loss": round(loss, 4), "acc": round(1 / (1 + loss), 4)}}),
          flush=True)
