#include "sweep.h"

#include "json.h"

#include <QFile>
#include <QRegularExpression>

#include <limits>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace Sweep {

QByteArray joinTuple(const QList<QByteArray> &values)
{
    QByteArray input;
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i > 0)
            input += Separator;
        input += values[i];
    }
    return input;
}

QList<QByteArray> splitTuple(QByteArrayView input)
{
    QList<QByteArray> values;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= input.size(); ++i) {
        if (i == input.size() || input[i] == Separator) {
            values.append(input.sliced(start, i - start).toByteArray());
            start = i + 1;
        }
    }
    return values;
}

QByteArray displayInput(QByteArrayView input)
{
    QByteArray text = input.toByteArray();
    text.replace(Separator, ' ');
    return text;
}

QString nameProblem(const QString &name)
{
    static const QRegularExpression identifier(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    if (!identifier.match(name).hasMatch())
        return QStringLiteral("a parameter name is letters, digits and _, not starting with a digit: \"%1\"").arg(name);
    static const QStringList fields = {
        QStringLiteral("id"),        QStringLiteral("input"),    QStringLiteral("input_base64"),
        QStringLiteral("params"),    QStringLiteral("status"),   QStringLiteral("exit_code"),
        QStringLiteral("output"),    QStringLiteral("output_lossy"), QStringLiteral("result"),
        QStringLiteral("error"),     QStringLiteral("stderr"),   QStringLiteral("truncated"),
        QStringLiteral("attempts"),  QStringLiteral("worker"),   QStringLiteral("host"),
        QStringLiteral("duration_ms")};
    if (fields.contains(name))
        return QStringLiteral("the parameter name \"%1\" is taken by a result field (it would clash in the CSV "
                              "columns); choose another").arg(name);
    return {};
}

namespace {
// A decimal number as an integer scaled by 10^decimals; false when it does not fit.
bool scaled(const QString &text, int decimals, qint64 *value)
{
    QString digits = text;
    const bool negative = digits.startsWith(QLatin1Char('-'));
    if (negative)
        digits.remove(0, 1);
    const qsizetype dot = digits.indexOf(QLatin1Char('.'));
    QString whole = dot < 0 ? digits : digits.left(dot);
    QString fraction = dot < 0 ? QString() : digits.mid(dot + 1);
    fraction = fraction.leftJustified(decimals, QLatin1Char('0'));
    bool ok = false;
    const QString joined = whole + fraction;
    const qint64 v = joined.toLongLong(&ok);
    if (!ok || joined.size() > 17)
        return false;
    *value = negative ? -v : v;
    return true;
}

int decimalsOf(const QString &text)
{
    const qsizetype dot = text.indexOf(QLatin1Char('.'));
    return dot < 0 ? 0 : int(text.size() - dot - 1);
}

QString formatScaled(qint64 value, int decimals)
{
    if (decimals == 0)
        return QString::number(value);
    const bool negative = value < 0;
    qint64 magnitude = negative ? -value : value;
    qint64 unit = 1;
    for (int i = 0; i < decimals; ++i)
        unit *= 10;
    QString text = QStringLiteral("%1.%2").arg(magnitude / unit).arg(magnitude % unit, decimals, 10, QLatin1Char('0'));
    return negative ? QLatin1Char('-') + text : text;
}
} // namespace

bool parseRange(const QString &text, QStringList *values, QString *error)
{
    static const QRegularExpression range(QStringLiteral("^(-?\\d+(?:\\.\\d+)?)\\.\\.(-?\\d+(?:\\.\\d+)?)(?::(.*))?$"));
    error->clear();
    const QRegularExpressionMatch m = range.match(text);
    if (!m.hasMatch())
        return false;
    const QString from = m.captured(1), to = m.captured(2), step = m.hasCaptured(3) ? m.captured(3) : QStringLiteral("1");
    static const QRegularExpression positive(QStringLiteral("^\\d+(?:\\.\\d+)?$"));
    if (!positive.match(step).hasMatch()) {
        *error = QStringLiteral("the range %1 needs a positive step after the colon, such as 1..10:2 or 0..1:0.25")
                     .arg(text);
        return true;
    }
    const int decimals = qMax(decimalsOf(from), qMax(decimalsOf(to), decimalsOf(step)));
    qint64 a = 0, b = 0, s = 0;
    if (decimals > 9 || !scaled(from, decimals, &a) || !scaled(to, decimals, &b) || !scaled(step, decimals, &s)) {
        *error = QStringLiteral("the range %1 has numbers too large or too precise").arg(text);
        return true;
    }
    if (s <= 0) {
        *error = QStringLiteral("the range %1 needs a step greater than 0").arg(text);
        return true;
    }
    const qint64 count = (a <= b ? b - a : a - b) / s + 1;
    if (count > MaxValues) {
        *error = QStringLiteral("the range %1 has %2 values, more than %3").arg(text).arg(count).arg(MaxValues);
        return true;
    }
    const qint64 direction = a <= b ? 1 : -1;
    values->reserve(values->size() + count);
    for (qint64 k = 0; k < count; ++k)
        values->append(formatScaled(a + direction * k * s, decimals));
    return true;
}

bool readValues(const QString &path, bool nullSeparated, QStringList *values, QString *error)
{
    QFile file;
    const bool isStdin = path == QLatin1String("-");
    const bool opened = isStdin ? file.open(STDIN_FILENO, QIODevice::ReadOnly) : (file.setFileName(path), file.open(QIODevice::ReadOnly));
    const QString name = isStdin ? QStringLiteral("standard input") : path;
    if (!opened) {
        *error = QStringLiteral("cannot read %1: %2").arg(name, file.errorString());
        return false;
    }
    const QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        *error = QStringLiteral("cannot read %1: %2").arg(name, file.errorString());
        return false;
    }
    const char separator = nullSeparated ? '\0' : '\n';
    qsizetype start = 0;
    qint64 line = 0;
    while (start < data.size()) {
        qsizetype end = data.indexOf(separator, start);
        if (end < 0)
            end = data.size();
        ++line;
        const QByteArrayView record = QByteArrayView(data).sliced(start, end - start);
        if (!nullSeparated && record.contains('\0')) {
            *error = QStringLiteral("%1, line %2: a value holds a NUL byte, which cannot be passed as an argument")
                         .arg(name).arg(line);
            return false;
        }
        if (values->size() >= MaxValues) {
            *error = QStringLiteral("%1 has more than %2 values").arg(name).arg(MaxValues);
            return false;
        }
        values->append(QString::fromUtf8(record));
        start = end + 1;
    }
    return true;
}

