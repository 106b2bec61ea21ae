#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

// Small, allocation-free JSON helpers for the hot paths (worker protocol and
// results). QJsonDocument is used for job files, where speed does not matter.
namespace Json {

bool isValidUtf8(QByteArrayView bytes);

// Appends a quoted JSON string. Invalid UTF-8 is replaced by U+FFFD; returns
// false when that happened, so callers can say the text was not kept exactly.
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
