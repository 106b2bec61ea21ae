#pragma once

#include "clireference.h"
#include "jobspec.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QString>
#include <QStringList>

// The options of `taskpool run`: what shapes the job becomes a JobSpec; the
// few choices that belong to the headless runner itself (the journal, resume,
// where results go, what is printed) are kept here as plain fields.
class RunOptions
{
public:
    RunOptions();

    // First pass: the options are well-formed; --help; the spec to start
    // from (--job, --demo); options that exclude each other. -1 to go on,
    // else the exit status (after printing the help or the error).
    int parse(const QString &taskpoolPath, const QStringList &arguments);
    // Second pass, on top of the spec to start from (a job file's, or the
    // retried run's): every option that shapes the job. False with *error.
    bool applyTo(JobSpec *spec, QString *error) const;

    JobSpec startSpec;         // from --job or --demo, else the defaults
    bool resume = false;
    bool retryFailed = false;
    qint64 retryRun = -1;      // --run ID: the run whose failures are retried, -1: the latest
    bool journaling = true;    // not --no-journal
    QString journalPath;       // --journal; empty: the default journal
    QString resultsPath;       // --results; empty: standard output
    bool keepOrder = false;
    bool progress = false;
    bool quiet = false;
    bool monitor = true;       // not --no-monitor: publish the run (RunPublisher)
    bool follow = false;       // --follow: tasks' output lines, live (FollowPrinter)

private:
    bool applyCommand(JobSpec *spec, QString *error) const;
    bool applyHosts(JobSpec *spec, QString *error) const;
    bool applyLimits(JobSpec *spec, QString *error) const;
    bool applyStartGates(JobSpec *spec, QString *error) const;
    bool applyInputs(JobSpec *spec, QString *error) const;
    // The command's words and, after the first ::: :::: :::+ or ::::+, its sources.
    QStringList commandWords() const;
    QStringList sourceWords() const;
    // The sweep the options give (::: sources or --param), in *parameters;
    // false with *error. *given: whether any was.
    bool sweepParameters(QList<SweepParameter> *parameters, bool *given, QString *error) const;
    bool intOption(const QCommandLineOption &option, int min, int *out, QString *error) const;
    bool secondsOption(const QCommandLineOption &option, double *out, QString *error) const;
    // A value ending in %: true, with *percent (-1 and *error when not a positive number).
    bool percentOption(const QCommandLineOption &option, double *percent, QString *error) const;

    QCommandLineParser m_parser;
    const QCommandLineOption m_help = Cli::qtOption(u"run", u"help");
    const QCommandLineOption m_version = Cli::qtOption(u"run", u"version");
    const QCommandLineOption m_inputs = Cli::qtOption(u"run", u"inputs");
    const QCommandLineOption m_range = Cli::qtOption(u"run", u"range");
    const QCommandLineOption m_param = Cli::qtOption(u"run", u"param");
    const QCommandLineOption m_zip = Cli::qtOption(u"run", u"zip");
    const QCommandLineOption m_nullSeparated = Cli::qtOption(u"run", u"null");
    const QCommandLineOption m_workers = Cli::qtOption(u"run", u"workers");
    const QCommandLineOption m_workerMode = Cli::qtOption(u"run", u"worker");
    const QCommandLineOption m_shell = Cli::qtOption(u"run", u"shell");
    const QCommandLineOption m_chdir = Cli::qtOption(u"run", u"chdir");
    const QCommandLineOption m_window = Cli::qtOption(u"run", u"window");
    const QCommandLineOption m_retries = Cli::qtOption(u"run", u"retries");
    const QCommandLineOption m_timeout = Cli::qtOption(u"run", u"timeout");
    const QCommandLineOption m_grace = Cli::qtOption(u"run", u"kill-grace");
    const QCommandLineOption m_maxOutput = Cli::qtOption(u"run", u"max-output");
    const QCommandLineOption m_progressPattern = Cli::qtOption(u"run", u"progress-pattern");
    const QCommandLineOption m_results = Cli::qtOption(u"run", u"results");
    const QCommandLineOption m_keepOrder = Cli::qtOption(u"run", u"keep-order");
    const QCommandLineOption m_progress = Cli::qtOption(u"run", u"progress");
    const QCommandLineOption m_quiet = Cli::qtOption(u"run", u"quiet");
    const QCommandLineOption m_noMonitor = Cli::qtOption(u"run", u"no-monitor");
    const QCommandLineOption m_follow = Cli::qtOption(u"run", u"follow");
    const QCommandLineOption m_job = Cli::qtOption(u"run", u"job");
    const QCommandLineOption m_demo = Cli::qtOption(u"run", u"demo");
    const QCommandLineOption m_stall = Cli::qtOption(u"run", u"stall");
    const QCommandLineOption m_workerStartup = Cli::qtOption(u"run", u"worker-startup");
    const QCommandLineOption m_halt = Cli::qtOption(u"run", u"halt-on-failures");
    const QCommandLineOption m_haltMode = Cli::qtOption(u"run", u"halt-mode");
    const QCommandLineOption m_maxTasks = Cli::qtOption(u"run", u"max-tasks-per-worker");
    const QCommandLineOption m_maxMemory = Cli::qtOption(u"run", u"max-worker-memory");
    const QCommandLineOption m_journal = Cli::qtOption(u"run", u"journal");
    const QCommandLineOption m_noJournal = Cli::qtOption(u"run", u"no-journal");
    const QCommandLineOption m_resume = Cli::qtOption(u"run", u"resume");
    const QCommandLineOption m_retryFailed = Cli::qtOption(u"run", u"retry-failed");
    const QCommandLineOption m_runId = Cli::qtOption(u"run", u"run");
    const QCommandLineOption m_host = Cli::qtOption(u"run", u"host");
    const QCommandLineOption m_launcher = Cli::qtOption(u"run", u"launcher");
    const QCommandLineOption m_transfer = Cli::qtOption(u"run", u"transfer");
    const QCommandLineOption m_returnFile = Cli::qtOption(u"run", u"return");
    const QCommandLineOption m_cleanup = Cli::qtOption(u"run", u"cleanup");
    const QCommandLineOption m_remoteDir = Cli::qtOption(u"run", u"remote-dir");
    const QCommandLineOption m_memFree = Cli::qtOption(u"run", u"memfree");
    const QCommandLineOption m_load = Cli::qtOption(u"run", u"load");
    const QCommandLineOption m_delay = Cli::qtOption(u"run", u"delay");
};

// Prints "taskpool: message" on stderr.
void printError(const QString &message);
// printError(), a hint to --help, and the usage error's exit status (2).
int usageError(const QString &message);
