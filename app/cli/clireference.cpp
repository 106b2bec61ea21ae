#include "clireference.h"

#include "taskpoolversion.h"

#include <QCommandLineParser>

#include <cstdio>
#include <cstdlib>

namespace Cli {
namespace {

Option flag(QStringList names, const char *help)
{
    return Option{std::move(names), {}, QString::fromUtf8(help), Value::None, {}};
}

Option valued(QStringList names, const char *valueName, Value value, const char *help, QStringList choices = {})
{
    return Option{std::move(names), QString::fromLatin1(valueName), QString::fromUtf8(help), value, std::move(choices)};
}

OptionGroup common()
{
    return {QString(),
            {flag({QStringLiteral("h"), QStringLiteral("help")}, "show this help"),
             flag({QStringLiteral("version")}, "show the version")}};
}

Option journalOption()
{
    return valued({QStringLiteral("journal")}, "FILE", Value::File,
                  "the SQLite run journal (default: ~/.local/share/taskpool/journal.sqlite)");
}

Command runCommand()
{
    Command c;
    c.name = QStringLiteral("run");
    c.synopsis = QStringLiteral("[options] [--] COMMAND [ARG...] [::: VALUE... | :::: FILE...]...");
    c.summary = QStringLiteral("run a job headless, in the terminal or a script");
    c.runsACommand = true;
    c.description = QStringLiteral(
        "Runs COMMAND for every input, with a pool of worker processes.\n\n"
        "Per-task mode (default): COMMAND runs once per task, like xargs -P. Replacement strings in ARGs: {} the "
        "input, {.} without extension, {/} basename, {//} directory, {/.} basename without extension, {#} task "
        "number. Without any, the input is appended as the last argument. No shell is involved: an input such as "
        "'a; rm -rf ~' is passed as one plain argument.\n\n"
        "Sweeps, as GNU parallel's input sources: after the command, ::: VALUE... is a source of values and "
        ":::: FILE... one of the lines of files (- = standard input), read when the run starts. Several sources "
        "make every combination, the first source varying slowest; :::+ and ::::+ link a source to the one "
        "before it instead (the first values together, then the second ...; the shortest ends them). {1} {2} "
        "... are the Nth source's value, with the modifiers of {}: {1.} {2/} {2//} {2/.}; {} is all the values "
        "joined by spaces. Without any replacement string, the values are appended as separate arguments. Named "
        "parameters instead: --param NAME=VALUES, used as {NAME}; a {NAME} or {N} the sweep does not have is refused. A word :::, ::::, :::+ or ::::+ after the "
        "command always starts a source, so the command cannot take one as an argument. A sweep's task count is "
        "known at once (progress, ETA); its results have \"params\" (CSV: a column per parameter), and --resume "
        "skips the finished combinations.\n\n"
        "Worker mode (--worker): COMMAND is a long-lived worker that reads one JSON task per line on stdin, "
        "{\"id\": 17, \"input\": \"...\"} (a sweep's task also has \"params\": {\"lr\": \"0.1\", ...}), and answers on stdout with {\"id\": 17, \"progress\": 0.4} lines and one "
        "{\"id\": 17, \"result\": ...} or {\"id\": 17, \"error\": \"...\"}. It exits when stdin closes.");
    c.groups = {
        {QStringLiteral("Inputs"),
         {valued({QStringLiteral("inputs")}, "FILE", Value::File,
                 "one input per line ('-' = standard input; read lazily)"),
          valued({QStringLiteral("range")}, "N", Value::Text, "the inputs 0 .. N-1"),
          valued({QStringLiteral("param")}, "NAME=VALUES", Value::Text,
                 "a sweep parameter, {NAME} in the command (with the modifiers of {}: {NAME.} {NAME/} ...); "
                 "repeat for more, every combination runs. VALUES is a comma-separated list whose items are "
                 "values or ranges FROM..TO[:STEP] (1..5, 1..10:2, 0..1:0.25, 5..1), or @FILE, one value per "
                 "line. NAME is letters, digits and _, not starting with a digit, nor a result field (id, input, "
                 "status ...)"),
          flag({QStringLiteral("zip")},
               "link the --param parameters instead of crossing them: the first values together, then the "
               "second ... (each needs as many values)"),
          flag({QStringLiteral("0"), QStringLiteral("null")},
               "inputs (and the values of :::: files) end with NUL instead of newline (find -print0). Without --inputs or --range, standard "
               "input is read when it is not a terminal.")}},
        {QStringLiteral("Workers"),
         {valued({QStringLiteral("j"), QStringLiteral("workers")}, "N", Value::Text,
                 "worker processes (default: one per core)"),
          flag({QStringLiteral("worker")}, "COMMAND is a long-lived protocol worker"),
          flag({QStringLiteral("shell")},
               "run COMMAND as an sh -c script (pipes, redirections, several commands). An input is data wherever "
               "its {} stands: unquoted, in \"...\" or '...', in $(...), in v={}; the shell expands a variable "
               "that holds it and never parses it. {} inside `...`, ${...}, $((...)) or a here-document is "
               "refused. A command that runs its arguments as shell code again (eval, sh -c \"...{}\", ssh HOST "
               "\"...{}\") does parse the input."),
          valued({QStringLiteral("chdir")}, "DIR", Value::Directory, "run the workers in DIR"),
          valued({QStringLiteral("window")}, "N", Value::Text,
                 "tasks in flight per protocol worker (default: adapts to the task duration, 1 for slow tasks; "
                 "always 1 on remote slots with --transfer)")}},
        {QStringLiteral("Hosts (worker slots on other machines, no daemon needed there)"),
         {valued({QStringLiteral("host")}, "N/HOST", Value::Text,
                 "N worker slots on HOST; repeat for more hosts. HOST is localhost, ssh:DEST (anything ssh "
                 "accepts: user@node2, a Host alias; a bare name means ssh too) or srun (a Slurm job step per "
                 "slot). Without --host: -j local slots."),
          valued({QStringLiteral("launcher")}, "KIND=TEMPLATE", Value::Text,
                 "the command that reaches a host of KIND (ssh or srun); {host} is the destination. Defaults:\n"
                 "ssh=\"ssh -T -o BatchMode=yes -o ConnectTimeout=20 -o ServerAliveInterval=15 "
                 "-o ServerAliveCountMax=4 {host} --\"\n"
                 "srun=\"srun --ntasks=1 --nodes=1 --quiet\"\n"
                 "Remote hosts need a POSIX sh and the same files at the same paths (a shared file system, or "
                 "--transfer): the command runs in the same directory as here. A lost host's tasks go to the other "
                 "hosts; it is tried again after 1, 2, 4 ... 60 s."),
          flag({QStringLiteral("transfer")},
               "without a shared file system: each input names a local file that is copied to the remote host "
               "first, into a scratch directory of its own where COMMAND then runs ({} is the copy there). With "
               "--worker, each slot's worker runs in a scratch directory of its own and gets one task at a time, "
               "its input being the copy's path there. Local slots use the files in place. Copies go through the "
               "launcher (no scp or rsync needed)."),
          valued({QStringLiteral("return")}, "PATTERN", Value::Text,
                 "after COMMAND (or the worker's task) succeeds on a remote host, copy this file back (e.g. "
                 "{.}.out; repeatable) to the same path here; a missing file fails the task"),
          flag({QStringLiteral("cleanup")},
               "remove the copied input and returned files on the host after each task (and the slot's and run's "
               "directories when empty)"),
          valued({QStringLiteral("remote-dir")}, "DIR", Value::Text,
                 "where the scratch directories go on remote hosts (default ~/.taskpool/transfer; relative = from "
                 "the remote home), one directory per run inside it")}},
        {QStringLiteral("Limits and failures"),
         {valued({QStringLiteral("retries")}, "N", Value::Text,
                 "run a failed, timed-out or crashed task up to N more times (default 0); tasks a dead worker never "
                 "started are always requeued"),
          valued({QStringLiteral("timeout")}, "SECONDS|P%", Value::Text,
                 "end a task that runs longer (its whole process tree); P% = that percentage of the median task "
                 "time so far (at least 1 s), e.g. 300%, to cut outliers"),
          valued({QStringLiteral("stall")}, "SECONDS", Value::Text,
                 "end a task that printed nothing and reported no progress for that long; recorded as stalled"),
          valued({QStringLiteral("worker-startup")}, "SECONDS", Value::Text,
                 "how long a long-lived worker may take to start (imports, loading a model): its first task gets "
                 "that much more time before --timeout or --stall end it; a worker that prints {\"ready\": true} "
                 "when it is up has its first task's clock start then"),
          valued({QStringLiteral("halt-on-failures")}, "N|P%", Value::Text,
                 "stop the run after N failed tasks, or once P% of the finished tasks failed (after at least 10)"),
          valued({QStringLiteral("halt-mode")}, "drain|terminate", Value::Choice,
                 "on halt, let running tasks finish (drain, the default) or end them now (terminate)",
                 {QStringLiteral("drain"), QStringLiteral("terminate")}),
          valued({QStringLiteral("max-tasks-per-worker")}, "N", Value::Text,
                 "replace a long-lived worker after N tasks"),
          valued({QStringLiteral("max-worker-memory")}, "MB", Value::Text,
                 "replace a long-lived worker whose process tree uses more memory (checked every second), after its "
                 "task"),
          valued({QStringLiteral("kill-grace")}, "SECONDS", Value::Text,
                 "time between SIGTERM and SIGKILL (default 2)"),
          valued({QStringLiteral("max-output")}, "SIZE", Value::Text,
                 "stdout/stderr kept per task, e.g. 64k, 4M (default 1M); the rest is read and dropped, the result "
                 "says truncated"),
          valued({QStringLiteral("progress-pattern")}, "REGEX", Value::Text,
                 "a line of a task's output that matches sets its progress; group 1 is a percentage, or use named "
                 "groups (?<done>..) and (?<total>..). Default: \"NN%\". Empty: off.")}},
        {QStringLiteral("Starting tasks (go easy on this machine)"),
         {valued({QStringLiteral("memfree")}, "SIZE", Value::Text,
                 "start a task only while this machine has at least SIZE of memory available (MemAvailable in "
                 "/proc/meminfo), e.g. 2G, 500M. Below half of SIZE the youngest running task is ended (its whole "
                 "process tree; with --worker, its worker) and put back in the queue: not a failure, no attempt "
                 "used. One at a time, 2 s apart once its tree is gone, and never the last running task."),
          valued({QStringLiteral("load")}, "N", Value::Text,
                 "start a task only while this machine's 1-minute load average (/proc/loadavg) is below N"),
          valued({QStringLiteral("delay")}, "SECONDS", Value::Text,
                 "at least this long between two task starts, across all workers (decimals allowed: 0.5)")}},
        {QStringLiteral("Output"),
         {valued({QStringLiteral("results")}, "FILE", Value::File,
                 "write results there instead of standard output"),
          flag({QStringLiteral("keep-order")}, "write results in input order"),
          flag({QStringLiteral("progress")}, "live progress bar with counts, throughput and ETA on stderr"),
          flag({QStringLiteral("q"), QStringLiteral("quiet")}, "no worker log lines and no summary on stderr"),
          flag({QStringLiteral("no-monitor")},
               "do not publish the run for the app to watch (by default every run listens on a socket of its "
               "user's, in $XDG_RUNTIME_DIR/taskpool/; taskpool gui > Runs > Watch)"),
          flag({QStringLiteral("follow")},
               "print the tasks' output as it is written, whole lines, each prefixed by its task's id: \"[17] "
               "line\" (stdout), \"[17 err] line\" (stderr), \"[worker 2] line\" (a worker between tasks); a last "
               "line without newline is printed when its task ends. To standard output with --results FILE, else "
               "to stderr (standard output has the results). With --worker: the worker's stderr and the stdout "
               "lines that are not protocol messages")}},
        {QStringLiteral("Journal (every run is recorded, so nothing is lost if taskpool is killed)"),
         {journalOption(),
          flag({QStringLiteral("no-journal")}, "do not record this run"),
          flag({QStringLiteral("resume")},
               "skip the inputs this command already finished in an earlier run (matched by command and input, so "
               "a changed or reordered input list is fine)"),
          flag({QStringLiteral("retry-failed")},
               "run the failed, timed-out and crashed tasks of a run again (the latest, or --run ID), with its "
               "command"),
          valued({QStringLiteral("run")}, "ID", Value::RunId, "the run --retry-failed takes its tasks from")}},
        {QStringLiteral("Jobs"),
         {valued({QStringLiteral("job")}, "FILE", Value::File,
                 "load a job saved by the desktop app (options given here override it)"),
          flag({QStringLiteral("demo")}, "run the built-in demo job (40 tasks, protocol workers)")}},
        common(),
    };
    c.notes = QStringLiteral(
        "Results are JSON Lines, one object per task: id, input, status (ok, failed, timeout, crashed, "
        "cancelled), exit_code, output (per-task mode) or result (worker mode), error, attempts, worker, host, "
        "duration_ms; stderr and truncated when relevant. Inputs are bytes (file names need not be UTF-8): the "
        "command gets them exactly; when one is not UTF-8, input shows its other bytes as \\xHH and input_base64 "
        "holds the exact bytes (a protocol worker's task line too).\n\n"
        "Ctrl-C, SIGTERM, SIGHUP and --timeout end whole process trees (each worker runs in its own process "
        "group): SIGTERM, then SIGKILL after --kill-grace. Should taskpool itself die (kill -9, a crash), a guard "
        "process started with the run does the same. A signal that was ignored when taskpool started stays "
        "ignored: nohup taskpool run ... & outlives the terminal, and a script's background job is not stopped by "
        "Ctrl-C.");
    c.exitStatus = QStringLiteral(
        "0 all tasks ok, 1 some failed, 2 usage error or the command cannot start, 130 after Ctrl-C, 128+N after "
        "signal N.");
    c.examples = {
        {QStringLiteral("find . -name '*.wav' -print0 | taskpool run -0 -j 8 --progress -- flac --silent {}"),
         QStringLiteral("Compress every WAV file below this directory, eight at a time, with a progress bar.")},
        {QStringLiteral("taskpool run --range 100 --retries 2 --timeout 300% --results out.jsonl -- ./simulate --seed {}"),
         QStringLiteral("A hundred seeds; a task that fails is tried twice more, and one that runs three times "
                        "longer than the median is ended.")},
        {QStringLiteral("taskpool run --worker -j 4 --inputs images.txt -- python3 worker.py"),
         QStringLiteral("Four long-lived workers that each load their model once and take task after task.")},
        {QStringLiteral("taskpool run --resume --inputs images.txt -- python3 convert.py {}"),
         QStringLiteral("After a crash or Ctrl-C: run only the inputs that have not finished yet.")},
        {QStringLiteral("taskpool run --host 4/localhost --host 8/ssh:node2 --inputs jobs.txt -- ./render {}"),
         QStringLiteral("Four slots here and eight on node2, reached with ssh.")},
        {QStringLiteral("taskpool run --param lr=0.1,0.01,0.001 --param seed=1..5 --results sweep.jsonl -- "
                        "python3 train.py --lr {lr} --seed {seed}"),
         QStringLiteral("Fifteen trainings, every learning rate with every seed; each result has \"params\": "
                        "{\"lr\": ..., \"seed\": ...}.")},
        {QStringLiteral("taskpool run -- convert {1} -resize {2} {1/.}-{2}.png ::: *.jpg ::: 50% 25%"),
         QStringLiteral("GNU parallel's sources: every image at both sizes.")},
        {QStringLiteral("taskpool run --shell --range 10 -- 'sleep 1; echo {} | sha256sum'"),
         QStringLiteral("A shell script per task; each input is data, never parsed by the shell.")},
    };
    return c;
}

Command guiCommand()
{
    Command c;
    c.name = QStringLiteral("gui");
    c.synopsis = QStringLiteral("[--job FILE] [--start] [--attach [ssh:HOST]] [--theme system|light|dark]");
    c.summary = QStringLiteral("open the desktop app (also: taskpool with no command)");
    c.description = QStringLiteral(
        "Opens the desktop app. On first launch it holds the built-in demo job, so Start shows live work at "
        "once.");
    c.groups = {{QString(),
                 {valued({QStringLiteral("job")}, "FILE", Value::File, "open this job file"),
                  flag({QStringLiteral("start")}, "start the job at once"),
                  flag({QStringLiteral("attach")},
                       "watch a live run of this machine, or of HOST when ssh:HOST follows (over ssh); when there "
                       "are several, pick one"),
                  valued({QStringLiteral("theme")}, "system|light|dark", Value::Choice,
                         "the look for this launch: the desktop's own (system), or light or dark colours that keep "
                         "text readable; without it, the choice last made in View > Theme (default: system)",
                         {QStringLiteral("system"), QStringLiteral("light"), QStringLiteral("dark")})}},
                common()};
    c.examples = {{QStringLiteral("taskpool gui --attach ssh:node2"),
                   QStringLiteral("Watch the run going on node2 (its workers, results and live output), with the "
                                  "same controls as a run of the window's own.")}};
    return c;
}

Command runsCommand()
{
    Command c;
    c.name = QStringLiteral("runs");
    c.synopsis = QStringLiteral("[--journal FILE] [--delete ID] [--keep N] [--older-than DAYS]");
    c.summary = QStringLiteral("list past runs from the journal, or delete old ones");
    c.description = QStringLiteral("Lists the runs in the journal, newest first.");
    c.groups = {{QString(),
                 {journalOption(),
                  valued({QStringLiteral("delete")}, "ID", Value::RunId, "delete one run and its results"),
                  valued({QStringLiteral("keep")}, "N", Value::Text, "delete ended runs but the newest N"),
                  valued({QStringLiteral("older-than")}, "DAYS", Value::Text,
                         "delete ended runs started more than DAYS ago (fractions allowed)")}},
                common()};
    c.notes = QStringLiteral(
        "With both --keep and --older-than, a run either rule keeps stays. Runs still going are never deleted; "
        "the file then gives the space back.");
    c.examples = {{QStringLiteral("taskpool runs --keep 50"), QStringLiteral("Keep the newest 50 runs.")}};
    return c;
}

Command exportCommand()
{
    Command c;
    c.name = QStringLiteral("export");
    c.synopsis = QStringLiteral("[--journal FILE] [--run ID] [--job] [--format csv|jsonl] [-o FILE]");
    c.summary = QStringLiteral("write a run's results from the journal");
    c.description = QStringLiteral("Writes the results of a run (default: the latest) from the journal.");
    c.groups = {{QString(),
                 {journalOption(),
                  valued({QStringLiteral("run")}, "ID", Value::RunId, "the run (default: the latest)"),
                  flag({QStringLiteral("job")},
                       "the results of the run's whole job instead: every run of the same command (mode, shell, "
                       "directory and command line), the interrupted run and its resumes and retries included, one "
                       "record per task (per distinct input). The newest run's record wins, but a task cancelled "
                       "in a newer run keeps its finished record from an older one. id is the task's id in the "
                       "first run that had it (tasks a later run added are numbered after those before them); "
                       "attempts add up over the runs."),
                  valued({QStringLiteral("format")}, "csv|jsonl", Value::Choice, "the format (default: jsonl)",
                         {QStringLiteral("csv"), QStringLiteral("jsonl")}),
                  valued({QStringLiteral("o"), QStringLiteral("output")}, "FILE", Value::File,
                         "write to FILE instead of standard output")}},
                common()};
    c.examples = {{QStringLiteral("taskpool export --job --format csv -o sweep.csv"),
                   QStringLiteral("One CSV row per task of the latest run's job, across its resumes and retries.")}};
    return c;
}

Command demoWorkerCommand()
{
    Command c;
    c.name = QStringLiteral("demo-worker");
    c.synopsis = QStringLiteral("[--fast]");
    c.summary = QStringLiteral("the built-in protocol worker the demo job uses");
    c.description = QStringLiteral(
        "A long-lived worker that speaks the task protocol on stdin and stdout (see taskpool run's worker "
        "mode): each task sleeps a little and reports progress, the way a real one would.");
    c.groups = {{QString(), {flag({QStringLiteral("fast")}, "answer at once, without sleeping or progress")}}};
    return c;
}

} // namespace

QString Option::label() const
{
    QStringList spelled;
    for (const QString &name : names)
        spelled.append((name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + name);
    QString text = spelled.join(QStringLiteral(", "));
    if (!valueName.isEmpty())
        text += QLatin1Char(' ') + valueName;
    return text;
}

QList<Option> Command::options() const
{
    QList<Option> all;
    for (const OptionGroup &g : groups)
        all.append(g.options);
    return all;
}

const Option *Command::option(QStringView longName) const
{
    for (const OptionGroup &g : groups) {
        for (const Option &o : g.options) {
            if (o.names.constLast() == longName)
                return &o;
        }
    }
    return nullptr;
}

const QList<Command> &commands()
{
    static const QList<Command> all = {guiCommand(), runCommand(), runsCommand(), exportCommand(),
                                       demoWorkerCommand()};
    return all;
}

const Command *command(QStringView name)
{
    for (const Command &c : commands()) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

QCommandLineOption qtOption(QStringView commandName, QStringView longName)
{
    const Command *c = command(commandName);
    const Option *o = c ? c->option(longName) : nullptr;
    if (!o) {
        std::fprintf(stderr, "taskpool: no option --%s for %s in the command line reference\n",
                     qPrintable(longName.toString()), qPrintable(commandName.toString()));
        std::abort();
    }
    return QCommandLineOption(o->names, QString(), o->valueName);
}

void addOptions(QStringView commandName, QCommandLineParser *parser)
{
    if (const Command *c = command(commandName)) {
        for (const Option &o : c->options())
            parser->addOption(QCommandLineOption(o.names, QString(), o.valueName));
    }
}

const QList<Entry> &environment()
{
    static const QList<Entry> all = {
        {QStringLiteral("XDG_DATA_HOME"),
         QStringLiteral("where the run journal lives: $XDG_DATA_HOME/taskpool/journal.sqlite (default "
                        "~/.local/share)")},
        {QStringLiteral("XDG_RUNTIME_DIR"),
         QStringLiteral("where runs publish their monitor sockets: $XDG_RUNTIME_DIR/taskpool/PID.sock (without it, "
                        "/tmp/taskpool-UID/)")},
    };
    return all;
}

const QList<Entry> &files()
{
    static const QList<Entry> all = {
        {QStringLiteral("~/.local/share/taskpool/journal.sqlite"),
         QStringLiteral("the run journal: every run, its job and its results (taskpool runs, taskpool export)")},
        {QStringLiteral("$XDG_RUNTIME_DIR/taskpool/PID.sock"),
         QStringLiteral("the socket a live run publishes itself on, readable by its user only; taskpool gui "
                        "--attach and the Runs tab watch it")},
        {QStringLiteral("~/.config/taskpool/taskpool.conf"),
         QStringLiteral("the desktop app's settings: its window, its last job")},
    };
    return all;
}

QString purpose()
{
    return QStringLiteral("run batch work on a pool of worker processes and watch it live");
}

QString versionLine()
{
    return QStringLiteral("taskpool " TASKPOOL_VERSION);
}

} // namespace Cli
