#include "worker.h"

#include "clock.h"
#include "json.h"
#include "orphanguard.h"
#include "pertaskworker.h"
#include "processtree.h"
#include "protocolworker.h"
#include "remotecommand.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSocketNotifier>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace {
constexpr int LogBurst = 50;      // lines per second per worker before we summarize
constexpr int LogLineMax = 2000;  // characters kept of one log line
constexpr qint64 RetireExitMs = 5000; // time a worker gets to exit after its stdin closed
constexpr int ExitAfterPipeClosedMs = 1000; // time a worker that closed a pipe gets to exit by itself
constexpr qsizetype ReadChunk = 64 * 1024;
constexpr int ChunksPerWakeUp = 16;  // at most 1 MiB per wake-up: the other workers get their turn
constexpr int ChunksAtExit = 64;     // what the pipe still holds when the process exits

void closeFd(int &fd)
{
    if (fd >= 0)
        ::close(fd);
    fd = -1;
}

void dropNotifier(QSocketNotifier *&notifier)
{
    if (!notifier)
        return;
    notifier->setEnabled(false);
    notifier->deleteLater(); // it may be the one calling us
    notifier = nullptr;
}

// A close-on-exec pipe whose ends are both above 2: an end that landed on
// 0, 1 or 2 (taskpool started with one of them closed) would be replaced in
// the child by QProcess's own channels before prepare()'s dup2() runs.
bool makePipe(int ends[2])
{
    if (::pipe2(ends, O_CLOEXEC) != 0)
        return false;
    for (int i = 0; i < 2; ++i) {
        if (ends[i] > STDERR_FILENO)
            continue;
        const int moved = ::fcntl(ends[i], F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
        closeFd(ends[i]);
        if (moved < 0) {
            closeFd(ends[1 - i]);
            return false;
        }
        ends[i] = moved;
    }
    return true;
}

// No process holds the read end of this pipe any more (Linux flags POLLERR).
bool readerGone(int writeEnd)
{
    pollfd p = {writeEnd, 0, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}
} // namespace

QString workerStateName(WorkerState state)
{
    switch (state) {
    case WorkerState::Starting: return QStringLiteral("starting");
    case WorkerState::Idle: return QStringLiteral("idle");
    case WorkerState::Busy: return QStringLiteral("busy");
    case WorkerState::Stopping: return QStringLiteral("stopping");
    case WorkerState::Exited: return QStringLiteral("exited");
    case WorkerState::Crashed: return QStringLiteral("crashed");
    }
    return {};
}

Worker *Worker::create(int slot, const JobSpec &spec, QObject *parent)
{
    return create(slot, spec, HostSpec(), 0, parent);
}

Worker *Worker::create(int slot, const JobSpec &spec, const HostSpec &host, int hostIndex, QObject *parent)
{
    if (spec.mode == JobSpec::Mode::Worker)
        return new ProtocolWorker(slot, spec, host, hostIndex, parent);
    return new PerTaskWorker(slot, spec, host, hostIndex, parent);
}

Worker::Worker(int slot, const JobSpec &spec, const HostSpec &host, int hostIndex, QObject *parent)
    : QObject(parent)
    , m_spec(spec)
    , m_slot(slot)
    , m_host(host)
    , m_hostIndex(hostIndex)
    , m_hostName(host.name())
    , m_timeoutMs(qint64(spec.timeoutSeconds * 1000))
{
    if (m_host.isRemote()) {
        // Shared file system: the remote command runs where it would run here.
        m_remoteDirectory = spec.workingDirectory.isEmpty() ? QDir::currentPath()
                                                            : QDir::current().absoluteFilePath(spec.workingDirectory);
        const QStringList launcher = m_host.launcherWords();
        m_launcherName = launcher.isEmpty() ? QStringLiteral("launcher") : QFileInfo(launcher.first()).fileName();
    }
}

Worker::~Worker()
{
    closeStdout();
    closeStdin();
    // Never let QProcess's destructor block on waitForFinished: kill the tree and
    // let the process object go without waiting.
    if (m_process) {
        ProcessTree::signalGroup(m_pid, SIGKILL);
        forgetGroup(m_pid);
        m_process->disconnect(this);
        m_process->setParent(nullptr);
        QObject::connect(m_process, &QProcess::finished, m_process, &QObject::deleteLater);
        if (m_process->state() == QProcess::NotRunning)
            m_process->deleteLater();
    }
}

qint64 Worker::nowMs()
{
    return monotonicMs();
}

WorkerSnapshot Worker::snapshot(qint64 now) const
{
    WorkerSnapshot s;
    s.slot = m_slot;
    s.pid = m_pid;
    s.state = m_state;
    s.tasksDone = m_tasksDone;
    s.failures = m_failures;
    s.queued = qMax(0, inFlightCount() - 1);
    s.host = m_hostName;
    s.hostDown = m_hostDown;
    if (const Running *run = current()) {
        s.taskId = run->task.id;
        s.input = run->task.input;
        s.progress = run->progress;
        s.message = run->message;
        s.taskElapsedMs = run->startedMs >= 0 ? now - run->startedMs : 0;
    }
    return s;
}

void Worker::launch(const QList<QByteArray> &argv, const QString &remoteDirectory)
{
    Q_ASSERT(!m_process && !argv.isEmpty());
    m_endReason = EndReason::None;
    m_pid = 0;
    m_drainedSinceMs = -1;
    m_inputClosedByUs = false;
    m_inputBytesDelivered = 0;
    if (m_exitWaitTimer)
        m_exitWaitTimer->stop();
    const QString program = QString::fromUtf8(argv.first());
    QStringList arguments;
    arguments.reserve(argv.size() - 1);
    bool allText = Json::isValidUtf8(argv.first());
    for (qsizetype i = 1; i < argv.size(); ++i) {
        arguments.append(QString::fromUtf8(argv.at(i)));
        allText = allText && Json::isValidUtf8(argv.at(i));
    }
    // The child's ends: stdout's write end, stdin's read end (long-lived workers).
    int out[2] = {-1, -1};
    int in[2] = {-1, -1};
    const bool takesInput = m_spec.mode == JobSpec::Mode::Worker;
    // As QProcess does for its own writes: a worker that closed its stdin
    // makes write() fail with EPIPE instead of killing taskpool with SIGPIPE
    // (children get the default back in ProcessTree::prepare()).
    static const bool sigpipeIgnored = [] { return ::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
    Q_UNUSED(sigpipeIgnored)
    if (!makePipe(out) || (takesInput && !makePipe(in))) {
        const QString reason = QStringLiteral("cannot start %1: cannot make a pipe: %2").arg(program, QString::fromLocal8Bit(std::strerror(errno)));
        closeFd(out[0]);
        closeFd(out[1]);
        // Not from inside start() or assign(): the pool may call straight back.
        QMetaObject::invokeMethod(this, [this, reason] {
            if (!m_process && !m_retiredEmitted)
                failStart(reason);
        }, Qt::QueuedConnection);
        return;
    }
    m_stdoutFd = out[0];
    ::fcntl(m_stdoutFd, F_SETFL, O_NONBLOCK);
    m_stdoutNotifier = new QSocketNotifier(m_stdoutFd, QSocketNotifier::Read, this);
    connect(m_stdoutNotifier, &QSocketNotifier::activated, this, [this] { readStdout(ChunksPerWakeUp); });
    if (takesInput) {
        m_stdinFd = in[1];
        ::fcntl(m_stdinFd, F_SETFL, O_NONBLOCK);
        m_stdinNotifier = new QSocketNotifier(m_stdinFd, QSocketNotifier::Write, this);
        m_stdinNotifier->setEnabled(false);
        connect(m_stdinNotifier, &QSocketNotifier::activated, this, &Worker::writePendingInput);
    }
    m_process = new QProcess(this);
    ProcessTree::ChildSetup setup;
    setup.stdinFd = in[0];
    setup.stdoutFd = out[1];
    setup.guard = m_guard.get();
    // QProcess takes text; bytes that are not UTF-8 go through an exec of our own.
    if (!allText && !m_host.isRemote())
        setup.exactArgv = argv;
    ProcessTree::prepare(m_process, setup);
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->setStandardOutputFile(QProcess::nullDevice());
    if (m_host.isRemote()) {
        RemoteCommand::Options options;
        options.token = RemoteCommand::newToken();
        options.directory = remoteDirectory.isEmpty() ? m_remoteDirectory : remoteDirectory;
        options.graceMs = int(m_spec.killGraceSeconds * 1000);
        options.passStdin = m_spec.mode == JobSpec::Mode::Worker;
        const QStringList launcherArgv = RemoteCommand::build(m_host, options, program, arguments);
        m_remoteStderr.reset(options.token.toLatin1());
        m_process->setProgram(launcherArgv.value(0));
        m_process->setArguments(launcherArgv.mid(1));
    } else {
        if (!m_spec.workingDirectory.isEmpty())
            m_process->setWorkingDirectory(m_spec.workingDirectory);
        m_process->setProgram(program);
        m_process->setArguments(arguments);
    }
    QProcess *p = m_process;
    connect(p, &QProcess::started, this, [this, p] {
        m_pid = p->processId();
        handleStarted();
    });
    connect(p, &QProcess::readyReadStandardError, this, [this, p] { deliverStderr(p->readAllStandardError()); });
    connect(p, &QProcess::finished, this, &Worker::onProcessFinished);
    connect(p, &QProcess::errorOccurred, this, &Worker::onProcessError);
    m_killSent = false;
    p->start();
    // Only the child holds its ends now: its exit, or its closing them, is
    // an end of stream or a broken pipe here.
    closeFd(out[1]);
    closeFd(in[0]);
    if (m_process == p && p->processId() > 0) {
        m_pid = p->processId();
        // The child does this itself too; doing it from both sides closes the
        // window in which a signal to the group could miss a just-forked child.
        ::setpgid(pid_t(m_pid), pid_t(m_pid));
    }
}

void Worker::writeToProcess(const QByteArray &data)
{
    if (m_stdinFd < 0 || data.isEmpty())
        return;
    qsizetype written = 0;
    if (m_pendingInput.isEmpty()) {
        written = writeInput(data.constData(), data.size());
        if (written < 0 || written == data.size())
            return;
    }
    m_pendingInput.append(data.constData() + written, data.size() - written);
    m_stdinNotifier->setEnabled(true);
}

// Returns what the pipe took (0 when full), or -1 if its reader is gone.
qsizetype Worker::writeInput(const char *data, qsizetype size)
{
    for (;;) {
        const ssize_t n = ::write(m_stdinFd, data, size_t(size));
        if (n >= 0) {
            m_inputBytesDelivered += n;
            return n;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN)
            return 0;
        stdinBroke(); // EPIPE: the worker closed its stdin
        return -1;
    }
}

void Worker::writePendingInput()
{
    while (m_stdinFd >= 0 && m_pendingInputOffset < m_pendingInput.size()) {
        const qsizetype n = writeInput(m_pendingInput.constData() + m_pendingInputOffset, m_pendingInput.size() - m_pendingInputOffset);
        if (n <= 0)
            return; // full (the notifier says when there is room), or broken
        m_pendingInputOffset += n;
    }
    m_pendingInput.clear();
    m_pendingInputOffset = 0;
    if (m_stdinNotifier)
        m_stdinNotifier->setEnabled(false);
    if (m_closeStdinWhenWritten)
        closeStdin();
}

void Worker::stdinBroke()
{
    closeStdin();
    if (m_process && m_process->state() != QProcess::NotRunning && !m_inputClosedByUs)
        handleStdinClosed();
}

void Worker::closeStdin()
{
    dropNotifier(m_stdinNotifier);
    closeFd(m_stdinFd);
    m_pendingInput.clear();
    m_pendingInputOffset = 0;
    m_closeStdinWhenWritten = false;
}

void Worker::closeProcessInput()
{
    m_inputClosedByUs = true;
    if (m_pendingInput.isEmpty())
        closeStdin();
    else
        m_closeStdinWhenWritten = true;
}

// Reads what the process wrote, a bounded amount at a time. At the end of
// the stream (no holder of the write end is left) the pipe is closed; a
// process that still runs then hears of it through handleStdoutClosed().
void Worker::readStdout(int maxChunks)
{
    const int fd = m_stdoutFd;
    char chunk[ReadChunk];
    for (int i = 0; i < maxChunks && fd >= 0 && m_stdoutFd == fd; ++i) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n > 0) {
            handleStdout(QByteArrayView(chunk, n));
            if (n < ReadChunk)
                return; // nothing more for now
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        closeStdout();
        if (m_process && m_process->state() != QProcess::NotRunning)
            handleStdoutClosed();
        return;
    }
}

void Worker::closeStdout()
{
    dropNotifier(m_stdoutNotifier);
    closeFd(m_stdoutFd);
}

void Worker::endProcessTree(EndReason reason)
{
    if (!m_process)
        return;
    if (m_endReason == EndReason::None)
        m_endReason = reason;
    if (m_killTimer && m_killTimer->isActive())
        return; // already on its way down
    if (m_pid > 0)
        ProcessTree::signalGroup(m_pid, SIGTERM);
    else
        m_process->kill(); // not started yet: no group to signal
    if (!m_killTimer) {
        m_killTimer = new QTimer(this);
        m_killTimer->setSingleShot(true);
        connect(m_killTimer, &QTimer::timeout, this, [this] {
            ProcessTree::signalGroup(m_pid, SIGKILL);
            m_killSent = true;
            if (m_process && m_process->state() == QProcess::NotRunning)
                releaseProcess(); // the leader was gone, only stragglers were left
        });
    }
    m_killTimer->start(qMax(0, int(m_spec.killGraceSeconds * 1000)));
}

void Worker::endProcessTreeUnlessItExits(EndReason reason, const QString &why)
{
    if (!m_process || isEnding())
        return;
    if (!m_exitWaitTimer) {
        m_exitWaitTimer = new QTimer(this);
        m_exitWaitTimer->setSingleShot(true);
        connect(m_exitWaitTimer, &QTimer::timeout, this, [this] {
            if (!m_process || m_endReason != EndReason::None)
                return;
            if (m_pid > 0 && ProcessTree::hasExited(m_pid)) {
                m_exitWaitTimer->start(ExitAfterPipeClosedMs); // it did exit; finished() is on its way
                return;
            }
            log(m_exitWaitWhy);
            endProcessTree(m_exitWaitReason);
        });
    }
    m_exitWaitReason = reason;
    m_exitWaitWhy = why;
    m_exitWaitTimer->start(ExitAfterPipeClosedMs);
}

bool Worker::isEnding() const
{
    return m_endReason != EndReason::None || (m_exitWaitTimer && m_exitWaitTimer->isActive());
}

void Worker::abandonProcess()
{
    if (!m_process)
        return;
    if (m_killTimer)
        m_killTimer->stop();
    if (m_exitWaitTimer)
        m_exitWaitTimer->stop();
    closeStdout();
    closeStdin();
    QProcess *p = m_process;
    const qint64 pid = m_pid;
    m_process = nullptr;
    m_pid = 0;
    p->disconnect(this);
    p->setParent(nullptr);
    if (pid > 0)
        ProcessTree::reapGroup(pid, qMax(0, int(m_spec.killGraceSeconds * 1000)), m_guard); // SIGTERM now, SIGKILL after the grace
    else
        p->kill();
    if (p->state() == QProcess::NotRunning)
        p->deleteLater();
    else
        QObject::connect(p, &QProcess::finished, p, &QObject::deleteLater);
}

void Worker::onProcessError(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart || !m_process)
        return; // other errors are followed by finished()
    const QString reason = QStringLiteral("cannot start %1: %2").arg(m_process->program(), m_process->errorString());
    m_process->disconnect(this);
    m_process->deleteLater();
    m_process = nullptr;
    forgetGroup(m_pid); // the child's exec failed: it is gone, and it never forked
    m_pid = 0;
    failStart(reason);
}

