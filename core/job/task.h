#pragma once

#include "outputstream.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QtGlobal>

// How a task ended. Pending/Running are live states; the rest are final.
enum class TaskStatus : quint8
{
    Pending,
    Running,
    Ok,
    Failed,
    Timeout,
    Crashed,
    Stalled,   // no output and no progress for longer than the stall limit
    Cancelled,
};
constexpr int TaskStatusCount = int(TaskStatus::Cancelled) + 1;

QString taskStatusName(TaskStatus status);
QByteArrayView taskStatusKey(TaskStatus status); // the same name, for the hot paths (no allocation)
bool taskStatusFromName(const QString &name, TaskStatus *status);
// The one definition of a failure: the task ran and did not succeed. A
// cancelled task never ran to its end, so it is not one.
inline bool isFailure(TaskStatus s)
{
    return s == TaskStatus::Failed || s == TaskStatus::Timeout || s == TaskStatus::Crashed || s == TaskStatus::Stalled;
}

// How many tasks ended each way: a live run's counts (PoolStats), a past
// run's (RunInfo) and the journal's all use this one type.
struct TaskCounts
{
    qint64 ok = 0;
    qint64 failed = 0;
    qint64 timedOut = 0;
    qint64 crashed = 0;
    qint64 stalled = 0;
    qint64 cancelled = 0;
    qint64 retried = 0; // attempts that were run again (not tasks: a task ends once)

    qint64 count(TaskStatus status) const;
    void add(TaskStatus status, qint64 n = 1); // final statuses only; others are ignored
    qint64 failures() const { return failed + timedOut + crashed + stalled; }
    qint64 finished() const { return ok + failures() + cancelled; }
    bool operator==(const TaskCounts &o) const
    {
        return ok == o.ok && failed == o.failed && timedOut == o.timedOut && crashed == o.crashed
            && stalled == o.stalled && cancelled == o.cancelled && retried == o.retried;
    }
    bool operator!=(const TaskCounts &o) const { return !(*this == o); }
};

// One unit of work as it travels through the pool. Kept small on purpose:
// the id is the input's position, the input is the raw bytes of its line.
struct Task
{
    qint64 id = -1;
    QByteArray input;
    int attempts = 0; // attempts already made (0 for a fresh task)
};

// The record of one finished attempt (or of a task that never ran, when cancelled).
struct TaskOutcome
{
    qint64 id = -1;
    QByteArray input;
    TaskStatus status = TaskStatus::Pending;
    int exitCode = -1;        // -1: no exit code (killed, protocol worker, never ran)
    QByteArray output;        // stdout of a per-task command (capped)
    QByteArray errorOutput;   // stderr of the task (capped)
    QByteArray result;        // raw JSON value a protocol worker returned
    QString error;            // human-readable reason when not ok
    bool outputTruncated = false;
    int attempts = 0;
    int worker = -1;          // slot that ran the last attempt
    QString host;             // host of that slot ("localhost", "user@node2"); empty if never run
    qint64 startedAtMs = 0;   // ms since the epoch, 0 if never started
    qint64 durationMs = 0;
};
