// Where a headless run's results go: the sink's thread commits each batch to
// the journal, then writes it out; a reader that stops reading makes the sink
// fall behind, and the pool then holds new tasks (but still runs retries).

#include "resultsink.h"
#include "runjournal.h"
#include "testsupport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <csignal>
#include <fcntl.h>
#include <unistd.h>

using namespace TestSupport;

namespace {

TaskOutcome okOutcome(qint64 id, qsizetype outputBytes)
{
    TaskOutcome o;
    o.id = id;
    o.input = QByteArray::number(id);
    o.status = TaskStatus::Ok;
    o.exitCode = 0;
    o.output = QByteArray(outputBytes, 'x');
    o.attempts = 1;
    return o;
}

// A pipe whose read end the test drains when it chooses to.
struct Pipe
{
    int read = -1;
    int write = -1;
    Pipe()
    {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) == 0) {
            read = fds[0];
            write = fds[1];
            ::fcntl(read, F_SETFL, O_NONBLOCK);
        }
    }
    ~Pipe()
    {
        if (read >= 0)
            ::close(read);
    }
    // Everything there is to read right now.
    QByteArray drain()
    {
        QByteArray all;
        char buffer[65536];
        ssize_t n;
        while ((n = ::read(read, buffer, sizeof buffer)) > 0)
            all.append(buffer, n);
        return all;
    }
};

QList<qint64> idsOf(const QByteArray &jsonLines)
{
    QList<qint64> ids;
    for (const QByteArray &line : jsonLines.split('\n'))
        if (!line.isEmpty())
            ids.append(QJsonDocument::fromJson(line).object().value(QStringLiteral("id")).toInteger(-1));
    return ids;
}

} // namespace

