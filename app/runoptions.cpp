#include "runoptions.h"

#include <cstdio>
#include <unistd.h>

namespace {

bool parseSize(const QString &text, qint64 *bytes)
{
    QString t = text.trimmed();
    qint64 factor = 1;
    if (t.endsWith(QLatin1Char('k'), Qt::CaseInsensitive)) { factor = 1024; t.chop(1); }
    else if (t.endsWith(QLatin1Char('M'), Qt::CaseInsensitive)) { factor = 1024 * 1024; t.chop(1); }
    else if (t.endsWith(QLatin1Char('G'), Qt::CaseInsensitive)) { factor = qint64(1024) * 1024 * 1024; t.chop(1); }
    bool ok = false;
    const qint64 n = t.toLongLong(&ok);
    if (!ok || n < 0)
        return false;
    *bytes = n * factor;
    return true;
}

const char *helpText =
    "Usage: taskpool run [options] [--] COMMAND [ARG...]\n"
    "\n"
    "Runs COMMAND for every input, with a pool of worker processes.\n"
    "\n"
    "Per-task mode (default): COMMAND runs once per task, like xargs -P. Replacement\n"
    "strings in ARGs: {} the input, {.} without extension, {/} basename, {//} directory,\n"
    "{/.} basename without extension, {#} task number. Without any, the input is\n"
    "appended as the last argument. No shell is involved: an input such as\n"
    "'a; rm -rf ~' is passed as one plain argument.\n"
    "\n"
    "Worker mode (--worker): COMMAND is a long-lived worker that reads one JSON task\n"
    "per line on stdin, {\"id\": 17, \"input\": \"...\"}, and answers on stdout with\n"
    "{\"id\": 17, \"progress\": 0.4} lines and one {\"id\": 17, \"result\": ...} or\n"
    "{\"id\": 17, \"error\": \"...\"}. It exits when stdin closes.\n"
    "\n"
    "Inputs:\n"
    "  --inputs FILE            one input per line ('-' = standard input; read lazily)\n"
    "  --range N                the inputs 0 .. N-1\n"
    "  -0, --null               inputs end with NUL instead of newline (find -print0)\n"
    "                           Without --inputs or --range, standard input is read\n"
    "                           when it is not a terminal.\n"
    "\n"
    "Workers:\n"
    "  -j, --workers N          worker processes (default: one per core)\n"
    "  --worker                 COMMAND is a long-lived protocol worker\n"
    "  --shell                  run COMMAND as an sh -c script (pipes, redirections,\n"
    "                           several commands). An input is data wherever its {}\n"
    "                           stands: unquoted, in \"...\" or '...', in $(...), in\n"
    "                           v={}; the shell expands a variable that holds it and\n"
    "                           never parses it. {} inside `...`, ${...}, $((...)) or\n"
    "                           a here-document is refused. A command that runs its\n"
    "                           arguments as shell code again (eval, sh -c \"...{}\",\n"
    "                           ssh HOST \"...{}\") does parse the input.\n"
    "  --chdir DIR              run the workers in DIR\n"
    "  --window N               tasks in flight per protocol worker (default: adapts\n"
    "                           to the task duration, 1 for slow tasks; always 1 on\n"
    "                           remote slots with --transfer)\n"
    "\n"
    "Hosts (worker slots on other machines, no daemon needed there):\n"
    "  --host N/HOST            N worker slots on HOST; repeat for more hosts. HOST is\n"
    "                           localhost, ssh:DEST (anything ssh accepts: user@node2,\n"
    "                           a Host alias; a bare name means ssh too) or srun (a\n"
    "                           Slurm job step per slot). Without --host: -j local slots.\n"
    "  --launcher KIND=TEMPLATE the command that reaches a host of KIND (ssh or srun);\n"
    "                           {host} is the destination. Defaults:\n"
    "                           ssh=\"ssh -T -o BatchMode=yes -o ConnectTimeout=20\n"
    "                             -o ServerAliveInterval=15 -o ServerAliveCountMax=4 {host} --\"\n"
    "                           srun=\"srun --ntasks=1 --nodes=1 --quiet\"\n"
    "                           Remote hosts need a POSIX sh and the same files at the same\n"
    "                           paths (a shared file system, or --transfer): the command runs\n"
    "                           in the same directory as here. A lost host's tasks go to the\n"
    "                           other hosts; it is tried again after 1, 2, 4 ... 60 s.\n"
    "  --transfer               without a shared file system: each input names a local\n"
    "                           file that is copied to the remote host first, into a\n"
    "                           scratch directory of its own where COMMAND then runs\n"
    "                           ({} is the copy there). With --worker, each slot's worker\n"
    "                           runs in a scratch directory of its own and gets one task\n"
    "                           at a time, its input being the copy's path there. Local\n"
    "                           slots use the files in place. Copies go through the\n"
    "                           launcher (no scp or rsync needed).\n"
    "  --return PATTERN         after COMMAND (or the worker's task) succeeds on a remote\n"
    "                           host, copy this file back (e.g. {.}.out; repeatable) to\n"
    "                           the same path here; a missing file fails the task\n"
    "  --cleanup                remove the copied input and returned files on the host\n"
    "                           after each task (and the slot's and run's directories\n"
    "                           when empty)\n"
    "  --remote-dir DIR         where the scratch directories go on remote hosts\n"
    "                           (default ~/.taskpool/transfer; relative = from the\n"
    "                           remote home), one directory per run inside it\n"
    "\n"
    "Limits and failures:\n"
    "  --retries N              run a failed, timed-out or crashed task up to N more\n"
    "                           times (default 0); tasks a dead worker never started\n"
    "                           are always requeued\n"
    "  --timeout SECONDS|P%     end a task that runs longer (its whole process tree);\n"
    "                           P% = that percentage of the median task time so far\n"
    "                           (at least 1 s), e.g. 300%, to cut outliers\n"
    "  --stall SECONDS          end a task that printed nothing and reported no\n"
    "                           progress for that long; recorded as stalled\n"
    "  --worker-startup SECONDS how long a long-lived worker may take to start\n"
    "                           (imports, loading a model): its first task gets that\n"
    "                           much more time before --timeout or --stall end it; a\n"
    "                           worker that prints {\"ready\": true} when it is up has\n"
    "                           its first task's clock start then\n"
    "  --halt-on-failures N|P%  stop the run after N failed tasks, or once P% of the\n"
    "                           finished tasks failed (after at least 10)\n"
    "  --halt-mode drain|terminate  on halt, let running tasks finish (default) or\n"
    "                           end them now\n"
    "  --max-tasks-per-worker N replace a long-lived worker after N tasks\n"
    "  --max-worker-memory MB   replace a long-lived worker whose process tree uses\n"
    "                           more memory (checked every second), after its task\n"
    "  --kill-grace SECONDS     time between SIGTERM and SIGKILL (default 2)\n"
    "  --max-output SIZE        stdout/stderr kept per task, e.g. 64k, 4M (default 1M);\n"
    "                           the rest is read and dropped, the result says truncated\n"
    "  --progress-pattern REGEX a line of a task's output that matches sets its progress;\n"
    "                           group 1 is a percentage, or use named groups (?<done>..)\n"
    "                           and (?<total>..). Default: \"NN%\". Empty: off.\n"
    "\n"
    "Output:\n"
    "  --results FILE           write results there instead of standard output\n"
    "  --keep-order             write results in input order\n"
    "  --progress               live progress bar with counts, throughput and ETA on stderr\n"
    "  -q, --quiet              no worker log lines and no summary on stderr\n"
    "  --no-monitor             do not publish the run for the app to watch (by default\n"
    "                           every run listens on a socket of its user's, in\n"
    "                           $XDG_RUNTIME_DIR/taskpool/; taskpool gui > Runs > Watch)\n"
    "  --follow                 print the tasks' output as it is written, whole lines,\n"
    "                           each prefixed by its task's id: \"[17] line\" (stdout),\n"
    "                           \"[17 err] line\" (stderr), \"[worker 2] line\" (a worker\n"
    "                           between tasks); a last line without newline is printed\n"
    "                           when its task ends. To standard output with --results\n"
    "                           FILE, else to stderr (standard output has the results).\n"
    "                           With --worker: the worker's stderr and the stdout lines\n"
    "                           that are not protocol messages\n"
    "\n"
    "Journal (every run is recorded, so nothing is lost if taskpool is killed):\n"
    "  --journal FILE           the SQLite journal (default:\n"
    "                           ~/.local/share/taskpool/journal.sqlite)\n"
    "  --no-journal             do not record this run\n"
    "  --resume                 skip the inputs this command already finished in an\n"
    "                           earlier run (matched by command and input, so a changed\n"
    "                           or reordered input list is fine)\n"
    "  --retry-failed           run the failed, timed-out and crashed tasks of a run\n"
    "                           again (the latest, or --run ID), with its command\n"
    "  --run ID                 the run --retry-failed takes its tasks from\n"
    "\n"
    "Jobs:\n"
    "  --job FILE               load a job saved by the desktop app (options given\n"
    "                           here override it)\n"
    "  --demo                   run the built-in demo job (40 tasks, protocol workers)\n"
    "  -h, --help               show this help\n"
    "\n"
    "Results are JSON Lines, one object per task: id, input, status (ok, failed,\n"
    "timeout, crashed, cancelled), exit_code, output (per-task mode) or result (worker\n"
    "mode), error, attempts, worker, host, duration_ms; stderr and truncated when\n"
    "relevant. Inputs are bytes (file names need not be UTF-8): the command gets\n"
    "them exactly; when one is not UTF-8, input shows its other bytes as \\xHH and\n"
    "input_base64 holds the exact bytes (a protocol worker's task line too).\n"
    "\n"
    "Exit status: 0 all tasks ok, 1 some failed, 2 usage error or the command cannot\n"
    "start, 130 after Ctrl-C, 128+N after signal N. Ctrl-C, SIGTERM, SIGHUP and\n"
    "--timeout end whole process trees (each worker runs in its own process group):\n"
    "SIGTERM, then SIGKILL after --kill-grace. Should taskpool itself die (kill -9,\n"
    "a crash), a guard process started with the run does the same. A signal that\n"
    "was ignored when taskpool started stays ignored: nohup taskpool run ... &\n"
    "outlives the terminal, and a script's background job is not stopped by Ctrl-C.\n";

} // namespace

