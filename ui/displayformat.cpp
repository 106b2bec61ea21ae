#include "displayformat.h"

#include "json.h"
#include "sweep.h"

#include <QLocale>

namespace DisplayFormat {

QString duration(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("—");
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    if (ms < 60 * 1000)
        return QStringLiteral("%1 s").arg(ms / 1000.0, 0, 'f', 1);
    const qint64 s = ms / 1000;
    if (s < 3600)
        return QStringLiteral("%1 m %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 m").arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0'));
}

QString seconds(double s)
{
    if (s < 0)
        return QStringLiteral("—");
    return duration(qint64(s * 1000));
}

QString rate(double perSecond)
{
    if (perSecond <= 0)
        return QStringLiteral("0/s");
    if (perSecond < 100)
        return QStringLiteral("%1/s").arg(perSecond, 0, 'f', 1);
    return QLocale().toString(qint64(perSecond + 0.5)) + QStringLiteral("/s");
}

QString bytes(qint64 bytes)
{
    if (bytes < 0)
        return QStringLiteral("—");
    return QLocale().formattedDataSize(bytes, 1);
}

QString percent(double value)
{
    if (value < 0)
        return QStringLiteral("—");
    return QStringLiteral("%1 %").arg(value, 0, 'f', value < 10 ? 1 : 0);
}

QString firstLine(const QString &text, int maxChars)
{
    qsizetype end = text.indexOf(QLatin1Char('\n'));
    const bool moreLines = end >= 0 && end + 1 < text.size();
    if (end < 0)
        end = text.size();
    if (end > 0 && text.at(end - 1) == QLatin1Char('\r'))
        --end;
    if (end > maxChars)
        return text.left(maxChars) + QStringLiteral("…");
    QString line = text.left(end);
    if (moreLines)
        line += QStringLiteral(" …");
    return line;
}

QString firstLineOfUtf8(QByteArrayView utf8, int maxChars)
{
    // Decode only what can be shown: outputs may be megabytes.
    const qsizetype limit = qsizetype(maxChars) * 4 + 4;
    const bool cut = utf8.size() > limit;
    QString text = QString::fromUtf8(utf8.first(qMin(utf8.size(), limit)));
    if (cut && text.indexOf(QLatin1Char('\n')) < 0 && text.size() <= maxChars)
        text += QStringLiteral("…");
    return firstLine(text, maxChars);
}

QString inputText(QByteArrayView input)
{
    if (input.contains(Sweep::Separator)) // a sweep's tuple: its values, by spaces
        return QString::fromUtf8(Json::escapeInvalidUtf8(Sweep::displayInput(input)));
    return QString::fromUtf8(Json::escapeInvalidUtf8(input));
}

QString firstLineOfInput(QByteArrayView input, int maxChars)
{
    const qsizetype limit = qsizetype(maxChars) * 4 + 4;
    const bool cut = input.size() > limit;
    QString text = inputText(input.first(qMin(input.size(), limit)));
    if (cut && text.indexOf(QLatin1Char('\n')) < 0 && text.size() <= maxChars)
        text += QStringLiteral("…");
    return firstLine(text, maxChars);
}

} // namespace DisplayFormat