void Worker::failStart(const QString &reason)
{
    closeStdout();
    closeStdin();
    if (m_host.isRemote())
        loseHost(QStringLiteral("cannot reach %1: %2").arg(m_hostName, reason)); // no launcher, no host
    else
        handleStartFailure(reason);
}

void Worker::deliverStderr(QByteArrayView data)
{
    if (!m_host.isRemote()) {
        handleStderr(data);
        return;
    }
    const bool wasUp = m_remoteStderr.isUp();
    m_remoteStderr.feed(
        data, [this](const QString &line) { log(m_launcherName + QStringLiteral(": ") + line); },
        [this](QByteArrayView d) { handleStderr(d); });
    if (!wasUp && m_remoteStderr.isUp()) {
        handleConnected();
        Q_EMIT hostConnected(this);
    }
}

QString Worker::launcherExitText() const
{
    return m_exitStatus == QProcess::NormalExit
        ? QStringLiteral("%1 exited with code %2").arg(m_launcherName).arg(m_exitCode)
        : QStringLiteral("%1 was killed by %2").arg(m_launcherName, ProcessTree::describeSignal(m_exitCode));
}

// The slot's tasks go back to the queue (they are not the tasks' fault); the
// pool decides when the host is tried again.
void Worker::loseHost(const QString &reason)
{
    m_waitingForHost = true;
    m_hostDown = true;
    const QList<Task> tasks = handleHostLost();
    Q_EMIT hostLost(this, reason);
    if (!tasks.isEmpty())
        Q_EMIT tasksReturned(this, tasks);
    if (m_retiring)
        finishRetiring();
}

