#pragma once

#include "jobspec.h"
#include "task.h"

#include <QByteArray>
#include <QString>

#include <map>

// Writes one JSON object per finished task (JSON Lines) to a file descriptor,
// as tasks finish or, with keepOrder, in input order. Writes are buffered and
// flushed by size and by flush(), so a fast run does not make a syscall per task.
//
// A sweep's results (parameterNames not empty) have "input" as the values
// joined by spaces and "params": {"lr": "0.1", …}; in CSV, one column per
// parameter, named after it, right after input. Other jobs' are unchanged.
class ResultWriter
{
public:
    ResultWriter(int fd, JobSpec::Mode mode, bool keepOrder, const QStringList &parameterNames = {});
    ~ResultWriter();

    // Opens (truncates) a file for writing; returns -1 with *error set on
    // failure. Never blocks: a FIFO that no reader has opened yet returns -1
    // with *noReader set (try again later).
    static int openFile(const QString &path, QString *error, bool *noReader = nullptr);

    void write(const TaskOutcome &outcome);
    bool flush();
    bool finish(); // writes anything still held back for ordering, then flushes
    bool hasError() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    bool brokenPipe() const { return m_brokenPipe; }
    qint64 written() const { return m_written; }
    qint64 heldBytes() const { return m_waitingBytes; } // keepOrder: results waiting for an earlier one

    // parameterNames: a sweep's as Sweep::jsonNames() (JSON), as they are (CSV).
    static void appendJson(QByteArray &out, const TaskOutcome &outcome, JobSpec::Mode mode,
                           const QList<QByteArray> &parameterNames = {});
    static void appendCsvHeader(QByteArray &out, JobSpec::Mode mode, const QStringList &parameterNames = {});
    static void appendCsv(QByteArray &out, const TaskOutcome &outcome, JobSpec::Mode mode,
                          int parameterCount = 0);

private:
    void append(const TaskOutcome &outcome);

    int m_fd;
    JobSpec::Mode m_mode;
    bool m_keepOrder;
    QList<QByteArray> m_parameterNames; // JSON strings
    QByteArray m_buffer;
    std::map<qint64, QByteArray> m_waiting; // keepOrder: finished out of order
    qint64 m_nextId = 0;
    qint64 m_written = 0;
    QString m_error;
    bool m_brokenPipe = false;
    qint64 m_waitingBytes = 0;
};
