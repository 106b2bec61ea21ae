// How fast and in how much memory `taskpool export --job` (and the Runs tab's
// "Show job results") reads a job back: RunJournal::forEachJobResult against
// forEachResult of one run of the same size. Prints figures; asserts nothing.
//   build/tests/bench/bench_job_results [TASKS]     (default 1000000)
// Two journals: a killed run resumed and its failures retried (the usual
// chain), and the whole job run twice (every task has two records).

#include "runjournal.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <cstdio>

namespace {

// Peak resident memory since the last resetPeak(), in MB (Linux VmHWM).
double peakMb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return -1;
}

void resetPeak()
{
    QFile clear(QStringLiteral("/proc/self/clear_refs"));
    if (clear.open(QIODevice::WriteOnly))
        clear.write("5");
}

// Records one run: tasks [from, to) of the job's inputs, numbered from 0 as a
// run does; every failEvery-th one fails (0: none).
qint64 recordRun(RunJournal &journal, const JobSpec &spec, const QList<qint64> &inputs, qint64 failEvery)
{
    QString error;
    const qint64 run = journal.beginRun(spec, &error);
    TaskOutcome o;
    o.attempts = 1;
    o.worker = 0;
    o.durationMs = 3;
    o.startedAtMs = 1764000000000;
    qint64 id = 0;
    for (qint64 input : inputs) {
        o.id = id++;
        o.input = QByteArray::number(input);
        o.result = o.input;
        o.status = failEvery > 0 && input % failEvery == 0 ? TaskStatus::Failed : TaskStatus::Ok;
        journal.recordResult(o);
        if (id % 4096 == 0 && !journal.commit(&error))
            std::fprintf(stderr, "journal: %s\n", qPrintable(error));
    }
    journal.endRun(QStringLiteral("finished"), {}, &error);
    return run;
}

void measure(RunJournal &journal, const char *what, qint64 run, bool job)
{
    QString error;
    resetPeak();
    QElapsedTimer timer;
    timer.start();
    qint64 records = 0;
    qint64 bytes = 0;
    auto count = [&](const TaskOutcome &o) {
        ++records;
        bytes += o.input.size();
    };
    const bool ok = job ? journal.forEachJobResult(run, [&](const TaskOutcome &o, qint64) { count(o); }, &error)
                        : journal.forEachResult(run, count, &error);
    const double ms = double(timer.nsecsElapsed()) / 1e6;
    if (!ok)
        std::fprintf(stderr, "%s: %s\n", what, qPrintable(error));
    std::printf("%-44s %10lld %10.0f %10.2f %10.1f\n", what, qlonglong(records), ms, records ? ms * 1000.0 / records : 0.0,
                peakMb());
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const qint64 tasks = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1000000;
    QTemporaryDir dir;
    JobSpec spec;
    spec.mode = JobSpec::Mode::Worker;
    spec.command = QStringList{QStringLiteral("/usr/bin/worker")};
    std::printf("%-44s %10s %10s %10s %10s\n", "read", "records", "ms", "us/record", "peak MB");

    {
        // Killed at 60 %, resumed, then the 1 % that failed retried.
        RunJournal journal;
        QString error;
        if (!journal.open(dir.filePath(QStringLiteral("chain.sqlite")), &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        QList<qint64> first, rest, failed;
        for (qint64 i = 0; i < tasks; ++i) {
            (i < tasks * 6 / 10 ? first : rest).append(i);
            if (i % 100 == 0)
                failed.append(i);
        }
        const qint64 killed = recordRun(journal, spec, first, 100);
        recordRun(journal, spec, rest, 100);
        recordRun(journal, spec, failed, 0);
        measure(journal, "chain: export --job (3 runs)", killed, true);
    }
    {
        RunJournal journal;
        QString error;
        if (!journal.open(dir.filePath(QStringLiteral("twice.sqlite")), &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        QList<qint64> all;
        for (qint64 i = 0; i < tasks; ++i)
            all.append(i);
        const qint64 one = recordRun(journal, spec, all, 0);
        recordRun(journal, spec, all, 0);
        measure(journal, "twice: export --run (1 run, for scale)", one, false);
        measure(journal, "twice: export --job (2 records per task)", one, true);
    }
    return 0;
}
