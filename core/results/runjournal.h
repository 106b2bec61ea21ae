#pragma once

#include "jobspec.h"
#include "task.h"

#include <QList>
#include <QSet>
#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <memory>
#include <vector>

class QSqlQuery;
struct sqlite3;
struct sqlite3_stmt;

struct RunInfo
{
    qint64 id = -1;
    qint64 startedAtMs = 0;
    qint64 finishedAtMs = 0;     // 0 while running or interrupted
    QString state;               // running, finished, stopped, terminated, failed, interrupted
    JobSpec spec;
    QString message;             // why it failed, if it did
    TaskCounts counts;           // of the tasks' final outcomes (retried stays 0)
    qint64 ownerPid = 0;         // the process that ran it, on ownerHost (a running run's is
    QString ownerHost;           // where MonitorDirectory has its socket)
    qint64 finished() const { return counts.finished(); }
    qint64 failures() const { return counts.failures(); }
};

// Every run, task and attempt in an SQLite database (WAL). Results are batched
// into one transaction per commit() so journaling does not slow a fast run;
// a run whose process died without ending it reads back as "interrupted".
class RunJournal
{
public:
    RunJournal();
    ~RunJournal();
    RunJournal(const RunJournal &) = delete;
    RunJournal &operator=(const RunJournal &) = delete;

    // ~/.local/share/taskpool/journal.sqlite (the user's data location).
    static QString defaultPath();

    // Opens or creates the journal (created files are private to the user: 0600).
    // A corrupt, locked or unwritable file gives a clear error.
    bool open(const QString &path, QString *error);
    // Set by open() when the file's permissions were not private (0600): what
    // was done about it, for the user to read.
    QString notice() const { return m_notice; }
    bool isOpen() const;
    QString path() const { return m_path; }

    // One row to write: a task's final outcome, or an attempt that is being retried.
    struct Entry
    {
        TaskOutcome outcome;
        bool final;
    };

    // Writing a run. write() touches only the SQLite handle, never QtSql, so
    // between beginRun() and endRun() another thread may do the writing, as
    // long as no two threads use the journal at once.
    qint64 beginRun(const JobSpec &spec, QString *error);
    bool write(const std::vector<Entry> &entries, QString *error); // one transaction
    void recordAttempt(const TaskOutcome &outcome); // an attempt that will be retried
    void recordResult(const TaskOutcome &outcome);  // the final outcome of a task
    void record(std::vector<Entry> &&entries);
    bool commit(QString *error); // writes what was recorded; kept for the next commit if that fails
    bool endRun(const QString &state, const QString &message, QString *error);
    qint64 currentRun() const { return m_runId; }
    qsizetype pending() const { return m_pending.size(); }

    // Reading.
    QList<RunInfo> runs(QString *error = nullptr);
    bool run(qint64 runId, RunInfo *info, QString *error = nullptr);
    qint64 latestRun(); // -1 if none
    bool forEachResult(qint64 runId, const std::function<void(const TaskOutcome &)> &visit, QString *error);

    // A job is every run of one command (mode, shell, directory, command line:
    // commandKey), as --resume and --retry-failed see it. The runs of the job
    // of this run, oldest first; empty (and *error set) if there is no such run.
    QList<RunInfo> jobRuns(qint64 runId, QString *error);
    // The job's results: one record per task (a task is its input; repeated
    // inputs are one task, as for --resume) across all the job's runs, newer
    // ones than runId included, in id order; fromRun is the run it comes from.
    // - The newest run's record wins, except that a cancelled record never
    //   hides a finished one (ok or a failure) from an older run.
    // - id: the task's id in the first run that had it. A later run numbers
    //   its tasks from 0 (a resume numbers only what it runs), so a task it
    //   brought in gets its id there plus one more than the highest id given
    //   to the tasks of earlier runs: ids are unique and never change as the
    //   job goes on (deleting its older runs renumbers it).
    // - attempts: added up over every run, so "3" means the job tried it 3 times.
    // Everything else (output, worker, host, times) is the winning record's.
    // Streamed: SQLite groups the rows, only the winning rows are read whole.
    bool forEachJobResult(qint64 runId, const std::function<void(const TaskOutcome &, qint64 fromRun)> &visit,
                          QString *error);
    // Keys of tasks of this command that finished (ok, failed, timeout, crashed) in any run.
    QSet<quint64> finishedKeys(const JobSpec &spec, QString *error);
    // Inputs of the failed, timed-out and crashed tasks of a run, in input order.
    QList<QByteArray> failedInputs(qint64 runId, QString *error);
    bool deleteRun(qint64 runId, QString *error);
    // Deletes ended runs except the newest keepNewest (-1: no such rule) and
    // those started at or after notBeforeMs (0: no such rule); a run either
    // rule keeps stays. Runs still going are never deleted. Returns the ids deleted.
    QList<qint64> pruneRuns(int keepNewest, qint64 notBeforeMs, QString *error);
    bool compact(QString *error); // gives the space of deleted runs back to the file system

    // A task is identified by its command and its input, not its position:
    // taskKey(commandHash(commandKey(spec)), input), a 63-bit hash that stays
    // the same across versions and machines (it is stored).
    static QByteArray commandKey(const JobSpec &spec);
    static quint64 commandHash(const QByteArray &commandKey);
    static quint64 taskKey(quint64 commandHash, QByteArrayView input);

    // The attempts of a run that were followed by another (retries, and the
    // tries of a task whose run died before its final one), in start order,
    // with the task's input; the final attempt of every task is forEachResult()'s.
    // An attempt with no recorded start comes with startedAtMs 0.
    bool forEachAttempt(qint64 runId, const std::function<void(const TaskOutcome &)> &visit, QString *error);

private:
    bool exec(const QString &sql, QString *error);
    bool rekeyTasks(QString *error);
    void markInterruptedRuns();
    static RunInfo readRun(const QSqlQuery &q);

    QString m_connectionName;
    QString m_path;
    QString m_notice;
    qint64 m_runId = -1;
    quint64 m_commandHash = 0;
    std::vector<Entry> m_pending;
    TaskCounts m_counts;
    void finalizeStatements();
    sqlite3 *m_handle = nullptr;            // the QtSql connection's own handle
    sqlite3_stmt *m_insertTask = nullptr;   // prepared once per run: binding through
    sqlite3_stmt *m_insertAttempt = nullptr; // QSqlQuery costs ~10 us per row
    sqlite3_stmt *m_updateCounts = nullptr;
};
