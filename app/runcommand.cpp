#include "runcommand.h"

#include "inputsource.h"
#include "jobspec.h"
#include "resultsink.h"
#include "resultwriter.h"
#include "runjournal.h"
#include "taskpool.h"
#include "terminalprogress.h"
#include "unixsignals.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace {

enum ExitCode { AllOk = 0, SomeFailed = 1, UsageError = 2, Interrupted = 130 };

void printError(const QString &message)
{
    std::fprintf(stderr, "taskpool: %s\n", qPrintable(message));
}

int usageError(const QString &message)
{
    printError(message);
    std::fprintf(stderr, "Try 'taskpool run --help' for more information.\n");
    return UsageError;
}

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

bool isExecutableProgram(const QString &program, const QString &workingDirectory)
{
    if (program.contains(QLatin1Char('/'))) {
        QFileInfo info(program);
        if (info.isRelative() && !workingDirectory.isEmpty())
            info.setFile(workingDirectory + QLatin1Char('/') + program);
        return info.isFile() && info.isExecutable();
    }
    return !QStandardPaths::findExecutable(program).isEmpty();
}

// Opens --results. A FIFO no one reads yet is waited for, like a shell's
// redirection, but a signal (Ctrl-C) ends the wait: *interruptedBy is then set.
int openResults(const QString &path, UnixSignals &unixSignals, bool quiet, int *interruptedBy, QString *error)
{
    bool noReader = false;
    int fd = ResultWriter::openFile(path, error, &noReader);
    if (fd >= 0 || !noReader)
        return fd;
    if (!quiet)
        printError(QStringLiteral("waiting for a reader of %1 (Ctrl-C to stop)").arg(path));
    QEventLoop loop;
    QTimer retry; // a FIFO says nothing when its reader comes: ask again
    retry.setInterval(50);
    QObject::connect(&retry, &QTimer::timeout, &loop, [&] {
        fd = ResultWriter::openFile(path, error, &noReader);
        if (fd >= 0 || !noReader)
            loop.quit();
    });
    QObject::connect(&unixSignals, &UnixSignals::received, &loop, [&](int received) {
        *interruptedBy = received;
        loop.quit();
    });
    retry.start();
    loop.exec();
    return fd;
}

} // namespace

