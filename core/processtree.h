#pragma once

#include <QtGlobal>

class QProcess;

// Every worker process leads its own process group, so one signal to the group
// reaches the whole tree it spawned (children, grandchildren, shell pipelines).
namespace ProcessTree {

// Call before QProcess::start(): the child calls setpgid(0, 0) and asks the
// kernel to send it SIGTERM should taskpool itself die. stdinFd and stdoutFd,
// if given, become its stdin and stdout (pipe ends of the caller's own, above
// 2 and close-on-exec; QProcess's channels for them should be the null device).
void prepare(QProcess *process, int stdinFd = -1, int stdoutFd = -1);

// Sends a signal to every process in the group led by pgid. Harmless if none is left.
void signalGroup(qint64 pgid, int signal);
bool groupExists(qint64 pgid);
// The process is gone, or a zombie its parent has not reaped yet.
bool hasExited(qint64 pid);

// Ends what is left of a group whose leader already exited: SIGTERM now,
// SIGKILL after the grace period if anything survived. Needs an event loop.
void reapGroup(qint64 pgid, int graceMs);

QString describeSignal(int signal);

} // namespace ProcessTree
