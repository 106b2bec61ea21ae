#include "liverunfinder.h"

#include "monitordirectory.h"
#include "monitortunnel.h"
#include "runwatcher.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>

namespace {

QString labelFor(const RunWatcher *probe, const MonitorProtocol::LiveState *state)
{
    const MonitorProtocol::Hello &hello = probe->hello();
    QString label = QStringLiteral("pid %1 · %2").arg(hello.pid).arg(hello.spec.command.join(QLatin1Char(' ')));
    if (label.size() > 90)
        label = label.left(89) + QStringLiteral("…");
    label += QStringLiteral(" · since %1").arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(hello.startedAtMs).time(),
                                                                   QLocale::ShortFormat));
    if (state) {
        const PoolStats &s = state->stats;
        label += s.total >= 0 ? QStringLiteral(" · %1 of %2 done").arg(s.finished()).arg(s.total)
                              : QStringLiteral(" · %1 done").arg(s.finished());
    }
    return label;
}

} // namespace

LiveRunFinder::LiveRunFinder(QObject *parent)
    : QObject(parent)
{
    m_probeTimeout.setSingleShot(true);
    m_probeTimeout.setInterval(ProbeTimeoutMs);
    connect(&m_probeTimeout, &QTimer::timeout, this, &LiveRunFinder::finishProbes);
}

LiveRunFinder::~LiveRunFinder() = default;

QString LiveRunFinder::describe(const QString &target)
{
    const QString host = MonitorTunnel::hostOf(target);
    return host.isEmpty() ? QStringLiteral("this machine") : host;
}

MonitorTunnel *LiveRunFinder::takeTunnel()
{
    MonitorTunnel *tunnel = m_tunnel;
    if (tunnel)
        tunnel->setParent(nullptr);
    m_tunnel = nullptr;
    return tunnel;
}

void LiveRunFinder::find(const QString &target)
{
    if (m_searching)
        return;
    delete m_tunnel;
    const QString host = MonitorTunnel::hostOf(target);
    if (!target.isEmpty() && host.isEmpty()) {
        Q_EMIT failed(QStringLiteral("write ssh:HOST for runs on another host, or leave it empty for this machine"));
        return;
    }
    m_searching = true;
    if (host.isEmpty()) {
        const QString own = MonitorDirectory::socketPath(QCoreApplication::applicationPid());
        QStringList sockets = MonitorDirectory::liveSockets();
        sockets.removeAll(own); // the window's own run is shown already
        probe(sockets);
        return;
    }
    m_tunnel = new MonitorTunnel(host, QString(), this);
    connect(m_tunnel, &MonitorTunnel::opened, this, &LiveRunFinder::probe);
    connect(m_tunnel, &MonitorTunnel::failed, this, [this](const QString &error) {
        m_searching = false;
        m_tunnel->deleteLater();
        m_tunnel = nullptr;
        Q_EMIT failed(error);
    });
    m_tunnel->open();
}

// Asks each socket who it is; the answers (or the timeout) end the search.
void LiveRunFinder::probe(const QStringList &sockets)
{
    for (const QString &socket : sockets) {
        auto *watcher = new RunWatcher(this);
        m_probes.append({watcher, QString(), false});
        connect(watcher, &RunWatcher::stateReceived, this, [this, watcher](const MonitorProtocol::LiveState &state) {
            Probe *probe = probeOf(watcher);
            if (!probe || probe->answered)
                return;
            probe->label = labelFor(watcher, &state);
            probe->answered = true;
            finishProbes();
        });
        connect(watcher, &RunWatcher::disconnected, this, [this, watcher] {
            if (Probe *probe = probeOf(watcher)) {
                probe->answered = true; // gone: not offered
                finishProbes();
            }
        });
        watcher->connectTo(socket);
    }
    m_probeTimeout.start();
    finishProbes();
}

LiveRunFinder::Probe *LiveRunFinder::probeOf(const RunWatcher *watcher)
{
    for (Probe &probe : m_probes) {
        if (probe.watcher == watcher)
            return &probe;
    }
    return nullptr;
}

void LiveRunFinder::finishProbes()
{
    const bool allAnswered = std::all_of(m_probes.cbegin(), m_probes.cend(), [](const Probe &p) { return p.answered; });
    if (!allAnswered && m_probeTimeout.isActive())
        return;
    m_probeTimeout.stop();
    QList<LiveRunChoice> runs;
    for (const Probe &probe : std::as_const(m_probes)) {
        if (!probe.label.isEmpty())
            runs.append({probe.watcher->socketPath(), probe.label});
        probe.watcher->disconnect(this);
        probe.watcher->close();
        probe.watcher->deleteLater();
    }
    m_probes.clear();
    m_searching = false;
    Q_EMIT found(runs);
}
