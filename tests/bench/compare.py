#!/usr/bin/env python3
"""Speed benchmark of issue 6: taskpool side by side with xargs -P, GNU parallel and
Python's multiprocessing, on the same workloads, in the same run, on this machine.

Run it through compare.sh (see --help). Every row is the median of --runs runs;
the runs of one workload are interleaved (tool A, tool B, ..., tool A, tool B, ...)
so a slow moment of the machine does not land on one tool only.

Measured per run, for the whole process tree of the tool (wait4 of its top process):
  wall time       from spawn to exit
  CPU             user + sys of the tool and every descendant it waited for
  peak RSS        ru_maxrss: the largest single process of the tree

Every run's output is checked (count of results, all ok, ids, sum of the results);
the script exits 1 when any tool produced a wrong output, 2 on a usage or setup error.
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PYWORKER = os.path.join(HERE, "pyworker.py")
PYBENCH = os.path.join(HERE, "pybench.py")


class WrongOutput(Exception):
    pass


# ---------------------------------------------------------------- measuring

class Measurement:
    def __init__(self, wall, cpu, rss_kb, extra=None):
        self.wall = wall
        self.cpu = cpu
        self.rss_kb = rss_kb
        self.extra = extra or {}
        self.foreign = 0.0  # share of the machine other processes used meanwhile


def machine_busy_seconds():
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()[1:]
    except OSError:
        return None
    ticks = [int(x) for x in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


TIME = "/usr/bin/time"  # GNU time (Debian package "time")


def run_measured(argv, stdin_path=None, stdout_path=os.devnull, env=None):
    """Runs argv to its end; returns (process, Measurement) for its whole tree.

    The tool is started through GNU time, whose %M is the tool's own ru_maxrss.
    wait4 on a child this Python process forked directly would report at least
    this Python process's RSS: Linux records the pre-exec memory of the forked
    child in ru_maxrss. Wall time and CPU (microsecond resolution) come from
    here: GNU time's CPU and memory are tiny next to the tool's."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    with open(stdout_path, "wb") as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as rss:
        busy_before, self_before = machine_busy_seconds(), sum(os.times()[:2])
        start = time.perf_counter()
        proc = subprocess.Popen([TIME, "-q", "-f", "%M", "-o", rss.name] + argv,
                                stdin=stdin, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        busy_after, self_after = machine_busy_seconds(), sum(os.times()[:2])
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        proc.stderr_text = err.read().decode(errors="replace")
        try:
            rss_kb = int(rss.read().split()[-1])
        except (ValueError, IndexError):
            rss_kb = 0
    if stdin_path:
        stdin.close()
    m = Measurement(wall, usage.ru_utime + usage.ru_stime, rss_kb)
    if busy_before is not None and wall > 0:
        # Busy time of the machine that was neither the tool's tree nor this script.
        # /proc/stat counts in clock ticks (10 ms), so short runs read a little noisy.
        foreign = (busy_after - busy_before) - m.cpu - (self_after - self_before)
        m.foreign = max(0.0, foreign) / (wall * (os.cpu_count() or 1))
    return proc, m


# ---------------------------------------------------------------- checking

def check(condition, what):
    if not condition:
        raise WrongOutput(what)


def check_exit(proc, expected=0):
    tail = proc.stderr_text.strip().splitlines()[-3:]
    check(proc.returncode == expected,
          "exit status %s, expected %s%s" % (proc.returncode, expected, (": " + " | ".join(tail)) if tail else ""))


def check_result_counts(data, n):
    """Results file bytes: n lines, all ok, ids 0..n-1 adding up (counted, not parsed)."""
    lines = data.count(b"\n")
    check(lines == n, "%d result lines, expected %d" % (lines, n))
    ok = data.count(b'"status":"ok"')
    check(ok == n, "%d results with status ok, expected %d" % (ok, n))
    ids = sum(int(x) for x in re.findall(rb'\{"id":(\d+),', data))
    check(ids == n * (n - 1) // 2, "the ids do not add up to 0+1+...+%d" % (n - 1))


def check_taskpool_results(path, n, mode, expect_result=None, full=True):
    """Checks a taskpool results file: n lines, ids 0..n-1 once each, every status ok,
    input = str(id), and per mode: exit 0 and empty output, or result == expect_result(id).
    full=False does the same with byte-level counting instead of parsing every line
    (used for the million-task files, where json.loads alone would take seconds)."""
    if not full:
        with open(path, "rb") as f:
            data = f.read()
        check_result_counts(data, n)
        results = sum(int(x) for x in re.findall(rb'"result":"?(-?\d+)"?[,}]', data))
        want = sum(expect_result(i) for i in range(n))
        check(results == want, "the results add up to %d, expected %d" % (results, want))
        return
    seen = bytearray(n)
    count = 0
    with open(path, "rb") as f:
        for line in f:
            count += 1
            try:
                r = json.loads(line)
            except ValueError:
                raise WrongOutput("result line %d is not JSON: %r" % (count, line[:200]))
            i = r.get("id")
            check(isinstance(i, int) and 0 <= i < n, "result with a bad id: %r" % line[:200])
            check(not seen[i], "task %d has more than one result" % i)
            seen[i] = 1
            check(r.get("status") == "ok", "task %d: status %s (%s)" % (i, r.get("status"), r.get("error")))
            check(r.get("input") == str(i), "task %d: input %r" % (i, r.get("input")))
            if mode == "pertask":
                check(r.get("exit_code") == 0, "task %d: exit code %r" % (i, r.get("exit_code")))
                check(r.get("output") == "", "task %d: output %r" % (i, r.get("output")))
            else:
                got = r.get("result")
                if isinstance(got, str):
                    got = int(got)
                check(got == expect_result(i), "task %d: result %r, expected %r" % (i, r.get("result"), expect_result(i)))
    check(count == n, "%d results, expected %d" % (count, n))


def check_pybench(path, n, expected_sum):
    with open(path) as f:
        text = f.read().strip()
    try:
        got = json.loads(text.splitlines()[-1])
    except (ValueError, IndexError):
        raise WrongOutput("no summary line from pybench.py: %r" % text[:200])
    check(got["count"] == n, "%s results, expected %d" % (got["count"], n))
    check(got["ok"] == n, "%s ok, expected %d" % (got["ok"], n))
    if expected_sum is not None:
        check(got["sum"] == expected_sum, "results add up to %s, expected %d" % (got["sum"], expected_sum))


# ---------------------------------------------------------------- the cases

class Case:
    """One tool on one workload."""

    def __init__(self, tool, argv, verify, stdin=None, env=None, reference=False, cpu_dir=None, journal_home=None):
        self.tool = tool
        self.journal_home = journal_home  # emptied before every run
        self.argv = argv
        self.verify = verify          # verify(proc, out_path, run_index)
        self.stdin = stdin
        self.env = env
        self.reference = reference    # the taskpool row the others are compared with
        self.cpu_dir = cpu_dir        # where pyworker.py reports its own CPU
        self.runs = []


class Workload:
    def __init__(self, key, title, tasks, cases):
        self.key = key
        self.title = title
        self.tasks = tasks
        self.cases = cases


def build_workloads(args, tmp):
    tp = args.taskpool
    py = sys.executable
    # taskpool records every run in a SQLite journal under $XDG_DATA_HOME unless told
    # --no-journal: point that at the scratch folder (emptied before every run), so the
    # benchmark neither fills the user's journal nor slows down as its own journal grows.
    journal_home = os.path.join(tmp, "xdg-data")
    env = dict(os.environ, XDG_DATA_HOME=journal_home)
    help_text = subprocess.run([tp, "run", "--help"], capture_output=True, text=True).stdout
    has_journal = "--no-journal" in help_text

    def run(*options, journal=True):
        """taskpool run argv; journal=False adds --no-journal (when this taskpool has a journal)."""
        return [tp, "run", "-q"] + ([] if journal or not has_journal else ["--no-journal"]) + list(options)

    def variants(label, *options):
        """The default run (journal on) and, when there is a journal, the --no-journal one."""
        if not has_journal:
            return [(label, run(*options))]
        return [(label + " (journal on: default)", run(*options)),
                (label + ", --no-journal", run(*options, journal=False))]
    inputs2000 = os.path.join(tmp, "inputs-2000.txt")
    with open(inputs2000, "w") as f:
        f.writelines("%d\n" % i for i in range(2000))
    ones10 = os.path.join(tmp, "ones-10.txt")
    with open(ones10, "w") as f:
        f.write("1\n" * 10)

    def taskpool_check(n, mode, expect=None, full=lambda run: True):
        def verify(proc, out, run):
            check_exit(proc)
            check_taskpool_results(out, n, mode, expect, full(run))
        return verify

    def exit_ok(proc, out, run):
        check_exit(proc)

    def pybench_check(n, expected_sum):
        def verify(proc, out, run):
            check_exit(proc)
            check_pybench(out, n, expected_sum)
        return verify

    def cpu_dir(name):
        d = os.path.join(tmp, "cpu-" + name)
        os.makedirs(d, exist_ok=True)
        return d

    def worker_env(d):
        return dict(env, TASKPOOL_BENCH_CPU_DIR=d)

    workloads = []

    # (a) process per task
    n = 2000
    cases = [Case(label, argv + ["-j", "2", "--inputs", inputs2000, "--results", "{out}", "--", "/bin/true", "{}"],
                  taskpool_check(n, "pertask"), env=env, reference=i == 0, journal_home=journal_home)
             for i, (label, argv) in enumerate(variants("taskpool run -j 2"))]
    cases += [
        Case("xargs -P 2", ["xargs", "-P", "2", "-n", "1", "/bin/true"], exit_ok, stdin=inputs2000),
        Case("GNU parallel -j 2", ["parallel", "--will-cite", "-j", "2", "/bin/true", "{}"], exit_ok, stdin=inputs2000),
        Case("Python ThreadPool(2) + subprocess.run",
             [py, PYBENCH, "threadpool-run", str(n), "2", "/bin/true"], pybench_check(n, None)),
    ]
    workloads.append(Workload("a", "2000 × `/bin/true {}`, 2 slots, output captured", n, cases))

    # (b) long-lived workers, trivial tasks
    n = 100000
    cases = []
    for i, (label, argv) in enumerate(variants("taskpool --worker -j 2, C++ echo worker")):
        cases.append(Case(label, argv + ["-j", "2", "--range", str(n), "--worker", "--results", "{out}", "--",
                                         tp, "demo-worker", "--fast"],
                          taskpool_check(n, "worker", lambda i: i), env=env, reference=i == 0,
                          journal_home=journal_home))
    for label, argv in variants("taskpool --worker -j 2, Python worker"):
        d = cpu_dir("b-%d" % len(cases))
        cases.append(Case(label, argv + ["-j", "2", "--range", str(n), "--worker", "--results", "{out}", "--",
                                         py, PYWORKER],
                          taskpool_check(n, "worker", lambda i: i + 1), env=worker_env(d), cpu_dir=d,
                          journal_home=journal_home))
    if args.all:
        d = cpu_dir("b-line")
        cases.append(Case("taskpool --worker -j 2, Python worker flushing every line" + (", --no-journal" if has_journal else ""),
                          run("-j", "2", "--range", str(n), "--worker", "--results", "{out}", "--",
                              py, PYWORKER, "--line", journal=False),
                          taskpool_check(n, "worker", lambda i: i + 1), env=worker_env(d), cpu_dir=d,
                          journal_home=journal_home))
    cases += [
        Case("Python Pool(2).map chunksize=1",
             [py, PYBENCH, "pool-map", str(n), "2"], pybench_check(n, n * (n + 1) // 2)),
        Case("Python ProcessPoolExecutor(2).map",
             [py, PYBENCH, "executor-map", str(n), "2"], pybench_check(n, n * (n + 1) // 2)),
    ]
    workloads.append(Workload("b", "100000 × f(x)=x+1, 2 long-lived workers", n, cases))

    # (c) a million tasks, results streamed to a file: memory. With the journal on a run
    # takes about 15 s, so that row is left to --all.
    n = 1000000
    big_check = lambda run: run == 0  # parse every line of the first run, count bytes in the others
    suffix = ", --no-journal" if has_journal else ""
    d = cpu_dir("c-py")
    cases = [
        Case("taskpool --worker -j 2, C++ echo worker" + suffix,
             run("-j", "2", "--range", str(n), "--worker", "--results", "{out}", "--", tp, "demo-worker", "--fast",
                 journal=False),
             taskpool_check(n, "worker", lambda i: i, big_check), env=env, reference=True, journal_home=journal_home),
        Case("taskpool --worker -j 2, Python worker" + suffix,
             run("-j", "2", "--range", str(n), "--worker", "--results", "{out}", "--", py, PYWORKER, journal=False),
             taskpool_check(n, "worker", lambda i: i + 1, big_check), env=worker_env(d), cpu_dir=d,
             journal_home=journal_home),
    ]
    if args.all and has_journal:
        cases.append(Case("taskpool --worker -j 2, C++ echo worker (journal on: default)",
                          run("-j", "2", "--range", str(n), "--worker", "--results", "{out}", "--",
                              tp, "demo-worker", "--fast"),
                          taskpool_check(n, "worker", lambda i: i, big_check), env=env, journal_home=journal_home))
    if args.all:
        cases.append(Case("Python Pool(2).imap chunksize=1 to a file",
                          [py, PYBENCH, "pool-imap-file", str(n), "2", os.path.join(tmp, "imap.txt")],
                          pybench_check(n, n * (n + 1) // 2)))
    workloads.append(Workload("c", "`--range 1000000`, results to a file", n, cases))

    # (d) slow tasks: latency of the dispatch (the journal makes no difference here)
    n = 10
    workloads.append(Workload("d", "10 × sleep 1 s, 4 workers (target < 3.1 s)", n, [
        Case("taskpool run -j 4 `sleep {}`",
             run("-j", "4", "--inputs", ones10, "--results", "{out}", "--", "sleep", "{}"),
             sleep_check(n), env=env, reference=True, journal_home=journal_home),
        Case("taskpool --worker -j 4, Python worker (sleep 1)",
             run("-j", "4", "--range", str(n), "--worker", "--results", "{out}", "--", py, PYWORKER, "--sleep", "1"),
             taskpool_check(n, "worker", lambda i: i + 1), env=env, journal_home=journal_home),
        Case("xargs -P 4", ["xargs", "-P", "4", "-n", "1", "sleep"], exit_ok, stdin=ones10),
        Case("GNU parallel -j 4", ["parallel", "--will-cite", "-j", "4", "sleep", "{}"], exit_ok, stdin=ones10),
        Case("Python Pool(4).map chunksize=1",
             [py, PYBENCH, "pool-sleep", str(n), "4", "1"], pybench_check(n, n * (n + 1) // 2)),
    ]))

    # (e) a million-task sweep: the product of three ::: sources (100 x 100 x 100), or of
    # three --param ranges, made one tuple at a time, against --range 1000000 (the
    # reference): the tuples, their "params" in the task lines and results must cost
    # nothing that shows. Long-lived C++ workers, so taskpool itself is the bottleneck.
    n = 1000000
    hundred = [str(i) for i in range(100)]
    sources = [":::"] + hundred + [":::"] + hundred + [":::"] + hundred
    worker = ["--", tp, "demo-worker", "--fast"]
    e_options = ["-j", "2", "--worker", "--results", "{out}"]
    workloads.append(Workload("e", "a 1000000-task sweep (3 sources of 100) vs `--range 1000000`", n, [
        Case("taskpool --worker -j 2 --range 1000000" + suffix,
             run(*(e_options + ["--range", str(n)] + worker), journal=False),
             sweep_check(n), env=env, reference=True, journal_home=journal_home),
        Case("taskpool --worker -j 2 ::: x100 ::: x100 ::: x100" + suffix,
             run(*(e_options + worker + sources), journal=False),
             sweep_check(n, params=True), env=env, journal_home=journal_home),
        Case("taskpool --worker -j 2 --param a=0..99 b=0..99 c=0..99" + suffix,
             run(*(e_options + ["--param", "a=0..99", "--param", "b=0..99", "--param", "c=0..99"] + worker),
                 journal=False),
             sweep_check(n, params=True), env=env, journal_home=journal_home),
    ]))
    return [w for w in workloads if w.key in args.only]


def sweep_check(n, params=False):
    """n result lines, all ok, ids adding up; a sweep's with "params" on every line."""
    def verify(proc, out, run):
        check_exit(proc)
        with open(out, "rb") as f:
            data = f.read()
        check_result_counts(data, n)
        if params:
            check(data.count(b',"params":{') == n, "not every result has its params")
            check(b'"input":"99 99 99"' in data, "the last tuple is missing")
    return verify


def sleep_check(n):
    """The sleep inputs are all "1", so input != id here: check count, ids and status."""
    def verify(proc, out, run):
        check_exit(proc)
        ids = set()
        count = 0
        with open(out, "rb") as f:
            for line in f:
                count += 1
                r = json.loads(line)
                check(r.get("status") == "ok" and r.get("exit_code") == 0,
                      "task %s: status %s (%s)" % (r.get("id"), r.get("status"), r.get("error")))
                check(r.get("input") == "1", "task %s: input %r" % (r.get("id"), r.get("input")))
                ids.add(r.get("id"))
        check(count == n and ids == set(range(n)),
              "%d results for ids %s, expected one for each of 0..%d" % (count, sorted(ids), n - 1))
    return verify


# ---------------------------------------------------------------- running

NOISY_SHARE = 0.25   # other processes used more than this share of the machine during a run ...
NOISY_RETRIES = 2    # ... so it is run again, at most this many times; the least disturbed attempt counts


def run_once(w, case, run, args, tmp):
    """One measured and verified run; returns (Measurement, error text or None)."""
    out = os.path.join(tmp, "out-%s.txt" % w.key)
    argv = [out if a == "{out}" else a for a in case.argv]
    if case.cpu_dir:
        for name in os.listdir(case.cpu_dir):
            os.unlink(os.path.join(case.cpu_dir, name))
    if case.journal_home:
        shutil.rmtree(case.journal_home, ignore_errors=True)
    proc, m = run_measured(argv, case.stdin, out, case.env)
    if case.cpu_dir:
        m.extra["worker_cpu"] = sum(float(open(os.path.join(case.cpu_dir, p)).read())
                                    for p in os.listdir(case.cpu_dir))
    error = None
    try:
        case.verify(proc, out, run)
    except WrongOutput as e:
        error = str(e)
        m.extra["wrong"] = True
    if os.path.exists(out):
        os.unlink(out)
    return m, error


def run_workload(w, args, tmp):
    failures = []
    for run in range(args.runs):
        for case in w.cases:
            best = None
            for attempt in range(1 + NOISY_RETRIES):
                m, error = run_once(w, case, run, args, tmp)
                if error:
                    failures.append("(%s) %s: %s" % (w.key, case.tool, error))
                if args.verbose:
                    print("  (%s) run %d %-55s %7.3f s  cpu %6.3f s  rss %6.1f MB  others %3.0f%%  %s"
                          % (w.key, run + 1, case.tool, m.wall, m.cpu, m.rss_kb / 1024, 100 * m.foreign,
                             "WRONG: " + error if error else "ok"), file=sys.stderr)
                if error or best is None or m.foreign < best.foreign:
                    best = m
                if error or m.foreign <= NOISY_SHARE:
                    break
                if args.verbose and attempt < NOISY_RETRIES:
                    print("      other processes used %.0f%% of the machine: running it again" % (100 * m.foreign),
                          file=sys.stderr)
            case.runs.append(best)
    return failures


def summarize(w):
    rows = []
    ref = None
    for case in w.cases:
        wall = statistics.median(m.wall for m in case.runs)
        cpu = statistics.median(m.cpu for m in case.runs)
        rss = statistics.median(m.rss_kb for m in case.runs) / 1024
        row = {
            "workload": w.title, "tool": case.tool, "wall": wall,
            "rate": w.tasks / wall, "cpu_ms": cpu * 1000 / w.tasks, "rss": rss,
            "wrong": any(m.extra.get("wrong") for m in case.runs), "reference": case.reference,
        }
        if case.cpu_dir:
            worker_cpu = statistics.median(m.extra.get("worker_cpu", 0) for m in case.runs)
            row["worker_cpu_ms"] = worker_cpu * 1000 / w.tasks
            row["pool_cpu_ms"] = row["cpu_ms"] - row["worker_cpu_ms"]
        if case.reference and ref is None:
            ref = row
        rows.append(row)
    for row in rows:
        row["ratio"] = ref["rate"] / row["rate"] if ref else None
    return rows


def fmt_rate(r):
    if r >= 10000:
        return "{:,.0f}".format(r)
    if r >= 100:
        return "{:,.0f}".format(r)
    return "{:.2f}".format(r)


def print_table(all_rows, out):
    out.write("| workload | tool | tasks/s | wall s | CPU ms/task | peak RSS MB | taskpool × |\n")
    out.write("|---|---|---:|---:|---:|---:|---:|\n")
    for row in all_rows:
        ratio = "1.00 (ref)" if row["reference"] else "%.2f" % row["ratio"]
        cpu = "%.4f" % row["cpu_ms"] if row["cpu_ms"] < 0.1 else "%.3f" % row["cpu_ms"]
        tool = row["tool"] + (" **WRONG OUTPUT**" if row["wrong"] else "")
        out.write("| %s | %s | %s | %.3f | %s | %.1f | %s |\n"
                  % (row["workload"], tool, fmt_rate(row["rate"]), row["wall"], cpu, row["rss"], ratio))


def find(rows, workload_key, prefix):
    for r in rows.get(workload_key, []):
        if r["tool"].startswith(prefix):
            return r
    return None


def print_targets(rows, out):
    lines = []

    def target(ok, text):
        lines.append("- [%s] %s" % ("PASS" if ok else "MISS", text))

    def taskpool_rows(key, prefix="taskpool"):
        return [r for r in rows.get(key, []) if r["tool"].startswith(prefix)]

    xa, gp = find(rows, "a", "xargs"), find(rows, "a", "GNU parallel")
    for tp in taskpool_rows("a"):
        if xa:
            target(tp["rate"] >= 0.9 * xa["rate"], "(a) %s: %.2f× xargs -P (target ≥ 0.9×)"
                   % (tp["tool"], tp["rate"] / xa["rate"]))
        if gp:
            target(tp["rate"] >= 5 * gp["rate"], "(a) %s: %.1f× GNU parallel (target ≥ 5×)"
                   % (tp["tool"], tp["rate"] / gp["rate"]))
    pm = find(rows, "b", "Python Pool")
    for cw in taskpool_rows("b", "taskpool --worker -j 2, C++"):
        target(cw["rate"] >= 500000 and (not pm or cw["rate"] >= 8 * pm["rate"]),
               "(b) %s: %s tasks/s%s (target ≥ 500,000 and ≥ 8×)"
               % (cw["tool"], fmt_rate(cw["rate"]), ", %.1f× Python Pool.map" % (cw["rate"] / pm["rate"]) if pm else ""))
    for pw in taskpool_rows("b", "taskpool --worker -j 2, Python worker"):
        if "worker_cpu_ms" in pw:
            target(pw["worker_cpu_ms"] > 2 * pw["pool_cpu_ms"],
                   "(b) %s: Python uses %.4f ms CPU per task, taskpool itself %.4f ms (%.0f%% of the tree; "
                   "target: the Python side is the bottleneck)"
                   % (pw["tool"], pw["worker_cpu_ms"], pw["pool_cpu_ms"], 100 * pw["pool_cpu_ms"] / pw["cpu_ms"]))
    for r in taskpool_rows("c"):
        target(r["rss"] < 200, "(c) %s: peak RSS %.1f MB (target < 200 MB)" % (r["tool"], r["rss"]))
    for r in taskpool_rows("d"):
        target(r["wall"] < 3.1, "(d) %s: %.2f s (target < 3.1 s)" % (r["tool"], r["wall"]))
    ref = find(rows, "e", "taskpool --worker -j 2 --range")
    for r in taskpool_rows("e"):
        if ref and r is not ref:
            target(r["rate"] >= 0.9 * ref["rate"], "(e) %s: %.2f× the speed of --range 1000000 (target ≥ 0.9×, "
                   "i.e. the same within noise)" % (r["tool"], r["rate"] / ref["rate"]))
    if lines:
        out.write("\nTargets of issue 6:\n" + "\n".join(lines) + "\n")


def machine_line(args):
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "?"
    default = os.path.join(REPO, "build", "app", "taskpool")
    if os.path.exists(default) and os.path.samefile(args.taskpool, default):
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--", "core", "app"],
                               capture_output=True, text=True).stdout.strip()
        taskpool = "taskpool %s%s" % (commit, " + uncommitted changes in core/ or app/" if dirty else "")
    else:
        taskpool = "taskpool %s (repo at %s)" % (args.taskpool, commit)
    par = subprocess.run(["parallel", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return ("%d cores (%s), Linux %s, %s, Python %s, %s; median of %d run%s; load average at start %.2f"
            % (os.cpu_count(), cpu, platform.release(), taskpool, platform.python_version(), par,
               args.runs, "" if args.runs == 1 else "s", args.load_at_start))


def main():
    parser = argparse.ArgumentParser(
        prog="compare.sh",
        description="taskpool vs xargs -P, GNU parallel and Python multiprocessing on the same workloads.",
        epilog="Workloads: (a) 2000 x /bin/true per task, 2 slots; (b) 100000 x f(x)=x+1 through 2 "
               "long-lived workers; (c) --range 1000000 through long-lived workers, results to a file "
               "(peak memory); (d) 10 x sleep 1 s with 4 workers; (e) a million-task sweep (three ::: sources "
               "of 100 values, or three --param ranges) against --range 1000000. Exit status 1 when any tool's output "
               "was wrong, 2 on a setup error.")
    parser.add_argument("--runs", type=int, default=5, help="runs per tool; the table shows medians (default 5)")
    parser.add_argument("--quick", action="store_true", help="one run per tool")
    parser.add_argument("--only", default="abcde", help="workloads to run, e.g. --only ab (default abcde)")
    parser.add_argument("--all", action="store_true",
                        help="also run Python Pool.imap over the million tasks of (c) (about 16 s a run)")
    parser.add_argument("--taskpool", default=os.environ.get("TASKPOOL", os.path.join(REPO, "build/app/taskpool")),
                        help="the taskpool binary (default: $TASKPOOL or build/app/taskpool)")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON to FILE")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every run on stderr")
    args = parser.parse_args()
    if args.quick:
        args.runs = 1
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not set(args.only) <= set("abcde"):
        parser.error("--only takes letters among a, b, c, d, e")
    args.taskpool = os.path.abspath(args.taskpool)
    if not os.access(args.taskpool, os.X_OK):
        print("compare.sh: no taskpool binary at %s; build it first (cmake -S . -B build && cmake --build build -j2)"
              " or pass --taskpool PATH" % args.taskpool, file=sys.stderr)
        return 2
    missing = [t for t in ("xargs", "parallel", "sleep", TIME) if not shutil.which(t)]
    if missing:
        print("compare.sh: missing %s; install with scripts/deps.sh --with-bench" % ", ".join(missing), file=sys.stderr)
        return 2

    args.load_at_start = os.getloadavg()[0]
    if args.load_at_start > 0.7:
        print("compare.sh: warning: the machine is busy (load average %.2f): the figures will be low and noisy"
              % args.load_at_start, file=sys.stderr)
    started = time.time()
    failures = []
    rows = {}
    workloads = []
    with tempfile.TemporaryDirectory(prefix="taskpool-bench-") as tmp:
        for w in build_workloads(args, tmp):
            workloads.append(w)
            print("running (%s) %s, %d run(s) of %d tools ..." % (w.key, w.title, args.runs, len(w.cases)),
                  file=sys.stderr, flush=True)
            failures += run_workload(w, args, tmp)
            rows[w.key] = summarize(w)

    out = sys.stdout
    out.write("\n" + machine_line(args) + "\n\n")
    all_rows = [r for key in sorted(rows) for r in rows[key]]
    print_table(all_rows, out)
    busy = {w.key: statistics.median(m.foreign for c in w.cases for m in c.runs) for w in workloads}
    if busy:
        noisy = ["(%s) %.0f%%" % (key, 100 * share) for key, share in sorted(busy.items()) if share > 0.05]
        out.write("\nOther processes used %.0f%% of the machine during the runs (median)%s\n"
                  % (100 * statistics.median(busy.values()),
                     "; disturbed: " + ", ".join(noisy) + " — run those again on a quiet machine" if noisy else ""))
    out.write("\ntaskpool ×: the reference taskpool row's tasks/s divided by this row's (above 1: taskpool is faster). "
              "CPU: user+sys of the whole process tree per task. Peak RSS: the largest single process of the tree.\n")
    print_targets(rows, out)
    out.write("\n(%.0f s)\n" % (time.time() - started))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(all_rows, f, indent=1)
    if failures:
        out.write("\nWRONG OUTPUTS:\n" + "".join("- %s\n" % f for f in failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
