#pragma once

#include "jobspec.h"
#include "task.h"

#include <QList>
#include <QSet>
#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <memory>

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
    qint64 counts[TaskStatusCount] = {};
    qint64 finished() const;
    qint64 failures() const;
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
    bool isOpen() const;
    QString path() const { return m_path; }

    // Writing a run.
    qint64 beginRun(const JobSpec &spec, QString *error);
    void recordAttempt(const TaskOutcome &outcome); // an attempt that will be retried
    void recordResult(const TaskOutcome &outcome);  // the final outcome of a task
    bool commit(QString *error);                    // writes the pending batch
    bool endRun(const QString &state, const QString &message, QString *error);
    qint64 currentRun() const { return m_runId; }
    qsizetype pending() const { return m_pending.size(); }

    // Reading.
    QList<RunInfo> runs(QString *error = nullptr);
    bool run(qint64 runId, RunInfo *info, QString *error = nullptr);
    qint64 latestRun(); // -1 if none
    bool forEachResult(qint64 runId, const std::function<void(const TaskOutcome &)> &visit, QString *error);
    // Keys of tasks of this command that finished (ok, failed, timeout, crashed) in any run.
    QSet<quint64> finishedKeys(const JobSpec &spec, QString *error);
    // Inputs of the failed, timed-out and crashed tasks of a run, in input order.
    QList<QByteArray> failedInputs(qint64 runId, QString *error);
    bool deleteRun(qint64 runId, QString *error);

    // A task is identified by its command and its input, not its position.
    static QByteArray commandKey(const JobSpec &spec);
    static quint64 taskKey(const QByteArray &commandKey, QByteArrayView input);

private:
    struct Pending
    {
        TaskOutcome outcome;
        bool final;
    };
    bool exec(const QString &sql, QString *error);
    void markInterruptedRuns();
    static RunInfo readRun(const QSqlQuery &q);

    QString m_connectionName;
    QString m_path;
    qint64 m_runId = -1;
    QByteArray m_commandKey;
    std::vector<Pending> m_pending;
    qint64 m_counts[TaskStatusCount] = {};
    void finalizeStatements();
    sqlite3 *m_handle = nullptr;            // the QtSql connection's own handle
    sqlite3_stmt *m_insertTask = nullptr;   // prepared once per run: binding through
    sqlite3_stmt *m_insertAttempt = nullptr; // QSqlQuery costs ~10 us per row
};
