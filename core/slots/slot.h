#pragma once

#include "commandtemplate.h"
#include "jobspec.h"
#include "slotprocess.h"
#include "slottransfer.h"
#include "task.h"

#include <QObject>
#include <QPointer>
#include <QRegularExpression>

#include <deque>
#include <memory>

class OrphanGuard;

enum class SlotState : quint8 { Starting, Idle, Busy, Stopping, Exited, Crashed };
QString slotStateName(SlotState state);

// What the UI needs to draw one worker row; copied out ~10 times a second.
struct SlotSnapshot
{
    int slot = -1;
    qint64 pid = 0;
    SlotState state = SlotState::Starting;
    qint64 taskId = -1;
    QByteArray input;
    double progress = -1;       // -1: no progress reported yet
    QString message;
    qint64 taskElapsedMs = 0;
    qint64 tasksDone = 0;
    qint64 failures = 0;
    int queued = 0;             // tasks waiting in this worker's window
    QString host;               // the host the slot runs on ("localhost", "user@node2", "srun")
    bool hostDown = false;      // its host is unreachable; the slot waits for it to come back
};

// One worker slot of the pool: one of its N places. It runs at most one
// process at a time and hides whether that process runs one task (per-task
// mode, PerTaskSlot) or many (protocol mode, WorkerSlot). The pool hands
// it tasks while freeCapacity() > 0 and gets every attempt back through
// attemptFinished() or tasksReturned(), exactly once.
//
// This base class keeps what both modes share: the slot's state and counts,
// its host going down and coming back, retiring and terminating, the timeout
// and stall watchdog, the log. It holds the parts a mode drives: the process
// (SlotProcess: pipes, signals, ending the tree) and, with --transfer on a
// remote host, the file transfer (SlotTransfer). A mode connects to their
// signals itself and overrides the few hooks below, each called at one moment
// this class documents.
class Slot : public QObject
{
    Q_OBJECT
public:
    static Slot *create(int slot, const JobSpec &spec, QObject *parent);
    static Slot *create(int slot, const JobSpec &spec, const HostSpec &host, int hostIndex, QObject *parent);
    ~Slot() override;

    int slot() const { return m_slot; }
    int hostIndex() const { return m_hostIndex; }
    const QString &hostName() const { return m_hostName; }
    bool isRemote() const { return m_host.isRemote(); }
    bool isHostDown() const { return m_hostDown; }
    bool isWaitingForHost() const { return m_waitingForHost; }
    // While the host is down the slot opens no new connection (a slot that
    // lost its own waits; live ones go on). Up again: waiting slots restart.
    void setHostDown(bool down);
    SlotState state() const { return m_state; }
    qint64 pid() const { return m_process->pid(); }
    bool isRetiring() const { return m_retiring; }
    virtual int freeCapacity() const = 0;
    virtual int inFlightCount() const = 0;
    SlotSnapshot snapshot(qint64 nowMs) const;

    virtual void start() = 0;            // ready to take tasks soon (capacityAvailable)
    virtual void assign(Task task) = 0;
    // Sends what assign() queued since the last call: one write for a window of tasks.
    virtual void flushAssigned() {}
    void retire();                        // take no more tasks, finish, then go
    void terminate();                     // end the process tree now; tasks are cancelled
    void checkDeadlines(qint64 nowMs);    // enforces the timeout and the stall limit
    // When the task being worked on started (monotonic ms); -1: none.
    qint64 currentStartedMs() const;
    // A process of this slot is running and nothing is ending it yet.
    bool isRequeueable() const;
    // Ends the process tree now (as terminate() does) and hands every task in
    // hand back through tasksReturned(), as though none had started: no
    // attempt is used and nothing is recorded (the pool's --memfree); it comes
    // once the tree is gone, even with no task left in hand. The slot
    // stays: per-task it takes tasks again, a long-lived worker is restarted.
    void requeueTasks(const QString &why);
    void setTimeoutMs(qint64 ms) { m_timeoutMs = ms; } // 0 = none; the pool adapts it
    // The run's guard, before start(): every local process of this slot has it
    // watch its group, which the slot forgets once it is gone or SIGKILLed.
    void setOrphanGuard(std::shared_ptr<OrphanGuard> guard);
    // Replace this worker's process after its current tasks (leaks, task limits).
    virtual void recycle(const QString &reason) { Q_UNUSED(reason) }

Q_SIGNALS:
    void attemptFinished(Slot *worker, const Task &task, const TaskOutcome &outcome);
    void tasksReturned(Slot *worker, const QList<Task> &tasks); // never started: no attempt used
    void capacityAvailable(Slot *worker);
    // The process ended on its own while it should have been running.
    void died(Slot *worker, const QString &reason, bool finishedAnyTask);
    void startFailed(Slot *worker, const QString &reason);
    void retired(Slot *worker);         // after retire()/terminate(), once the process is gone
    void logLine(int slot, const QString &line);
    // Output as it is read, one chunk per read (never a signal per line): a
    // per-task process's stdout and stderr; a worker's stderr and the stdout
    // lines that are not protocol messages. taskId: the task being worked on
    // (-1: none, say a worker starting up). The bytes live only for the call.
    void output(int slot, qint64 taskId, OutputStream stream, QByteArrayView bytes);
    // Remote slots: the guard on the host answered (the host works), or the
    // launcher ended without the command's exit status (unreachable, connection
    // lost). The slot's tasks come back through tasksReturned(), not as failures.
    void hostConnected(Slot *worker);
    void hostLost(Slot *worker, const QString &reason);

protected:
    Slot(int slot, const JobSpec &spec, const HostSpec &host, int hostIndex, QObject *parent);