int runCommand(const QString &taskpoolPath, const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, {});
    const QCommandLineOption inputs(QStringLiteral("inputs"), {}, QStringLiteral("FILE"));
    const QCommandLineOption range(QStringLiteral("range"), {}, QStringLiteral("N"));
    const QCommandLineOption nullSep({QStringLiteral("0"), QStringLiteral("null")}, {});
    const QCommandLineOption workers({QStringLiteral("j"), QStringLiteral("workers")}, {}, QStringLiteral("N"));
    const QCommandLineOption workerMode(QStringLiteral("worker"), {});
    const QCommandLineOption shell(QStringLiteral("shell"), {});
    const QCommandLineOption chdir(QStringLiteral("chdir"), {}, QStringLiteral("DIR"));
    const QCommandLineOption window(QStringLiteral("window"), {}, QStringLiteral("N"));
    const QCommandLineOption retries(QStringLiteral("retries"), {}, QStringLiteral("N"));
    const QCommandLineOption timeout(QStringLiteral("timeout"), {}, QStringLiteral("SECONDS"));
    const QCommandLineOption grace(QStringLiteral("kill-grace"), {}, QStringLiteral("SECONDS"));
    const QCommandLineOption maxOutput(QStringLiteral("max-output"), {}, QStringLiteral("SIZE"));
    const QCommandLineOption progressPattern(QStringLiteral("progress-pattern"), {}, QStringLiteral("REGEX"));
    const QCommandLineOption results(QStringLiteral("results"), {}, QStringLiteral("FILE"));
    const QCommandLineOption keepOrder(QStringLiteral("keep-order"), {});
    const QCommandLineOption progress(QStringLiteral("progress"), {});
    const QCommandLineOption quiet({QStringLiteral("q"), QStringLiteral("quiet")}, {});
    const QCommandLineOption job(QStringLiteral("job"), {}, QStringLiteral("FILE"));
    const QCommandLineOption demo(QStringLiteral("demo"), {});
    const QCommandLineOption stall(QStringLiteral("stall"), {}, QStringLiteral("SECONDS"));
    const QCommandLineOption workerStartup(QStringLiteral("worker-startup"), {}, QStringLiteral("SECONDS"));
    const QCommandLineOption halt(QStringLiteral("halt-on-failures"), {}, QStringLiteral("N"));
    const QCommandLineOption haltMode(QStringLiteral("halt-mode"), {}, QStringLiteral("MODE"));
    const QCommandLineOption maxTasks(QStringLiteral("max-tasks-per-worker"), {}, QStringLiteral("N"));
    const QCommandLineOption maxMemory(QStringLiteral("max-worker-memory"), {}, QStringLiteral("MB"));
    const QCommandLineOption journalPath(QStringLiteral("journal"), {}, QStringLiteral("FILE"));
    const QCommandLineOption noJournal(QStringLiteral("no-journal"), {});
    const QCommandLineOption resume(QStringLiteral("resume"), {});
    const QCommandLineOption retryFailed(QStringLiteral("retry-failed"), {});
    const QCommandLineOption runId(QStringLiteral("run"), {}, QStringLiteral("ID"));
    const QCommandLineOption host(QStringLiteral("host"), {}, QStringLiteral("N/HOST"));
    const QCommandLineOption launcher(QStringLiteral("launcher"), {}, QStringLiteral("KIND=TEMPLATE"));
    const QCommandLineOption transfer(QStringLiteral("transfer"), {});
    const QCommandLineOption returnFile(QStringLiteral("return"), {}, QStringLiteral("PATTERN"));
    const QCommandLineOption cleanup(QStringLiteral("cleanup"), {});
    const QCommandLineOption remoteDir(QStringLiteral("remote-dir"), {}, QStringLiteral("DIR"));
    parser.addOptions({host, launcher, transfer, returnFile, cleanup, remoteDir, help, inputs, range, nullSep, workers, workerMode, shell, chdir, window, retries, timeout,
                       grace, maxOutput, progressPattern, results, keepOrder, progress, quiet, job, demo,
                       journalPath, noJournal, resume, retryFailed, runId, stall, workerStartup, halt, haltMode, maxTasks,
                       maxMemory});

    if (!parser.parse(QStringList{QStringLiteral("taskpool run")} + arguments))
        return usageError(parser.errorText());
    if (parser.isSet(help)) {
        std::fputs(helpText, stdout);
        return AllOk;
    }

    JobSpec spec;
    QString error;
    if (parser.isSet(job) && !JobSpec::load(parser.value(job), &spec, &error))
        return usageError(error);
    if (parser.isSet(demo))
        spec = JobSpec::demo(taskpoolPath);

    if (parser.isSet(noJournal) && (parser.isSet(resume) || parser.isSet(retryFailed) || parser.isSet(journalPath)))
        return usageError(QStringLiteral("--no-journal cannot be combined with --journal, --resume or --retry-failed"));
    if (parser.isSet(resume) && parser.isSet(retryFailed))
        return usageError(QStringLiteral("give either --resume or --retry-failed, not both"));
    const bool journalRequired = parser.isSet(resume) || parser.isSet(retryFailed) || parser.isSet(journalPath);
    RunJournal journal;
    bool journaling = !parser.isSet(noJournal);
    if (journaling) {
        const QString path = parser.isSet(journalPath) ? parser.value(journalPath) : RunJournal::defaultPath();
        const bool opened = journal.open(path, &error);
        if (!journal.notice().isEmpty())
            printError(journal.notice());
        if (!opened) {
            if (journalRequired && !parser.isSet(journalPath))
                return usageError(error);
            // The run still goes ahead: losing the journal must not lose the work.
            printError(error + QStringLiteral(" - running without a journal"));
            if (parser.isSet(resume) || parser.isSet(retryFailed))
                return UsageError;
            journaling = false;
        }
    }
    QList<QByteArray> retryInputs;
    if (parser.isSet(retryFailed)) {
        qint64 from = journal.latestRun();
        if (parser.isSet(runId))
            from = parser.value(runId).toLongLong();
        RunInfo info;
        if (from < 0 || !journal.run(from, &info, &error))
            return usageError(from < 0 ? QStringLiteral("the journal has no runs to retry") : error);
        retryInputs = journal.failedInputs(from, &error);
        if (!error.isEmpty())
            return usageError(error);
        spec = info.spec;
    }
    const QStringList command = parser.positionalArguments();
    if (!command.isEmpty())
        spec.command = command;
    if (parser.isSet(workerMode))
        spec.mode = JobSpec::Mode::Worker;
    if (parser.isSet(shell))
        spec.shell = true;
    if (parser.isSet(chdir))
        spec.workingDirectory = parser.value(chdir);

    auto intOption = [&](const QCommandLineOption &option, int min, int *out) {
        bool ok = false;
        const int v = parser.value(option).toInt(&ok);
        if (!ok || v < min) {
            error = QStringLiteral("--%1 needs a whole number of at least %2, not \"%3\"")
                        .arg(option.names().constLast())
                        .arg(min)
                        .arg(parser.value(option));
            return false;
        }
        *out = v;
        return true;
    };
    auto secondsOption = [&](const QCommandLineOption &option, double *out) {
        bool ok = false;
        const double v = parser.value(option).toDouble(&ok);
        if (!ok || v < 0) {
            error = QStringLiteral("--%1 needs a number of seconds, not \"%2\"")
                        .arg(option.names().constLast(), parser.value(option));
            return false;
        }
        *out = v;
        return true;
    };
    if (parser.isSet(workers) && !intOption(workers, 1, &spec.workers))
        return usageError(error);
    if (parser.isSet(host)) {
        spec.hosts.clear();
        for (const QString &text : parser.values(host)) {
            HostSpec h;
            if (!HostSpec::parse(text, &h, &error))
                return usageError(error);
            spec.hosts.append(h);
        }
    }
    // With hosts (given here or in --job) -j would be silently ignored.
    if (parser.isSet(workers) && !spec.hosts.isEmpty())
        return usageError(QStringLiteral("with --host, give the local slots as --host N/localhost instead of -j"));
    for (const QString &text : parser.values(launcher)) {
        const qsizetype eq = text.indexOf(QLatin1Char('='));
        HostSpec::Kind kind;
        if (eq < 0 || !HostSpec::kindFromName(text.left(eq), &kind) || kind == HostSpec::Kind::Local)
            return usageError(QStringLiteral("--launcher needs ssh=TEMPLATE or srun=TEMPLATE, not \"%1\"").arg(text));
        bool used = false;
        for (HostSpec &h : spec.hosts) {
            if (h.kind == kind) {
                h.launcher = text.mid(eq + 1);
                used = true;
            }
        }
        if (!used)
            return usageError(QStringLiteral("--launcher %1: no --host of that kind").arg(text.left(eq)));
    }
    if (parser.isSet(transfer))
        spec.transfer = true;
    if (parser.isSet(returnFile))
        spec.returnFiles = parser.values(returnFile);
    if (parser.isSet(cleanup))
        spec.cleanup = true;
    if (parser.isSet(remoteDir))
        spec.remoteDirectory = parser.value(remoteDir);
    if (parser.isSet(window) && !intOption(window, 1, &spec.window))
        return usageError(error);
    if (parser.isSet(retries) && !intOption(retries, 0, &spec.retries))
        return usageError(error);
    auto percentOption = [&](const QCommandLineOption &option, double *percent) {
        QString text = parser.value(option).trimmed();
        if (!text.endsWith(QLatin1Char('%')))
            return false;
        text.chop(1);
        bool ok = false;
        *percent = text.toDouble(&ok);
        if (!ok || *percent <= 0) {
            error = QStringLiteral("--%1 needs a positive percentage, not \"%2\"").arg(option.names().constLast(), parser.value(option));
            *percent = -1;
        }
        return true;
    };
    if (parser.isSet(timeout)) {
        if (percentOption(timeout, &spec.timeoutPercent)) {
            spec.timeoutSeconds = 0;
            if (spec.timeoutPercent < 0)
                return usageError(error);
        } else if (!secondsOption(timeout, &spec.timeoutSeconds)) {
            return usageError(error);
        } else {
            spec.timeoutPercent = 0;
        }
    }
    if (parser.isSet(stall) && !secondsOption(stall, &spec.stallSeconds))
        return usageError(error);
    if (parser.isSet(workerStartup) && !secondsOption(workerStartup, &spec.startupSeconds))
        return usageError(error);
    if (parser.isSet(halt)) {
        if (percentOption(halt, &spec.haltFailurePercent)) {
            if (spec.haltFailurePercent < 0 || spec.haltFailurePercent > 100)
                return usageError(QStringLiteral("--halt-on-failures needs a count or a percentage up to 100%"));
        } else if (!intOption(halt, 1, &spec.haltAfterFailures)) {
            return usageError(error);
        }
    }
    if (parser.isSet(haltMode)) {
        const QString mode = parser.value(haltMode);
        if (mode != QLatin1String("drain") && mode != QLatin1String("terminate"))
            return usageError(QStringLiteral("--halt-mode is drain or terminate, not \"%1\"").arg(mode));
        spec.haltTerminates = mode == QLatin1String("terminate");
    }
    if (parser.isSet(maxTasks) && !intOption(maxTasks, 1, &spec.maxTasksPerWorker))
        return usageError(error);
    if (parser.isSet(maxMemory)) {
        int mb = 0;
        if (!intOption(maxMemory, 1, &mb))
            return usageError(error);
        spec.maxWorkerMemoryMb = mb;
    }
    if (parser.isSet(grace) && !secondsOption(grace, &spec.killGraceSeconds))
        return usageError(error);
    if (parser.isSet(maxOutput) && !parseSize(parser.value(maxOutput), &spec.maxOutputBytes))
        return usageError(QStringLiteral("--max-output needs a size such as 65536, 64k or 4M, not \"%1\"").arg(parser.value(maxOutput)));
    if (parser.isSet(progressPattern))
        spec.progressPattern = parser.value(progressPattern);

    if (parser.isSet(inputs) && parser.isSet(range))
        return usageError(QStringLiteral("give either --inputs or --range, not both"));
    if (parser.isSet(retryFailed)) {
        if (parser.isSet(inputs) || parser.isSet(range))
            return usageError(QStringLiteral("--retry-failed takes its inputs from the journal"));
        spec.inputKind = JobSpec::InputKind::List;
        spec.inputList.clear();
        for (const QByteArray &input : std::as_const(retryInputs))
            spec.inputList.append(QString::fromUtf8(input));
    } else if (parser.isSet(inputs)) {
        spec.inputKind = JobSpec::InputKind::File;
        spec.inputFile = parser.value(inputs);
    } else if (parser.isSet(range)) {
        bool ok = false;
        spec.rangeCount = parser.value(range).toLongLong(&ok);
        if (!ok || spec.rangeCount < 0)
            return usageError(QStringLiteral("--range needs a count of 0 or more, not \"%1\"").arg(parser.value(range)));
        spec.inputKind = JobSpec::InputKind::Range;
    } else if (!parser.isSet(job) && !parser.isSet(demo) && !parser.isSet(retryFailed)) {
        if (::isatty(STDIN_FILENO))
            return usageError(QStringLiteral("no inputs: give --inputs FILE, --range N, or pipe the inputs in"));
        spec.inputKind = JobSpec::InputKind::File;
        spec.inputFile = QStringLiteral("-");
    }
    if (parser.isSet(nullSep))
        spec.nullSeparated = true;

    if (spec.command.isEmpty())
        return usageError(QStringLiteral("no command given: taskpool run [options] -- COMMAND [ARG...]"));
    if (spec.startupSeconds > 0 && spec.mode != JobSpec::Mode::Worker)
        return usageError(QStringLiteral("--worker-startup is for long-lived workers (--worker)"));
    error = spec.validate();
    if (!error.isEmpty())
        return usageError(error);
    // A program only remote hosts have cannot be checked from here.
    const QString program = CommandTemplate(spec.command, spec.shell).fixedProgram();
    if (spec.hasLocalHost() && !program.isEmpty() && !spec.shell && !isExecutableProgram(program, spec.workingDirectory)) {
        printError(QStringLiteral("cannot run \"%1\": no such program (not found in PATH or not executable)").arg(program));
        return UsageError;
    }
    for (const HostSpec &h : std::as_const(spec.hosts)) {
        const QString launcherProgram = h.launcherWords().value(0);
        if (h.isRemote() && !isExecutableProgram(launcherProgram, {})) {
            printError(QStringLiteral("cannot reach host %1: its launcher \"%2\" is not installed here (not found in PATH)")
                           .arg(h.name(), launcherProgram));
            return UsageError;
        }
    }

    InputSource *input = InputSource::create(spec, nullptr, &error);
    if (!input) {
        printError(error);
        return UsageError;
    }
    if (parser.isSet(retryFailed)) {
        // List inputs go through QString; keep the exact bytes from the journal.
        delete input;
        input = new ListInput(retryInputs);
    }
    std::unique_ptr<InputSource> inputOwner(input);
    std::unique_ptr<InputSource> filterOwner;
    if (parser.isSet(resume)) {
        const QSet<quint64> done = journal.finishedKeys(spec, &error);
        if (!error.isEmpty()) {
            printError(error);
            return UsageError;
        }
        const quint64 command = RunJournal::commandHash(RunJournal::commandKey(spec));
        filterOwner = std::make_unique<FilteredInput>(
            input, [done, command](const QByteArray &in) { return !done.contains(RunJournal::taskKey(command, in)); },
            done.size());
        input = filterOwner.get();
        if (!parser.isSet(quiet))
            printError(QStringLiteral("resuming: %1 tasks of this command already finished").arg(done.size()));
    }
    UnixSignals unixSignals;
    const bool beQuiet = parser.isSet(quiet);
    // The outputs open before the journal records a run, so a run that cannot
    // start leaves no run behind.
    int resultsFd = STDOUT_FILENO;
    if (parser.isSet(results)) {
        int signal = 0;
        resultsFd = openResults(parser.value(results), unixSignals, beQuiet, &signal, &error);
        if (signal) {
            printError(QStringLiteral("interrupted while waiting for a reader of %1").arg(parser.value(results)));
            return signal == SIGINT ? Interrupted : 128 + signal;
        }
        if (resultsFd < 0) {
            printError(error);
            return UsageError;
        }
    }
    if (journaling && journal.beginRun(spec, &error) < 0) {
        printError(error + QStringLiteral(" - running without a journal"));
        journaling = false;
    }
    ::signal(SIGPIPE, SIG_IGN); // a closed pipe is reported by write() instead

    TaskPool pool(spec, input);
    ResultSink sink(std::make_unique<ResultWriter>(resultsFd, spec.mode, parser.isSet(keepOrder)),
                    journaling ? &journal : nullptr);
    TerminalProgress progressDisplay(&pool, parser.isSet(progress));
    int interruptedBy = 0;
    int interrupts = 0;

    QObject::connect(&pool, &TaskPool::attemptFailed, &sink, &ResultSink::recordAttempt);
    // Results go out on the sink's threads; when they fall behind (a slow reader,
    // --keep-order waiting on one long task) the pool stops reading new input.
    auto applyBackpressure = [&] { pool.holdNewTasks(sink.isBehind()); };
    QObject::connect(&pool, &TaskPool::taskFinished, &sink, [&](const TaskOutcome &outcome) {
        sink.recordResult(outcome);
        if (sink.isBehind())
            pool.holdNewTasks(true);
    });
    QObject::connect(&sink, &ResultSink::caughtUp, &pool, applyBackpressure);
    // Through the progress display, so a live progress line is not torn.
    auto report = [&](const QString &message) { progressDisplay.printLine(QStringLiteral("taskpool: ") + message); };
    QObject::connect(&sink, &ResultSink::problem, &pool, report);
    QObject::connect(&sink, &ResultSink::writeError, &pool, [&](const QString &message, bool brokenPipe) {
        if (!brokenPipe)
            report(message);
        if (pool.isActive())
            pool.terminate();
    });
    QObject::connect(&pool, &TaskPool::logLine, &pool, [&](int slot, const QString &line) {
        if (beQuiet)
            return;
        progressDisplay.printLine(slot >= 0 ? QStringLiteral("taskpool: worker %1: %2").arg(slot).arg(line)
                                            : QStringLiteral("taskpool: %1").arg(line));
    });
    QObject::connect(&unixSignals, &UnixSignals::received, &pool, [&](int signal) {
        ++interrupts;
        if (!interruptedBy)
            interruptedBy = signal;
        pool.terminate();
    });
    QTimer shipTimer;
    shipTimer.setInterval(100); // results reach the journal and the file within a fraction of a second
    QObject::connect(&shipTimer, &QTimer::timeout, &pool, [&] {
        sink.ship();
        applyBackpressure();
    });
    shipTimer.start();
    QObject::connect(&pool, &TaskPool::finished, QCoreApplication::instance(), &QCoreApplication::quit,
                     Qt::QueuedConnection);

    QElapsedTimer runTime;
    runTime.start();
    pool.start();
    if (pool.state() != TaskPool::State::Finished)
        QCoreApplication::exec();
    shipTimer.stop();

    // The last results may still be on their way to a slow reader. Wait for
    // them; an interrupt now leaves them behind (they are in the journal).
    sink.finish();
    const int interruptsAtEnd = interrupts;
    QElapsedTimer waiting;
    waiting.start();
    bool told = false;
    while (!sink.waitFinished(50)) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        if (interrupts > interruptsAtEnd) {
            progressDisplay.finish();
            // Results reach the journal however stuck the output is.
            if (sink.journaling() && sink.waitJournaled(10000)) {
                const qint64 runId = journal.currentRun(); // this run's, not the newest in a shared journal
                if (!journal.endRun(QStringLiteral("terminated"), QStringLiteral("stopped waiting for the results to be read"), &error))
                    printError(error);
                printError(QStringLiteral("interrupted: the results not yet read are in the journal (taskpool export --run %1)")
                               .arg(runId));
            } else {
                printError(QStringLiteral("interrupted: the results not yet read are lost"));
            }
            // The writer's thread is stuck in write(); only exiting ends it.
            ::_exit(Interrupted);
        }
        if (!told && waiting.elapsed() > 2000 && !beQuiet) {
            told = true;
            printError(QStringLiteral("waiting for the results to be read (Ctrl-C to stop waiting)"));
        }
    }
    progressDisplay.finish();
    const ResultWriter &writer = sink.writer();
    if (sink.journaling()) {
        QString state = QStringLiteral("finished");
        QString message = pool.fatalError();
        if (interruptedBy) {
            state = QStringLiteral("terminated");
        } else if (writer.hasError()) {
            // The run was ended because its results had nowhere to go.
            state = writer.brokenPipe() ? QStringLiteral("terminated") : QStringLiteral("failed");
            message = writer.brokenPipe() ? QStringLiteral("the results output was closed (no one reads it any more)")
                                          : writer.errorString();
        } else if (!message.isEmpty()) {
            state = QStringLiteral("failed");
        } else if (!pool.haltReason().isEmpty()) {
            state = spec.haltTerminates ? QStringLiteral("terminated") : QStringLiteral("stopped");
            message = pool.haltReason();
        }
        if (!journal.endRun(state, message, &error))
            printError(error);
    }
    if (resultsFd != STDOUT_FILENO)
        ::close(resultsFd);

    const PoolStats stats = pool.stats();
    if (!beQuiet) {
        // Until the last result was written: the pool may end before the sink does.
        const double seconds = qMax(stats.elapsedSeconds, runTime.elapsed() / 1000.0);
        const double perSecond = seconds > 0 ? stats.finished() / seconds : 0;
        QString summary = QStringLiteral("%1 tasks in %2 s (%3/s): %4 ok")
                              .arg(stats.finished())
                              .arg(seconds, 0, 'f', 2)
                              .arg(perSecond, 0, 'f', perSecond < 100 ? 1 : 0)
                              .arg(stats.ok);
        if (stats.failed)
            summary += QStringLiteral(", %1 failed").arg(stats.failed);
        if (stats.timedOut)
            summary += QStringLiteral(", %1 timed out").arg(stats.timedOut);
        if (stats.crashed)
            summary += QStringLiteral(", %1 crashed").arg(stats.crashed);
        if (stats.stalled)
            summary += QStringLiteral(", %1 stalled").arg(stats.stalled);
        if (stats.cancelled)
            summary += QStringLiteral(", %1 cancelled").arg(stats.cancelled);
        if (stats.retried)
            summary += QStringLiteral(" (%1 retried)").arg(stats.retried);
        printError(summary);
    }
    if (writer.hasError() && !writer.brokenPipe())
        return SomeFailed;
    if (interruptedBy == SIGINT)
        return Interrupted;
    if (interruptedBy)
        return 128 + interruptedBy;
    if (!pool.fatalError().isEmpty()) {
        if (beQuiet)
            printError(pool.fatalError());
        return UsageError;
    }
    if (writer.hasError())
        return 128 + SIGPIPE;
    return stats.failures() > 0 || stats.cancelled > 0 ? SomeFailed : AllOk;
}