void Worker::setHostDown(bool down)
{
    if (m_hostDown == down)
        return;
    m_hostDown = down;
    if (!down && m_waitingForHost && !m_retiring) {
        m_waitingForHost = false;
        onHostUp();
    } else if (!down && !m_retiring && m_state == WorkerState::Idle && freeCapacity() > 0) {
        Q_EMIT capacityAvailable(this);
    }
}

void Worker::onProcessFinished(int exitCode, QProcess::ExitStatus status)
{
    if (!m_process)
        return;
    if (m_exitWaitTimer)
        m_exitWaitTimer->stop(); // it did exit: that is what gets reported
    // What it wrote before it exited; a grandchild that kept the pipe gets
    // no more of our time (QProcess did the same with its own pipes).
    readStdout(ChunksAtExit);
    closeStdout();
    closeStdin();
    deliverStderr(m_process->readAllStandardError());
    m_exitCode = exitCode;
    m_exitStatus = status;
    // The task is over only when its whole tree is: stragglers left in the group
    // get SIGTERM, then SIGKILL after the grace period.
    if (!m_killSent && ProcessTree::groupExists(m_pid)) {
        if (!m_killTimer || !m_killTimer->isActive())
            endProcessTree(m_endReason == EndReason::None ? EndReason::Stragglers : m_endReason);
        return; // the kill timer finishes the job
    }
    releaseProcess();
}

