#include "json.h"

#include <cmath>
#include <cstring>

namespace Json {
namespace {

constexpr int MaxDepth = 256;

// Length of the valid UTF-8 sequence at p, or 0 if the bytes there are invalid.
int utf8SequenceLength(const unsigned char *p, const unsigned char *end)
{
    const unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    int length;
    unsigned int min;
    unsigned int cp;
    if ((c & 0xE0) == 0xC0) {
        length = 2; min = 0x80; cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        length = 3; min = 0x800; cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        length = 4; min = 0x10000; cp = c & 0x07;
    } else {
        return 0;
    }
    if (end - p < length)
        return 0;
    for (int i = 1; i < length; ++i) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return length;
}

void appendUtf8(QByteArray &out, unsigned int cp)
{
    if (cp < 0x80) {
        out.append(char(cp));
    } else if (cp < 0x800) {
        out.append(char(0xC0 | (cp >> 6)));
        out.append(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.append(char(0xE0 | (cp >> 12)));
        out.append(char(0x80 | ((cp >> 6) & 0x3F)));
        out.append(char(0x80 | (cp & 0x3F)));
    } else {
        out.append(char(0xF0 | (cp >> 18)));
        out.append(char(0x80 | ((cp >> 12) & 0x3F)));
        out.append(char(0x80 | ((cp >> 6) & 0x3F)));
        out.append(char(0x80 | (cp & 0x3F)));
    }
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool needsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\' || c >= 0x80; }

} // namespace

bool isValidUtf8(QByteArrayView bytes)
{
    auto p = reinterpret_cast<const unsigned char *>(bytes.data());
    const auto end = p + bytes.size();
    while (p < end) {
        if (*p < 0x80) {
            ++p;
            continue;
        }
        const int n = utf8SequenceLength(p, end);
        if (n == 0)
            return false;
        p += n;
    }
    return true;
}

QByteArray escapeInvalidUtf8(QByteArrayView bytes)
{
    static const char hex[] = "0123456789abcdef";
    QByteArray out;
    out.reserve(bytes.size() + 16);
    auto p = reinterpret_cast<const unsigned char *>(bytes.data());
    const auto end = p + bytes.size();
    while (p < end) {
        const int n = *p < 0x80 ? 1 : utf8SequenceLength(p, end);
        if (n == 0) {
            const char escape[] = {'\\', 'x', hex[*p >> 4], hex[*p & 0xF]};
            out.append(escape, sizeof escape);
            ++p;
        } else {
            out.append(reinterpret_cast<const char *>(p), n);
            p += n;
        }
    }
    return out;
}

void Writer::grow(qsizetype more)
{
    m_capacity = qMax(m_capacity * 2, m_size + more + 64);
    m_out.resize(m_capacity);
    m_data = m_out.data();
}

bool appendString(Writer &out, QByteArrayView utf8)
{
    static const char hex[] = "0123456789abcdef";
    bool exact = true;
    out.put('"');
    auto p = reinterpret_cast<const unsigned char *>(utf8.data());
    const auto end = p + utf8.size();
    while (p < end) {
        const auto *run = p;
        while (p < end && !needsEscape(*p))
            ++p;
        if (p > run)
            out.put(reinterpret_cast<const char *>(run), p - run);
        if (p == end)
            break;
        const unsigned char c = *p;
        if (c >= 0x80) {
            const int n = utf8SequenceLength(p, end);
            if (n == 0) {
                out.put("\xEF\xBF\xBD"); // U+FFFD
                exact = false;
                ++p;
            } else {
                out.put(reinterpret_cast<const char *>(p), n);
                p += n;
            }
            continue;
        }
        switch (c) {
        case '"': out.put("\\\""); break;
        case '\\': out.put("\\\\"); break;
        case '\n': out.put("\\n"); break;
        case '\r': out.put("\\r"); break;
        case '\t': out.put("\\t"); break;
        case '\b': out.put("\\b"); break;
        case '\f': out.put("\\f"); break;
        default: {
            const char esc[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
            out.put(esc, sizeof esc);
        }
        }
        ++p;
    }
    out.put('"');
    return exact;
}

void appendText(Writer &out, const QString &text)
{
    appendString(out, QByteArrayView(text.toUtf8()));
}

void appendNumber(Writer &out, qint64 value)
{
    char buf[24];
    char *e = buf + sizeof buf;
    char *p = e;
    const bool negative = value < 0;
    quint64 v = negative ? quint64(0) - quint64(value) : quint64(value);
    do {
        *--p = char('0' + v % 10);
        v /= 10;
    } while (v);
    if (negative)
        *--p = '-';
    out.put(p, e - p);
}

void appendInputMembers(Writer &out, QByteArrayView input)
{
    out.put("\"input\":");
    const qsizetype start = out.size();
    if (appendString(out, input))
        return;
    // Rare, so off the fast path: replace the U+FFFD version.
    out.truncate(start);
    appendString(out, escapeInvalidUtf8(input));
    out.put(",\"input_base64\":\"");
    out.put(input.toByteArray().toBase64());
    out.put('"');
}

bool appendString(QByteArray &out, QByteArrayView utf8)
{
    Writer writer(out, utf8.size() + 2);
    return appendString(writer, utf8);
}

void appendText(QByteArray &out, const QString &text)
{
    Writer writer(out, text.size() + 2);
    appendText(writer, text);
}

void appendNumber(QByteArray &out, qint64 value)
{
    Writer writer(out, 20);
    appendNumber(writer, value);
}

void Reader::skipSpace()
{
    while (m_p < m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\n' || *m_p == '\r'))
        ++m_p;
}

bool Reader::consume(char c)
{
    skipSpace();
    if (m_p < m_end && *m_p == c) {
        ++m_p;
        return true;
    }
    return false;
}

bool Reader::readString(QByteArray *utf8)
{
    skipSpace();
    if (m_p >= m_end || *m_p != '"')
        return false;
    ++m_p;
    utf8->clear();
    while (m_p < m_end) {
        const char *run = m_p;
        while (m_p < m_end && *m_p != '"' && *m_p != '\\' && static_cast<unsigned char>(*m_p) >= 0x20)
            ++m_p;
        utf8->append(run, m_p - run);
        if (m_p >= m_end)
            return false;
        const char c = *m_p++;
        if (c == '"')
            return isValidUtf8(*utf8);
        if (c != '\\')
            return false; // raw control character
        if (m_p >= m_end)
            return false;
        const char e = *m_p++;
        switch (e) {
        case '"': utf8->append('"'); break;
        case '\\': utf8->append('\\'); break;
        case '/': utf8->append('/'); break;
        case 'b': utf8->append('\b'); break;
        case 'f': utf8->append('\f'); break;
        case 'n': utf8->append('\n'); break;
        case 'r': utf8->append('\r'); break;
        case 't': utf8->append('\t'); break;
        case 'u': {
            auto readHex4 = [this](unsigned int *out) {
                if (m_end - m_p < 4)
                    return false;
                unsigned int v = 0;
                for (int i = 0; i < 4; ++i) {
                    const int h = hexValue(m_p[i]);
                    if (h < 0)
                        return false;
                    v = (v << 4) | unsigned(h);
                }
                m_p += 4;
                *out = v;
                return true;
            };
            unsigned int cp;
            if (!readHex4(&cp))
                return false;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned int low;
                if (m_end - m_p < 2 || m_p[0] != '\\' || m_p[1] != 'u')
                    return false;
                m_p += 2;
                if (!readHex4(&low) || low < 0xDC00 || low > 0xDFFF)
                    return false;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return false;
            }
            appendUtf8(*utf8, cp);
            break;
        }
        default:
            return false;
        }
    }
    return false;
}

bool Reader::readNumber(double *value)
{
    skipSpace();
    const char *start = m_p;
    if (!skipNumber())
        return false;
    // Numbers are short; copy so strtod stops at the token's end.
    char buf[64];
    const size_t n = size_t(m_p - start);
    if (n >= sizeof buf)
        return false;
    std::memcpy(buf, start, n);
    buf[n] = '\0';
    *value = std::strtod(buf, nullptr);
    return std::isfinite(*value);
}

bool Reader::readInteger(qint64 *value)
{
    skipSpace();
    const char *p = m_p;
    bool negative = false;
    if (p < m_end && *p == '-') {
        negative = true;
        ++p;
    }
    if (p >= m_end || *p < '0' || *p > '9')
        return false;
    quint64 v = 0;
    int digits = 0;
    while (p < m_end && *p >= '0' && *p <= '9') {
        v = v * 10 + quint64(*p - '0');
        ++p;
        if (++digits > 18)
            return false;
    }
    if (p < m_end && (*p == '.' || *p == 'e' || *p == 'E'))
        return false;
    m_p = p;
    *value = negative ? -qint64(v) : qint64(v);
    return true;
}

bool Reader::skipValue(QByteArrayView *raw)
{
    skipSpace();
    const char *start = m_p;
    if (!skipValueAt(0))
        return false;
    if (raw)
        *raw = QByteArrayView(start, m_p - start);
    return true;
}

bool Reader::skipValueAt(int depth)
{
    skipSpace();
    if (m_p >= m_end)
        return false;
    switch (*m_p) {
    case '"': return skipString();
    case '{':
    case '[': return skipContainer(depth + 1);
    case 't': return skipLiteral("true");
    case 'f': return skipLiteral("false");
    case 'n': return skipLiteral("null");
    default: return skipNumber();
    }
}

bool Reader::skipString()
{
    ++m_p; // opening quote
    const char *contentStart = m_p;
    while (m_p < m_end) {
        const unsigned char c = static_cast<unsigned char>(*m_p);
        if (c == '"') {
            const QByteArrayView content(contentStart, m_p - contentStart);
            ++m_p;
            return isValidUtf8(content);
        }
        if (c < 0x20)
            return false;
        if (c == '\\') {
            if (m_end - m_p < 2)
                return false;
            const char e = m_p[1];
            if (e == 'u') {
                if (m_end - m_p < 6)
                    return false;
                for (int i = 2; i < 6; ++i) {
                    if (hexValue(m_p[i]) < 0)
                        return false;
                }
                m_p += 6;
                continue;
            }
            if (!std::strchr("\"\\/bfnrt", e) || e == '\0')
                return false;
            m_p += 2;
            continue;
        }
        ++m_p;
    }
    return false;
}

bool Reader::skipNumber()
{
    // Past the digits from p; p itself when there are none.
    const auto digitsFrom = [this](const char *p) {
        while (p < m_end && *p >= '0' && *p <= '9')
            ++p;
        return p;
    };
    const char *p = m_p;
    if (p < m_end && *p == '-')
        ++p;
    if (p >= m_end)
        return false;
    if (*p == '0')
        ++p;
    else if (*p >= '1' && *p <= '9')
        p = digitsFrom(p);
    else
        return false;
    if (p < m_end && *p == '.') {
        const char *end = digitsFrom(p + 1);
        if (end == p + 1)
            return false;
        p = end;
    }
    if (p < m_end && (*p == 'e' || *p == 'E')) {
        ++p;
        if (p < m_end && (*p == '+' || *p == '-'))
            ++p;
        const char *end = digitsFrom(p);
        if (end == p)
            return false;
        p = end;
    }
    m_p = p;
    return true;
}

bool Reader::skipLiteral(const char *word)
{
    const size_t n = std::strlen(word);
    if (size_t(m_end - m_p) < n || std::memcmp(m_p, word, n) != 0)
        return false;
    m_p += n;
    return true;
}

bool Reader::skipContainer(int depth)
{
    if (depth > MaxDepth)
        return false;
    const char close = *m_p == '{' ? '}' : ']';
    const bool isObject = close == '}';
    ++m_p;
    if (consume(close))
        return true;
    for (;;) {
        if (isObject) {
            skipSpace();
            if (m_p >= m_end || *m_p != '"' || !skipString() || !consume(':'))
                return false;
        }
        if (!skipValueAt(depth))
            return false;
        if (consume(close))
            return true;
        if (!consume(','))
            return false;
    }
}

} // namespace Json
