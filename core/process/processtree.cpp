#include "processtree.h"

#include "orphanguard.h"
#include "procstat.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>
#include <vector>

#include <sys/prctl.h>
#include <unistd.h>

namespace ProcessTree {

namespace {
// An argv as execv() takes it, built before fork: the child only reads it.
struct ExactExec
{
    QByteArray path;
    QList<QByteArray> words;
    std::vector<char *> argv;
};

// Where QProcess (Qt 6) will exec the program: it resolves a bare name on PATH
// in the parent, and passes that path as argv[0] too.
QByteArray resolvedProgram(const QByteArray &program)
{
    if (program.contains('/'))
        return program;
    const QString found = QStandardPaths::findExecutable(QString::fromLocal8Bit(program));
    return found.isEmpty() ? program : QFile::encodeName(found);
}
} // namespace

void prepare(QProcess *process, const ChildSetup &setup)
{
    std::shared_ptr<ExactExec> exec;
    if (!setup.exactArgv.isEmpty()) {
        exec = std::make_shared<ExactExec>();
        exec->path = resolvedProgram(setup.exactArgv.first());
        exec->words = setup.exactArgv;
        exec->words.first() = exec->path;
        for (QByteArray &word : exec->words)
            exec->argv.push_back(word.data());
        exec->argv.push_back(nullptr);
    }
    const pid_t parent = ::getpid();
    const int guardSocket = setup.guard ? setup.guard->socket() : -1;
    process->setChildProcessModifier([parent, exec, guardSocket, stdinFd = setup.stdinFd, stdoutFd = setup.stdoutFd] {
        // Runs in the child between fork and exec, after QProcess set up its
        // channels: async-signal-safe calls only.
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent)
            ::_exit(127); // the parent died before prctl took effect
        // Before exec: nothing in the group can fork before it is watched.
        OrphanGuard::watchFromChild(guardSocket);
        ::signal(SIGPIPE, SIG_DFL); // taskpool ignores it; an ignored signal stays ignored across exec
        // dup2() leaves the copies open across exec; the originals close there.
        if ((stdinFd >= 0 && ::dup2(stdinFd, STDIN_FILENO) < 0) || (stdoutFd >= 0 && ::dup2(stdoutFd, STDOUT_FILENO) < 0))
            ::_exit(127);
        if (exec) {
            ::execv(exec->path.constData(), exec->argv.data());
            if (errno == E2BIG)
                ::_exit(127); // QProcess's lossy argv must not run in its place
        }
    });
}

void signalGroup(qint64 pgid, int signal)
{
    if (pgid > 1)
        ::kill(-pid_t(pgid), signal);
}

// kill(-pgid, 0) also finds zombies nobody reaps (orphans under an init that
// does not reap, as in some containers; srun leaves one behind on every exit).
// They cannot run or be signalled, so only a live member keeps a group alive.
// The /proc scan runs only when kill() says the group is there.
bool groupExists(qint64 pgid)
{
    if (pgid <= 1 || (::kill(-pid_t(pgid), 0) != 0 && errno != EPERM))
        return false;
    ProcScan scan;
    if (!scan.isOpen())
        return true;
    for (ProcStat stat; scan.next(&stat);) {
        if (stat.pgrp == pgid && !stat.isDead())
            return true;
    }
    return false;
}

bool hasExited(qint64 pid)
{
    ProcStat stat;
    return !ProcStat::read(pid, &stat) || stat.isDead();
}

void reapGroup(qint64 pgid, int graceMs, std::shared_ptr<OrphanGuard> guard)
{
    if (!groupExists(pgid)) {
        if (guard)
            guard->forget(pgid);
        return;
    }
    signalGroup(pgid, SIGTERM);
    QTimer::singleShot(graceMs, [pgid, guard = std::move(guard)] {
        signalGroup(pgid, SIGKILL);
        if (guard)
            guard->forget(pgid);
    });
}

QString describeSignal(int signal)
{
    const char *name = ::sigabbrev_np(signal);
    if (name)
        return QStringLiteral("signal %1 (SIG%2)").arg(signal).arg(QLatin1String(name));
    return QStringLiteral("signal %1").arg(signal);
}

QString argumentListProblem(const QList<QByteArray> &argv)
{
    constexpr qsizetype MaxArgument = 32 * 4096; // MAX_ARG_STRLEN, with the NUL
    qsizetype total = 0;
    for (const QByteArray &word : argv) {
        if (word.size() + 1 > MaxArgument)
            return QStringLiteral("the command line is too long: one argument is %1 bytes, the system takes at most %2 "
                                  "per argument (pass long inputs through a file or a protocol worker)")
                .arg(word.size())
                .arg(MaxArgument - 1);
        total += word.size() + 1 + qsizetype(sizeof(char *));
    }
    qsizetype count = argv.size();
    for (char **variable = environ; *variable; ++variable)
        total += qsizetype(std::strlen(*variable)) + 1 + qsizetype(sizeof(char *));
    const long limit = ::sysconf(_SC_ARG_MAX);
    if (limit > 0 && total > limit)
        return QStringLiteral("the command line is too long: %1 arguments and the environment take %2 bytes, the "
                              "system takes at most %3")
            .arg(count - 1)
            .arg(total)
            .arg(limit);
    return {};
}

bool isArgumentListTooLong(const QString &startError)
{
    return startError.endsWith(QString::fromLocal8Bit(std::strerror(E2BIG)));
}

} // namespace ProcessTree
