#pragma once

#include <QString>
#include <QStringList>

// Where live runs publish their monitor sockets: $XDG_RUNTIME_DIR/taskpool,
// or /tmp/taskpool-<uid> where that variable is not set. The directory is the
// user's alone (0700, owned by them; a looser one is tightened, another user's
// is refused), each socket is 0600 and named after its run's process id, and a
// publisher checks every peer's credentials too.
class MonitorDirectory
{
public:
    static QString path();
    // Creates the directory if needed and checks it is the user's alone.
    static bool ensure(QString *error);
    static QString socketPath(qint64 pid);
    // The sockets of live runs, oldest process first. A socket whose run died
    // without removing it (kill -9) is deleted here, never listed.
    static QStringList liveSockets();
    // Something listens there (or may: only a refused connection says no).
    static bool isLive(const QString &socketPath);
    // The pid a socket is named after, 0 if the name is not a run's.
    static qint64 pidOf(const QString &socketPath);
    // True when the process at the other end of a connected Unix socket runs
    // as this user.
    static bool peerIsThisUser(qintptr socketDescriptor);
};
