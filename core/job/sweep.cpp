#include "sweep.h"

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

} // namespace Sweep
