#include "commandtemplate.h"

#include "sweep.h"


CommandTemplate::CommandTemplate(const QStringList &words, bool shell, const QStringList &parameterNames)
    : m_names(parameterNames)
    , m_shell(shell)
{
    for (const QString &w : words)
        m_words.append(parseWord(w));
    if (m_shell && !words.isEmpty())
        buildShellScript(words.join(QLatin1Char(' ')));
}

qsizetype CommandTemplate::matchPlaceholder(QStringView text, const QStringList &names, Ref *ref)
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
            *ref = {p, -1};
            return token.size();
        }
    }
    if (names.isEmpty())
        return 0;
    // {N…} or {name…}: a key, a modifier, the closing brace.
    qsizetype k = 1;
    while (k < text.size() && (text[k].isLetterOrNumber() || text[k] == QLatin1Char('_')) && text[k].unicode() < 128)
        ++k;
    const QStringView key = text.mid(1, k - 1);
    if (key.isEmpty())
        return 0;
    static const std::pair<QLatin1String, Part> modifiers[] = {
        {QLatin1String("//}"), Part::Dirname},  {QLatin1String("/.}"), Part::BasenameNoExtension},
        {QLatin1String("/}"), Part::Basename},  {QLatin1String(".}"), Part::NoExtension},
        {QLatin1String("}"), Part::Input},
    };
    for (const auto &[modifier, p] : modifiers) {
        if (!text.mid(k).startsWith(modifier))
            continue;
        bool number = false;
        const int n = key.toInt(&number);
        if (key.front().isDigit()) {
            if (!number)
                return 0; // {1a}: not a replacement string
            *ref = {p, n >= 1 && n <= names.size() ? n - 1 : UnknownValue};
        } else {
            const qsizetype index = names.indexOf(key.toString());
            *ref = {p, index >= 0 ? int(index) : UnknownValue};
        }
        return k + modifier.size();
    }
    return 0;
}

void CommandTemplate::noteUnknown(QStringView token)
{
    if (!m_error.isEmpty())
        return;
    if (token.size() > 1 && token[1].isDigit())
        m_error = QStringLiteral("the command uses %1, but the sweep has %2 source(s)").arg(token).arg(m_names.size());
    else
        m_error = QStringLiteral("the command uses %1, but the sweep has no such parameter (it has: %2)")
                      .arg(token, m_names.join(QStringLiteral(", ")));
}

CommandTemplate::Word CommandTemplate::parseWord(const QString &word)
{
    Word pieces;
    QString literal;
    qsizetype i = 0;
    while (i < word.size()) {
        Ref ref;
        const qsizetype length = matchPlaceholder(QStringView(word).mid(i), m_names, &ref);
        if (length > 0) {
            if (ref.value == UnknownValue)
                noteUnknown(QStringView(word).mid(i, length));
            if (!literal.isEmpty())
                pieces.append({Part::Literal, literal, literal.toUtf8()});
            literal.clear();
            pieces.append({ref.part, {}, {}, ref.value});
            m_hasPlaceholder = true;
            i += length;
        } else {
            literal.append(word.at(i++));
        }
    }
    if (!literal.isEmpty() || pieces.isEmpty())
        pieces.append({Part::Literal, literal, literal.toUtf8()});
    return pieces;
}

QString CommandTemplate::shellVariable(Ref ref)
{
    static const char *const names[] = {"", "taskpool_input", "taskpool_noext", "taskpool_basename",
                                        "taskpool_dirname", "taskpool_basename_noext", "taskpool_number"};
    static const char *const valueNames[] = {"", "value", "noext", "basename", "dirname", "basename_noext", "number"};
    static_assert(std::size(names) == size_t(Part::PartCount));
    static_assert(std::size(valueNames) == size_t(Part::PartCount));
    if (ref.value < 0 || ref.part == Part::Number)
        return QLatin1String(names[int(ref.part)]);
    return QStringLiteral("taskpool_p%1_%2").arg(ref.value + 1).arg(QLatin1String(valueNames[int(ref.part)]));
}

// The --shell lexer. It reads the script once, copying it to out, and keeps
// a stack of the quoting contexts it stands in, so that each replacement
// string becomes an expansion of the variable that holds its value, quoted for
// where it stands. It follows the quoting only as far as that needs; if it
// misjudges an exotic construct, the worst outcome is a value split into words
// or printed as text: a value is never code.
struct CommandTemplate::ShellLexer
{
    enum class Context { Unquoted, CommandSubstitution, SingleQuoted, AnsiQuoted, DoubleQuoted, Backquoted,
                         ParameterExpansion, Arithmetic };
    struct Level
    {
        Context context;
        int depth = 0; // open parentheses or braces inside it
    };

    ShellLexer(const QString &text, const QStringList &parameterNames)
        : script(text), names(parameterNames), n(text.size()) {}

