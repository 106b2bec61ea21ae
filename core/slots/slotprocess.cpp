#include "slotprocess.h"

#include "json.h"
#include "orphanguard.h"
#include "processtree.h"
#include "remotecommand.h"

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
constexpr int ExitAfterPipeClosedMs = 1000; // time a process that closed a pipe gets to exit by itself
constexpr qsizetype ReadChunk = 64 * 1024;
constexpr int ChunksPerWakeUp = 16;  // at most 1 MiB per wake-up: the other slots get their turn
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

SlotProcess::SlotProcess(const JobSpec &spec, const HostSpec &host, QObject *parent)
    : QObject(parent)
    , m_host(host)
    , m_hostName(host.name())
    , m_takesInput(spec.mode == JobSpec::Mode::Worker)
    , m_graceMs(int(spec.killGraceSeconds * 1000))
    , m_workingDirectory(spec.workingDirectory)
{
    if (m_host.isRemote()) {
        // Shared file system: the remote command runs where it would run here.
        m_remoteDirectory = spec.workingDirectory.isEmpty() ? QDir::currentPath()
                                                            : QDir::current().absoluteFilePath(spec.workingDirectory);
        const QStringList launcher = m_host.launcherWords();
        m_launcherName = launcher.isEmpty() ? QStringLiteral("launcher") : QFileInfo(launcher.first()).fileName();
    }
}

SlotProcess::~SlotProcess()
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

void SlotProcess::start(const QList<QByteArray> &argv, const QString &remoteDirectory)
{
    Q_ASSERT(!m_process && !argv.isEmpty());
    m_endReason = EndReason::None;
    m_pid = 0;
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
    if (!makePipes(program, out, in))
        return;
    setUpProcess(argv, program, arguments, allText, in[0], out[1], remoteDirectory);
    QProcess *p = m_process;
    connect(p, &QProcess::started, this, [this, p] {
        m_pid = p->processId();
        Q_EMIT started();
    });
    connect(p, &QProcess::readyReadStandardError, this, [this, p] { deliverStderr(p->readAllStandardError()); });
    connect(p, &QProcess::finished, this, &SlotProcess::onProcessFinished);
    connect(p, &QProcess::errorOccurred, this, &SlotProcess::onProcessError);
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

// Makes the pipes and keeps our ends (with their notifiers); false when it
// cannot, and then startFailed() (or hostLost()) follows from the event loop.
bool SlotProcess::makePipes(const QString &program, int out[2], int in[2])
{
    // As QProcess does for its own writes: a worker that closed its stdin
    // makes write() fail with EPIPE instead of killing taskpool with SIGPIPE
    // (children get the default back in ProcessTree::prepare()).
    static const bool sigpipeIgnored = [] { return ::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
    Q_UNUSED(sigpipeIgnored)
    if (!makePipe(out) || (m_takesInput && !makePipe(in))) {
        const QString reason = QStringLiteral("cannot start %1: cannot make a pipe: %2").arg(program, QString::fromLocal8Bit(std::strerror(errno)));
        closeFd(out[0]);
        closeFd(out[1]);
        // Not from inside start(): the slot, and the pool, may call straight back.
        QMetaObject::invokeMethod(this, [this, reason] {
            if (!m_process)
                failStart(reason);
        }, Qt::QueuedConnection);
        return false;
    }
    m_stdoutFd = out[0];
    ::fcntl(m_stdoutFd, F_SETFL, O_NONBLOCK);
    m_stdoutNotifier = new QSocketNotifier(m_stdoutFd, QSocketNotifier::Read, this);
    connect(m_stdoutNotifier, &QSocketNotifier::activated, this, [this] { readStdout(ChunksPerWakeUp); });
    if (m_takesInput) {
        m_stdinFd = in[1];
        ::fcntl(m_stdinFd, F_SETFL, O_NONBLOCK);
        m_stdinNotifier = new QSocketNotifier(m_stdinFd, QSocketNotifier::Write, this);
        m_stdinNotifier->setEnabled(false);
        connect(m_stdinNotifier, &QSocketNotifier::activated, this, &SlotProcess::writePendingInput);
    }
    return true;
}

// The QProcess, set up to run argv here or, through the launcher, on the host.
void SlotProcess::setUpProcess(const QList<QByteArray> &argv, const QString &program, const QStringList &arguments,
                               bool allText, int stdinFd, int stdoutFd, const QString &remoteDirectory)
{
    m_process = new QProcess(this);
    ProcessTree::ChildSetup setup;
    setup.stdinFd = stdinFd;
    setup.stdoutFd = stdoutFd;
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
        options.graceMs = m_graceMs;
        options.passStdin = m_takesInput;
        const QStringList launcherArgv = RemoteCommand::build(m_host, options, program, arguments);
        m_remoteStderr.reset(options.token.toLatin1());
        m_process->setProgram(launcherArgv.value(0));
        m_process->setArguments(launcherArgv.mid(1));
    } else {
        if (!m_workingDirectory.isEmpty())
            m_process->setWorkingDirectory(m_workingDirectory);
        m_process->setProgram(program);
        m_process->setArguments(arguments);
    }
}

void SlotProcess::write(const QByteArray &data)
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
qsizetype SlotProcess::writeInput(const char *data, qsizetype size)
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

void SlotProcess::writePendingInput()
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

void SlotProcess::pollInput()
{
    if (m_stdinFd >= 0 && readerGone(m_stdinFd))
        stdinBroke();
}

void SlotProcess::stdinBroke()
{
    closeStdin();
    if (m_process && m_process->state() != QProcess::NotRunning && !m_inputClosedByUs)
        Q_EMIT stdinClosed();
}

void SlotProcess::closeStdin()
{
    dropNotifier(m_stdinNotifier);
    closeFd(m_stdinFd);
    m_pendingInput.clear();
    m_pendingInputOffset = 0;
    m_closeStdinWhenWritten = false;
}

void SlotProcess::finishInput()
{
    m_inputClosedByUs = true;
    if (m_pendingInput.isEmpty())
        closeStdin();
    else
        m_closeStdinWhenWritten = true;
}

// Reads what the process wrote, a bounded amount at a time. At the end of
// the stream (no holder of the write end is left) the pipe is closed; a
// process that still runs then says so through stdoutClosed().
void SlotProcess::readStdout(int maxChunks)
{
    const int fd = m_stdoutFd;
    char chunk[ReadChunk];
    for (int i = 0; i < maxChunks && fd >= 0 && m_stdoutFd == fd; ++i) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n > 0) {
            Q_EMIT stdoutData(QByteArrayView(chunk, n));
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
            Q_EMIT stdoutClosed();
        return;
    }
}

