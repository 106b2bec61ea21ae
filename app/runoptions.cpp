#include "runoptions.h"

#include "helptext.h"
#include "machineload.h"

#include <algorithm>

#include <cstdio>
#include <unistd.h>

namespace {

bool isSourceMarker(const QString &word)
{
    return word == QLatin1String(":::") || word == QLatin1String("::::") || word == QLatin1String(":::+")
        || word == QLatin1String("::::+");
}

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
    Cli::addOptions(u"run", &m_parser);
}

int RunOptions::parse(const QString &taskpoolPath, const QStringList &arguments)
{
    if (!m_parser.parse(QStringList{QStringLiteral("taskpool run")} + arguments))
        return usageError(m_parser.errorText());
    if (m_parser.isSet(m_help)) {
        std::fputs(qPrintable(Cli::commandHelp(*Cli::command(u"run"))), stdout);
        return 0;
    }
    if (m_parser.isSet(m_version)) {
        std::puts(qPrintable(Cli::versionLine()));
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
        && applyStartGates(spec, error) && applyInputs(spec, error);
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
    const QStringList command = commandWords();
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
    if (m_parser.isSet(m_maxOutput) && !MachineLoad::parseSize(m_parser.value(m_maxOutput), &spec->maxOutputBytes)) {
        *error = QStringLiteral("--max-output needs a size such as 65536, 64k or 4M, not \"%1\"")
                     .arg(m_parser.value(m_maxOutput));
        return false;
    }
    if (m_parser.isSet(m_progressPattern))
        spec->progressPattern = m_parser.value(m_progressPattern);
    return true;
}

QStringList RunOptions::commandWords() const
{
    QStringList words = m_parser.positionalArguments();
    const auto marker = std::find_if(words.cbegin(), words.cend(), isSourceMarker);
    return words.mid(0, marker - words.cbegin());
}

QStringList RunOptions::sourceWords() const
{
    const QStringList words = m_parser.positionalArguments();
    return words.mid(commandWords().size());
}

// GNU parallel's input sources after the command (::: values, :::: files, and
// :::+ ::::+ linked to the source before), or named --param parameters.
bool RunOptions::sweepParameters(QList<SweepParameter> *parameters, bool *given, QString *error) const
{
    parameters->clear();
    const QStringList words = sourceWords();
    const bool named = m_parser.isSet(m_param);
    *given = named || !words.isEmpty();
    if (named && !words.isEmpty()) {
        *error = QStringLiteral("give the sweep as ::: sources or as --param, not both");
        return false;
    }
    if (m_parser.isSet(m_zip) && !named) {
        *error = QStringLiteral("--zip links --param parameters (link ::: sources with :::+)");
        return false;
    }
    if (named) {
        for (const QString &text : m_parser.values(m_param)) {
            SweepParameter p;
            if (!Sweep::parseParameter(text, &p, error))
                return false;
            p.linked = m_parser.isSet(m_zip) && !parameters->isEmpty();
            for (const SweepParameter &other : std::as_const(*parameters)) {
                if (other.name == p.name) {
                    *error = QStringLiteral("--param %1 is given twice").arg(p.name);
                    return false;
                }
                if (p.linked && other.values.size() != p.values.size()) {
                    *error = QStringLiteral("--zip needs parameters with as many values each: %1 has %2, %3 has %4")
                                 .arg(other.name).arg(other.values.size()).arg(p.name).arg(p.values.size());
                    return false;
                }
            }
            parameters->append(std::move(p));
        }
        return true;
    }
    bool stdinUsed = false;
    for (qsizetype i = 0; i < words.size();) {
        const QString marker = words[i++];
        SweepParameter p;
        p.name = QString::number(parameters->size() + 1);
        p.linked = marker.endsWith(QLatin1Char('+')) && !parameters->isEmpty();
        const bool files = marker.startsWith(QLatin1String("::::"));
        bool any = false;
        for (; i < words.size() && !isSourceMarker(words[i]); ++i) {
            any = true;
            if (!files) {
                p.values.append(words[i]);
                continue;
            }
            if (words[i] == QLatin1String("-")) {
                if (stdinUsed) {
                    *error = QStringLiteral("standard input can be read by one :::: source only");
                    return false;
                }
                stdinUsed = true;
            }
            if (!Sweep::readValues(words[i], m_parser.isSet(m_nullSeparated), &p.values, error))
                return false;
        }
        if (files && !any) {
            *error = QStringLiteral("%1 needs a file (or - for standard input)").arg(marker);
            return false;
        }
        parameters->append(std::move(p));
    }
    return true;
}

// Starts that respect the machine: --memfree, --load, --delay.
bool RunOptions::applyStartGates(JobSpec *spec, QString *error) const
{
    if (m_parser.isSet(m_memFree) && !MachineLoad::parseSize(m_parser.value(m_memFree), &spec->memFreeBytes)) {
        *error = QStringLiteral("--memfree needs a size such as 2G, 500M or 1.5G, not \"%1\"").arg(m_parser.value(m_memFree));
        return false;
    }
    if (m_parser.isSet(m_load)) {
        bool ok = false;
        const double load = m_parser.value(m_load).toDouble(&ok);
        if (!ok || !(load > 0) || !qIsFinite(load)) {
            *error = QStringLiteral("--load needs a load average above 0, such as 4 or 2.5, not \"%1\"").arg(m_parser.value(m_load));
            return false;
        }
        spec->loadBelow = load;
    }
    if (m_parser.isSet(m_delay)
        && (!secondsOption(m_delay, &spec->startDelaySeconds, error) || !qIsFinite(spec->startDelaySeconds))) {
        *error = QStringLiteral("--delay needs a number of seconds, such as 1 or 0.5, not \"%1\"").arg(m_parser.value(m_delay));
        return false;
    }
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
    QList<SweepParameter> parameters;
    bool sweepGiven = false;
    if (!sweepParameters(&parameters, &sweepGiven, error))
        return false;
    if (sweepGiven && (fileGiven || rangeGiven)) {
        *error = QStringLiteral("a sweep (::: sources or --param) takes no --inputs or --range");
        return false;
    }
    if (retryFailed) {
        if (fileGiven || rangeGiven || sweepGiven) {
            *error = QStringLiteral("--retry-failed takes its inputs from the journal");
            return false;
        }
    } else if (sweepGiven) {
        spec->parameters = std::move(parameters);
    } else if (fileGiven) {
        spec->inputKind = JobSpec::InputKind::File;
        spec->inputFile = m_parser.value(m_inputs);
        spec->parameters.clear();
    } else if (rangeGiven) {
        spec->parameters.clear();
        bool ok = false;
        spec->rangeCount = m_parser.value(m_range).toLongLong(&ok);
        if (!ok || spec->rangeCount < 0) {
            *error = QStringLiteral("--range needs a count of 0 or more, not \"%1\"").arg(m_parser.value(m_range));
            return false;
        }
        spec->inputKind = JobSpec::InputKind::Range;
    } else if (!m_parser.isSet(m_job) && !m_parser.isSet(m_demo) && !spec->isSweep()) {
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
