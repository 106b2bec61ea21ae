#include "orphanguard.h"

#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {
enum : qint32 { Watch = 1, Forget = 2, GuardPid = 3 };
struct Record
{
    qint32 op;
    qint32 id; // a process group; for GuardPid (the first fork to us) the guard's pid
};
static_assert(sizeof(Record) == 8, "one record, one packet of fixed size");
constexpr long PollMs = 20; // how often the guard looks whether the groups it ended are gone
// Records wait this long for the guard to read them (about 280 fit in the
// socket; 2000 tasks a second send 80); taskpool's end is seen as late.
constexpr long BatchMs = 20;
constexpr int ReadBatch = 64; // records taken in one call
constexpr int GuardFd = 3;     // the guard's end of the socket, in the guard
// The guard re-executes this program (/proc/self/exe) with this variable set
// to the grace in ms; a constructor below runs it before main(). A fresh
// process holds none of taskpool's memory, where a forked one would keep
// every page taskpool has since changed (a window full of results) alive.
constexpr char GuardVariable[] = "TASKPOOL_GUARD_GRACE_MS";

// Everything below runs in a child of fork(): async-signal-safe calls only.

qint64 monotonicMsSafe()
{
    struct timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void sleepMsSafe(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

// SIGTERM to every group, SIGKILL after the grace to those still there. A
// group found gone is dropped at once, so a recycled id is never signalled.
void endGroups(qint32 *table, int count, int graceMs)
{
    for (int i = 0; i < count; ++i)
        ::kill(-table[i], SIGTERM);
    const qint64 deadline = monotonicMsSafe() + graceMs;
    for (;;) {
        for (int i = 0; i < count;) {
            if (::kill(-table[i], 0) != 0 && errno == ESRCH)
                table[i] = table[--count];
            else
                ++i;
        }
        const qint64 left = deadline - monotonicMsSafe();
        if (count == 0 || left <= 0)
            break;
        sleepMsSafe(long(qMin<qint64>(left, PollMs)));
    }
    for (int i = 0; i < count; ++i)
        ::kill(-table[i], SIGKILL);
}

void forgetIn(qint32 *table, int *count, qint32 pgid)
{
    for (int i = *count - 1; i >= 0; --i) {
        if (table[i] == pgid) {
            table[i] = table[--*count];
            return;
        }
    }
}

// The guard's descriptors: stdin, stdout and stderr on /dev/null, the socket
// on 3, nothing else; its signals as a new process has them.
void arrangeGuardProcess(int fd, int maxFd)
{
    [[maybe_unused]] const int cd = ::chdir("/"); // keeps no directory (or mount) busy
    if (fd < 3) {
        const int moved = ::fcntl(fd, F_DUPFD, 3);
        if (moved >= 0)
            fd = moved;
    }
    const int null = ::open("/dev/null", O_RDWR);
    for (int i = 0; i < 3; ++i) {
        if (null < 0)
            ::close(i);
        else if (null != i)
            ::dup2(null, i);
    }
    if (fd != GuardFd)
        ::dup2(fd, GuardFd);
    ::fcntl(GuardFd, F_SETFD, 0); // no close-on-exec: it must survive the exec
    for (int i = 3; i < GuardFd; ++i)
        ::close(i);
    if (::close_range(GuardFd + 1, ~0U, 0) != 0) {
        for (int i = GuardFd + 1; i < maxFd; ++i)
            ::close(i);
    }
    // Taskpool's handlers and mask mean nothing here.
    struct sigaction byDefault = {};
    byDefault.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s)
        ::sigaction(s, &byDefault, nullptr); // SIGKILL, SIGSTOP and glibc's own fail: fine
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

[[noreturn]] void guardLoop(int graceMs, qint32 *table)
{
    const int fd = GuardFd;
    ::prctl(PR_SET_NAME, "taskpool-guard");
    // Records arrive in batches: wait for the first, take what came with it,
    // then let the next ones pile up for a while, so the guard wakes up once a
    // batch, not twice a task.
    Record records[ReadBatch];
    struct iovec parts[ReadBatch];
    struct mmsghdr messages[ReadBatch];
    int count = 0;
    bool ended = false;
    while (!ended) {
        for (int i = 0; i < ReadBatch; ++i) {
            parts[i] = {&records[i], sizeof(Record)};
            messages[i] = {};
            messages[i].msg_hdr.msg_iov = &parts[i];
            messages[i].msg_hdr.msg_iovlen = 1;
        }
        const int n = ::recvmmsg(fd, messages, ReadBatch, MSG_WAITFORONE, nullptr);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == ENOMEM || errno == ENOBUFS)) {
            sleepMsSafe(BatchMs);
            continue;
        }
        if (n < 0)
            ::_exit(1); // cannot happen; if it does, never risk signalling a live run's workers
        for (int i = 0; i < n && !ended; ++i) {
            const Record &r = records[i];
            if (messages[i].msg_len == 0)
                ended = true; // end of file: taskpool died, or the run is over
            else if (messages[i].msg_len != sizeof(Record) || r.id <= 1)
                continue; // kill(-1) would reach every process we may signal
            else if (r.op == Watch && count < OrphanGuard::Capacity)
                table[count++] = r.id;
            else if (r.op == Forget)
                forgetIn(table, &count, r.id);
        }
        if (!ended && n < ReadBatch)
            sleepMsSafe(BatchMs);
    }
    if (count > 0)
        endGroups(table, count, graceMs);
    ::_exit(0);
}
// In the re-executed guard: runs the guard before main() and never returns.
// Any other process has no such variable and goes on to main().
__attribute__((constructor)) void runAsGuardIfAsked()
{
    const char *grace = ::getenv(GuardVariable);
    if (!grace)
        return;
    void *table = ::mmap(nullptr, size_t(OrphanGuard::Capacity) * sizeof(qint32), PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (table == MAP_FAILED)
        ::_exit(1);
    guardLoop(int(std::strtol(grace, nullptr, 10)), static_cast<qint32 *>(table));
}
} // namespace

