// JobRun: the rules of a run that `taskpool run` and the app share -- what
// stops a job from starting, which inputs a run takes, what the recorder is
// told and in which order, how the end is named, and the summary line.

#include "jobrun.h"
#include "runjournal.h"
#include "runrecorder.h"
#include "testsupport.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

// Writes down what a run records, in order.
class RecordingRecorder final : public RunRecorder
{
public:
    QStringList calls;
    QList<TaskOutcome> results;
    QString endState;
    QString endMessage;

    void beginRun(const JobSpec &spec) override { calls.append(QStringLiteral("begin:") + spec.command.value(0)); }
    void recordAttempt(const TaskOutcome &) override { calls.append(QStringLiteral("attempt")); }
    void recordResult(const TaskOutcome &outcome) override
    {
        calls.append(QStringLiteral("result"));
        results.append(outcome);
    }
    void endRun(const QString &state, const QString &message) override
    {
        calls.append(QStringLiteral("end:") + state);
        endState = state;
        endMessage = message;
    }
};

JobSpec workerJob(const QStringList &arguments, const QStringList &inputs)
{
    JobSpec spec;
    spec.command = QStringList{TestSupport::testWorker()} + arguments;
    spec.inputKind = JobSpec::InputKind::List;
    spec.inputList = inputs;
    spec.workers = 2;
    return spec;
}

// Runs to the end of the pool; false if it did not end in time.
bool runToEnd(JobRun &run, int timeoutMs = 30000)
{
    QSignalSpy finished(&run, &JobRun::finished);
    run.start();
    return finished.count() == 1 || finished.wait(timeoutMs);
}

} // namespace