    using EndReason = SlotProcess::EndReason;

    struct Running
    {
        Task task;
        qint64 startedMs = -1;      // monotonic; when it became the task being worked on
        qint64 startedAtEpochMs = 0;
        qint64 lastActivityMs = -1; // last output or progress, for the stall watchdog
        double progress = -1;
        QString message;
        QByteArray errorOutput;
        bool errorTruncated = false;
        qint64 inputEnd = 0;        // long-lived workers: stdin bytes up to the end of its line
    };

    // ---- the parts a mode drives ----------------------------------------------
    SlotProcess *process() const { return m_process; }
    // --transfer on a remote host; null otherwise.
    SlotTransfer *transfer() const { return m_transfer; }
    // Starts the slot's next process (see SlotProcess::start()).
    void launch(const QList<QByteArray> &argv, const QString &remoteDirectory = QString());

    // ---- hooks: what each mode does at these moments ----------------------------
    // The task being worked on (a protocol worker's head of the window), or
    // null. Called at any time: by snapshot() and by checkDeadlines().
    virtual const Running *current() const = 0;
    // Extra time the current task gets before its timeout and stall limits
    // end it (a long-lived worker's start-up, for its first task). Called by
    // checkDeadlines() once a task is current.
    virtual qint64 deadlineGraceMs() const { return 0; }
    // Called when the guard on a remote host answered, before hostConnected()
    // is emitted: the current task's clock starts now, not when the launcher
    // started dialling.
    virtual void startTaskClock() {}
    // Called when a local process could not be started (a remote one loses
    // its host instead); never after retired(). The task or tasks in hand are
    // failed or handed back, and startFailed() emitted if the program is to blame.
    virtual void reportStartFailure(const QString &reason) = 0;
    // Called when the host is lost (unreachable, connection dropped, a copy
    // that lost it), before hostLost() is emitted: stop, set the state, and
    // return every task in hand; they go back to the queue.
    virtual QList<Task> releaseTasks() = 0;
    // Called once, from retire(): take no new task, finish what is in hand,
    // and call finishRetiring() once the process is gone.
    virtual void drain() = 0;
    // Called from terminate(), before the process tree is ended: work in hand
    // that is not the process (a file copy) stops and its task is reported
    // now; the process's tasks are reported when it exits (EndReason::Terminate).
    virtual void abort() {}

    // ---- for the modes ---------------------------------------------------------
    QString endReasonText() const; // the error of a task ended by timeout or stall
    void setState(SlotState state);
    void finishRetiring();                  // emits retired() once
    void log(const QString &line);
    // The host is unreachable or the connection dropped: the tasks go back.
    void loseHost(const QString &reason);
    // The host is down: start() again (through setHostDown()) once it is back.
    void waitForHost() { m_waitingForHost = true; }
    TaskOutcome makeOutcome(const Running &run, TaskStatus status, qint64 nowMs) const;
    TaskOutcome makeCancelledOutcome(const Running &run, qint64 nowMs) const; // by terminate()
    void appendErrorOutput(Running &run, QByteArrayView data) const;
    void countOutcome(TaskStatus status);
    static qint64 nowMs();

    const JobSpec m_spec;
    const int m_slot;
    const HostSpec m_host;
    const int m_hostIndex;
    const QString m_hostName;

private:
    void onProcessStartFailed(const QString &reason);
    void onProcessHostLost(const QString &reason);
    void onHostReached();

    SlotProcess *const m_process;
    SlotTransfer *const m_transfer;
    bool m_hostDown = false;
    bool m_waitingForHost = false; // lost its connection; restarts when the host is up
    SlotState m_state = SlotState::Starting;
    bool m_retiring = false;
    bool m_retiredEmitted = false;
    qint64 m_timeoutMs = 0;
    qint64 m_tasksDone = 0;
    qint64 m_failures = 0;
    qint64 m_drainedSinceMs = -1;   // retiring or recycled, with nothing in flight
    qint64 m_endedAfterMs = 0;      // a timeout's or stall's figure, for endReasonText()
    // Log flood control: at most LogBurst lines per second per worker.
    qint64 m_logWindowStartMs = 0;
    int m_logLinesInWindow = 0;
    int m_logSuppressed = 0;
};
