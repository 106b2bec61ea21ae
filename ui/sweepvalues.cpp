#include "sweepvalues.h"

#include "json.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace SweepValues {

QByteArrayView value(QByteArrayView input, int index)
{
    qsizetype start = 0;
    for (int i = 0; i < index; ++i) {
        const qsizetype next = input.indexOf(Sweep::Separator, start);
        if (next < 0)
            return {};
        start = next + 1;
    }
    qsizetype end = input.indexOf(Sweep::Separator, start);
    if (end < 0)
        end = input.size();
    return input.sliced(start, end - start);
}

bool toNumber(QByteArrayView value, double *number)
{
    const char *begin = value.data();
    const char *end = begin + value.size();
    while (begin < end && (*begin == ' ' || *begin == '\t'))
        ++begin;
    while (end > begin && (end[-1] == ' ' || end[-1] == '\t'))
        --end;
    if (begin < end && *begin == '+')
        ++begin;
    if (begin == end)
        return false;
    double parsed = 0;
    const auto [stop, error] = std::from_chars(begin, end, parsed);
    if (error != std::errc() || stop != end || !std::isfinite(parsed))
        return false;
    *number = parsed;
    return true;
}

QString text(QByteArrayView value)
{
    return QString::fromUtf8(Json::escapeInvalidUtf8(value));
}

QString label(const QString &name)
{
    bool positional = false;
    name.toInt(&positional);
    return positional ? QLatin1Char('{') + name + QLatin1Char('}') : name;
}

QList<QByteArray> axisOrder(QList<QByteArray> values)
{
    QList<double> numbers;
    numbers.reserve(values.size());
    for (const QByteArray &v : std::as_const(values)) {
        double n;
        if (!toNumber(v, &n))
            return values;
        numbers.append(n);
    }
    QList<int> order(values.size());
    for (int i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return numbers[a] < numbers[b]; });
    QList<QByteArray> sorted;
    sorted.reserve(values.size());
    for (int i : order)
        sorted.append(values[i]);
    return sorted;
}

int compare(QByteArrayView a, QByteArrayView b)
{
    double x, y;
    const bool aNumber = toNumber(a, &x);
    const bool bNumber = toNumber(b, &y);
    if (aNumber && bNumber)
        return x < y ? -1 : (y < x ? 1 : 0);
    if (aNumber != bNumber)
        return aNumber ? -1 : 1;
    return a.compare(b);
}

} // namespace SweepValues
