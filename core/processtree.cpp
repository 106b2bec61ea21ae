#include "processtree.h"

#include <QProcess>
#include <QString>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/prctl.h>
#include <unistd.h>

namespace ProcessTree {

void prepare(QProcess *process)
{
    const pid_t parent = ::getpid();
    process->setChildProcessModifier([parent] {
        // Runs in the child between fork and exec: async-signal-safe calls only.
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent)
            ::_exit(127); // the parent died before prctl took effect
    });
}

void signalGroup(qint64 pgid, int signal)
{
    if (pgid > 1)
        ::kill(-pid_t(pgid), signal);
}

bool groupExists(qint64 pgid)
{
    return pgid > 1 && (::kill(-pid_t(pgid), 0) == 0 || errno == EPERM);
}

void reapGroup(qint64 pgid, int graceMs)
{
    if (!groupExists(pgid))
        return;
    signalGroup(pgid, SIGTERM);
    QTimer::singleShot(graceMs, [pgid] { signalGroup(pgid, SIGKILL); });
}

QString describeSignal(int signal)
{
    const char *name = ::sigabbrev_np(signal);
    if (name)
        return QStringLiteral("signal %1 (SIG%2)").arg(signal).arg(QLatin1String(name));
    return QStringLiteral("signal %1").arg(signal);
}

} // namespace ProcessTree