bool parseValues(const QString &text, QStringList *values, QString *error)
{
    if (text.startsWith(QLatin1Char('@')))
        return readValues(text.mid(1), false, values, error);
    for (const QString &item : text.split(QLatin1Char(','))) {
        if (parseRange(item, values, error)) {
            if (!error->isEmpty())
                return false;
            continue;
        }
        if (item.contains(QLatin1String(".."))) {
            static const QRegularExpression numericish(QStringLiteral("^[-0-9.]+\\.\\.[-0-9.]+(:.*)?$"));
            if (numericish.match(item).hasMatch()) {
                *error = QStringLiteral("\"%1\" is not a range: write FROM..TO or FROM..TO:STEP with numbers, "
                                        "such as 1..10:2 or 0..1:0.25").arg(item);
                return false;
            }
        }
        values->append(item);
    }
    return true;
}

bool parseParameter(const QString &text, SweepParameter *parameter, QString *error)
{
    const qsizetype eq = text.indexOf(QLatin1Char('='));
    if (eq <= 0) {
        *error = QStringLiteral("--param needs NAME=VALUES, such as lr=0.1,0.01 or seed=1..5, not \"%1\"").arg(text);
        return false;
    }
    SweepParameter p;
    p.name = text.left(eq);
    p.source = text.mid(eq + 1);
    *error = nameProblem(p.name);
    if (!error->isEmpty())
        return false;
    if (!parseValues(text.mid(eq + 1), &p.values, error)) {
        *error = QStringLiteral("--param %1: %2").arg(p.name, *error);
        return false;
    }
    *parameter = std::move(p);
    return true;
}

QString validate(const QList<SweepParameter> &parameters)
{
    bool positional = false, named = false;
    QStringList seen;
    for (qsizetype i = 0; i < parameters.size(); ++i) {
        const SweepParameter &p = parameters[i];
        if (p.name == QString::number(i + 1)) {
            positional = true;
        } else {
            const QString problem = nameProblem(p.name);
            if (!problem.isEmpty())
                return problem;
            named = true;
        }
        if (seen.contains(p.name))
            return QStringLiteral("the parameter %1 is given twice").arg(p.name);
        seen.append(p.name);
        for (const QString &v : p.values) {
            if (v.contains(QChar(0)))
                return QStringLiteral("a value of parameter %1 holds a NUL byte, which cannot be passed as an argument")
                    .arg(p.name);
        }
    }
    if (positional && named)
        return QStringLiteral("a job takes its sweep from ::: and :::: sources or from --param, not both");
    if (Tuples(parameters).count() < 0)
        return QStringLiteral("the sweep has too many tasks to count");
    return {};
}

