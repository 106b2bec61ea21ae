#pragma once

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

// Turns a command line with replacement strings into the argv of one task.
//   {}   the input            {.}  the input without its extension
//   {/}  its basename          {//} its directory       {/.} basename without extension
//   {#}  the task number (1-based)
// Without any replacement string the input is appended as the last argument.
// Arguments go to the program as argv, never through a shell; with shell mode the
// words form an `sh -c` script and every substituted value is single-quoted.
class CommandTemplate
{
public:
    CommandTemplate() = default;
    CommandTemplate(const QStringList &words, bool shell);

    bool isEmpty() const { return m_words.isEmpty(); }
    bool hasPlaceholder() const { return m_hasPlaceholder; }
    // The program when it does not depend on the input, else empty.
    QString fixedProgram() const;

    // Fills program and arguments for one input; returns false (and why) when
    // the input cannot be passed exactly, e.g. it holds a NUL byte.
    bool expand(QByteArrayView input, qint64 taskNumber, QString *program, QStringList *arguments,
                QString *error) const;

    static QString shellQuote(const QString &text);
    // One word with its replacement strings filled in and nothing quoted: a file name.
    static QString fill(const QString &pattern, const QString &input, qint64 taskNumber);

private:
    enum class Part { Literal, Input, NoExtension, Basename, Dirname, BasenameNoExtension, Number };
    struct Piece
    {
        Part part;
        QString literal;
    };
    using Word = QList<Piece>;

    static Word parseWord(const QString &word, bool *hasPlaceholder);
    static QString substitute(Part part, const QString &input, qint64 taskNumber);
    QString render(const Word &word, const QString &input, qint64 taskNumber) const;

    QList<Word> m_words;
    bool m_shell = false;
    bool m_hasPlaceholder = false;
};