    const QString &script;
    const QStringList &names;
    const qsizetype n;
    qsizetype i = 0;
    QList<Level> stack{{Context::Unquoted}};
    bool inHereDocument = false; // after <<: the document's body may or may not expand
    QString out;                 // the rewritten script
    QList<Ref> used;             // the replacement strings met, in order: the values passed
    QString error;               // the first reason the script cannot be used

    void run();
    bool replacePlaceholder();
    static QString whyNotInside(Context context, const QString &token);
    void lexUnquoted();
    void lexDoubleQuoted();
    void lexQuoted(QChar closer, bool escapes);
    void lexArithmetic();
    bool opensSubstitution();
    bool nests(QChar opener, QChar closer);

    QChar at(qsizetype k) const { return k < n ? script.at(k) : QChar(); }
    // Whether position k begins a word: where a # starts a comment.
    bool startsWord(qsizetype k) const { return k == 0 || QStringLiteral(" \t\n;&|()").contains(script.at(k - 1)); }
    void copy(qsizetype count)
    {
        out += script.mid(i, count);
        i += count;
    }
    // A backslash and the character it keeps (none at the end of the script).
    void copyEscaped() { copy(qMin<qsizetype>(2, n - i)); }
    void push(Context context, qsizetype opener)
    {
        stack.append({context});
        copy(opener);
    }
    void pop(qsizetype closer)
    {
        stack.removeLast();
        copy(closer);
    }
    void refuse(const QString &token, const QString &why)
    {
        if (error.isEmpty())
            error = QStringLiteral("the shell command cannot take %1 %2").arg(token, why);
    }
};

// One step per replacement string or character, in the context on top of the
// stack; an open quote or substitution at the end makes the script unusable.
void CommandTemplate::ShellLexer::run()
{
    while (i < n) {
        if (replacePlaceholder())
            continue;
        switch (stack.last().context) {
        case Context::Unquoted:
        case Context::CommandSubstitution:
            lexUnquoted();
            break;
        case Context::SingleQuoted:
            lexQuoted(QLatin1Char('\''), false);
            break;
        case Context::AnsiQuoted:
            lexQuoted(QLatin1Char('\''), true);
            break;
        case Context::DoubleQuoted:
            lexDoubleQuoted();
            break;
        case Context::Backquoted:
            lexQuoted(QLatin1Char('`'), true);
            break;
        case Context::ParameterExpansion:
            if (!nests(QLatin1Char('{'), QLatin1Char('}')))
                copy(1);
            break;
        case Context::Arithmetic:
            lexArithmetic();
            break;
        }
    }
    if (stack.size() > 1 && error.isEmpty())
        error = QStringLiteral("the shell command has an unterminated quote or substitution");
}

// A replacement string at i becomes its variable, quoted so the shell expands
// it to exactly one word of data: closing and reopening '…' around it, for
// instance. Where no quoting is exact, it is refused; {#} is digits, safe as
// text anywhere. Returns false when no replacement string starts at i.
bool CommandTemplate::ShellLexer::replacePlaceholder()
{
    Ref ref;
    const qsizetype length = matchPlaceholder(QStringView(script).mid(i), names, &ref);
    if (length == 0)
        return false;
    const QString token = script.mid(i, length);
    i += length;
    if (ref.value == UnknownValue)
        return true; // parseWord() said why
    if (!used.contains(ref))
        used.append(ref);
    const QString variable = QStringLiteral("${%1}").arg(shellVariable(ref));
    const bool digits = ref.part == Part::Number;
    if (inHereDocument && !digits) {
        refuse(token, QStringLiteral("in a here-document (whether it expands depends on its delimiter); "
                                     "use printf '%s\\n' %1 | … instead").arg(token));
        return true;
    }
    const Context context = stack.last().context;
    switch (context) {
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
    case Context::ParameterExpansion:
    case Context::Arithmetic:
        if (digits)
            out += variable;
        else
            refuse(token, whyNotInside(context, token));
        break;
    }
    return true;
}

// Why a replacement string other than {#} cannot stand in a context that
// reparses or evaluates what it expands, and what to write instead.
QString CommandTemplate::ShellLexer::whyNotInside(Context context, const QString &token)
{
    switch (context) {
    case Context::Backquoted:
        return QStringLiteral("inside `…`; use $(…) instead");
    case Context::ParameterExpansion:
        return QStringLiteral("inside ${…}; assign it first (v=%1) and use ${v…}").arg(token);
    default:
        return QStringLiteral("inside $((…)): the shell would evaluate the input as an expression");
    }
}

// Unquoted text, at the top or inside $(…): quotes and substitutions open
// here, a comment hides the rest of its line, << starts a here-document, and
// inside $(…) parentheses nest until the one that closes it.
void CommandTemplate::ShellLexer::lexUnquoted()
{
    const QChar c = script.at(i);
    if (c == QLatin1Char('\\'))
        copyEscaped();
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
    } else if (stack.last().context != Context::CommandSubstitution || !nests(QLatin1Char('('), QLatin1Char(')'))) {
        copy(1);
    }
}

