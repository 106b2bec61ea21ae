#include "commandline.h"

namespace CommandLine {

namespace {
bool isPlain(const QString &argument)
{
    if (argument.isEmpty())
        return false;
    return std::none_of(argument.cbegin(), argument.cend(), [](QChar c) {
        return c.isSpace() || c == QLatin1Char('\'') || c == QLatin1Char('"') || c == QLatin1Char('\\');
    });
}

QString quote(const QString &argument)
{
    if (isPlain(argument))
        return argument;
    QString quoted = argument;
    quoted.replace(QLatin1String("'"), QLatin1String("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}
} // namespace

QString join(const QStringList &arguments)
{
    QStringList quoted;
    quoted.reserve(arguments.size());
    for (const QString &argument : arguments)
        quoted.append(quote(argument));
    return quoted.join(QLatin1Char(' '));
}

QStringList split(const QString &text)
{
    QStringList arguments;
    QString current;
    bool inArgument = false; // also true for an empty quoted argument ('')
    enum { None, Single, Double } quote = None;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quote == Single) {
            if (c == QLatin1Char('\''))
                quote = None;
            else
                current += c;
        } else if (quote == Double) {
            if (c == QLatin1Char('"'))
                quote = None;
            else if (c == QLatin1Char('\\') && i + 1 < text.size()
                     && (text.at(i + 1) == QLatin1Char('"') || text.at(i + 1) == QLatin1Char('\\')))
                current += text.at(++i);
            else
                current += c;
        } else if (c.isSpace()) {
            if (inArgument)
                arguments.append(current);
            current.clear();
            inArgument = false;
        } else {
            inArgument = true;
            if (c == QLatin1Char('\''))
                quote = Single;
            else if (c == QLatin1Char('"'))
                quote = Double;
            else if (c == QLatin1Char('\\') && i + 1 < text.size())
                current += text.at(++i);
            else
                current += c;
        }
    }
    if (inArgument)
        arguments.append(current);
    return arguments;
}

} // namespace CommandLine