class TestJobRun : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void checkNamesWhatStopsAJob_data()
    {
        QTest::addColumn<QStringList>("command");
        QTest::addColumn<QString>("hosts"); // "": local slots only
        QTest::addColumn<QString>("problem");
        QTest::newRow("runnable") << QStringList{TestSupport::testWorker(), QStringLiteral("echo")} << QString() << QString();
        QTest::newRow("not in PATH") << QStringList{QStringLiteral("no-such-program-tp")} << QString()
                                     << QStringLiteral("cannot run \"no-such-program-tp\": no such program in PATH");
        QTest::newRow("no such file") << QStringList{QStringLiteral("/nonexistent/tp-tool")} << QString()
                                      << QStringLiteral("cannot run \"/nonexistent/tp-tool\": no such file");
        QTest::newRow("a directory") << QStringList{QStringLiteral("/usr")} << QString()
                                        << QStringLiteral("cannot run \"/usr\": it is not an executable file");
        // Only the remote host runs it: it may exist there and not here.
        QTest::newRow("remote only") << QStringList{QStringLiteral("no-such-program-tp")} << QStringLiteral("2/ssh:nodeA")
                                     << QString();
        QTest::newRow("no command") << QStringList() << QString() << QStringLiteral("no command given");
    }

    void checkNamesWhatStopsAJob()
    {
        QFETCH(QStringList, command);
        QFETCH(QString, hosts);
        QFETCH(QString, problem);
        JobSpec spec;
        spec.command = command;
        if (!hosts.isEmpty()) {
            HostSpec host;
            QString error;
            QVERIFY2(HostSpec::parse(hosts, &host, &error), qPrintable(error));
            host.launcher = QStringLiteral("%1 {host}").arg(TestSupport::testWorker()); // installed here
            spec.hosts = {host};
        }
        const QString found = JobRun::check(spec);
        if (problem.isEmpty())
            QVERIFY2(found.isEmpty(), qPrintable(found));
        else
            QVERIFY2(found.contains(problem), qPrintable(found));
    }

    void checkNamesAMissingLauncher()
    {
        JobSpec spec;
        spec.command = {QStringLiteral("true")};
        HostSpec host;
        QString error;
        QVERIFY(HostSpec::parse(QStringLiteral("1/ssh:nodeA"), &host, &error));
        host.launcher = QStringLiteral("no-such-ssh-tp {host}");
        spec.hosts = {host};
        QVERIFY2(JobRun::check(spec).contains(QLatin1String("its launcher \"no-such-ssh-tp\" is not installed here")),
                 qPrintable(JobRun::check(spec)));
        QString why;
        QVERIFY(!JobRun::create(spec, RunInputs::all(), nullptr, &why));
        QCOMPARE(why, JobRun::check(spec));
    }

    void recorderHearsBeginResultsEndInOrder()
    {
        RecordingRecorder recorder;
        QString error;
        std::unique_ptr<JobRun> run(JobRun::create(workerJob({QStringLiteral("echo")}, {QStringLiteral("a"), QStringLiteral("b")}),
                                                   RunInputs::all(), &recorder, &error));
        QVERIFY2(run, qPrintable(error));
        QVERIFY(runToEnd(*run));
        QCOMPARE(recorder.calls, (QStringList{QStringLiteral("begin:") + TestSupport::testWorker(), QStringLiteral("result"),
                                              QStringLiteral("result"), QStringLiteral("end:finished")}));
        QCOMPARE(run->end().state, QStringLiteral("finished"));
        QCOMPARE(run->stats().ok, 2);
    }

    void retriedAttemptsAreRecordedBeforeTheResult()
    {
        RecordingRecorder recorder;
        JobSpec spec = workerJob({QStringLiteral("exit"), QStringLiteral("3")}, {QStringLiteral("x")});
        spec.retries = 2;
        QString error;
        std::unique_ptr<JobRun> run(JobRun::create(spec, RunInputs::all(), &recorder, &error));
        QVERIFY2(run, qPrintable(error));
        QVERIFY(runToEnd(*run));
        QCOMPARE(recorder.calls.mid(1), (QStringList{QStringLiteral("attempt"), QStringLiteral("attempt"),
                                                     QStringLiteral("result"), QStringLiteral("end:finished")}));
        QCOMPARE(run->stats().failures(), 1);
        QCOMPARE(run->stats().retried, 2);
    }

    void unfinishedInputsSkipWhatEarlierRunsFinished()
    {
        const JobSpec spec = workerJob({QStringLiteral("echo")}, {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
        const quint64 command = RunJournal::commandHash(RunJournal::commandKey(spec));
        RecordingRecorder recorder;
        QString error;
        std::unique_ptr<JobRun> run(JobRun::create(
            spec, RunInputs::unfinished({RunJournal::taskKey(command, "a"), RunJournal::taskKey(command, "c")}), &recorder, &error));
        QVERIFY2(run, qPrintable(error));
        QVERIFY(runToEnd(*run));
        QCOMPARE(recorder.results.size(), 1);
        QCOMPARE(recorder.results.at(0).input, QByteArray("b"));
    }

    void exactInputsRunByteForByteAndAreRecordedAsAList()
    {
        const QByteArray notUtf8("caf\xe9 \xff", 6);
        RecordingRecorder recorder;
        QString error;
        std::unique_ptr<JobRun> run(JobRun::create(workerJob({QStringLiteral("echo")}, {QStringLiteral("ignored")}),
                                                   RunInputs::exactly({notUtf8, QByteArray("$(touch x); 'q'")}), &recorder,
                                                   &error));
        QVERIFY2(run, qPrintable(error));
        QCOMPARE(run->spec().inputKind, JobSpec::InputKind::List);
        QCOMPARE(run->spec().inputList.size(), 2);
        QVERIFY(runToEnd(*run));
        QCOMPARE(recorder.results.size(), 2);
        QList<QByteArray> inputs{recorder.results.at(0).input, recorder.results.at(1).input};
        QVERIFY(inputs.contains(notUtf8));
        QVERIFY(inputs.contains(QByteArray("$(touch x); 'q'")));
    }

    void endNamesHowTheRunEnded_data()
    {
        QTest::addColumn<QString>("how");
        QTest::addColumn<QString>("state");
        QTest::addColumn<QString>("message");
        QTest::newRow("stop") << QStringLiteral("stop") << QStringLiteral("stopped") << QString();
        QTest::newRow("terminate") << QStringLiteral("terminate") << QStringLiteral("terminated") << QString();
        QTest::newRow("signal") << QStringLiteral("interrupt") << QStringLiteral("terminated") << QString();
        QTest::newRow("reader gone") << QStringLiteral("closed") << QStringLiteral("terminated")
                                     << QStringLiteral("the results output was closed");
        // Found only once the pool had ended: the writer's state, without a message.
        QTest::newRow("reader gone, no message") << QStringLiteral("closed quietly") << QStringLiteral("terminated")
                                                 << QStringLiteral("the results output was closed");
        QTest::newRow("disk full") << QStringLiteral("write") << QStringLiteral("failed")
                                   << QStringLiteral("No space left on device");
        QTest::newRow("signal beats output") << QStringLiteral("interrupt+write") << QStringLiteral("terminated") << QString();
    }

    void endNamesHowTheRunEnded()
    {
        QFETCH(QString, how);
        QFETCH(QString, state);
        QFETCH(QString, message);
        RecordingRecorder recorder;
        QString error;
        // A stop lets the running tasks finish: they must be short then.
        const QString sleepMs = how == QLatin1String("stop") ? QStringLiteral("300") : QStringLiteral("60000");
        JobSpec spec = workerJob({QStringLiteral("sleep"), sleepMs}, {});
        spec.inputKind = JobSpec::InputKind::Range;
        spec.rangeCount = 20;
        spec.killGraceSeconds = 0.2;
        std::unique_ptr<JobRun> run(JobRun::create(spec, RunInputs::all(), &recorder, &error));
        QVERIFY2(run, qPrintable(error));
        QSignalSpy finished(run.get(), &JobRun::finished);
        run->start();
        QTRY_COMPARE_WITH_TIMEOUT(run->stats().running, 2, 20000);
        qint64 startedBeforeTheEnd = 2; // the 60 s tasks in hand
        if (how == QLatin1String("stop")) {
            startedBeforeTheEnd = run->stats().issued; // more than 2 if the test was slow to look
            run->stop();
        } else if (how == QLatin1String("terminate")) {
            run->terminate();
        } else if (how.startsWith(QLatin1String("interrupt"))) {
            run->interrupt();
            if (how.endsWith(QLatin1String("write")))
                run->outputFailed(QStringLiteral("No space left on device"), false);
        } else if (how == QLatin1String("closed")) {
            run->outputFailed(QStringLiteral("broken pipe"), true);
        } else if (how == QLatin1String("closed quietly")) {
            run->outputFailed(QString(), true);
        } else {
            run->outputFailed(QStringLiteral("No space left on device"), false);
        }
        QVERIFY(finished.wait(20000));
        QCOMPARE(recorder.endState, state);
        QVERIFY2(recorder.endMessage.contains(message), qPrintable(recorder.endMessage));
        QCOMPARE(run->stats().cancelled, 20 - run->stats().ok);
        // Nothing starts once the end is asked for; only a stop lets the started finish.
        QVERIFY(startedBeforeTheEnd < 20);
        QCOMPARE(run->stats().ok, how == QLatin1String("stop") ? startedBeforeTheEnd : 0);
    }

    void aHeldEndIsRecordedByTheCaller()
    {
        RecordingRecorder recorder;
        QString error;
        std::unique_ptr<JobRun> run(JobRun::create(workerJob({QStringLiteral("echo")}, {QStringLiteral("a")}),
                                                   RunInputs::all(), &recorder, &error));
        QVERIFY2(run, qPrintable(error));
        run->holdEnd();
        QVERIFY(runToEnd(*run));
        QVERIFY(!recorder.calls.constLast().startsWith(QLatin1String("end:")));
        run->outputFailed(QStringLiteral("No space left on device"), false); // found while the last results went out
        run->recordEnd();
        run->recordEnd(); // once is all the recorder hears
        QCOMPARE(recorder.calls.filter(QStringLiteral("end:")), QStringList{QStringLiteral("end:failed")});
    }

    void abandonedRunIsRecordedAsTerminated()
    {
        RecordingRecorder recorder;
        QString error;
        JobSpec spec = workerJob({QStringLiteral("hang")}, {QStringLiteral("a")});
        spec.killGraceSeconds = 0.2;
        std::unique_ptr<JobRun> run(JobRun::create(spec, RunInputs::all(), &recorder, &error));
        QVERIFY2(run, qPrintable(error));
        run->start();
        QTRY_COMPARE_WITH_TIMEOUT(run->stats().running, 1, 20000);
        run->abandon(QStringLiteral("the window was closed during the run"));
        QCOMPARE(recorder.endState, QStringLiteral("terminated"));
        QCOMPARE(recorder.endMessage, QStringLiteral("the window was closed during the run"));
        run.reset(); // ends the hanging worker's tree
        QCOMPARE(recorder.calls.filter(QStringLiteral("end:")).size(), 1);
    }

    void summaryTextCountsEveryWayATaskEnded()
    {
        PoolStats stats;
        stats.ok = 10;
        stats.failed = 1;
        stats.timedOut = 2;
        stats.cancelled = 3;
        stats.retried = 4;
        QCOMPARE(JobRun::summaryText(stats, 2.0),
                 QStringLiteral("16 tasks in 2.00 s (8.0/s): 10 ok, 1 failed, 2 timed out, 3 cancelled (4 retried)"));
        QCOMPARE(JobRun::summaryText(PoolStats(), 0), QStringLiteral("0 tasks in 0.00 s (0.0/s): 0 ok"));
    }
};

QTEST_GUILESS_MAIN(TestJobRun)
#include "tst_jobrun.moc"
