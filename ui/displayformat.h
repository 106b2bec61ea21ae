#pragma once

#include <QByteArray>
#include <QString>

// Short, human text for numbers the tables and the summary show.
namespace DisplayFormat {

QString duration(qint64 ms);             // "850 ms", "2.4 s", "3 m 05 s", "2 h 03 m"
QString seconds(double s);               // duration(s * 1000); "—" when negative
QString rate(double perSecond);          // "12.5/s", "48 200/s"
QString bytes(qint64 bytes);             // "14.2 MiB"
QString percent(double value);           // "12.5 %" ("—" when negative)
// The first line of some text, at most maxChars, with "…" when anything was cut.
QString firstLineOfUtf8(QByteArrayView utf8, int maxChars = 200);
QString firstLine(const QString &text, int maxChars = 200);
// A task's input as text: bytes that are not UTF-8 (a file name may hold any)
// show as \xHH, so two inputs that differ never look the same. A sweep
// task's tuple shows as its values joined by spaces (Sweep::displayInput).
QString inputText(QByteArrayView input);
QString firstLineOfInput(QByteArrayView input, int maxChars = 200);

} // namespace DisplayFormat
