#include "startgate.h"

#include <cmath>

namespace {
// A held pool looks at most this often; a sample this fresh is used as it is.
constexpr qint64 FreshMs = StartGate::SampleMs - 50;
} // namespace

StartGate::StartGate(const JobSpec &spec)
    : m_memFree(qMax<qint64>(0, spec.memFreeBytes))
    , m_loadBelow(qMax(0.0, spec.loadBelow))
    , m_delayMs(qMax<qint64>(0, qint64(std::llround(spec.startDelaySeconds * 1000))))
{
}

void StartGate::sample(qint64 now, bool force)
{
    if (m_memFree <= 0 && m_loadBelow <= 0)
        return;
    if (!force && m_sampledMs >= 0 && now - m_sampledMs < FreshMs)
        return;
    m_sampledMs = now;
    if (m_memFree > 0) {
        m_memKnown = m_machine.memAvailable(&m_memAvailable);
        if (!m_memKnown && m_readError.isEmpty())
            m_readError = QStringLiteral("cannot read the available memory (MemAvailable in /proc/meminfo): "
                                         "starting tasks without looking at it");
    }
    if (m_loadBelow > 0) {
        m_loadKnown = m_machine.loadAverage(&m_load);
        if (!m_loadKnown && m_readError.isEmpty())
            m_readError = QStringLiteral("cannot read the load average (/proc/loadavg): starting tasks without "
                                         "looking at it");
    }
}

StartGate::Hold StartGate::holds(qint64 now, bool localSlot) const
{
    if (localSlot && m_memFree > 0 && m_memKnown && m_memAvailable < m_memFree)
        return Hold::Memory;
    if (localSlot && m_loadBelow > 0 && m_loadKnown && m_load >= m_loadBelow)
        return Hold::Load;
    if (m_delayMs > 0 && m_lastStartMs >= 0 && now - m_lastStartMs < m_delayMs)
        return Hold::Delay;
    return Hold::None;
}

qint64 StartGate::retryInMs(Hold hold, qint64 now) const
{
    if (hold == Hold::Delay)
        return qMax<qint64>(1, m_lastStartMs + m_delayMs - now);
    return SampleMs;
}

QString StartGate::why(Hold hold, qint64 now) const
{
    switch (hold) {
    case Hold::None:
        return {};
    case Hold::Memory:
        return QStringLiteral("waiting for memory: %1 free, needs %2")
            .arg(MachineLoad::formatSize(m_memAvailable), MachineLoad::formatSize(m_memFree));
    case Hold::Load:
        return QStringLiteral("waiting for load: %1, needs below %2").arg(m_load, 0, 'f', 2).arg(m_loadBelow);
    case Hold::Delay:
        return QStringLiteral("delay: next start in %1 s").arg(double(retryInMs(hold, now)) / 1000.0, 0, 'f', 1);
    }
    return {};
}

QString StartGate::takeReadError()
{
    if (m_readErrorTold || m_readError.isEmpty())
        return {};
    m_readErrorTold = true;
    return m_readError;
}
