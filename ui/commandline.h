#pragma once

#include <QString>
#include <QStringList>

// Converts between an argument list and the one-line text the job editor shows,
// with shell-like quoting: 'single quotes' keep everything, "double quotes"
// allow \" and \\, a backslash outside quotes escapes the next character.
// No shell runs: this only decides where one argument ends.
namespace CommandLine {

QString join(const QStringList &arguments);
QStringList split(const QString &text);

} // namespace CommandLine
