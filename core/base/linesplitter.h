#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <cstring>

// Splits a byte stream into lines, keeping the unfinished tail between reads.
// A line longer than the limit is cut at the limit and reported once as
// truncated; the rest of it is skipped, so memory never grows past the limit.
class LineSplitter
{
public:
    explicit LineSplitter(qsizetype maxLineLength = 1 << 20)
        : m_maxLineLength(maxLineLength)
    {
    }

    void setSeparator(char separator) { m_separator = separator; }
    void setMaxLineLength(qsizetype length) { m_maxLineLength = length; }
    qsizetype maxLineLength() const { return m_maxLineLength; }
    bool hasPartialLine() const { return !m_partial.isEmpty() || m_skipping; }

    // onLine(QByteArrayView line, bool truncated) is called for every complete line,
    // without its separator.
    template<typename OnLine>
    void feed(QByteArrayView data, OnLine &&onLine)
    {
        const char *p = data.data();
        const char *end = p + data.size();
        while (p < end) {
            const char *nl = static_cast<const char *>(std::memchr(p, m_separator, size_t(end - p)));
            if (!nl) {
                appendPartial(QByteArrayView(p, end - p), onLine);
                return;
            }
            const QByteArrayView piece(p, nl - p);
            p = nl + 1;
            if (m_skipping) {
                m_skipping = false; // end of an over-long line already reported
                continue;
            }
            if (m_partial.isEmpty()) {
                if (piece.size() > m_maxLineLength)
                    onLine(piece.first(m_maxLineLength), true);
                else
                    onLine(piece, false);
                continue;
            }
            appendPartial(piece, onLine);
            if (m_skipping) {
                m_skipping = false;
                continue;
            }
            onLine(QByteArrayView(m_partial), false);
            m_partial.clear();
        }
    }

    // Reports an unterminated last line at end of stream.
    template<typename OnLine>
    void finish(OnLine &&onLine)
    {
        if (!m_partial.isEmpty())
            onLine(QByteArrayView(m_partial), false);
        m_partial.clear();
        m_skipping = false;
    }

    void reset()
    {
        m_partial.clear();
        m_skipping = false;
    }

private:
    template<typename OnLine>
    void appendPartial(QByteArrayView piece, OnLine &onLine)
    {
        if (m_skipping)
            return;
        const qsizetype room = m_maxLineLength - m_partial.size();
        if (piece.size() <= room) {
            m_partial.append(piece);
            return;
        }
        m_partial.append(piece.first(room));
        onLine(QByteArrayView(m_partial), true);
        m_partial.clear();
        m_skipping = true;
    }

    QByteArray m_partial;
    qsizetype m_maxLineLength;
    char m_separator = '\n';
    bool m_skipping = false;
};
