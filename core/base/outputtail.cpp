#include "outputtail.h"

#include <cstring>

OutputTail::OutputTail(qsizetype capacity)
    : m_capacity(qMax<qsizetype>(capacity, 1))
{
}

void OutputTail::clear()
{
    m_data.clear();
    m_offset = 0;
    m_end = 0;
    m_segments.clear();
}

void OutputTail::append(qint64 taskId, OutputStream stream, QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return;
    if (bytes.size() > m_capacity) {
        // Only its end can be kept: skip the rest without copying it. One
        // byte more than fits stays, to tell whether the kept part starts a line.
        const qsizetype skipped = bytes.size() - (m_capacity + 1);
        m_data.clear();
        m_offset = 0;
        m_segments.clear();
        m_end += skipped;
        bytes = bytes.sliced(skipped);
    }
    if (m_segments.empty() || m_segments.back().taskId != taskId || m_segments.back().stream != stream)
        m_segments.push_back({m_end, taskId, stream});
    m_data.append(bytes);
    m_end += bytes.size();
    trim();
}

// Drops what no longer fits, up to the start of a line.
void OutputTail::trim()
{
    const qsizetype excess = size() - m_capacity;
    if (excess <= 0)
        return;
    const QByteArrayView kept = bytes();
    // The first line start at or after `excess`: just after a '\n' found from excess - 1 on.
    const void *nl = std::memchr(kept.data() + excess - 1, '\n', size_t(kept.size() - excess + 1));
    qsizetype cut = excess;
    if (nl) {
        const qsizetype lineStart = static_cast<const char *>(nl) - kept.data() + 1;
        if (lineStart < kept.size())
            cut = lineStart; // else the only line start is the end: keep the long line's end
    }
    m_offset += cut;
    const qint64 begin = beginPosition();
    while (m_segments.size() > 1 && m_segments[1].position <= begin)
        m_segments.pop_front();
    if (m_offset > m_capacity) { // in bulk: each kept byte is moved at most once per capacity appended
        m_data.remove(0, m_offset);
        m_offset = 0;
    }
}
