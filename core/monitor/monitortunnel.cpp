#include "monitortunnel.h"

#include "hostspec.h"

#include <QFileInfo>

namespace {

// The live sockets in the host's MonitorDirectory: named after a process that is there.
const char ListScript[] =
    "d=\"${XDG_RUNTIME_DIR:-}\"; if [ -n \"$d\" ]; then d=\"$d/taskpool\"; else d=\"/tmp/taskpool-$(id -u)\"; fi; "
    "for s in \"$d\"/*.sock; do [ -S \"$s\" ] || continue; p=\"${s##*/}\"; p=\"${p%.sock}\"; "
    "kill -0 \"$p\" 2>/dev/null && printf '%s\\n' \"$s\"; done; true";

} // namespace

MonitorTunnel::MonitorTunnel(const QString &host, const QString &launcher, QObject *parent)
    : QObject(parent)
    , m_host(host)
    , m_launcher(launcher.isEmpty() ? HostSpec::defaultLauncher(HostSpec::Kind::Ssh) : launcher)
{
    connect(&m_list, &QProcess::finished, this, &MonitorTunnel::onListed);
    connect(&m_list, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            fail(QStringLiteral("cannot run ssh: %1").arg(m_list.errorString()));
    });
    connect(&m_forward, &QProcess::finished, this, [this] {
        fail(QStringLiteral("the ssh connection to %1 ended: %2")
                 .arg(m_host, QString::fromLocal8Bit(m_forward.readAllStandardError()).trimmed()));
    });
    m_poll.setInterval(100);
    connect(&m_poll, &QTimer::timeout, this, &MonitorTunnel::checkForwarded);
}

MonitorTunnel::~MonitorTunnel()
{
    m_done = true;
    m_list.disconnect(this);
    m_forward.disconnect(this);
    for (QProcess *ssh : {&m_list, &m_forward}) {
        if (ssh->state() != QProcess::NotRunning) {
            ssh->kill(); // ssh has no tree of its own here; its end closes the forwards
            ssh->waitForFinished(1000);
        }
    }
}

QString MonitorTunnel::hostOf(const QString &attachTarget)
{
    const QLatin1String prefix("ssh:");
    return attachTarget.startsWith(prefix) ? attachTarget.mid(prefix.size()).trimmed() : QString();
}

// The launcher's words up to {host} (its options), the host, then the command if any.
QStringList MonitorTunnel::sshArguments(const QStringList &beforeHost, bool withCommand) const
{
    QStringList words = QProcess::splitCommand(m_launcher);
    const qsizetype at = words.indexOf(QStringLiteral("{host}"));
    QStringList args = words.mid(1, at < 0 ? -1 : at - 1);
    args += beforeHost;
    args.append(m_host);
    if (withCommand) {
        args.append(QStringLiteral("--"));
        args.append(QString::fromLatin1(ListScript));
    }
    return args;
}

void MonitorTunnel::open()
{
    if (m_host.isEmpty()) {
        fail(QStringLiteral("no host to watch"));
        return;
    }
    if (!m_dir.isValid()) {
        fail(QStringLiteral("cannot make a private folder for the forwarded sockets"));
        return;
    }
    const QStringList words = QProcess::splitCommand(m_launcher);
    m_list.start(words.value(0), sshArguments({}, true));
}

void MonitorTunnel::onListed(int exitCode, QProcess::ExitStatus status)
{
    if (status != QProcess::NormalExit || exitCode != 0) {
        fail(QStringLiteral("cannot list the runs on %1: %2")
                 .arg(m_host, QString::fromLocal8Bit(m_list.readAllStandardError()).trimmed()));
        return;
    }
    const QStringList lines = QString::fromLocal8Bit(m_list.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QStringList forwards;
    for (const QString &remote : lines) {
        if (!remote.startsWith(QLatin1Char('/')) || !remote.endsWith(QLatin1String(".sock")))
            continue;
        const QString local = m_dir.filePath(QStringLiteral("%1-%2").arg(m_remoteSockets.size()).arg(QFileInfo(remote).fileName()));
        m_remoteSockets.append(remote);
        m_localSockets.append(local);
        forwards << QStringLiteral("-L") << local + QLatin1Char(':') + remote;
    }
    if (m_remoteSockets.isEmpty()) {
        m_done = true;
        Q_EMIT opened({});
        return;
    }
    const QStringList words = QProcess::splitCommand(m_launcher);
    m_forward.start(words.value(0), sshArguments(QStringList{QStringLiteral("-N"), QStringLiteral("-o"),
                                                             QStringLiteral("ExitOnForwardFailure=yes")}
                                                     + forwards,
                                                 false));
    m_poll.start();
}

// ssh makes the local sockets once it is logged in; then they can be used.
void MonitorTunnel::checkForwarded()
{
    for (const QString &local : std::as_const(m_localSockets)) {
        if (!QFileInfo::exists(local)) {
            if (++m_polls * m_poll.interval() > OpenTimeoutMs)
                fail(QStringLiteral("ssh to %1 did not forward the runs' sockets in time").arg(m_host));
            return;
        }
    }
    m_poll.stop();
    m_done = true;
    Q_EMIT opened(m_localSockets);
}

void MonitorTunnel::fail(const QString &error)
{
    if (m_done)
        return;
    m_done = true;
    m_poll.stop();
    Q_EMIT failed(error);
}
