#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

namespace Json {
class Writer;
}

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
//
// Order, as GNU parallel's: the first source varies slowest. A source linked
// to the one before it (:::+, ::::+, --zip) forms a group with it: the group
// advances its sources together and ends with its shortest source (as
// parallel's :::+ does). Groups are crossed.
struct SweepParameter
{
    QString name;         // "lr"; a positional source (::: …) is named by its number: "1", "2", …
    QStringList values;   // the values, in order
    bool linked = false;  // zipped with the parameter before it (:::+, --zip) instead of crossed
    // The values as the user typed them (--param lr=1..10:2 keeps "1..10:2",
    // "@list.txt"), shown again when the job is opened; empty when not known.
    // Only values are run: the source is not read again.
    QString source = {};

    // The sweep itself: the source text does not change what runs.
    bool operator==(const SweepParameter &o) const
    {
        return name == o.name && values == o.values && linked == o.linked;
    }
};

namespace Sweep {
constexpr char Separator = '\0';
// More values than this in one parameter is refused (they are held in memory).
constexpr qsizetype MaxValues = 10'000'000;

// The input of the task with these values.
QByteArray joinTuple(const QList<QByteArray> &values);
// The values of a sweep task's input (one value for any other input).
QList<QByteArray> splitTuple(QByteArrayView input);
// The input as a person reads it and {} stands for it: the values joined by
// spaces (any other input as it is).
QByteArray displayInput(QByteArrayView input);

// A parameter name: letters, digits and _, not starting with a digit, and not
// the name of a result field (id, input, status …: they would clash in CSV).
// Empty when valid, else why not.
QString nameProblem(const QString &name);
// The values of --param NAME=VALUES: a comma-separated list whose items are
// values or numeric ranges FROM..TO[:STEP] (integers or decimals, descending
// when FROM > TO, formatted as seq does), or @FILE: one value per line.
bool parseValues(const QString &text, QStringList *values, QString *error);
// FROM..TO[:STEP]: false when text is not a range (*error empty) or a bad one (*error set).
bool parseRange(const QString &text, QStringList *values, QString *error);
// The values of a file, one per record ('\n', or '\0' with nullSeparated;
// "-" is standard input), read now. A line holding a NUL byte or a file that
// cannot be read is an error.
bool readValues(const QString &path, bool nullSeparated, QStringList *values, QString *error);
// --param NAME=VALUES.
bool parseParameter(const QString &text, SweepParameter *parameter, QString *error);

// The number of tasks (tuples) of these parameters, from their lengths alone;
// -1 when it overflows qint64.
qint64 taskCount(const QList<SweepParameter> &parameters);

// Empty when the parameters make a sweep, else why not (names, NULs, mixing
// positional and named sources, too many tasks).
QString validate(const QList<SweepParameter> &parameters);

// The tuples of a sweep, by index, without materialising the product: the
// sources' values are held (as UTF-8), the tuples are made on demand.
class Tuples
{
public:
    Tuples() = default;
    explicit Tuples(const QList<SweepParameter> &parameters);
    // The number of tuples; -1 when it overflows qint64.
    qint64 count() const { return m_count; }
    // The input (joined tuple) of tuple index, 0 <= index < count().
    void tupleAt(qint64 index, QByteArray *input) const;

private:
    struct Group
    {
        QList<int> sources; // indexes into m_values, linked together
        qint64 length = 0;  // the shortest source's
    };
    QList<QList<QByteArray>> m_values;
    QList<Group> m_groups; // first group slowest
    qint64 m_count = 0;
};

// The members "input":"a b" (displayInput; "input_base64" with the tuple's
// exact bytes, values separated by NUL, when a value is not UTF-8) and
// "params":{"name":"value",…} of a sweep task, pairing names with the
// tuple's values (a missing value is ""). Names are written as JSON strings
// already escaped (jsonNames()).
void appendInputAndParams(Json::Writer &out, QByteArrayView input, const QList<QByteArray> &jsonNames);
// The names as JSON strings, quoted: "\"lr\"".
QList<QByteArray> jsonNames(const QStringList &names);
} // namespace Sweep
