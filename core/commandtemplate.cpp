#include "commandtemplate.h"

#include "json.h"

CommandTemplate::CommandTemplate(const QStringList &words, bool shell)
    : m_shell(shell)
{
    for (const QString &w : words)
        m_words.append(parseWord(w, &m_hasPlaceholder));
}

CommandTemplate::Word CommandTemplate::parseWord(const QString &word, bool *hasPlaceholder)
{
    // Longest tokens first so "{//}" is not read as "{/}".
    static const std::pair<QLatin1String, Part> tokens[] = {
        {QLatin1String("{//}"), Part::Dirname},
        {QLatin1String("{/.}"), Part::BasenameNoExtension},
        {QLatin1String("{/}"), Part::Basename},
        {QLatin1String("{.}"), Part::NoExtension},
        {QLatin1String("{#}"), Part::Number},
        {QLatin1String("{}"), Part::Input},
    };
    Word pieces;
    QString literal;
    qsizetype i = 0;
    while (i < word.size()) {
        bool matched = false;
        if (word.at(i) == QLatin1Char('{')) {
            for (const auto &[text, part] : tokens) {
                if (QStringView(word).mid(i).startsWith(text)) {
                    if (!literal.isEmpty())
                        pieces.append({Part::Literal, std::exchange(literal, {})});
                    pieces.append({part, {}});
                    *hasPlaceholder = true;
                    i += text.size();
                    matched = true;
                    break;
                }
            }
        }
        if (!matched)
            literal.append(word.at(i++));
    }
    if (!literal.isEmpty() || pieces.isEmpty())
        pieces.append({Part::Literal, literal});
    return pieces;
}

QString CommandTemplate::fixedProgram() const
{
    if (m_shell)
        return QStringLiteral("sh");
    if (m_words.isEmpty())
        return {};
    const Word &first = m_words.first();
    if (first.size() == 1 && first.first().part == Part::Literal)
        return first.first().literal;
    return {};
}

QString CommandTemplate::substitute(Part part, const QString &input, qint64 taskNumber)
{
    auto basename = [](const QString &s) {
        const qsizetype slash = s.lastIndexOf(QLatin1Char('/'));
        return slash < 0 ? s : s.mid(slash + 1);
    };
    auto withoutExtension = [](const QString &s) {
        const qsizetype dot = s.lastIndexOf(QLatin1Char('.'));
        const qsizetype slash = s.lastIndexOf(QLatin1Char('/'));
        return dot > slash + 1 ? s.left(dot) : s; // ".bashrc" has no extension
    };
    switch (part) {
    case Part::Literal:
        return {};
    case Part::Input:
        return input;
    case Part::NoExtension:
        return withoutExtension(input);
    case Part::Basename:
        return basename(input);
    case Part::Dirname: {
        const qsizetype slash = input.lastIndexOf(QLatin1Char('/'));
        if (slash < 0)
            return QStringLiteral(".");
        return slash == 0 ? QStringLiteral("/") : input.left(slash);
    }
    case Part::BasenameNoExtension:
        return withoutExtension(basename(input));
    case Part::Number:
        return QString::number(taskNumber);
    }
    return {};
}

QString CommandTemplate::render(const Word &word, const QString &input, qint64 taskNumber) const
{
    QString out;
    for (const Piece &piece : word) {
        if (piece.part == Part::Literal)
            out += piece.literal;
        else if (m_shell)
            out += shellQuote(substitute(piece.part, input, taskNumber));
        else
            out += substitute(piece.part, input, taskNumber);
    }
    return out;
}

bool CommandTemplate::expand(QByteArrayView input, qint64 taskNumber, QString *program,
                             QStringList *arguments, QString *error) const
{
    if (m_words.isEmpty()) {
        *error = QStringLiteral("no command given");
        return false;
    }
    if (input.contains('\0')) {
        *error = QStringLiteral("the input holds a NUL byte, which cannot be passed as a program argument");
        return false;
    }
    if (!Json::isValidUtf8(input)) {
        *error = QStringLiteral("the input is not valid UTF-8 and cannot be passed exactly as an argument");
        return false;
    }
    const QString text = QString::fromUtf8(input);
    QStringList words;
    words.reserve(m_words.size() + 1);
    for (const Word &w : m_words)
        words.append(render(w, text, taskNumber));
    if (!m_hasPlaceholder)
        words.append(m_shell ? shellQuote(text) : text);

    if (m_shell) {
        *program = QStringLiteral("/bin/sh");
        *arguments = {QStringLiteral("-c"), words.join(QLatin1Char(' '))};
    } else {
        *program = words.takeFirst();
        *arguments = std::move(words);
        if (program->isEmpty()) {
            *error = QStringLiteral("the command expands to an empty program name");
            return false;
        }
    }
    return true;
}

QString CommandTemplate::fill(const QString &pattern, const QString &input, qint64 taskNumber)
{
    bool hasPlaceholder = false;
    QString out;
    for (const Piece &piece : parseWord(pattern, &hasPlaceholder))
        out += piece.part == Part::Literal ? piece.literal : substitute(piece.part, input, taskNumber);
    return out;
}

QString CommandTemplate::shellQuote(const QString &text)
{
    QString quoted = text;
    quoted.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}
