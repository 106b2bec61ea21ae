#pragma once

#include <QCommandLineOption>
#include <QList>
#include <QString>
#include <QStringList>

class QCommandLineParser;

// The command line, described once. The parsers are built from it, and so
// are `--help`, the man page and the shell completions (see helptext.h,
// manpage.h, completion.h): what one of them offers, all of them offer.
//
// Texts are plain paragraphs, wrapped where they are shown. A blank line
// ("\n\n") starts a new paragraph; a single "\n" a new line (for the few texts
// laid out by hand, like the launcher defaults).
namespace Cli {

// What an option's value is, so completion can offer it.
enum class Value {
    None,      // a flag
    Text,      // anything: completion offers nothing
    File,
    Directory,
    RunId,     // a run of the journal (`taskpool runs` lists them)
    Choice,    // one of Option::choices
};

struct Option
{
    QStringList names;     // a one-letter name first, if there is one: {"j", "workers"}
    QString valueName;     // "N"; empty for a flag
    QString help;
    Value value = Value::None;
    QStringList choices;   // for Value::Choice

    QString label() const; // "-j, --workers N"
};

struct OptionGroup
{
    QString title;         // empty: no heading
    QList<Option> options;
};

struct Example
{
    QString command;       // "taskpool run -j 8 --inputs files.txt -- gzip -9 {}"
    QString explanation;
};

struct Command
{
    QString name;          // "run"
    QString synopsis;      // what follows "taskpool run": "[options] [--] COMMAND [ARG...]"
    QString summary;       // one line for the overview
    QString description;
    QList<OptionGroup> groups;
    QString notes;         // after the options (formats, signals)
    QString exitStatus;    // empty: 0 on success, 2 on a usage error
    QList<Example> examples;
    bool runsACommand = false; // its words after "--" (or its first positional) are a command line

    QList<Option> options() const; // every group's
    const Option *option(QStringView longName) const;
};

// A name and what it means: an environment variable, a file.
struct Entry
{
    QString name;
    QString text;
};

const QList<Command> &commands();
const QList<Entry> &environment();
const QList<Entry> &files();
// nullptr for an unknown name.
const Command *command(QStringView name);
// The named option of a command, for a parser; aborts if there is none (a
// typo in the code, found by any test that parses).
QCommandLineOption qtOption(QStringView command, QStringView longName);
// Every option of the command, --help and --version included.
void addOptions(QStringView command, QCommandLineParser *parser);

// One line for the man page's NAME: what taskpool is.
QString purpose();
// "taskpool 0.1.0"
QString versionLine();

} // namespace Cli