void Worker::releaseProcess()
{
    forgetGroup(m_pid); // gone, or SIGKILLed: the kill timer fired
    if (m_killTimer)
        m_killTimer->stop();
    if (m_exitWaitTimer)
        m_exitWaitTimer->stop();
    m_process->disconnect(this);
    m_process->deleteLater();
    m_process = nullptr;
    QString where;
    if (m_host.isRemote()) {
        m_remoteStderr.finish([this](const QString &line) { log(m_launcherName + QStringLiteral(": ") + line); },
                              [this](QByteArrayView d) { handleStderr(d); });
        if (m_remoteStderr.hasExited()) {
            // The guard reports what the shell saw: 128+N for a command killed by signal N.
            const int status = m_remoteStderr.exitStatus();
            m_exitStatus = status > 128 && status < 160 ? QProcess::CrashExit : QProcess::NormalExit;
            m_exitCode = m_exitStatus == QProcess::CrashExit ? status - 128 : status;
            where = QStringLiteral(" on ") + m_hostName;
        } else if (m_endReason == EndReason::None || m_endReason == EndReason::Stragglers
                   || (m_endReason != EndReason::Terminate && m_endReason != EndReason::ExitOverdue && !m_remoteStderr.isUp())) {
            // Not our doing, or a timeout that hit while still connecting: the host's fault.
            const QString detail = m_remoteStderr.lastLauncherLine();
            if (!m_remoteStderr.isUp())
                loseHost(QStringLiteral("cannot reach %1: %2").arg(m_hostName, detail.isEmpty() ? launcherExitText() : detail));
            else
                loseHost(QStringLiteral("lost the connection to %1 (%2)").arg(m_hostName, launcherExitText()));
            return;
        }
    }
    const QString exitText = m_exitStatus == QProcess::NormalExit
        ? QStringLiteral("exited with code %1").arg(m_exitCode) + where
        : QStringLiteral("killed by %1").arg(ProcessTree::describeSignal(m_exitCode)) + where;
    handleExit(m_exitCode, m_exitStatus, exitText);
}

