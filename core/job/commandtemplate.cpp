#include "commandtemplate.h"

CommandTemplate::CommandTemplate(const QStringList &words, bool shell)
    : m_shell(shell)
{
    for (const QString &w : words)
        m_words.append(parseWord(w, &m_hasPlaceholder));
    if (m_shell && !words.isEmpty())
        buildShellScript(words.join(QLatin1Char(' ')));
}

qsizetype CommandTemplate::matchPlaceholder(QStringView text, Part *part)
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
    if (text.isEmpty() || text.front() != QLatin1Char('{'))
        return 0;
    for (const auto &[token, p] : tokens) {
        if (text.startsWith(token)) {
            *part = p;
            return token.size();
        }
    }
    return 0;
}

CommandTemplate::Word CommandTemplate::parseWord(const QString &word, bool *hasPlaceholder)
{
    Word pieces;
    QString literal;
    qsizetype i = 0;
    while (i < word.size()) {
        Part part;
        const qsizetype length = matchPlaceholder(QStringView(word).mid(i), &part);
        if (length > 0) {
            if (!literal.isEmpty())
                pieces.append({Part::Literal, literal, literal.toUtf8()});
            literal.clear();
            pieces.append({part, {}, {}});
            *hasPlaceholder = true;
            i += length;
        } else {
            literal.append(word.at(i++));
        }
    }
    if (!literal.isEmpty() || pieces.isEmpty())
        pieces.append({Part::Literal, literal, literal.toUtf8()});
    return pieces;
}

QLatin1String CommandTemplate::shellVariable(Part part)
{
    static const char *const names[] = {"", "taskpool_input", "taskpool_noext", "taskpool_basename",
                                        "taskpool_dirname", "taskpool_basename_noext", "taskpool_number"};
    static_assert(std::size(names) == size_t(Part::PartCount));
    return QLatin1String(names[int(part)]);
}

