#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

// Turns a command line with replacement strings into the argv of one task.
//   {}   the input            {.}  the input without its extension
//   {/}  its basename          {//} its directory       {/.} basename without extension
//   {#}  the task number (1-based)
// Without any replacement string the input is appended as the last argument.
//
// A sweep's template (parameterNames not empty) also has the replacement
// strings of its parameters, with the same modifiers: {1} {2.} {2/} {2//}
// {2/.} pick the Nth value of the task's tuple, {lr} {lr/.} … the named one;
// {} is all the values joined by spaces (Sweep::displayInput). Without any
// replacement string the values are appended as separate arguments. A {name}
// that is not a parameter (or {N} beyond the count) is an error.
//
// Without a shell the words go to the program as argv: an input is one
// argument, whatever it holds.
//
// With a shell (`sh -c`), the words are joined into a script and an input is
// data wherever its replacement string stands: the values are passed to sh as
// positional parameters, copied into variables, and the script only expands
// those variables (quoted for the context the string stands in: unquoted,
// "…", '…', $(…), an assignment). The shell never parses an input. Contexts
// where no expansion can be exact (`…`, ${…}, $((…)), here-documents) are
// refused with errorString() when the template is made. {#} is digits and
// goes in as text anywhere.
class CommandTemplate
{
public:
    CommandTemplate() = default;
    CommandTemplate(const QStringList &words, bool shell, const QStringList &parameterNames = {});

    bool isEmpty() const { return m_words.isEmpty(); }
    bool hasPlaceholder() const { return m_hasPlaceholder; }
    // Why the template cannot be used (a shell context, an unknown {name}); empty when it can.
    QString errorString() const { return m_error; }
    // The program when it does not depend on the input, else empty.
    QString fixedProgram() const;

    // The argv of one task (argv[0] is the program), with the input's exact
    // bytes: a file name need not be UTF-8. Returns false (and why) when the
    // input cannot be passed, e.g. it holds a NUL byte.
    bool expand(QByteArrayView input, qint64 taskNumber, QList<QByteArray> *argv, QString *error) const;

    static QString shellQuote(const QString &text);
    // One word with its replacement strings filled in and nothing quoted: a file name.
    static QString fill(const QString &pattern, const QString &input, qint64 taskNumber);

private:
    enum class Part { Literal, Input, NoExtension, Basename, Dirname, BasenameNoExtension, Number, PartCount };
    // A replacement string: what it takes (value -1: the whole input, else
    // that value of a sweep's tuple) and how (the modifier, or {#}).
    struct Ref
    {
        Part part = Part::Input;
        int value = -1;
        bool operator==(const Ref &o) const { return part == o.part && value == o.value; }
    };
    struct Piece
    {
        Part part;
        QString literal;
        QByteArray bytes; // the literal as UTF-8
        int value = -1;   // see Ref
    };
    using Word = QList<Piece>;
    static constexpr int UnknownValue = -2;

    // The replacement string at the start of text: its length, or 0. With
    // names (a sweep), {N…} and {name…} too; *ref's value is UnknownValue
    // for a {name} that is not one of them.
    static qsizetype matchPlaceholder(QStringView text, const QStringList &names, Ref *ref);
    static QString shellVariable(Ref ref);
    Word parseWord(const QString &word);
    static QByteArray substitute(Part part, QByteArrayView input, qint64 taskNumber);
    // The value a replacement string stands for: the input, or a value of the tuple.
    static QByteArrayView source(int value, QByteArrayView input, const QList<QByteArray> &values);
    static QByteArray render(const Word &word, QByteArrayView input, const QList<QByteArray> &values, qint64 taskNumber);
    void noteUnknown(QStringView token);
    // The --shell lexer that buildShellScript() runs (commandtemplate.cpp).
    struct ShellLexer;
    void buildShellScript(const QString &script);

    QList<Word> m_words;
    QStringList m_names; // a sweep's parameters; empty otherwise
    bool m_shell = false;
    bool m_hasPlaceholder = false;
    QString m_error;
    // Shell mode: the script sh runs, and the parts passed as $1, $2 … to it.
    QString m_shellScript;
    QList<Ref> m_shellValues;
};
