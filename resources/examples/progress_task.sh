#!/bin/sh
# A per-task command whose "NN%" lines become the task's progress bar:
#   taskpool run -j 4 --range 8 -- sh progress_task.sh {}
input="$1"
for pct in 20 40 60 80 100; do
    sleep 0.1
    echo "working on $input: $pct%"
done
echo "done: $input"