void Worker::forgetGroup(qint64 pgid)
{
    if (m_guard && pgid > 0)
        m_guard->forget(pgid);
}

void Worker::retire()
{
    if (m_retiring)
        return;
    m_retiring = true;
    onRetire();
}

void Worker::terminate()
{
    m_retiring = true;
    onTerminate();
    if (m_process)
        endProcessTree(EndReason::Terminate);
    else
        finishRetiring();
}

void Worker::checkDeadlines(qint64 now)
{
    if (!m_process || m_endReason != EndReason::None)
        return;
    // A worker that closed its stdin while we had nothing to write: a write
    // would fail with EPIPE, but with a full window none may come.
    if (m_stdinFd >= 0 && readerGone(m_stdinFd))
        stdinBroke();
    // A worker whose stdin we closed (retiring, or recycled) with nothing left
    // to do gets a few seconds to exit on its own, then its tree is ended.
    if ((m_retiring || m_inputClosedByUs) && inFlightCount() == 0) {
        if (m_drainedSinceMs < 0) {
            m_drainedSinceMs = now;
        } else if (now - m_drainedSinceMs > RetireExitMs + qint64(m_spec.killGraceSeconds * 1000)) {
            log(QStringLiteral("the worker did not exit within %1 s after its input closed; ending it").arg(RetireExitMs / 1000));
            endProcessTree(EndReason::ExitOverdue);
        }
        return;
    }
    const Running *run = current();
    if (!run || run->startedMs < 0)
        return;
    const qint64 grace = deadlineGraceMs();
    if (m_timeoutMs > 0 && now - run->startedMs > m_timeoutMs + grace) {
        m_endedAfterMs = now - run->startedMs;
        endProcessTree(EndReason::Timeout);
        return;
    }
    const qint64 lastSign = qMax(run->startedMs, run->lastActivityMs);
    if (m_spec.stallSeconds > 0 && now - lastSign > qint64(m_spec.stallSeconds * 1000) + grace) {
        m_endedAfterMs = now - lastSign;
        endProcessTree(EndReason::Stall);
    }
}

