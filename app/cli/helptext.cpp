#include "helptext.h"

namespace Cli {
namespace {
constexpr int Width = 80;
constexpr int HelpColumn = 27; // where an option's text starts

void appendOption(QString &out, const Option &o)
{
    const QString label = QStringLiteral("  ") + o.label();
    const QString text = wrap(o.help, Width - HelpColumn, HelpColumn);
    if (label.size() + 2 <= HelpColumn) // the text's first line beside the label
        out += label.leftJustified(HelpColumn) + text.mid(HelpColumn);
    else
        out += label + QLatin1Char('\n') + text;
}

void appendEntries(QString &out, const char *title, const QList<Entry> &entries)
{
    out += QLatin1Char('\n') + QLatin1String(title) + QStringLiteral(":\n");
    for (const Entry &e : entries)
        out += QStringLiteral("  ") + e.name + QLatin1Char('\n') + wrap(e.text, Width - 6, 6);
}
} // namespace

QString wrap(const QString &text, int width, int indent)
{
    const QString margin(indent, QLatin1Char(' '));
    QString out;
    for (const QString &line : text.split(QLatin1Char('\n'))) {
        QString current;
        for (const QString &word : line.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            if (!current.isEmpty() && current.size() + 1 + word.size() > width) {
                out += margin + current + QLatin1Char('\n');
                current.clear();
            }
            current += (current.isEmpty() ? QString() : QStringLiteral(" ")) + word;
        }
        out += (current.isEmpty() ? QString() : margin + current) + QLatin1Char('\n');
    }
    return out;
}

QString overviewHelp()
{
    QString out = QStringLiteral("Usage: taskpool [COMMAND] [options]\n\n");
    out += wrap(QStringLiteral("taskpool: ") + purpose() + QLatin1Char('.'), Width, 0);
    out += QStringLiteral("\nCommands:\n");
    out += QStringLiteral("  taskpool                     open the desktop app\n");
    for (const Command &c : commands()) {
        const QString usage = QStringLiteral("  taskpool ") + c.name + QLatin1Char(' ') + c.synopsis;
        out += usage + QLatin1Char('\n') + wrap(c.summary, Width - 6, 6);
    }
    out += QStringLiteral("  taskpool help [COMMAND]\n      the help of a command (the same as taskpool COMMAND "
                          "--help)\n");
    out += QStringLiteral("  taskpool --version\n      the version\n");
    appendEntries(out, "Environment", environment());
    appendEntries(out, "Files", files());
    out += QStringLiteral("\nThe manual: man taskpool.\n");
    return out;
}

QString commandHelp(const Command &command)
{
    QString out = QStringLiteral("Usage: taskpool ") + command.name + QLatin1Char(' ') + command.synopsis
        + QStringLiteral("\n\n") + wrap(command.description, Width, 0);
    for (const OptionGroup &g : command.groups) {
        out += QLatin1Char('\n');
        if (!g.title.isEmpty())
            out += g.title + QStringLiteral(":\n");
        for (const Option &o : g.options)
            appendOption(out, o);
    }
    if (!command.notes.isEmpty())
        out += QLatin1Char('\n') + wrap(command.notes, Width, 0);
    if (!command.exitStatus.isEmpty())
        out += QLatin1Char('\n') + wrap(QStringLiteral("Exit status: ") + command.exitStatus, Width, 0);
    if (!command.examples.isEmpty()) {
        out += QStringLiteral("\nExamples:\n");
        for (const Example &e : command.examples)
            out += QStringLiteral("  $ ") + e.command + QLatin1Char('\n') + wrap(e.explanation, Width - 6, 6);
    }
    return out;
}

} // namespace Cli
