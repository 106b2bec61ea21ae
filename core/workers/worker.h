#pragma once

#include "commandtemplate.h"
#include "jobspec.h"
#include "remotestderr.h"
#include "task.h"

#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QRegularExpression>

#include <deque>
#include <memory>

class OrphanGuard;
class QSocketNotifier;
class QTimer;

enum class WorkerState : quint8 { Starting, Idle, Busy, Stopping, Exited, Crashed };
QString workerStateName(WorkerState state);

// What the UI needs to draw one worker row; copied out ~10 times a second.
struct WorkerSnapshot
{
    int slot = -1;
    qint64 pid = 0;
    WorkerState state = WorkerState::Starting;
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

// One worker slot of the pool. It owns at most one process at a time and hides
// whether that process runs one task (per-task mode) or many (protocol mode).
// The pool hands it tasks while freeCapacity() > 0 and gets every attempt back
// through attemptFinished() or tasksReturned(), exactly once.
class Worker : public QObject
{
    Q_OBJECT
public:
    static Worker *create(int slot, const JobSpec &spec, QObject *parent);
    static Worker *create(int slot, const JobSpec &spec, const HostSpec &host, int hostIndex, QObject *parent);
    ~Worker() override;

    int slot() const { return m_slot; }
    int hostIndex() const { return m_hostIndex; }
    const QString &hostName() const { return m_hostName; }
    bool isRemote() const { return m_host.isRemote(); }
    bool isHostDown() const { return m_hostDown; }
    bool isWaitingForHost() const { return m_waitingForHost; }
    // While the host is down the slot opens no new connection (a slot that
    // lost its own waits; live ones go on). Up again: waiting slots restart.
    void setHostDown(bool down);
    WorkerState state() const { return m_state; }
    qint64 pid() const { return m_pid; }
    bool isRetiring() const { return m_retiring; }
    virtual int freeCapacity() const = 0;
    virtual int inFlightCount() const = 0;
    WorkerSnapshot snapshot(qint64 nowMs) const;

    virtual void start() = 0;            // ready to take tasks soon (capacityAvailable)
    virtual void assign(Task task) = 0;
    // Sends what assign() queued since the last call: one write for a window of tasks.
    virtual void flushAssigned() {}
    void retire();                        // take no more tasks, finish, then go
    void terminate();                     // end the process tree now; tasks are cancelled
    void checkDeadlines(qint64 nowMs);    // enforces the timeout and the stall limit
    void setTimeoutMs(qint64 ms) { m_timeoutMs = ms; } // 0 = none; the pool adapts it
    // The run's guard, before start(): every local process of this slot has it
    // watch its group, which the slot forgets once it is gone or SIGKILLed.
    void setOrphanGuard(std::shared_ptr<OrphanGuard> guard) { m_guard = std::move(guard); }
    // Replace this worker's process after its current tasks (leaks, task limits).
    virtual void recycle(const QString &reason) { Q_UNUSED(reason) }

Q_SIGNALS:
    void attemptFinished(Worker *worker, const Task &task, const TaskOutcome &outcome);
    void tasksReturned(Worker *worker, const QList<Task> &tasks); // never started: no attempt used
    void capacityAvailable(Worker *worker);
    // The process ended on its own while it should have been running.
    void died(Worker *worker, const QString &reason, bool finishedAnyTask);
    void startFailed(Worker *worker, const QString &reason);
    void retired(Worker *worker);         // after retire()/terminate(), once the process is gone
    void logLine(int slot, const QString &line);
    // Remote slots: the guard on the host answered (the host works), or the
    // launcher ended without the command's exit status (unreachable, connection
    // lost). The slot's tasks come back through tasksReturned(), not as failures.
    void hostConnected(Worker *worker);
    void hostLost(Worker *worker, const QString &reason);

protected:
    Worker(int slot, const JobSpec &spec, const HostSpec &host, int hostIndex, QObject *parent);

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

    // Why taskpool ended a process tree (None: it ended on its own).
    enum class EndReason {
        None,
        Timeout,
        Stall,
        Terminate,
        Stragglers,   // the leader exited; what was left of its group was ended
        StdoutClosed, // it closed its stdout but stayed: it can never answer
        StdinClosed,  // it closed its stdin but stayed: no task can reach it
        ExitOverdue,  // its stdin was closed by us (retire, recycle) and it did not exit
    };

    // Starts argv (argv[0] the program, exact bytes) in its own process group.
    // Output arrives in the virtuals below. On a remote host the words must be
    // UTF-8 (the launcher's command line is built as text). remoteDirectory:
    // where a remote command runs instead of the job's directory.
    // Its stdout (and, for long-lived workers, its stdin) is a pipe of our own
    // rather than QProcess's: QProcess says nothing when the child closes its
    // stdout (readChannelFinished comes only with finished()), and nothing
    // when it closes its stdin until a write fails.
    void launch(const QList<QByteArray> &argv, const QString &remoteDirectory = QString());
    bool hasProcess() const { return m_process != nullptr; }
    // Never blocks: what the pipe cannot take now is sent when it can.
    void writeToProcess(const QByteArray &data);
    void closeProcessInput();                // once what was written has gone out
    // Bytes of input the stdin pipe took since the process started; a line
    // counted here may still sit unread in the pipe.
    qint64 inputBytesDelivered() const { return m_inputBytesDelivered; }
    void endProcessTree(EndReason reason);   // SIGTERM to the group, SIGKILL after the grace
    // A process on its way out closes its pipes just before it exits: it gets
    // a moment to do so, and then its own exit status is what is reported;
    // one that stays is ended for `reason`, with `why` in the log. The first
    // reason given stands.
    void endProcessTreeUnlessItExits(EndReason reason, const QString &why);
    // endProcessTree() was called, or will be unless the process exits first.
    bool isEnding() const;
    // Lets the process go without handleExit(): its tree is ended in the
    // background (the slot lost its host while the process still ran).
    void abandonProcess();
    EndReason endReason() const { return m_endReason; }
    const std::shared_ptr<OrphanGuard> &orphanGuard() const { return m_guard; } // for file transfers

