#pragma once

#include "jobspec.h"
#include "outputstream.h"
#include "processgroupusage.h"
#include "taskpool.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

// The monitor socket's protocol: JSON Lines, one object per line, "type" says
// which. A viewer that connects gets, in order:
//   hello    who publishes (pid, host, journal run id, start time) and the job
//   output   each slot's recent output (the tail), then live chunks
//   attempt, result   every attempt that was retried and every task's result
//            so far, oldest first, then each new one as it happens
//   state    the pool's state, counts, slots (with CPU and memory), hosts;
//            about 10 times a second, only the latest (coalesced); its counts
//            carry "waiting" while a start gate holds tasks back (--memfree,
//            --load, --delay), absent otherwise and from older runs
//   skipped  how many earlier results the run no longer keeps for it (its
//            history is bounded; the journal has them)
//   log      pool and worker messages, then live
//   end      how the run ended; the publisher goes away soon after
// A viewer sends commands the same way: {"command": "pause" | "unpause" |
// "stop" | "terminate" | "workers", "count": N}.
// Byte fields (input, output, stderr, data) are base64: inputs need not be text.
namespace MonitorProtocol {

constexpr int Version = 1;

// The live part of a run, as the state message carries it.
struct LiveState
{
    TaskPool::State state = TaskPool::State::Idle;
    PoolStats stats;
    int wantedWorkers = 0;
    QList<SlotSnapshot> slotSnapshots;
    QList<HostSnapshot> hosts;
    QHash<qint64, GroupUsage> usage; // by worker pid
    QString haltReason;
    QString fatalError;
};

struct Hello
{
    qint64 pid = 0;
    QString host;          // the machine the run is on
    qint64 journalRun = -1; // its id in that machine's journal, -1 when unrecorded
    qint64 startedAtMs = 0;
    JobSpec spec;
};

QByteArray helloLine(const Hello &hello);
QByteArray stateLine(const LiveState &state);
// type "attempt" (retried) or "result" (the task's final outcome).
QByteArray outcomeLine(bool final, const TaskOutcome &outcome);
QByteArray outputLine(int slot, qint64 taskId, OutputStream stream, QByteArrayView data);
QByteArray logLine(int slot, const QString &line);
QByteArray skippedLine(qint64 results);
QByteArray endLine(const QString &state, const QString &message, const QString &summary);
QByteArray commandLine(const QString &command, int count = 0);

bool parseHello(const QJsonObject &json, Hello *hello, QString *error);
LiveState parseState(const QJsonObject &json);
TaskOutcome parseOutcome(const QJsonObject &json);

QString stateName(TaskPool::State state);
TaskPool::State stateFromName(const QString &name);

} // namespace MonitorProtocol