void printError(const QString &message)
{
    std::fprintf(stderr, "taskpool: %s\n", qPrintable(message));
}

int usageError(const QString &message)
{
    printError(message);
    std::fprintf(stderr, "Try 'taskpool run --help' for more information.\n");
    return 2;
}

RunOptions::RunOptions()
{
    m_parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    m_parser.addOptions({m_host,      m_launcher,   m_transfer,        m_returnFile, m_cleanup,    m_remoteDir,
                         m_help,      m_inputs,     m_range,           m_nullSeparated, m_workers, m_workerMode,
                         m_shell,     m_chdir,      m_window,          m_retries,    m_timeout,    m_grace,
                         m_maxOutput, m_progressPattern, m_results,    m_keepOrder,  m_progress,   m_quiet,  m_follow,
                         m_job,       m_demo,       m_journal,         m_noJournal,  m_resume,     m_retryFailed,
                         m_runId,     m_stall,      m_workerStartup,   m_halt,       m_haltMode,   m_maxTasks,
                         m_maxMemory, m_noMonitor});
}

int RunOptions::parse(const QString &taskpoolPath, const QStringList &arguments)
{
    if (!m_parser.parse(QStringList{QStringLiteral("taskpool run")} + arguments))
        return usageError(m_parser.errorText());
    if (m_parser.isSet(m_help)) {
        std::fputs(helpText, stdout);
        return 0;
    }
    QString error;
    if (m_parser.isSet(m_job) && !JobSpec::load(m_parser.value(m_job), &startSpec, &error))
        return usageError(error);
    if (m_parser.isSet(m_demo))
        startSpec = JobSpec::demo(taskpoolPath);
    resume = m_parser.isSet(m_resume);
    retryFailed = m_parser.isSet(m_retryFailed);
    journaling = !m_parser.isSet(m_noJournal);
    journalPath = m_parser.value(m_journal);
    if (!journaling && (resume || retryFailed || m_parser.isSet(m_journal)))
        return usageError(QStringLiteral("--no-journal cannot be combined with --journal, --resume or --retry-failed"));
    if (resume && retryFailed)
        return usageError(QStringLiteral("give either --resume or --retry-failed, not both"));
    if (m_parser.isSet(m_runId))
        retryRun = m_parser.value(m_runId).toLongLong();
    resultsPath = m_parser.value(m_results);
    keepOrder = m_parser.isSet(m_keepOrder);
    progress = m_parser.isSet(m_progress);
    quiet = m_parser.isSet(m_quiet);
    monitor = !m_parser.isSet(m_noMonitor);
    follow = m_parser.isSet(m_follow);
    return -1;
}