OrphanGuard::OrphanGuard(int graceMs)
    : m_graceMs(qMax(0, graceMs))
{
}

OrphanGuard::~OrphanGuard()
{
    close();
}

bool OrphanGuard::start(QString *error)
{
    Q_ASSERT(m_fd < 0);
    const auto fail = [error](const char *what) {
        *error = QStringLiteral("%1: %2").arg(QLatin1String(what), QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    };
    int sv[2];
    // Sequenced packets: each record arrives whole, whoever sent it.
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return fail("socketpair");
    // The guard's table, allocated here because the guard may not call malloc.
    // Only the pages it uses ever get memory.
    const size_t tableBytes = size_t(Capacity) * sizeof(qint32);
    void *table = ::mmap(nullptr, tableBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (table == MAP_FAILED) {
        fail("mmap");
        ::close(sv[0]);
        ::close(sv[1]);
        return false;
    }
    struct rlimit files = {};
    const int maxFd = ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY
        ? int(qMin<rlim_t>(files.rlim_cur, 1 << 20))
        : 1 << 16; // only if close_range() is missing (Linux before 5.9)
    const int graceMs = m_graceMs;
    // The exec's words, made before the fork.
    const QByteArray variable = QByteArray(GuardVariable) + '=' + QByteArray::number(graceMs);
    char guardName[] = "taskpool-guard";
    char *guardArgv[] = {guardName, nullptr};
    char *guardEnv[] = {const_cast<char *>(variable.constData()), nullptr};
    // _Fork: no atfork handlers, whose locks another thread may hold.
    const pid_t child = ::_Fork();
    if (child == 0) {
        // A session of its own: no kill of taskpool's group, no hangup reaches it.
        ::setsid();
        const pid_t guard = ::_Fork();
        if (guard == 0) {
            arrangeGuardProcess(sv[1], maxFd);
            ::execve("/proc/self/exe", guardArgv, guardEnv);
            guardLoop(graceMs, static_cast<qint32 *>(table)); // no exec: the guard runs in the fork
        }
        if (guard > 0) {
            const Record r = {GuardPid, qint32(guard)};
            ::send(sv[1], &r, sizeof r, MSG_NOSIGNAL);
        }
        ::_exit(guard > 0 ? 0 : 1); // the guard is init's (or a subreaper's) now, never our zombie
    }
    const int forkErrno = errno;
    ::close(sv[1]);
    ::munmap(table, tableBytes);
    if (child < 0) {
        errno = forkErrno;
        ::close(sv[0]);
        return fail("fork");
    }
    // It exits at once: reaping it here is not waiting on anything.
    while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
    }
    Record r = {};
    if (::recv(sv[0], &r, sizeof r, MSG_DONTWAIT) != ssize_t(sizeof r) || r.op != GuardPid) {
        ::close(sv[0]);
        *error = QStringLiteral("the guard process could not be forked");
        return false;
    }
    m_pid = r.id;
    m_fd = sv[0];
    return true;
}

void OrphanGuard::watchFromChild(int fd)
{
    if (fd < 0)
        return;
    const Record r = {Watch, qint32(::getpid())};
    for (int attempt = 0;; ++attempt) {
        if (::send(fd, &r, sizeof r, MSG_DONTWAIT | MSG_NOSIGNAL) == ssize_t(sizeof r))
            return;
        if ((errno != EAGAIN && errno != EINTR) || attempt == 2)
            return; // the guard is gone, or stuck: the task runs unwatched
        // The socket is full: the guard reads every BatchMs unless it is starved
        // of CPU. Wait a little, never for ever.
        struct pollfd p = {fd, POLLOUT, 0};
        ::poll(&p, 1, 250);
    }
}

bool OrphanGuard::sendNow(const char *record)
{
    const ssize_t n = ::send(m_fd, record, sizeof(Record), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n == ssize_t(sizeof(Record)))
        return true;
    if (errno == EAGAIN || errno == EINTR)
        return false;
    // The guard died (EPIPE; MSG_NOSIGNAL spares us the SIGPIPE): no one is left to tell.
    m_guardGone = true;
    return true;
}

void OrphanGuard::forget(qint64 pgid)
{
    if (m_fd < 0 || m_guardGone || pgid <= 1)
        return;
    const Record r = {Forget, qint32(pgid)};
    const char *bytes = reinterpret_cast<const char *>(&r);
    if (m_pending.isEmpty() && sendNow(bytes))
        return;
    m_pending.append(bytes, sizeof r);
    if (!m_writable) {
        m_writable = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Write);
        QObject::connect(m_writable.get(), &QSocketNotifier::activated, m_writable.get(), [this] { flush(); });
    }
    m_writable->setEnabled(true);
}

void OrphanGuard::flush()
{
    qsizetype sent = 0;
    while (sent < m_pending.size() && sendNow(m_pending.constData() + sent))
        sent += qsizetype(sizeof(Record));
    m_pending.remove(0, sent);
    if (m_guardGone)
        m_pending.clear();
    if (m_pending.isEmpty() && m_writable)
        m_writable->setEnabled(false);
}

void OrphanGuard::close()
{
    if (m_fd < 0)
        return;
    // What still waits for room is lost: the guard then sends SIGTERM to groups
    // that are already gone or dying of SIGKILL, which finds nothing.
    flush();
    m_writable.reset();
    m_pending.clear();
    ::close(m_fd);
    m_fd = -1;
}
