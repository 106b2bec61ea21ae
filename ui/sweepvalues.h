#pragma once

#include "sweep.h"

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

// Reading a sweep task's values where they are stored: the input is the
// tuple joined by NUL (sweep.h), so the results table splits it on demand
// instead of keeping the values of every row.
namespace SweepValues {

// Value `index` of a sweep input (the whole input is value 0 of any other
// input); empty when the tuple has fewer values.
QByteArrayView value(QByteArrayView input, int index);
// The value as a number when the whole of it is one ("0.01", "1e-3", " 64").
bool toNumber(QByteArrayView value, double *number);
// A value as a person reads it: UTF-8, other bytes as \xHH.
QString text(QByteArrayView value);
// A parameter as a column header or an axis title: a named one by its name,
// a positional source (::: …) as {1}, {2}, as the command names it.
QString label(const QString &name);
// Orders a parameter's values for an axis: by number when all are numbers,
// else as given.
QList<QByteArray> axisOrder(QList<QByteArray> values);
// Numbers before text, numbers by value, text by bytes: <0, 0, >0.
int compare(QByteArrayView a, QByteArrayView b);

} // namespace SweepValues
