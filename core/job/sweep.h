#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

// A parameter sweep: a job whose tasks are made from several sources of
// values, crossed (every combination) or linked (zipped), like GNU parallel's
// ::: and :::: sources, or from named parameters (--param lr=0.1,0.01).
//
// A sweep task's input is its tuple of values, one per parameter, joined by
// NUL bytes (no value can hold one: values become argv words). So the journal,
// resume, the monitor and the results table carry a tuple wherever they carry
// an input, and a task is keyed by its command and its whole tuple. What a
// person reads (the results' "input", {} in a command) is the values joined
// by spaces: displayInput().
struct SweepParameter
{
    QString name;         // "lr"; a positional source (::: …) is named by its number: "1", "2", …
    QStringList values;   // the values, in order
    bool linked = false;  // zipped with the parameter before it (:::+, --zip) instead of crossed
};

namespace Sweep {
constexpr char Separator = '\0';

// The input of the task with these values.
QByteArray joinTuple(const QList<QByteArray> &values);
// The values of a sweep task's input (one value for any other input).
QList<QByteArray> splitTuple(QByteArrayView input);
// The input as a person reads it and {} stands for it: the values joined by
// spaces (any other input as it is).
QByteArray displayInput(QByteArrayView input);
} // namespace Sweep
