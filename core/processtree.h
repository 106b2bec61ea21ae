#pragma once

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

} // namespace ProcessTree
