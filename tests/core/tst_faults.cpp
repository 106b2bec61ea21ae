// Fault tolerance policies: halt, stall watchdog, adaptive timeout, worker recycling.

#include "testsupport.h"

#include <QTemporaryDir>
#include <QTimer>

#include <csignal>

using namespace TestSupport;

class TestFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { becomeSubreaper(); }
    void cleanup() { QTRY_VERIFY_WITH_TIMEOUT(liveChildren().isEmpty(), 5000); }

    void haltPolicy_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<double>("percent");
        QTest::addColumn<bool>("terminate");
        QTest::addColumn<QString>("message");
        QTest::newRow("3 failures, drain") << 3 << 0.0 << false << "3 tasks failed";
        QTest::newRow("3 failures, terminate") << 3 << 0.0 << true << "terminating";
        QTest::newRow("40%, drain") << 0 << 40.0 << false << "finished tasks failed";
    }
    void haltPolicy()
    {
        QFETCH(int, count);
        QFETCH(double, percent);
        QFETCH(bool, terminate);
        QFETCH(QString, message);
        JobSpec spec = protocol();
        spec.workers = 2;
        spec.window = 1;
        spec.haltAfterFailures = count;
        spec.haltFailurePercent = percent;
        spec.haltTerminates = terminate;
        QList<QByteArray> tasks;
        for (int i = 0; i < 200; ++i)
            tasks.append(i % 2 ? QByteArray("error") : QByteArray("slow:20"));
        LiveRun run(spec, tasks);
        RUN_TO_END(run, 20000);
        QVERIFY2(run.pool.haltReason().contains(message), qPrintable(run.pool.haltReason()));
        QVERIFY(run.pool.fatalError().isEmpty());
        QVERIFY(run.eachIdOnce(200)); // the rest is recorded as cancelled, nothing vanishes
        QVERIFY(run.count(TaskStatus::Cancelled) > 100);
        if (count)
            QVERIFY(run.count(TaskStatus::Failed) <= count + spec.workers);
    }

    // A long-lived worker that takes 1.5 s to start, with a 1 s timeout: the
    // --worker-startup allowance keeps its first task alive; with {"ready"}
    // the task's clock (and so its duration) starts when start-up is over.
    // Without an allowance the start-up counts, whatever the worker says.
    void slowStartingWorkersGetTheirStartupAllowance_data()
    {
        QTest::addColumn<double>("startupSeconds");
        QTest::addColumn<bool>("saysReady");
        QTest::addColumn<int>("status");
        QTest::newRow("allowance, says ready") << 5.0 << true << int(TaskStatus::Ok);
        QTest::newRow("allowance, silent") << 5.0 << false << int(TaskStatus::Ok);
        QTest::newRow("no allowance") << 0.0 << true << int(TaskStatus::Timeout);
    }
    void slowStartingWorkersGetTheirStartupAllowance()
    {
        QFETCH(double, startupSeconds);
        QFETCH(bool, saysReady);
        QFETCH(int, status);
        QStringList args{QStringLiteral("--start-ms"), QStringLiteral("1500")};
        if (saysReady)
            args << QStringLiteral("--ready");
        JobSpec spec = protocol(args);
        spec.workers = 1;
        spec.timeoutSeconds = 1.0;
        spec.stallSeconds = 1.0;
        spec.startupSeconds = startupSeconds;
        const EndedRun run = runToEnd(spec, ListInput(inputs({"a", "b"})));
        QVERIFY(run.ended);
        QVERIFY(run.eachIdOnce(2));
        const TaskOutcome first = run.byId().value(0);
        QVERIFY2(int(first.status) == status, qPrintable(first.error));
        if (status != int(TaskStatus::Ok))
            return;
        if (saysReady)
            QVERIFY2(first.durationMs < 1000, qPrintable(QString::number(first.durationMs))); // its own time only
        else
            QVERIFY2(first.durationMs >= 1400, qPrintable(QString::number(first.durationMs))); // start-up included
        // The allowance is for the first task of a process: the second has the plain limits (and needs none).
        QCOMPARE(run.byId().value(1).status, TaskStatus::Ok);
    }

    // Long-lived workers that can never answer the task they hold, with no
    // --timeout and no --stall to rescue the run: each must end with one
    // outcome per input instead of waiting forever. `affected` is the task
    // that pays (-1: none); every other task is ok.
    void workerThatCanNeverAnswerDoesNotHangTheRun_data()
    {
        QTest::addColumn<QList<QByteArray>>("tasks");
        QTest::addColumn<int>("window");
        QTest::addColumn<int>("retries");
        QTest::addColumn<int>("affected");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");
        QTest::addColumn<int>("attempts");
        const QList<QByteArray> closesStdout = inputs({"a", "close-stdout", "b", "c"});
        const QString closedStdout = QStringLiteral("the worker closed its standard output while working on this task");
        QTest::newRow("closes stdout") << closesStdout << 1 << 0 << 1 << int(TaskStatus::Crashed) << closedStdout << 1;
        QTest::newRow("closes stdout, retried") << closesStdout << 1 << 1 << 1 << int(TaskStatus::Crashed) << closedStdout << 2;
        QTest::newRow("closes stdout, window 4") << closesStdout << 4 << 0 << 1 << int(TaskStatus::Crashed) << closedStdout << 1;
        // The task behind it was never taken in (the write failed): it goes back, no attempt used.
        QTest::newRow("closes stdin") << inputs({"a", "close-stdin", "b", "c"}) << 1 << 0 << -1 << 0 << QString() << 1;
        // All four lines reached the pipe before it closed: the next one is to blame.
        QTest::newRow("closes stdin, window 4")
            << inputs({"a", "close-stdin", "b", "c"}) << 4 << 0 << 2 << int(TaskStatus::Crashed)
            << QStringLiteral("the worker closed its standard input and never answered this task") << 1;
        const QString notGiven = QStringLiteral("the worker answered task 1001, which it was not given");
        QTest::newRow("answers a task it was not given") << inputs({"a", "wrong-id", "b"}) << 1 << 0 << 1 << int(TaskStatus::Failed) << notGiven << 1;
        QTest::newRow("answers a task it was not given, window 4")
            << inputs({"a", "wrong-id", "b", "c"}) << 4 << 0 << 1 << int(TaskStatus::Failed) << notGiven << 1;
        QTest::newRow("answers a task already answered")
            << inputs({"a", "repeat-id", "b"}) << 1 << 0 << 1 << int(TaskStatus::Failed)
            << QStringLiteral("the worker answered task 0, which it was not given") << 1;
        QTest::newRow("answers without an id")
            << inputs({"a", "no-id", "b"}) << 1 << 0 << 1 << int(TaskStatus::Failed)
            << QStringLiteral("the worker's answer was not valid (missing \"id\")") << 1;
        QTest::newRow("progress for a task it was not given") << inputs({"a", "progress-wrong-id", "b"}) << 1 << 0 << -1 << 0 << QString() << 1;
        QTest::newRow("exits, a grandchild keeps its stdout")
            << inputs({"a", "orphan:{dir}/grandchild.pid", "b"}) << 1 << 0 << 1 << int(TaskStatus::Crashed)
            << QStringLiteral("the worker exited with code 3 while working on this task") << 1;
    }
    void workerThatCanNeverAnswerDoesNotHangTheRun()
    {
        QFETCH(QList<QByteArray>, tasks);
        QFETCH(int, window);
        QFETCH(int, retries);
        QFETCH(int, affected);
        QFETCH(int, status);
        QFETCH(QString, error);
        QFETCH(int, attempts);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        for (QByteArray &task : tasks)
            task.replace("{dir}", QFile::encodeName(dir.path()));
        JobSpec spec = protocol();
        spec.workers = 1;
        spec.window = window;
        spec.retries = retries;
        const EndedRun run = runToEnd(spec, ListInput(tasks), 15000);
        QVERIFY(run.ended);
        QVERIFY(run.fatalError.isEmpty());
        QVERIFY(run.eachIdOnce(tasks.size()));
        const auto byId = run.byId();
        for (qint64 id = 0; id < tasks.size(); ++id) {
            const TaskOutcome &o = byId[id];
            if (id == affected) {
                QVERIFY2(int(o.status) == status, qPrintable(taskStatusName(o.status) + QStringLiteral(": ") + o.error));
                QVERIFY2(o.error.contains(error), qPrintable(o.error));
                QCOMPARE(o.attempts, attempts);
            } else {
                QVERIFY2(o.status == TaskStatus::Ok, qPrintable(QStringLiteral("task %1: %2").arg(id).arg(o.error)));
                QCOMPARE(o.attempts, 1); // tasks that went back to the queue used no attempt
            }
        }
    }

    // An idle worker (no task given: new tasks are held back) closes its
    // stdout: it is replaced, and its successor runs every task.
    void idleWorkerThatClosesStdoutIsRestarted()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        JobSpec spec = protocol({QStringLiteral("--close-stdout-once"), dir.filePath(QStringLiteral("closed"))});
        spec.workers = 1;
        LiveRun run(spec, inputs({"a", "b", "c"}));
        run.pool.holdNewTasks(true);
        run.start();
        QTRY_VERIFY2_WITH_TIMEOUT(!run.log.filter(QStringLiteral("closed its standard output")).isEmpty(), qPrintable(run.log.join('\n')), 10000);
        run.pool.holdNewTasks(false);
        WAIT_FOR_END(run, 15000);
        QVERIFY(run.pool.fatalError().isEmpty());
        QVERIFY(run.eachIdOnce(3));
        QCOMPARE(run.count(TaskStatus::Ok), 3);
    }

    // A worker that stays after its stdin closed (the end of the run, or a
    // recycle after --max-tasks-per-worker) is ended after a few seconds.
    void workerThatDoesNotExitWhenItsInputClosesIsEnded_data()
    {
        QTest::addColumn<int>("maxTasksPerWorker");
        QTest::newRow("retiring") << 0;
        QTest::newRow("recycled") << 2;
    }
    void workerThatDoesNotExitWhenItsInputClosesIsEnded()
    {
        QFETCH(int, maxTasksPerWorker);
        JobSpec spec = protocol({QStringLiteral("--linger")});
        spec.workers = 1;
        spec.maxTasksPerWorker = maxTasksPerWorker;
        const EndedRun run = runToEnd(spec, ListInput(inputs({"a", "b", "c"})), 25000);
        QVERIFY(run.ended);
        QVERIFY(run.fatalError.isEmpty());
        QVERIFY(run.eachIdOnce(3));
        QCOMPARE(run.count(TaskStatus::Ok), 3);
        QVERIFY2(!run.log.filter(QStringLiteral("did not exit")).isEmpty(), qPrintable(run.log.join('\n')));
    }

    // Every answer counts toward --max-tasks-per-worker, a broken one or one
    // for the wrong task too: the worker reaching its limit that way is
    // recycled like any other, instead of sitting there with no room.
    void brokenAnswersCountTowardTheTaskLimit_data()
    {
        QTest::addColumn<QByteArray>("broken");
        QTest::newRow("invalid UTF-8") << QByteArray("utf8-junk");
        QTest::newRow("wrong id") << QByteArray("wrong-id");
    }
    void brokenAnswersCountTowardTheTaskLimit()
    {
        QFETCH(QByteArray, broken);
        JobSpec spec = protocol();
        spec.workers = 1;
        spec.window = 1;
        spec.maxTasksPerWorker = 2;
        const EndedRun run = runToEnd(spec, ListInput({QByteArray("a"), broken, QByteArray("b"), QByteArray("c")}), 15000);
        QVERIFY(run.ended);
        QVERIFY(run.eachIdOnce(4));
        QCOMPARE(run.byId()[1].status, TaskStatus::Failed);
        QCOMPARE(run.count(TaskStatus::Ok), 3);
    }

    void stallWatchdogEndsSilentTasks_data()
    {
        addModeRows();
    }
    void stallWatchdogEndsSilentTasks()
    {
        QFETCH(JobSpec::Mode, mode);
        JobSpec spec = actingOut(mode);
        spec.workers = 1;
        spec.window = 1;
        spec.stallSeconds = 1.0;
        // slow:1500 reports progress every 150 ms: slow but alive, so it must survive
        // (with room for a loaded machine to read its output late).
        LiveRun run(spec, inputs({"slow:1500", "hang", "after"}));
        RUN_TO_END(run, 20000);
        const auto r = run.byId();
        QCOMPARE(r[0].status, TaskStatus::Ok);
        QCOMPARE(r[1].status, TaskStatus::Stalled);
        QVERIFY(r[1].error.contains(QStringLiteral("no output")));
        QCOMPARE(r[2].status, TaskStatus::Ok);
    }

    void stoppedWorkerIsCaughtByTheStallWatchdog()
    {
        JobSpec spec = protocol();
        spec.workers = 2;
        spec.window = 1;
        spec.stallSeconds = 0.6;
        spec.retries = 1;
        QList<QByteArray> tasks(30, QByteArray("slow:100"));
        LiveRun run(spec, tasks);
        bool stopped = false;
        QTimer freezer;
        QObject::connect(&freezer, &QTimer::timeout, &run.pool, [&] {
            const QList<SlotSnapshot> workers = run.pool.slotSnapshots();
            if (!stopped && !workers.isEmpty() && workers.first().pid > 0 && workers.first().taskId >= 0)
                stopped = ::kill(pid_t(workers.first().pid), SIGSTOP) == 0;
        });
        freezer.start(50);
        RUN_TO_END(run, 30000);
        QVERIFY(stopped);
        QVERIFY(run.eachIdOnce(30));
        QCOMPARE(run.count(TaskStatus::Ok), 30); // the frozen task was retried elsewhere
        QCOMPARE(run.pool.stats().retried, 1);
    }

    void adaptiveTimeoutCutsOutliers()
    {
        JobSpec spec = protocol();
        spec.workers = 1;
        spec.window = 1;
        spec.timeoutPercent = 300;
        QList<QByteArray> tasks(8, QByteArray("slow:50"));
        tasks.append("hang");
        tasks.append("slow:50");
        LiveRun run(spec, tasks);
        RUN_TO_END(run, 20000);
        QVERIFY(run.eachIdOnce(10));
        QCOMPARE(run.byId()[8].status, TaskStatus::Timeout);
        QCOMPARE(run.count(TaskStatus::Ok), 9);
        QCOMPARE(run.pool.effectiveTimeoutMs(), 1000); // 300% of ~50 ms, raised to the 1 s floor
    }

    void workersAreRecycledAfterTheirTaskLimit()
    {
        JobSpec spec = protocol();
        spec.workers = 2;
        spec.maxTasksPerWorker = 10;
        LiveRun run(spec, range(100));
        QSet<qint64> pids;
        QTimer watch;
        QObject::connect(&watch, &QTimer::timeout, &run.pool, [&] {
            for (const SlotSnapshot &s : run.pool.slotSnapshots())
                if (s.pid > 0)
                    pids.insert(s.pid);
        });
        watch.start(1);
        RUN_TO_END(run, 30000);
        QVERIFY(run.eachIdOnce(100));
        QCOMPARE(run.count(TaskStatus::Ok), 100);
        QVERIFY2(run.log.filter(QStringLiteral("recycled")).size() >= 8, qPrintable(run.log.join('\n')));
        QVERIFY(pids.size() >= 4);
        QVERIFY(run.pool.fatalError().isEmpty());
    }

    void leakingWorkersAreRecycled()
    {
        JobSpec spec = protocol();
        spec.workers = 1;
        spec.window = 1;
        spec.maxWorkerMemoryMb = 60;
        QList<QByteArray> tasks;
        for (int i = 0; i < 12; ++i)
            tasks.append(i % 2 ? QByteArray("leak:25") : QByteArray("slow:400"));
        LiveRun run(spec, tasks);
        RUN_TO_END(run, 30000);
        QVERIFY(run.eachIdOnce(12));
        QCOMPARE(run.count(TaskStatus::Ok), 12);
        QVERIFY2(!run.log.filter(QStringLiteral("limit 60 MB")).isEmpty(), qPrintable(run.log.join('\n')));
    }
};

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
