#pragma once

#include "hostspec.h"
#include "jobspec.h"
#include "remotestderr.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QObject>
#include <QProcess>
#include <QString>

#include <memory>

class OrphanGuard;
class QSocketNotifier;
class QTimer;

// The process a slot runs, one at a time, as an object of its own: the slot
// (Slot and its two modes) decides what to run and what its output means;
// this class only runs it. It owns the QProcess, our own stdout and stdin
// pipes (QProcess says nothing when the child closes its stdout, and nothing
// when it closes its stdin until a write fails), non-blocking writes, the end
// of the process tree (SIGTERM to the group, SIGKILL after the grace), the
// stragglers a leader leaves in its group, the orphan guard's registration
// and, on a remote host, the launcher's stderr (RemoteStderr: the launcher's
// own lines, the guard's "up" and the command's real exit status).
//
// Everything it learns it reports through its signals, synchronously (direct
// connections): a receiver may start the next process from inside any of them.
// After finished(), startFailed() or hostLost() no signal of that process
// comes any more; abandon() lets a process go without any of them.
class SlotProcess : public QObject
{
    Q_OBJECT
public:
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
        Requeue,      // ended to make room (--memfree): its tasks go back to the queue
    };

    // The job's mode decides whether the process reads a stdin pipe of ours
    // (protocol workers) or the null device (per-task commands).
    SlotProcess(const JobSpec &spec, const HostSpec &host, QObject *parent);
    ~SlotProcess() override; // SIGKILLs a tree still running, without waiting for it

    // The run's guard: every local process watches its group there, which is
    // forgotten once the group is gone or SIGKILLed. Also the guard of the
    // slot's file transfers.
    void setOrphanGuard(std::shared_ptr<OrphanGuard> guard) { m_guard = std::move(guard); }
    const std::shared_ptr<OrphanGuard> &orphanGuard() const { return m_guard; }

    // Starts argv (argv[0] the program, exact bytes) in its own process group;
    // no process may be active. On a remote host the words must be UTF-8 (the
    // launcher's command line is text); remoteDirectory: where a remote command
    // runs instead of the job's directory. A failure comes as startFailed() (or,
    // remote, hostLost()), never from inside this call.
    void start(const QList<QByteArray> &argv, const QString &remoteDirectory = QString());
    // From start() until finished(), startFailed(), hostLost() or abandon():
    // a process, or what is left of its group, is in hand.
    bool isActive() const { return m_process != nullptr; }
    // The last process's id (0 before it started, and after abandon()).
    qint64 pid() const { return m_pid; }

    // Never blocks: what the pipe cannot take now is sent when it can.
    void write(const QByteArray &data);
    // Closes stdin once what was written has gone out.
    void finishInput();
    bool isInputFinished() const { return m_inputClosedByUs; } // finishInput() since start()
    // Bytes of input the stdin pipe took since the process started; a line
    // counted here may still sit unread in the pipe.
    qint64 inputBytesDelivered() const { return m_inputBytesDelivered; }
    // A process that closed its stdin while we had nothing to write: a write
    // would fail with EPIPE, but none may come. Called from the slot's
    // periodic deadline check; emits stdinClosed() if so.
    void pollInput();

    void endTree(EndReason reason); // SIGTERM to the group, SIGKILL after the grace
    // A process on its way out closes its pipes just before it exits: it gets
    // a moment to do so, and then its own exit status is what is reported;
    // one that stays is ended for `reason`, with `why` in the log. The first
    // reason given stands.
    void endTreeUnlessItExits(EndReason reason, const QString &why);
    // endTree() was called, or will be unless the process exits first.
    bool isEnding() const;
    // Why the last process was ended; None until endTree(), reset by start().
    EndReason endReason() const { return m_endReason; }
    // Lets the process go without another signal: its tree is ended in the
    // background (the slot lost its host while the process still ran).
    void abandon();

Q_SIGNALS:
    void started();
    void stdoutData(QByteArrayView data);
    void stderrData(QByteArrayView data); // on a remote host: the command's, not the launcher's
    // The process, still running, closed its stdout (no holder of the pipe's
    // write end is left: nothing it says can reach us any more) or its stdin
    // (it can be sent nothing more; input not yet written is dropped). Never
    // emitted for a stdin closed by finishInput(), nor after the exit.
    void stdoutClosed();
    void stdinClosed();
    // Remote: the guard on the host answered (the host works).
    void hostReached();
    // The process and its whole group are gone. exitText says how, for
    // messages ("exited with code 3 on node2", "killed by SIGKILL").
    void finished(int exitCode, QProcess::ExitStatus status, const QString &exitText);
    void startFailed(const QString &reason); // local: the program could not be started
    // Remote: the launcher could not be started, or ended without the
    // command's exit status (unreachable, connection lost).
    void hostLost(const QString &reason);
    void message(const QString &line); // for the slot's log: the launcher's lines, why a tree was ended

private:
    bool makePipes(const QString &program, int out[2], int in[2]);
    void setUpProcess(const QList<QByteArray> &argv, const QString &program, const QStringList &arguments,
                      bool allText, int stdinFd, int stdoutFd, const QString &remoteDirectory);
    void onProcessFinished(int exitCode, QProcess::ExitStatus status);
    void onProcessError(QProcess::ProcessError error);
    void failStart(const QString &reason);
    void release();
    void forgetGroup(qint64 pgid);
    void deliverStderr(QByteArrayView data);
    void logLauncherLine(const QString &line);
    QString launcherExitText() const;
    void readStdout(int maxChunks);
    void closeStdout();
    void writePendingInput();
    qsizetype writeInput(const char *data, qsizetype size); // -1: the pipe broke
    void stdinBroke();
    void closeStdin();

    const HostSpec m_host;
    const QString m_hostName;
    const bool m_takesInput;
    const int m_graceMs;
    const QString m_workingDirectory; // local: the job's, as given
    QString m_remoteDirectory;        // remote: where the guard changes to by default
    QString m_launcherName;           // "ssh", "srun": for messages
    std::shared_ptr<OrphanGuard> m_guard;

    QProcess *m_process = nullptr;
    qint64 m_pid = 0;
    QTimer *m_killTimer = nullptr;
    QTimer *m_exitWaitTimer = nullptr;      // endTreeUnlessItExits()
    EndReason m_exitWaitReason = EndReason::None;
    QString m_exitWaitWhy;
    int m_stdoutFd = -1;                    // our end of the process's stdout
    QSocketNotifier *m_stdoutNotifier = nullptr;
    int m_stdinFd = -1;                     // our end of its stdin (long-lived workers)
    QSocketNotifier *m_stdinNotifier = nullptr; // enabled while input waits for room
    QByteArray m_pendingInput;              // written once the pipe has room
    qsizetype m_pendingInputOffset = 0;
    bool m_closeStdinWhenWritten = false;
    bool m_inputClosedByUs = false;         // finishInput() since the start
    qint64 m_inputBytesDelivered = 0;
    EndReason m_endReason = EndReason::None;
    bool m_killSent = false;
    int m_exitCode = 0;
    QProcess::ExitStatus m_exitStatus = QProcess::NormalExit;
    RemoteStderr m_remoteStderr;
};