qint64 taskCount(const QList<SweepParameter> &parameters)
{
    if (parameters.isEmpty())
        return 0;
    qint64 count = 1;
    qint64 group = -1; // the length of the group being read
    auto multiply = [&count](qint64 length) {
        if (length != 0 && count > std::numeric_limits<qint64>::max() / length)
            return false;
        count *= length;
        return true;
    };
    for (const SweepParameter &p : parameters) {
        if (group >= 0 && p.linked) {
            group = qMin<qint64>(group, p.values.size());
            continue;
        }
        if (group >= 0 && !multiply(group))
            return -1;
        group = p.values.size();
    }
    return multiply(group) ? count : -1;
}

Tuples::Tuples(const QList<SweepParameter> &parameters)
{
    for (qsizetype i = 0; i < parameters.size(); ++i) {
        const SweepParameter &p = parameters[i];
        QList<QByteArray> values;
        values.reserve(p.values.size());
        for (const QString &v : p.values)
            values.append(v.toUtf8());
        m_values.append(std::move(values));
        if (m_groups.isEmpty() || !p.linked)
            m_groups.append({{}, p.values.size()});
        Group &group = m_groups.last();
        group.sources.append(int(i));
        group.length = qMin<qint64>(group.length, p.values.size());
    }
    m_count = m_groups.isEmpty() ? 0 : 1;
    for (const Group &g : m_groups) {
        if (g.length != 0 && m_count > std::numeric_limits<qint64>::max() / g.length) {
            m_count = -1;
            return;
        }
        m_count *= g.length;
    }
}

void Tuples::tupleAt(qint64 index, QByteArray *input) const
{
    // Mixed radix, the last group fastest: digits from the end.
    thread_local QList<qint64> digits;
    digits.resize(m_groups.size());
    for (qsizetype g = m_groups.size() - 1; g >= 0; --g) {
        digits[g] = index % m_groups[g].length;
        index /= m_groups[g].length;
    }
    input->clear();
    bool first = true;
    for (qsizetype g = 0; g < m_groups.size(); ++g) {
        for (int source : m_groups[g].sources) {
            if (!first)
                input->append(Separator);
            first = false;
            input->append(m_values[source][digits[g]]);
        }
    }
}

QList<QByteArray> jsonNames(const QStringList &names)
{
    QList<QByteArray> out;
    for (const QString &name : names) {
        QByteArray quoted;
        Json::appendText(quoted, name);
        out.append(quoted);
    }
    return out;
}

void appendInputAndParams(Json::Writer &out, QByteArrayView input, const QList<QByteArray> &names)
{
    // On the hot path (a task line and a result per task): no allocation but
    // the reused display buffer. NUL is ASCII, so the tuple is valid UTF-8
    // exactly when every value is.
    const bool valid = Json::isValidUtf8(input);
    thread_local QByteArray display;
    display.resize(input.size());
    char *d = display.data();
    for (qsizetype i = 0; i < input.size(); ++i)
        d[i] = input[i] == Separator ? ' ' : input[i];
    out.put("\"input\":");
    if (valid) {
        Json::appendString(out, display);
    } else {
        Json::appendString(out, Json::escapeInvalidUtf8(display));
        out.put(",\"input_base64\":\"");
        out.put(input.toByteArray().toBase64());
        out.put('"');
    }
    out.put(",\"params\":{");
    qsizetype start = 0;
    for (qsizetype i = 0; i < names.size(); ++i) {
        qsizetype end = start <= input.size() ? input.sliced(start).indexOf(Separator) : -1;
        end = end < 0 ? input.size() : start + end;
        const QByteArrayView value = start <= input.size() ? input.sliced(start, end - start) : QByteArrayView();
        start = end + 1;
        if (i > 0)
            out.put(',');
        out.put(names[i]);
        out.put(':');
        if (valid)
            Json::appendString(out, value);
        else
            Json::appendString(out, Json::escapeInvalidUtf8(value));
    }
    out.put('}');
}

} // namespace Sweep