void SlotProcess::closeStdout()
{
    dropNotifier(m_stdoutNotifier);
    closeFd(m_stdoutFd);
}

void SlotProcess::endTree(EndReason reason)
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
                release(); // the leader was gone, only stragglers were left
        });
    }
    m_killTimer->start(qMax(0, m_graceMs));
}

void SlotProcess::endTreeUnlessItExits(EndReason reason, const QString &why)
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
            Q_EMIT message(m_exitWaitWhy);
            endTree(m_exitWaitReason);
        });
    }
    m_exitWaitReason = reason;
    m_exitWaitWhy = why;
    m_exitWaitTimer->start(ExitAfterPipeClosedMs);
}

bool SlotProcess::isEnding() const
{
    return m_endReason != EndReason::None || (m_exitWaitTimer && m_exitWaitTimer->isActive());
}

void SlotProcess::abandon()
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
        ProcessTree::reapGroup(pid, qMax(0, m_graceMs), m_guard); // SIGTERM now, SIGKILL after the grace
    else
        p->kill();
    if (p->state() == QProcess::NotRunning)
        p->deleteLater();
    else
        QObject::connect(p, &QProcess::finished, p, &QObject::deleteLater);
}

void SlotProcess::onProcessError(QProcess::ProcessError error)
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

void SlotProcess::failStart(const QString &reason)
{
    closeStdout();
    closeStdin();
    if (m_host.isRemote())
        Q_EMIT hostLost(QStringLiteral("cannot reach %1: %2").arg(m_hostName, reason)); // no launcher, no host
    else
        Q_EMIT startFailed(reason);
}

void SlotProcess::deliverStderr(QByteArrayView data)
{
    if (!m_host.isRemote()) {
        Q_EMIT stderrData(data);
        return;
    }
    const bool wasUp = m_remoteStderr.isUp();
    m_remoteStderr.feed(
        data, [this](const QString &line) { logLauncherLine(line); }, [this](QByteArrayView d) { Q_EMIT stderrData(d); });
    if (!wasUp && m_remoteStderr.isUp())
        Q_EMIT hostReached();
}

void SlotProcess::logLauncherLine(const QString &line)
{
    Q_EMIT message(m_launcherName + QStringLiteral(": ") + line);
}

QString SlotProcess::launcherExitText() const
{
    return m_exitStatus == QProcess::NormalExit
        ? QStringLiteral("%1 exited with code %2").arg(m_launcherName).arg(m_exitCode)
        : QStringLiteral("%1 was killed by %2").arg(m_launcherName, ProcessTree::describeSignal(m_exitCode));
}

void SlotProcess::onProcessFinished(int exitCode, QProcess::ExitStatus status)
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
            endTree(m_endReason == EndReason::None ? EndReason::Stragglers : m_endReason);
        return; // the kill timer finishes the job
    }
    release();
}

// The whole tree is gone (or SIGKILLed): the process is over.
void SlotProcess::release()
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
        m_remoteStderr.finish([this](const QString &line) { logLauncherLine(line); },
                              [this](QByteArrayView d) { Q_EMIT stderrData(d); });
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
                Q_EMIT hostLost(QStringLiteral("cannot reach %1: %2").arg(m_hostName, detail.isEmpty() ? launcherExitText() : detail));
            else
                Q_EMIT hostLost(QStringLiteral("lost the connection to %1 (%2)").arg(m_hostName, launcherExitText()));
            return;
        }
    }
    const QString exitText = m_exitStatus == QProcess::NormalExit
        ? QStringLiteral("exited with code %1").arg(m_exitCode) + where
        : QStringLiteral("killed by %1").arg(ProcessTree::describeSignal(m_exitCode)) + where;
    Q_EMIT finished(m_exitCode, m_exitStatus, exitText);
}

void SlotProcess::forgetGroup(qint64 pgid)
{
    if (m_guard && pgid > 0)
        m_guard->forget(pgid);
}