// Rewrites the script so each replacement string becomes an expansion of a
// variable that holds its value, quoted for where it stands. A small lexer
// follows the quoting; if it misjudges an exotic construct, the worst outcome
// is a value split into words or printed as text: a value is never code.
void CommandTemplate::buildShellScript(const QString &script)
{
    enum class Context { Unquoted, CommandSubstitution, SingleQuoted, AnsiQuoted, DoubleQuoted, Backquoted,
                         ParameterExpansion, Arithmetic };
    struct Level
    {
        Context context;
        int depth = 0; // open parentheses or braces inside it
    };
    QList<Level> stack{{Context::Unquoted}};
    bool inHereDocument = false; // after <<: the document's body may or may not expand
    QString out;
    QList<Part> used;
    const qsizetype n = script.size();
    auto at = [&](qsizetype k) { return k < n ? script.at(k) : QChar(); };
    auto startsWord = [&](qsizetype k) {
        return k == 0 || QStringLiteral(" \t\n;&|()").contains(script.at(k - 1));
    };
    auto refuse = [&](const QString &token, const QString &why) {
        if (m_error.isEmpty())
            m_error = QStringLiteral("the shell command cannot take %1 %2").arg(token, why);
    };
    qsizetype i = 0;
    while (i < n) {
        Level &level = stack.last();
        Part part;
        const qsizetype length = matchPlaceholder(QStringView(script).mid(i), &part);
        if (length > 0) {
            const QString token = script.mid(i, length);
            i += length;
            if (!used.contains(part))
                used.append(part);
            const QString variable = QStringLiteral("${%1}").arg(shellVariable(part));
            const bool digits = part == Part::Number; // safe as text anywhere
            if (inHereDocument && !digits) {
                refuse(token, QStringLiteral("in a here-document (whether it expands depends on its delimiter); "
                                             "use printf '%s\\n' %1 | … instead").arg(token));
                continue;
            }
            switch (level.context) {
            case Context::Unquoted:
            case Context::CommandSubstitution:
                out += QLatin1Char('"') + variable + QLatin1Char('"');
                break;
            case Context::DoubleQuoted:
                out += variable;
                break;
            case Context::SingleQuoted: // close the quote, expand, reopen
                out += QLatin1String("'\"") + variable + QLatin1String("\"'");
                break;
            case Context::AnsiQuoted:
                out += QLatin1String("'\"") + variable + QLatin1String("\"$'");
                break;
            case Context::Backquoted:
                if (digits)
                    out += variable;
                else
                    refuse(token, QStringLiteral("inside `…`; use $(…) instead"));
                break;
            case Context::ParameterExpansion:
                if (digits)
                    out += variable;
                else
                    refuse(token, QStringLiteral("inside ${…}; assign it first (v=%1) and use ${v…}").arg(token));
                break;
            case Context::Arithmetic:
                if (digits)
                    out += variable;
                else
                    refuse(token, QStringLiteral("inside $((…)): the shell would evaluate the input as an expression"));
                break;
            }
            continue;
        }
        const QChar c = script.at(i);
        auto copy = [&](qsizetype count) {
            out += script.mid(i, count);
            i += count;
        };
        auto push = [&](Context context, qsizetype opener) {
            stack.append({context});
            copy(opener);
        };
        auto pop = [&](qsizetype closer) {
            stack.removeLast();
            copy(closer);
        };
        // $( $(( ${ and ` open the same way unquoted and in double quotes.
        auto opensSubstitution = [&]() {
            if (c == QLatin1Char('`')) {
                push(Context::Backquoted, 1);
                return true;
            }
            if (c != QLatin1Char('$'))
                return false;
            if (at(i + 1) == QLatin1Char('(') && at(i + 2) == QLatin1Char('('))
                push(Context::Arithmetic, 3);
            else if (at(i + 1) == QLatin1Char('('))
                push(Context::CommandSubstitution, 2);
            else if (at(i + 1) == QLatin1Char('{'))
                push(Context::ParameterExpansion, 2);
            else
                return false;
            return true;
        };
        // A construct that nests (parentheses in $(…), braces in ${…}): an
        // opener goes one deeper, the closer at depth 0 ends the construct.
        auto nests = [&](QChar opener, QChar closer) {
            if (c == opener) {
                ++level.depth;
                copy(1);
            } else if (c != closer) {
                return false;
            } else if (level.depth == 0) {
                pop(1);
            } else {
                --level.depth;
                copy(1);
            }
            return true;
        };
        // Quotes that end at closer; with escapes, a backslash keeps the next character.
        auto quoted = [&](QChar closer, bool escapes) {
            if (escapes && c == QLatin1Char('\\'))
                copy(qMin<qsizetype>(2, n - i));
            else if (c == closer)
                pop(1);
            else
                copy(1);
        };
        switch (level.context) {
        case Context::Unquoted:
        case Context::CommandSubstitution:
            if (c == QLatin1Char('\\'))
                copy(qMin<qsizetype>(2, n - i));
            else if (c == QLatin1Char('\''))
                push(Context::SingleQuoted, 1);
            else if (c == QLatin1Char('"'))
                push(Context::DoubleQuoted, 1);
            else if (c == QLatin1Char('$') && at(i + 1) == QLatin1Char('\''))
                push(Context::AnsiQuoted, 2);
            else if (opensSubstitution())
                ;
            else if (c == QLatin1Char('#') && startsWord(i)) {
                // A comment: nothing in it expands, a replacement string included.
                const qsizetype end = script.indexOf(QLatin1Char('\n'), i);
                copy((end < 0 ? n : end) - i);
            } else if (c == QLatin1Char('<') && at(i + 1) == QLatin1Char('<') && at(i + 2) != QLatin1Char('<')) {
                inHereDocument = true;
                copy(2);
            } else if (level.context != Context::CommandSubstitution || !nests(QLatin1Char('('), QLatin1Char(')'))) {
                copy(1);
            }
            break;
        case Context::SingleQuoted:
            quoted(QLatin1Char('\''), false);
            break;
        case Context::AnsiQuoted:
            quoted(QLatin1Char('\''), true);
            break;
        case Context::DoubleQuoted:
            if (c == QLatin1Char('\\'))
                copy(qMin<qsizetype>(2, n - i));
            else if (c == QLatin1Char('"'))
                pop(1);
            else if (!opensSubstitution())
                copy(1);
            break;
        case Context::Backquoted:
            quoted(QLatin1Char('`'), true);
            break;
        case Context::ParameterExpansion:
            if (!nests(QLatin1Char('{'), QLatin1Char('}')))
                copy(1);
            break;
        case Context::Arithmetic:
            if (c == QLatin1Char('(')) {
                ++level.depth;
                copy(1);
            } else if (c == QLatin1Char(')') && level.depth == 0 && at(i + 1) == QLatin1Char(')')) {
                pop(2);
            } else {
                if (c == QLatin1Char(')'))
                    level.depth = qMax(0, level.depth - 1);
                copy(1);
            }
            break;
        }
    }
    if (stack.size() > 1 && m_error.isEmpty())
        m_error = QStringLiteral("the shell command has an unterminated quote or substitution");
    if (!m_hasPlaceholder) {
        if (!used.contains(Part::Input))
            used.append(Part::Input);
        out += QLatin1String(" \"${taskpool_input}\"");
    }
    // The values arrive as $1, $2 …: copied into variables so a function or a
    // `set --` in the script cannot shadow them, then the parameters are cleared.
    QString prefix;
    for (int k = 0; k < used.size(); ++k)
        prefix += QStringLiteral("%1=$%2 ").arg(shellVariable(used[k])).arg(k + 1);
    m_shellScript = prefix.isEmpty() ? out : prefix.trimmed() + QLatin1String("; set --; ") + out;
    m_shellValues = used;
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

QByteArray CommandTemplate::substitute(Part part, QByteArrayView input, qint64 taskNumber)
{
    // On bytes: '/' and '.' are single bytes in UTF-8 and in any file name.
    auto basename = [](QByteArrayView s) {
        const qsizetype slash = s.lastIndexOf('/');
        return slash < 0 ? s : s.sliced(slash + 1);
    };
    auto withoutExtension = [](QByteArrayView s) {
        const qsizetype dot = s.lastIndexOf('.');
        const qsizetype slash = s.lastIndexOf('/');
        return dot > slash + 1 ? s.first(dot) : s; // ".bashrc" has no extension
    };
    switch (part) {
    case Part::Literal:
        return {};
    case Part::Input:
        return input.toByteArray();
    case Part::NoExtension:
        return withoutExtension(input).toByteArray();
    case Part::Basename:
        return basename(input).toByteArray();
    case Part::Dirname: {
        const qsizetype slash = input.lastIndexOf('/');
        if (slash < 0)
            return QByteArrayLiteral(".");
        return slash == 0 ? QByteArrayLiteral("/") : input.first(slash).toByteArray();
    }
    case Part::BasenameNoExtension:
        return withoutExtension(basename(input)).toByteArray();
    case Part::Number:
        return QByteArray::number(taskNumber);
    case Part::PartCount:
        break;
    }
    return {};
}

QByteArray CommandTemplate::render(const Word &word, QByteArrayView input, qint64 taskNumber)
{
    QByteArray out;
    for (const Piece &piece : word) {
        if (piece.part == Part::Literal)
            out += piece.bytes;
        else
            out += substitute(piece.part, input, taskNumber);
    }
    return out;
}

bool CommandTemplate::expand(QByteArrayView input, qint64 taskNumber, QList<QByteArray> *argv, QString *error) const
{
    if (m_words.isEmpty()) {
        *error = QStringLiteral("no command given");
        return false;
    }
    if (!m_error.isEmpty()) {
        *error = m_error;
        return false;
    }
    if (input.contains('\0')) {
        *error = QStringLiteral("the input holds a NUL byte, which cannot be passed as a program argument");
        return false;
    }
    argv->clear();
    if (m_shell) {
        // sh -c SCRIPT sh VALUE...: the values are $1 … for the script's variables.
        *argv = {QByteArrayLiteral("/bin/sh"), QByteArrayLiteral("-c"), m_shellScript.toUtf8(), QByteArrayLiteral("sh")};
        for (Part part : m_shellValues)
            argv->append(substitute(part, input, taskNumber));
        return true;
    }
    argv->reserve(m_words.size() + 1);
    for (const Word &w : m_words)
        argv->append(render(w, input, taskNumber));
    if (!m_hasPlaceholder)
        argv->append(input.toByteArray());
    if (argv->constFirst().isEmpty()) {
        *error = QStringLiteral("the command expands to an empty program name");
        return false;
    }
    return true;
}

QString CommandTemplate::fill(const QString &pattern, const QString &input, qint64 taskNumber)
{
    bool hasPlaceholder = false;
    return QString::fromUtf8(render(parseWord(pattern, &hasPlaceholder), input.toUtf8(), taskNumber));
}

QString CommandTemplate::shellQuote(const QString &text)
{
    QString quoted = text;
    quoted.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}