bool RunOptions::applyTo(JobSpec *spec, QString *error) const
{
    return applyCommand(spec, error) && applyHosts(spec, error) && applyLimits(spec, error)
        && applyInputs(spec, error);
}

bool RunOptions::intOption(const QCommandLineOption &option, int min, int *out, QString *error) const
{
    bool ok = false;
    const int v = m_parser.value(option).toInt(&ok);
    if (!ok || v < min) {
        *error = QStringLiteral("--%1 needs a whole number of at least %2, not \"%3\"")
                     .arg(option.names().constLast())
                     .arg(min)
                     .arg(m_parser.value(option));
        return false;
    }
    *out = v;
    return true;
}

bool RunOptions::secondsOption(const QCommandLineOption &option, double *out, QString *error) const
{
    bool ok = false;
    const double v = m_parser.value(option).toDouble(&ok);
    if (!ok || v < 0) {
        *error = QStringLiteral("--%1 needs a number of seconds, not \"%2\"")
                     .arg(option.names().constLast(), m_parser.value(option));
        return false;
    }
    *out = v;
    return true;
}

bool RunOptions::percentOption(const QCommandLineOption &option, double *percent, QString *error) const
{
    QString text = m_parser.value(option).trimmed();
    if (!text.endsWith(QLatin1Char('%')))
        return false;
    text.chop(1);
    bool ok = false;
    *percent = text.toDouble(&ok);
    if (!ok || *percent <= 0) {
        *error = QStringLiteral("--%1 needs a positive percentage, not \"%2\"")
                     .arg(option.names().constLast(), m_parser.value(option));
        *percent = -1;
    }
    return true;
}