class TestResultSink : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { becomeSubreaper(); }
    void cleanup() { QTRY_VERIFY_WITH_TIMEOUT(liveChildren().isEmpty(), 5000); }

    void everyResultReachesJournalAndOutput()
    {
        QTemporaryDir dir;
        RunJournal journal;
        QString error;
        QVERIFY2(journal.open(dir.filePath(QStringLiteral("j.sqlite")), &error), qPrintable(error));
        JobSpec spec;
        spec.command = {QStringLiteral("echo")};
        QVERIFY(journal.beginRun(spec, &error) > 0);
        Pipe pipe;
        QByteArray out;
        const int count = 3 * int(ResultSink::BatchSize) + 17; // whole batches and a remainder
        {
            ResultSink sink(std::make_unique<ResultWriter>(pipe.write, JobSpec::Mode::PerTask, false), &journal);
            TaskOutcome retried = okOutcome(0, 0);
            retried.status = TaskStatus::Crashed;
            sink.recordAttempt(retried);
            for (int i = 0; i < count; ++i) {
                sink.recordResult(okOutcome(i, 10));
                out += pipe.drain();
            }
            sink.finish();
            while (!sink.waitFinished(10))
                out += pipe.drain();
            QVERIFY(sink.journaling());
            QVERIFY(!sink.writeFailed());
            QCOMPARE(sink.heldBytes(), qint64(0));
        }
        ::close(pipe.write);
        out += pipe.drain();
        QList<qint64> ids = idsOf(out);
        QCOMPARE(ids.size(), count);
        std::sort(ids.begin(), ids.end());
        for (int i = 0; i < count; ++i)
            QCOMPARE(ids[i], i);
        QVERIFY(journal.endRun(QStringLiteral("finished"), {}, &error));
        RunInfo info;
        QVERIFY(journal.run(journal.latestRun(), &info, &error));
        QCOMPARE(info.counts.count(TaskStatus::Ok), count);
    }

    void stalledReaderMakesItFallBehindUntilRead()
    {
        Pipe pipe;
        const qint64 behind = 256 * 1024;
        ResultSink sink(std::make_unique<ResultWriter>(pipe.write, JobSpec::Mode::PerTask, false), nullptr, behind);
        // Counted as the caller sees the signal: queued from the sink's thread to
        // a receiver whose end also drops any call still on its way.
        int caughtUp = 0;
        QObject receiver;
        connect(&sink, &ResultSink::caughtUp, &receiver, [&] { ++caughtUp; });
        // The pipe holds 64 KiB; then the sink's thread blocks in write() and
        // what is recorded piles up, up to the limit and no further by itself.
        int recorded = 0;
        while (!sink.isBehind() && recorded < 10000) {
            sink.recordResult(okOutcome(recorded++, 1000));
            sink.ship();
        }
        QVERIFY2(sink.isBehind(), "never fell behind with nobody reading");
        QVERIFY(recorded < 10000);
        QCOMPARE(caughtUp, 0);
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += pipe.drain(), caughtUp > 0), 10000);
        QTRY_VERIFY_WITH_TIMEOUT((out += pipe.drain(), !sink.isBehind()), 10000);
        sink.finish();
        QTRY_VERIFY_WITH_TIMEOUT((out += pipe.drain(), sink.waitFinished(1)), 10000);
        ::close(pipe.write);
        out += pipe.drain();
        QCOMPARE(idsOf(out).size(), recorded);
    }

    void keepOrderQueueCountsAsHeld()
    {
        Pipe pipe;
        const qint64 behind = 64 * 1024;
        ResultSink sink(std::make_unique<ResultWriter>(pipe.write, JobSpec::Mode::PerTask, true), nullptr, behind);
        // Counted as the caller sees the signal: queued from the sink's thread to
        // a receiver whose end also drops any call still on its way.
        int caughtUp = 0;
        QObject receiver;
        connect(&sink, &ResultSink::caughtUp, &receiver, [&] { ++caughtUp; });
        // Task 0 is slow: everything after it waits in order, however fast it is read.
        QByteArray out;
        for (int id = 1; id <= 200; ++id) {
            sink.recordResult(okOutcome(id, 1000));
            sink.ship();
        }
        QTRY_VERIFY_WITH_TIMEOUT((out += pipe.drain(), sink.isBehind()), 10000);
        QVERIFY(out.isEmpty());
        sink.recordResult(okOutcome(0, 10));
        sink.ship();
        QTRY_VERIFY_WITH_TIMEOUT((out += pipe.drain(), caughtUp > 0), 10000);
        sink.finish();
        QTRY_VERIFY_WITH_TIMEOUT((out += pipe.drain(), sink.waitFinished(1)), 10000);
        ::close(pipe.write);
        out += pipe.drain();
        const QList<qint64> ids = idsOf(out);
        QCOMPARE(ids.size(), 201);
        for (int i = 0; i < ids.size(); ++i)
            QCOMPARE(ids[i], i);
    }

    void brokenPipeIsReportedOnce()
    {
        Pipe pipe;
        ::signal(SIGPIPE, SIG_IGN);
        ::close(pipe.read);
        pipe.read = -1;
        ResultSink sink(std::make_unique<ResultWriter>(pipe.write, JobSpec::Mode::PerTask, false), nullptr);
        QList<bool> failed; // brokenPipe of each report
        QObject receiver;
        connect(&sink, &ResultSink::writeError, &receiver, [&](const QString &, bool brokenPipe) { failed.append(brokenPipe); });
        for (int i = 0; i < 3; ++i) {
            sink.recordResult(okOutcome(i, 10));
            sink.ship();
        }
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
        QCOMPARE(failed.at(0), true);
        sink.finish();
        QTRY_VERIFY_WITH_TIMEOUT(sink.waitFinished(1), 10000);
        QCOMPARE(failed.size(), 1);
        QVERIFY(sink.writer().brokenPipe());
        ::close(pipe.write);
    }

    // While held, the pool starts no new task but still runs retries.
    void heldPoolRunsRetriesButNoNewTasks()
    {
        QTemporaryDir dir;
        QList<QByteArray> markers;
        for (int i = 0; i < 5; ++i)
            markers << QFile::encodeName(dir.filePath(QStringLiteral("crashed-%1").arg(i)));
        JobSpec spec;
        spec.mode = JobSpec::Mode::PerTask;
        spec.command = {testWorker(), QStringLiteral("crash-once"), QStringLiteral("{}")};
        spec.workers = 1;
        spec.retries = 1;
        LiveRun run(spec, markers);
        connect(&run.pool, &TaskPool::attemptFailed, &run.pool, [&](const TaskOutcome &o) {
            if (o.id == 0)
                run.pool.holdNewTasks(true);
        });
        run.start();
        QTRY_COMPARE_WITH_TIMEOUT(run.outcomes.size(), 1, 20000);
        QCOMPARE(run.outcomes[0].id, 0);
        QCOMPARE(run.outcomes[0].status, TaskStatus::Ok);
        QCOMPARE(run.outcomes[0].attempts, 2);
        // The slot is free again: had the hold not worked, task 1 would have started at once.
        QCOMPARE(run.pool.stats().running, 0);
        QCOMPARE(run.pool.stats().issued, 1);
        QCOMPARE(run.pool.state(), TaskPool::State::Running);
        run.pool.holdNewTasks(false);
        WAIT_FOR_END(run, 20000);
        QCOMPARE(run.outcomes.size(), 5);
        QCOMPARE(run.count(TaskStatus::Ok), 5);
    }
};

QTEST_GUILESS_MAIN(TestResultSink)
#include "tst_resultsink.moc"
