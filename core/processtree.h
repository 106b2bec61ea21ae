#pragma once

#include <QStringList>
#include <QtGlobal>

class QProcess;

// Every worker process leads its own process group, so one signal to the group
// reaches the whole tree it spawned (children, grandchildren, shell pipelines).
namespace ProcessTree {

// Call before QProcess::start(): the child calls setpgid(0, 0) and asks the
// kernel to send it SIGTERM should taskpool itself die.
void prepare(QProcess *process);

// Sends a signal to every process in the group led by pgid. Harmless if none is left.
void signalGroup(qint64 pgid, int signal);
bool groupExists(qint64 pgid);

// Ends what is left of a group whose leader already exited: SIGTERM now,
// SIGKILL after the grace period if anything survived. Needs an event loop.
void reapGroup(qint64 pgid, int graceMs);

QString describeSignal(int signal);

// Why execve() would refuse this command line with E2BIG (an argument longer
// than the kernel takes, or arguments and environment together over ARG_MAX),
// or empty. Checked before starting, so the task fails with a reason a user
// can act on instead of a bare "Argument list too long".
QString argumentListProblem(const QString &program, const QStringList &arguments);
// True for a start failure that execve() reported as E2BIG.
bool isArgumentListTooLong(const QString &startError);

} // namespace ProcessTree
