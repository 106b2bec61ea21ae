#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QtGlobal>

class QProcess;

// Every worker process leads its own process group, so one signal to the group
// reaches the whole tree it spawned (children, grandchildren, shell pipelines).
namespace ProcessTree {

// Call before QProcess::start(): the child calls setpgid(0, 0) and asks the
// kernel to send it SIGTERM should taskpool itself die. With exactArgv, the
// child executes those bytes instead of QProcess's arguments (which are text:
// a file name that is not UTF-8 would not survive them); QProcess's program
// must be exactArgv's first word. Should that exec fail, QProcess's own exec
// of the same program fails the same way and reports it.
void prepare(QProcess *process, const QList<QByteArray> &exactArgv = {});

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
QString argumentListProblem(const QList<QByteArray> &argv);
// True for a start failure that execve() reported as E2BIG.
bool isArgumentListTooLong(const QString &startError);

} // namespace ProcessTree
