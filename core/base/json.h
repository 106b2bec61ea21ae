#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <cstring>

// Small, allocation-free JSON helpers for the hot paths (worker protocol and
// results). QJsonDocument is used for job files, where speed does not matter.
namespace Json {

bool isValidUtf8(QByteArrayView bytes);
// Bytes as text: valid UTF-8 as it is, every other byte as \xHH (lowercase
// hex, as Python's backslashreplace), so inputs that differ look different.
QByteArray escapeInvalidUtf8(QByteArrayView bytes);

// Appends to a QByteArray through a raw pointer, growing it in large steps and
// setting its final size once, when the writer goes away: in Qt 6.4 every
// QByteArray::append() goes through insert(), which costs more than the copy.
class Writer
{
public:
    explicit Writer(QByteArray &out, qsizetype expected = 256)
        : m_out(out)
        , m_size(out.size())
    {
        grow(expected);
    }
    ~Writer() { m_out.resize(m_size); }
    Writer(const Writer &) = delete;
    Writer &operator=(const Writer &) = delete;

    void put(char c)
    {
        if (m_size == m_capacity)
            grow(1);
        m_data[m_size++] = c;
    }
    void put(const char *s, qsizetype n)
    {
        if (m_size + n > m_capacity)
            grow(n);
        std::memcpy(m_data + m_size, s, size_t(n));
        m_size += n;
    }
    void put(QByteArrayView bytes) { put(bytes.data(), bytes.size()); }
    qsizetype size() const { return m_size; }
    void truncate(qsizetype size) { m_size = qMin(size, m_size); } // drops what was put since
    template<qsizetype N>
    void put(const char (&literal)[N]) { put(literal, N - 1); }

private:
    void grow(qsizetype more);

    QByteArray &m_out;
    char *m_data = nullptr;
    qsizetype m_size;
    qsizetype m_capacity = 0;
};

// Appends a quoted JSON string. Invalid UTF-8 is replaced by U+FFFD; returns
// false when that happened, so callers can say the text was not kept exactly.
bool appendString(Writer &out, QByteArrayView utf8);
void appendText(Writer &out, const QString &text);
void appendNumber(Writer &out, qint64 value);
// A task's input as the members "input":"…" and, only when the input is not
// valid UTF-8, "input_base64":"…" with its exact bytes; then "input" shows
// the text with the invalid bytes as \xHH (escapeInvalidUtf8). Valid JSON
// either way, and lossless.
void appendInputMembers(Writer &out, QByteArrayView input);
// The same for code off the hot paths.
bool appendString(QByteArray &out, QByteArrayView utf8);
void appendText(QByteArray &out, const QString &text);
void appendNumber(QByteArray &out, qint64 value);

// A forward-only reader over one JSON text. Every method returns false on
// malformed input; the reader never reads past the end of the view.
class Reader
{
public:
    explicit Reader(QByteArrayView text) : m_p(text.data()), m_end(text.data() + text.size()) {}

    void skipSpace();
    bool atEnd() { skipSpace(); return m_p == m_end; }
    bool consume(char c);
    char peek() { skipSpace(); return m_p < m_end ? *m_p : '\0'; }

    bool readString(QByteArray *utf8);            // unescaped UTF-8
    bool readNumber(double *value);
    bool readInteger(qint64 *value);
    bool skipValue(QByteArrayView *raw = nullptr); // validates and returns the raw text

private:
    bool skipString();
    bool skipNumber();
    bool skipLiteral(const char *word);
    bool skipContainer(int depth);
    bool skipValueAt(int depth);

    const char *m_p;
    const char *m_end;
};

} // namespace Json
