#include "hostreachability.h"

#include "clock.h"

#include <QStringList>
#include <QTimer>

namespace {
constexpr qint64 HostRetryFirstMs = 1000;  // a lost host is tried again after 1 s, 2 s, 4 s ...
constexpr qint64 HostRetryMaxMs = 60000;   // ... at most a minute apart
constexpr int HostTriesWhenAllDown = 4;    // with every host down, give up after this many tries each
} // namespace

HostReachability::HostReachability(QObject *parent)
    : QObject(parent)
{
}

void HostReachability::addHost(const QString &name)
{
    Host host;
    host.name = name;
    m_hosts.push_back(host);
}

qint64 HostReachability::retryInMs(int host, qint64 nowMs) const
{
    const Host &h = m_hosts[size_t(host)];
    return h.reach == Reach::Down ? qMax<qint64>(0, h.retryAtMs - nowMs) : -1;
}

QString HostReachability::whyAllGivenUp(const QList<int> &used) const
{
    QStringList reasons;
    for (int index : used) {
        const Host &host = m_hosts[size_t(index)];
        if (host.reach != Reach::Down || host.failures < HostTriesWhenAllDown)
            return QString();
        reasons.append(QStringLiteral("%1 (%2 tries)").arg(host.lastError).arg(host.failures));
    }
    return reasons.join(QStringLiteral("; "));
}

void HostReachability::slotConnected(int index)
{
    Host &host = m_hosts[size_t(index)];
    if (host.reach == Reach::Up)
        return;
    host.reach = Reach::Up;
    if (host.retryTimer)
        host.retryTimer->stop();
    Q_EMIT logLine(QStringLiteral("host %1 is up again").arg(host.name));
    Q_EMIT hostUp(index);
}

bool HostReachability::slotLost(int index, const QString &reason)
{
    Host &host = m_hosts[size_t(index)];
    if (host.reach == Reach::Down)
        return false;
    host.reach = Reach::Down;
    host.lastError = reason;
    ++host.failures;
    const qint64 delay = qMin(HostRetryMaxMs, HostRetryFirstMs << qMin(host.failures - 1, 16));
    host.retryAtMs = monotonicMs() + delay;
    Q_EMIT hostDown(index);
    if (!host.retryTimer) {
        host.retryTimer = new QTimer(this);
        host.retryTimer->setSingleShot(true);
        connect(host.retryTimer, &QTimer::timeout, this, [this, index] {
            if (reach(index) == Reach::Down)
                Q_EMIT retryDue(index);
        });
    }
    host.retryTimer->start(int(delay));
    Q_EMIT logLine(QStringLiteral("host %1 is down; its tasks go to the other hosts; next try in %2 s")
                       .arg(host.name)
                       .arg(delay / 1000.0));
    return true;
}

void HostReachability::taskRan(int host)
{
    m_hosts[size_t(host)].failures = 0;
}

void HostReachability::probeGone(int index)
{
    Host &host = m_hosts[size_t(index)];
    if (host.reach != Reach::Probing)
        return;
    host.reach = Reach::Down; // probe again
    if (host.retryTimer)
        host.retryTimer->start(0);
}

bool HostReachability::startProbe(int index, bool haveSlot)
{
    Host &host = m_hosts[size_t(index)];
    if (host.reach != Reach::Down)
        return false;
    host.reach = haveSlot ? Reach::Probing : Reach::Up;
    return haveSlot;
}
