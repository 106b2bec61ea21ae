#pragma once

#include "outputstream.h"

#include <QByteArray>
#include <QByteArrayView>

#include <deque>

// The newest output of one slot, as a live view shows it: at most capacity()
// bytes, the older ones dropped a whole line at a time (mid-line only when a
// single line is longer than what is kept). It remembers which task wrote
// which bytes to which stream, and counts the bytes it dropped, so a view can
// say what is missing and append only what is new (see positions below).
//
// Positions count the bytes appended since the tail was made or cleared:
// what is kept runs from beginPosition() to endPosition().
class OutputTail
{
public:
    static constexpr qsizetype DefaultCapacity = 64 * 1024;

    explicit OutputTail(qsizetype capacity = DefaultCapacity);

    // Amortised cost per byte: a flood never copies more than it keeps.
    void append(qint64 taskId, OutputStream stream, QByteArrayView bytes);
    void clear();

    qsizetype capacity() const { return m_capacity; }
    qsizetype size() const { return m_data.size() - m_offset; }
    bool isEmpty() const { return size() == 0; }
    qint64 beginPosition() const { return m_end - size(); }
    qint64 endPosition() const { return m_end; }
    qint64 droppedBytes() const { return beginPosition(); }
    QByteArrayView bytes() const { return QByteArrayView(m_data).sliced(m_offset); }
    // The task that wrote the newest bytes (-1: none yet, or none was running).
    qint64 lastTaskId() const { return m_segments.empty() ? -1 : m_segments.back().taskId; }

    // Calls f(qint64 taskId, OutputStream stream, QByteArrayView bytes) for
    // every run of bytes one task wrote to one stream, oldest first, from
    // position `from` (clamped to what is kept) to the end.
    template<typename F>
    void forEachPiece(qint64 from, F &&f) const
    {
        from = qMax(from, beginPosition());
        for (size_t i = 0; i < m_segments.size(); ++i) {
            const qint64 end = i + 1 < m_segments.size() ? m_segments[i + 1].position : m_end;
            const qint64 start = qMax(from, m_segments[i].position);
            if (start < end)
                f(m_segments[i].taskId, m_segments[i].stream, bytes().sliced(start - beginPosition(), end - start));
        }
    }

private:
    // Where one task's run of bytes to one stream starts.
    struct Segment
    {
        qint64 position;
        qint64 taskId;
        OutputStream stream;
    };

    void trim();

    qsizetype m_capacity;
    QByteArray m_data;      // dead bytes before m_offset are compacted away in bulk
    qsizetype m_offset = 0;
    qint64 m_end = 0;
    std::deque<Segment> m_segments;
};
