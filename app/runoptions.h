#pragma once

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
    bool applyInputs(JobSpec *spec, QString *error) const;
    bool intOption(const QCommandLineOption &option, int min, int *out, QString *error) const;
    bool secondsOption(const QCommandLineOption &option, double *out, QString *error) const;
    // A value ending in %: true, with *percent (-1 and *error when not a positive number).
    bool percentOption(const QCommandLineOption &option, double *percent, QString *error) const;

    QCommandLineParser m_parser;
    const QCommandLineOption m_help{{QStringLiteral("h"), QStringLiteral("help")}, {}};
    const QCommandLineOption m_inputs{QStringLiteral("inputs"), {}, QStringLiteral("FILE")};
    const QCommandLineOption m_range{QStringLiteral("range"), {}, QStringLiteral("N")};
    const QCommandLineOption m_nullSeparated{{QStringLiteral("0"), QStringLiteral("null")}, {}};
    const QCommandLineOption m_workers{{QStringLiteral("j"), QStringLiteral("workers")}, {}, QStringLiteral("N")};
    const QCommandLineOption m_workerMode{QStringLiteral("worker"), {}};
    const QCommandLineOption m_shell{QStringLiteral("shell"), {}};
    const QCommandLineOption m_chdir{QStringLiteral("chdir"), {}, QStringLiteral("DIR")};
    const QCommandLineOption m_window{QStringLiteral("window"), {}, QStringLiteral("N")};
    const QCommandLineOption m_retries{QStringLiteral("retries"), {}, QStringLiteral("N")};
    const QCommandLineOption m_timeout{QStringLiteral("timeout"), {}, QStringLiteral("SECONDS")};
    const QCommandLineOption m_grace{QStringLiteral("kill-grace"), {}, QStringLiteral("SECONDS")};
    const QCommandLineOption m_maxOutput{QStringLiteral("max-output"), {}, QStringLiteral("SIZE")};
    const QCommandLineOption m_progressPattern{QStringLiteral("progress-pattern"), {}, QStringLiteral("REGEX")};
    const QCommandLineOption m_results{QStringLiteral("results"), {}, QStringLiteral("FILE")};
    const QCommandLineOption m_keepOrder{QStringLiteral("keep-order"), {}};
    const QCommandLineOption m_progress{QStringLiteral("progress"), {}};
    const QCommandLineOption m_quiet{{QStringLiteral("q"), QStringLiteral("quiet")}, {}};
    const QCommandLineOption m_noMonitor{QStringLiteral("no-monitor"), {}};
    const QCommandLineOption m_follow{QStringLiteral("follow"), {}};
    const QCommandLineOption m_job{QStringLiteral("job"), {}, QStringLiteral("FILE")};
    const QCommandLineOption m_demo{QStringLiteral("demo"), {}};
    const QCommandLineOption m_stall{QStringLiteral("stall"), {}, QStringLiteral("SECONDS")};
    const QCommandLineOption m_workerStartup{QStringLiteral("worker-startup"), {}, QStringLiteral("SECONDS")};
    const QCommandLineOption m_halt{QStringLiteral("halt-on-failures"), {}, QStringLiteral("N")};
    const QCommandLineOption m_haltMode{QStringLiteral("halt-mode"), {}, QStringLiteral("MODE")};
    const QCommandLineOption m_maxTasks{QStringLiteral("max-tasks-per-worker"), {}, QStringLiteral("N")};
    const QCommandLineOption m_maxMemory{QStringLiteral("max-worker-memory"), {}, QStringLiteral("MB")};
    const QCommandLineOption m_journal{QStringLiteral("journal"), {}, QStringLiteral("FILE")};
    const QCommandLineOption m_noJournal{QStringLiteral("no-journal"), {}};
    const QCommandLineOption m_resume{QStringLiteral("resume"), {}};
    const QCommandLineOption m_retryFailed{QStringLiteral("retry-failed"), {}};
    const QCommandLineOption m_runId{QStringLiteral("run"), {}, QStringLiteral("ID")};
    const QCommandLineOption m_host{QStringLiteral("host"), {}, QStringLiteral("N/HOST")};
    const QCommandLineOption m_launcher{QStringLiteral("launcher"), {}, QStringLiteral("KIND=TEMPLATE")};
    const QCommandLineOption m_transfer{QStringLiteral("transfer"), {}};
    const QCommandLineOption m_returnFile{QStringLiteral("return"), {}, QStringLiteral("PATTERN")};
    const QCommandLineOption m_cleanup{QStringLiteral("cleanup"), {}};
    const QCommandLineOption m_remoteDir{QStringLiteral("remote-dir"), {}, QStringLiteral("DIR")};
};

// Prints "taskpool: message" on stderr.
void printError(const QString &message);
// printError(), a hint to --help, and the usage error's exit status (2).
int usageError(const QString &message);
