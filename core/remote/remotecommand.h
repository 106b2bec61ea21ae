#pragma once

#include "hostspec.h"

#include <QString>
#include <QStringList>

// The local argv that runs one command on another host through its launcher.
//
// On the far side a small POSIX sh guard runs the command:
//   - it changes to the job's directory (the file system is assumed shared),
//     then prints "<token> up" on stderr: the host is reachable and usable;
//   - it starts the command in its own session (setsid), so one signal reaches
//     its whole process tree;
//   - it watches its parent (sshd): when the connection drops, sshd exits and
//     the guard ends the command's tree (SIGTERM, SIGKILL after the grace), as
//     it does on SIGTERM/SIGHUP/SIGINT (srun forwards these);
//   - when the command exits it ends stragglers left in its session and prints
//     "<token> exit <status>" on stderr, so a command that exits 255 is not
//     mistaken for ssh's own "connection failed" 255.
// ssh joins its arguments into one string for the remote login shell, so for
// ssh hosts every word is single-quoted into one string; srun executes its
// arguments directly, so they are passed as they are.
namespace RemoteCommand {

QString guardScript();

// A random word that marks the guard's lines in the launcher's stderr.
QString newToken();

struct Options
{
    QString token;
    QString directory; // absolute; empty = the launcher's default (home on ssh)
    int graceMs = 2000;
    bool passStdin = false; // the command reads the launcher's stdin (protocol workers)
};

// program + arguments for QProcess; empty if the launcher template is empty.
QStringList build(const HostSpec &host, const Options &options, const QString &program, const QStringList &arguments);

// The words of the guard's invocation as a string for a POSIX shell.
QString shellCommand(const Options &options, const QString &program, const QStringList &arguments);

} // namespace RemoteCommand
