#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>

#include "sweep.h"

#include <functional>
#include <memory>

struct JobSpec;

// Where task inputs come from. Inputs are pulled one at a time, so a list of
// millions streams through without being held in memory.
class InputSource : public QObject
{
    Q_OBJECT
public:
    enum class Fetch { Item, Wait, End };

    using QObject::QObject;
    // The source a job names (a range, a list, a file opened for reading);
    // null with *error set when it cannot be opened.
    static InputSource *create(const JobSpec &spec, QObject *parent, QString *error);

    // Item: *input is set. Wait: nothing yet, readyRead() follows. End: no more.
    virtual Fetch next(QByteArray *input) = 0;
    // Number of inputs, or -1 while unknown.
    virtual qint64 total() const { return -1; }
    // The run is ending: a source fed by a producer that may never finish (a
    // pipe, a FIFO, a terminal) reads no more, and next() hands out what it
    // has already read, then End; so a cancelled run records every input it
    // took in, and no more. Sources that can be read to their end without
    // waiting (lists, ranges, regular files) carry on to the end. Never blocks.
    virtual void stopReading() {}
    // Non-empty after a read error.
    QString errorString() const { return m_errorString; }

Q_SIGNALS:
    void readyRead();

protected:
    QString m_errorString;
};

// 0 .. count-1, as decimal text.
class RangeInput final : public InputSource
{
    Q_OBJECT
public:
    explicit RangeInput(qint64 count, QObject *parent = nullptr);
    Fetch next(QByteArray *input) override;
    qint64 total() const override { return m_count; }

private:
    qint64 m_count;
    qint64 m_next = 0;
};

// A fixed list held in memory (the desktop app's paste box).
class ListInput final : public InputSource
{
    Q_OBJECT
public:
    explicit ListInput(QList<QByteArray> inputs, QObject *parent = nullptr);
    Fetch next(QByteArray *input) override;
    qint64 total() const override { return m_inputs.size(); }

private:
    QList<QByteArray> m_inputs;
    qsizetype m_next = 0;
};

// A sweep's tuples (sweep.h), in order, made one at a time from the
// parameters' values by index: the product is never held, and its size is
// known at once (progress, ETA). Values from files were read when the
// parameters were made.
class SweepInput final : public InputSource
{
    Q_OBJECT
public:
    explicit SweepInput(const QList<SweepParameter> &parameters, QObject *parent = nullptr);
    Fetch next(QByteArray *input) override;
    qint64 total() const override { return m_tuples.count(); }

private:
    Sweep::Tuples m_tuples;
    qint64 m_next = 0;
};

// Another source minus the inputs a predicate rejects (resume skips what
// already finished). Task ids count the inputs that pass.
class FilteredInput final : public InputSource
{
    Q_OBJECT
public:
    using Keep = std::function<bool(const QByteArray &input)>;
    // expectedSkips lowers the total so progress and ETA stay honest.
    FilteredInput(InputSource *inner, Keep keep, qint64 expectedSkips, QObject *parent = nullptr);
    Fetch next(QByteArray *input) override;
    qint64 total() const override;
    void stopReading() override { m_inner->stopReading(); }
    qint64 skipped() const { return m_skipped; }

private:
    InputSource *m_inner;
    Keep m_keep;
    qint64 m_expectedSkips;
    qint64 m_skipped = 0;
};

// Lines (or NUL-separated records) of a file, or of standard input for "-".
// A background thread reads ahead a bounded amount, so a slow producer on a
// pipe never blocks the event loop and a huge file is never loaded whole.
// Records are handed over in batches while input is plentiful, and as soon as
// they are read when the producer pauses, so `tail -f list | taskpool run`
// starts each task when its line arrives. Opening never blocks, not even on a
// FIFO no writer has opened yet: the reader waits for the writer instead.
class FileInput final : public InputSource
{
    Q_OBJECT
public:
    explicit FileInput(const QString &path, char separator = '\n', QObject *parent = nullptr);
    ~FileInput() override;

    // Opens the file and starts reading. Returns false with errorString() set
    // when the file cannot be opened.
    bool open();
    Fetch next(QByteArray *input) override;
    qint64 total() const override { return m_total; }
    void stopReading() override;

    struct Shared; // state shared with the reader thread

private:
    QString m_path;
    char m_separator;
    qint64 m_total = -1;
    bool m_isRegularFile = false;
    std::shared_ptr<Shared> m_shared;
    QList<QByteArray> m_batch;
    qsizetype m_batchPos = 0;
};
