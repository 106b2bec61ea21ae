#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QtGlobal>

#include <memory>

class OrphanGuard;
class QProcess;

// Every worker process leads its own process group, so one signal to the group
// reaches the whole tree it spawned (children, grandchildren, shell pipelines).
namespace ProcessTree {

// Call right before QProcess::start(): the child calls setpgid(0, 0) and asks
// the kernel to send it SIGTERM should taskpool itself die; then it takes what
// ChildSetup asks for.
struct ChildSetup
{
    // The run's guard, if any: the child has it watch its group before exec, so
    // the whole tree is ended should taskpool die. It must stay open until
    // QProcess::start() returns.
    const OrphanGuard *guard = nullptr;
    // These become its stdin and stdout: pipe ends of the caller's own, above
    // 2 and close-on-exec (QProcess's channels for them should be the null device).
    int stdinFd = -1;
    int stdoutFd = -1;
    // If set, the child executes these bytes instead of QProcess's arguments,
    // which are text: a file name that is not UTF-8 would not survive them.
    // QProcess's program must be the first word. Should that exec fail,
    // QProcess's own exec of the same program fails the same way and says so.
    QList<QByteArray> exactArgv;
};
void prepare(QProcess *process, const ChildSetup &setup = {});

// Sends a signal to every process in the group led by pgid. Harmless if none is left.
void signalGroup(qint64 pgid, int signal);
bool groupExists(qint64 pgid);
// The process is gone, or a zombie its parent has not reaped yet.
bool hasExited(qint64 pid);

// Ends what is left of a group whose leader already exited: SIGTERM now,
// SIGKILL after the grace period if anything survived. Needs an event loop.
// Then (or at once if the group is gone) the guard forgets the group.
void reapGroup(qint64 pgid, int graceMs, std::shared_ptr<OrphanGuard> guard = {});

QString describeSignal(int signal);

// Why execve() would refuse this command line with E2BIG (an argument longer
// than the kernel takes, or arguments and environment together over ARG_MAX),
// or empty. Checked before starting, so the task fails with a reason a user
// can act on instead of a bare "Argument list too long".
QString argumentListProblem(const QList<QByteArray> &argv);
// True for a start failure that execve() reported as E2BIG.
bool isArgumentListTooLong(const QString &startError);

} // namespace ProcessTree
