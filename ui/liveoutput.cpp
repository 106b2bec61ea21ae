#include "liveoutput.h"

LiveOutput::LiveOutput(QObject *parent)
    : QObject(parent)
{
    m_notify.setSingleShot(true);
    m_notify.setInterval(NotifyIntervalMs);
    connect(&m_notify, &QTimer::timeout, this, &LiveOutput::changed);
}

void LiveOutput::append(int slot, qint64 taskId, OutputStream stream, QByteArrayView bytes)
{
    if (bytes.isEmpty() || slot < 0)
        return;
    m_tails.try_emplace(slot).first->second.append(taskId, stream, bytes);
    if (!m_notify.isActive())
        m_notify.start();
}

void LiveOutput::clear()
{
    m_tails.clear();
    ++m_generation;
    if (!m_notify.isActive())
        m_notify.start();
}

const OutputTail *LiveOutput::tail(int slot) const
{
    const auto it = m_tails.find(slot);
    return it == m_tails.end() ? nullptr : &it->second;
}