QString Worker::endReasonText() const
{
    if (m_endReason == EndReason::Stall)
        return QStringLiteral("stalled: no output and no progress for %1 s").arg(m_endedAfterMs / 1000.0, 0, 'f', 1);
    return QStringLiteral("timed out after %1 s").arg(m_endedAfterMs / 1000.0, 0, 'f', 1);
}

void Worker::setState(WorkerState state)
{
    m_state = state;
}

void Worker::finishRetiring()
{
    if (m_retiredEmitted)
        return;
    m_retiredEmitted = true;
    setState(WorkerState::Exited);
    Q_EMIT retired(this);
}

void Worker::log(const QString &line)
{
    const qint64 now = nowMs();
    if (now - m_logWindowStartMs >= 1000) {
        if (m_logSuppressed > 0)
            Q_EMIT logLine(m_slot, QStringLiteral("(%1 more lines from this worker were not logged)").arg(m_logSuppressed));
        m_logWindowStartMs = now;
        m_logLinesInWindow = 0;
        m_logSuppressed = 0;
    }
    if (++m_logLinesInWindow > LogBurst) {
        ++m_logSuppressed;
        return;
    }
    Q_EMIT logLine(m_slot, line.size() > LogLineMax ? line.left(LogLineMax) + QStringLiteral("…") : line);
}

TaskOutcome Worker::makeOutcome(const Running &run, TaskStatus status, qint64 now) const
{
    TaskOutcome o;
    o.id = run.task.id;
    o.input = run.task.input;
    o.status = status;
    o.attempts = run.task.attempts + 1;
    o.worker = m_slot;
    o.host = m_hostName;
    o.startedAtMs = run.startedAtEpochMs;
    o.durationMs = run.startedMs >= 0 ? now - run.startedMs : 0;
    o.errorOutput = run.errorOutput;
    o.outputTruncated = run.errorTruncated;
    return o;
}

void Worker::appendErrorOutput(Running &run, QByteArrayView data) const
{
    const qsizetype room = m_spec.maxOutputBytes - run.errorOutput.size();
    if (data.size() <= room) {
        run.errorOutput.append(data);
    } else {
        if (room > 0)
            run.errorOutput.append(data.first(room));
        run.errorTruncated = true;
    }
}

void Worker::countOutcome(TaskStatus status)
{
    if (status == TaskStatus::Ok)
        ++m_tasksDone;
    else if (isFailure(status))
        ++m_failures;
}