    virtual void handleStarted() {}
    virtual void handleStdout(QByteArrayView data) = 0;
    // The process, still running, closed its stdout (no holder of the pipe's
    // write end is left: nothing it says can reach us any more) or its stdin
    // (it can be sent nothing more; input not yet written is dropped). Never
    // called for a stdin closed by closeProcessInput(), nor after the exit.
    virtual void handleStdoutClosed() {}
    virtual void handleStdinClosed() {}
    virtual void handleStderr(QByteArrayView data) = 0;
    virtual void handleExit(int exitCode, QProcess::ExitStatus status, const QString &exitText) = 0;
    virtual void handleStartFailure(const QString &reason) = 0;
    virtual const Running *current() const = 0;
    // Extra time the current task gets before its timeout and stall limits
    // end it (a long-lived worker's start-up, for its first task).
    virtual qint64 deadlineGraceMs() const { return 0; }
    virtual void handleConnected() {}
    // The host went away: stop, set the state, hand back every task in hand.
    virtual QList<Task> handleHostLost() = 0;
    virtual void onHostUp() = 0; // the host is back and this slot was waiting for it
    QString endReasonText() const; // the error of a task ended by timeout or stall
    virtual void onRetire() = 0;
    virtual void onTerminate() = 0;

    void setState(WorkerState state);
    void finishRetiring();                  // emits retired() once
    void log(const QString &line);
    // The host is unreachable or the connection dropped: the tasks go back.
    void loseHost(const QString &reason);
    TaskOutcome makeOutcome(const Running &run, TaskStatus status, qint64 nowMs) const;
    void appendErrorOutput(Running &run, QByteArrayView data) const;
    void countOutcome(TaskStatus status);
    static qint64 nowMs();

    const JobSpec m_spec;
    const int m_slot;
    const HostSpec m_host;
    const int m_hostIndex;
    const QString m_hostName;
    bool m_hostDown = false;
    bool m_waitingForHost = false; // lost its connection; restarts when the host is up
    WorkerState m_state = WorkerState::Starting;
    bool m_retiring = false;
    bool m_retiredEmitted = false;
    qint64 m_pid = 0;
    qint64 m_timeoutMs = 0;
    qint64 m_tasksDone = 0;
    qint64 m_failures = 0;

private:
    void onProcessFinished(int exitCode, QProcess::ExitStatus status);
    void onProcessError(QProcess::ProcessError error);
    void failStart(const QString &reason);
    void releaseProcess();
    void forgetGroup(qint64 pgid);
    void deliverStderr(QByteArrayView data);
    QString launcherExitText() const;
    void readStdout(int maxChunks);
    void closeStdout();
    void writePendingInput();
    qsizetype writeInput(const char *data, qsizetype size); // -1: the pipe broke
    void stdinBroke();
    void closeStdin();

    QProcess *m_process = nullptr;
    std::shared_ptr<OrphanGuard> m_guard;
    QTimer *m_killTimer = nullptr;
    QTimer *m_exitWaitTimer = nullptr;      // endProcessTreeUnlessItExits()
    EndReason m_exitWaitReason = EndReason::None;
    QString m_exitWaitWhy;
    int m_stdoutFd = -1;                    // our end of the process's stdout
    QSocketNotifier *m_stdoutNotifier = nullptr;
    int m_stdinFd = -1;                     // our end of its stdin (long-lived workers)
    QSocketNotifier *m_stdinNotifier = nullptr; // enabled while input waits for room
    QByteArray m_pendingInput;              // written once the pipe has room
    qsizetype m_pendingInputOffset = 0;
    bool m_closeStdinWhenWritten = false;
    bool m_inputClosedByUs = false;         // closeProcessInput() since the launch
    qint64 m_inputBytesDelivered = 0;
    EndReason m_endReason = EndReason::None;
    qint64 m_drainedSinceMs = -1;
    qint64 m_endedAfterMs = 0;
    bool m_killSent = false;
    int m_exitCode = 0;
    QProcess::ExitStatus m_exitStatus = QProcess::NormalExit;
    QString m_remoteDirectory;    // where the remote guard changes to
    QString m_launcherName;       // "ssh", "srun": for messages
    RemoteStderr m_remoteStderr;
    // Log flood control: at most LogBurst lines per second per worker.
    qint64 m_logWindowStartMs = 0;
    int m_logLinesInWindow = 0;
    int m_logSuppressed = 0;
};