// What runs and how: the command, the mode, the shell, the directory, the slots.
bool RunOptions::applyCommand(JobSpec *spec, QString *error) const
{
    const QStringList command = m_parser.positionalArguments();
    if (!command.isEmpty())
        spec->command = command;
    if (m_parser.isSet(m_workerMode))
        spec->mode = JobSpec::Mode::Worker;
    if (m_parser.isSet(m_shell))
        spec->shell = true;
    if (m_parser.isSet(m_chdir))
        spec->workingDirectory = m_parser.value(m_chdir);
    if (m_parser.isSet(m_workers) && !intOption(m_workers, 1, &spec->workers, error))
        return false;
    if (m_parser.isSet(m_window) && !intOption(m_window, 1, &spec->window, error))
        return false;
    return true;
}

// Where the slots run: --host, --launcher, and the file transfer options.
bool RunOptions::applyHosts(JobSpec *spec, QString *error) const
{
    if (m_parser.isSet(m_host)) {
        spec->hosts.clear();
        for (const QString &text : m_parser.values(m_host)) {
            HostSpec h;
            if (!HostSpec::parse(text, &h, error))
                return false;
            spec->hosts.append(h);
        }
    }
    // With hosts (given here or in --job) -j would be silently ignored.
    if (m_parser.isSet(m_workers) && !spec->hosts.isEmpty()) {
        *error = QStringLiteral("with --host, give the local slots as --host N/localhost instead of -j");
        return false;
    }
    for (const QString &text : m_parser.values(m_launcher)) {
        const qsizetype eq = text.indexOf(QLatin1Char('='));
        HostSpec::Kind kind;
        if (eq < 0 || !HostSpec::kindFromName(text.left(eq), &kind) || kind == HostSpec::Kind::Local) {
            *error = QStringLiteral("--launcher needs ssh=TEMPLATE or srun=TEMPLATE, not \"%1\"").arg(text);
            return false;
        }
        bool used = false;
        for (HostSpec &h : spec->hosts) {
            if (h.kind == kind) {
                h.launcher = text.mid(eq + 1);
                used = true;
            }
        }
        if (!used) {
            *error = QStringLiteral("--launcher %1: no --host of that kind").arg(text.left(eq));
            return false;
        }
    }
    if (m_parser.isSet(m_transfer))
        spec->transfer = true;
    if (m_parser.isSet(m_returnFile))
        spec->returnFiles = m_parser.values(m_returnFile);
    if (m_parser.isSet(m_cleanup))
        spec->cleanup = true;
    if (m_parser.isSet(m_remoteDir))
        spec->remoteDirectory = m_parser.value(m_remoteDir);
    return true;
}