// "…": a backslash keeps the next character, substitutions open as they do
// unquoted, and the closing quote ends it.
void CommandTemplate::ShellLexer::lexDoubleQuoted()
{
    const QChar c = script.at(i);
    if (c == QLatin1Char('\\'))
        copyEscaped();
    else if (c == QLatin1Char('"'))
        pop(1);
    else if (!opensSubstitution())
        copy(1);
}

// Quotes that end at closer ('…', $'…', `…`); with escapes, a backslash keeps
// the next character, so an escaped closer does not end them.
void CommandTemplate::ShellLexer::lexQuoted(QChar closer, bool escapes)
{
    const QChar c = script.at(i);
    if (escapes && c == QLatin1Char('\\'))
        copyEscaped();
    else if (c == closer)
        pop(1);
    else
        copy(1);
}

// $((…)): parentheses nest, and )) at depth 0 ends it. A stray ) never takes
// the depth below 0, so the closing )) is still found.
void CommandTemplate::ShellLexer::lexArithmetic()
{
    const QChar c = script.at(i);
    Level &level = stack.last();
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
}

// $(( $( ${ and ` open the same way unquoted and in double quotes. Returns
// false, copying nothing, when none starts at i.
bool CommandTemplate::ShellLexer::opensSubstitution()
{
    const QChar c = script.at(i);
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
}

// A construct that nests (parentheses in $(…), braces in ${…}): an opener goes
// one deeper, the closer at depth 0 ends the construct. Returns false, copying
// nothing, when the character at i is neither.
bool CommandTemplate::ShellLexer::nests(QChar opener, QChar closer)
{
    const QChar c = script.at(i);
    Level &level = stack.last();
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
}

// Rewrites the script with ShellLexer; without any replacement string the
// input is appended as one more word, as without a shell.
void CommandTemplate::buildShellScript(const QString &script)
{
    ShellLexer lexer(script, m_names);
    lexer.run();
    if (m_error.isEmpty())
        m_error = lexer.error;
    QString out = lexer.out;
    QList<Ref> used = lexer.used;
    if (!m_hasPlaceholder && m_names.isEmpty()) {
        if (!used.contains(Ref{Part::Input, -1}))
            used.append(Ref{Part::Input, -1});
        out += QLatin1String(" \"${taskpool_input}\"");
    } else if (!m_hasPlaceholder) {
        // A sweep: each value one more word, as without a shell.
        for (int k = 0; k < m_names.size(); ++k) {
            const Ref ref{Part::Input, k};
            used.append(ref);
            out += QStringLiteral(" \"${%1}\"").arg(shellVariable(ref));
        }
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

QByteArrayView CommandTemplate::source(int value, QByteArrayView input, const QList<QByteArray> &values)
{
    return value >= 0 && value < values.size() ? QByteArrayView(values[value]) : input;
}

QByteArray CommandTemplate::render(const Word &word, QByteArrayView input, const QList<QByteArray> &values,
                                   qint64 taskNumber)
{
    if (word.size() == 1 && word.first().part == Part::Literal)
        return word.first().bytes;
    QByteArray out;
    for (const Piece &piece : word) {
        if (piece.part == Part::Literal)
            out += piece.bytes;
        else
            out += substitute(piece.part, source(piece.value, input, values), taskNumber);
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
    // A sweep's input is its tuple: {} stands for the values joined by spaces.
    QList<QByteArray> values;
    QByteArray display;
    if (!m_names.isEmpty()) {
        values = Sweep::splitTuple(input);
        if (values.size() != m_names.size()) {
            *error = QStringLiteral("the task has %1 value(s), the sweep %2 parameter(s)").arg(values.size()).arg(m_names.size());
            return false;
        }
        display = Sweep::displayInput(input);
        input = display;
    } else if (input.contains('\0')) {
        *error = QStringLiteral("the input holds a NUL byte, which cannot be passed as a program argument");
        return false;
    }
    argv->clear();
    if (m_shell) {
        // sh -c SCRIPT sh VALUE...: the values are $1 … for the script's variables.
        *argv = {QByteArrayLiteral("/bin/sh"), QByteArrayLiteral("-c"), m_shellScript.toUtf8(), QByteArrayLiteral("sh")};
        for (Ref ref : m_shellValues)
            argv->append(substitute(ref.part, source(ref.value, input, values), taskNumber));
        return true;
    }
    argv->reserve(m_words.size() + values.size() + 1);
    for (const Word &w : m_words)
        argv->append(render(w, input, values, taskNumber));
    if (!m_hasPlaceholder) {
        if (m_names.isEmpty())
            argv->append(input.toByteArray());
        else
            argv->append(values);
    }
    if (argv->constFirst().isEmpty()) {
        *error = QStringLiteral("the command expands to an empty program name");
        return false;
    }
    return true;
}

QString CommandTemplate::fill(const QString &pattern, const QString &input, qint64 taskNumber)
{
    CommandTemplate word;
    return QString::fromUtf8(render(word.parseWord(pattern), input.toUtf8(), {}, taskNumber));
}

QString CommandTemplate::shellQuote(const QString &text)
{
    QString quoted = text;
    quoted.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}