// Retries, time limits, halting, recycling, output limits.
bool RunOptions::applyLimits(JobSpec *spec, QString *error) const
{
    if (m_parser.isSet(m_retries) && !intOption(m_retries, 0, &spec->retries, error))
        return false;
    if (m_parser.isSet(m_timeout)) {
        if (percentOption(m_timeout, &spec->timeoutPercent, error)) {
            spec->timeoutSeconds = 0;
            if (spec->timeoutPercent < 0)
                return false;
        } else if (!secondsOption(m_timeout, &spec->timeoutSeconds, error)) {
            return false;
        } else {
            spec->timeoutPercent = 0;
        }
    }
    if (m_parser.isSet(m_stall) && !secondsOption(m_stall, &spec->stallSeconds, error))
        return false;
    if (m_parser.isSet(m_workerStartup) && !secondsOption(m_workerStartup, &spec->startupSeconds, error))
        return false;
    if (m_parser.isSet(m_halt)) {
        if (percentOption(m_halt, &spec->haltFailurePercent, error)) {
            if (spec->haltFailurePercent < 0 || spec->haltFailurePercent > 100) {
                *error = QStringLiteral("--halt-on-failures needs a count or a percentage up to 100%");
                return false;
            }
        } else if (!intOption(m_halt, 1, &spec->haltAfterFailures, error)) {
            return false;
        }
    }
    if (m_parser.isSet(m_haltMode)) {
        const QString mode = m_parser.value(m_haltMode);
        if (mode != QLatin1String("drain") && mode != QLatin1String("terminate")) {
            *error = QStringLiteral("--halt-mode is drain or terminate, not \"%1\"").arg(mode);
            return false;
        }
        spec->haltTerminates = mode == QLatin1String("terminate");
    }
    if (m_parser.isSet(m_maxTasks) && !intOption(m_maxTasks, 1, &spec->maxTasksPerWorker, error))
        return false;
    if (m_parser.isSet(m_maxMemory)) {
        int mb = 0;
        if (!intOption(m_maxMemory, 1, &mb, error))
            return false;
        spec->maxWorkerMemoryMb = mb;
    }
    if (m_parser.isSet(m_grace) && !secondsOption(m_grace, &spec->killGraceSeconds, error))
        return false;
    if (m_parser.isSet(m_maxOutput) && !parseSize(m_parser.value(m_maxOutput), &spec->maxOutputBytes)) {
        *error = QStringLiteral("--max-output needs a size such as 65536, 64k or 4M, not \"%1\"")
                     .arg(m_parser.value(m_maxOutput));
        return false;
    }
    if (m_parser.isSet(m_progressPattern))
        spec->progressPattern = m_parser.value(m_progressPattern);
    return true;
}

// Where the inputs come from; then the checks that need the whole job.
bool RunOptions::applyInputs(JobSpec *spec, QString *error) const
{
    const bool fileGiven = m_parser.isSet(m_inputs);
    const bool rangeGiven = m_parser.isSet(m_range);
    if (fileGiven && rangeGiven) {
        *error = QStringLiteral("give either --inputs or --range, not both");
        return false;
    }
    if (retryFailed) {
        if (fileGiven || rangeGiven) {
            *error = QStringLiteral("--retry-failed takes its inputs from the journal");
            return false;
        }
    } else if (fileGiven) {
        spec->inputKind = JobSpec::InputKind::File;
        spec->inputFile = m_parser.value(m_inputs);
    } else if (rangeGiven) {
        bool ok = false;
        spec->rangeCount = m_parser.value(m_range).toLongLong(&ok);
        if (!ok || spec->rangeCount < 0) {
            *error = QStringLiteral("--range needs a count of 0 or more, not \"%1\"").arg(m_parser.value(m_range));
            return false;
        }
        spec->inputKind = JobSpec::InputKind::Range;
    } else if (!m_parser.isSet(m_job) && !m_parser.isSet(m_demo)) {
        if (::isatty(STDIN_FILENO)) {
            *error = QStringLiteral("no inputs: give --inputs FILE, --range N, or pipe the inputs in");
            return false;
        }
        spec->inputKind = JobSpec::InputKind::File;
        spec->inputFile = QStringLiteral("-");
    }
    if (m_parser.isSet(m_nullSeparated))
        spec->nullSeparated = true;
    if (spec->command.isEmpty()) {
        *error = QStringLiteral("no command given: taskpool run [options] -- COMMAND [ARG...]");
        return false;
    }
    if (spec->startupSeconds > 0 && spec->mode != JobSpec::Mode::Worker) {
        *error = QStringLiteral("--worker-startup is for long-lived workers (--worker)");
        return false;
    }
    *error = spec->validate();
    return error->isEmpty();
}
