// Starts that respect the machine: --memfree, --load and --delay, against real
// processes. The pool reads memory and load from files the test writes (the
// same reader and the same code path as /proc's), so every figure is the
// test's and the outcome the same on any machine; one test and the CLI's use
// the real /proc/meminfo with a threshold no machine can meet.

#include "machineload.h"
#include "monitorprotocol.h"
#include "testsupport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <csignal>

using namespace TestSupport;

namespace {

constexpr qint64 MiB = 1024 * 1024;

// Replaces the file in one step: the pool never reads half of it.
bool writeAtomically(const QString &path, const QByteArray &content)
{
    const QString temporary = path + QStringLiteral(".new");
    return writeFile(temporary, content) && ::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(path).constData()) == 0;
}

bool writeMemAvailable(const QString &path, qint64 mib)
{
    return writeAtomically(path, QStringLiteral("MemTotal:       16384000 kB\nMemFree:          100000 kB\n"
                                                "MemAvailable:   %1 kB\nBuffers:           20000 kB\n")
                                     .arg(mib * 1024)
                                     .toUtf8());
}

bool writeLoad(const QString &path, const char *oneMinute)
{
    return writeAtomically(path, QByteArray(oneMinute) + " 0.50 0.40 2/345 6789\n");
}

bool logHas(const Run &run, const QString &text)
{
    return std::any_of(run.log.cbegin(), run.log.cend(), [&](const QString &line) { return line.contains(text); });
}

// The files a task that awaits DIR/tN made when it started (testworker's await:).
QStringList startedMarks(const QString &dir)
{
    QStringList marks = QDir(dir).entryList({QStringLiteral("t*.waiting")}, QDir::Files);
    marks.sort();
    return marks;
}

qint64 currentMemAvailable()
{
    qint64 bytes = 0;
    return MachineLoad().memAvailable(&bytes) ? bytes : -1;
}

} // namespace

class TestStartGates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { becomeSubreaper(); }
    void cleanup() { QTRY_VERIFY_WITH_TIMEOUT(liveChildren().isEmpty(), 5000); }

    // ---- the readers and the job file ---------------------------------------

    void sizesParse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("bytes"); // -1: refused
        QTest::newRow("2G") << "2G" << 2 * 1024 * MiB;
        QTest::newRow("500M") << "500M" << 500 * MiB;
        QTest::newRow("500m") << "500m" << 500 * MiB;
        QTest::newRow("1.5g") << "1.5g" << 1536 * MiB;
        QTest::newRow("64k") << "64k" << qint64(64 * 1024);
        QTest::newRow("2GiB") << "2GiB" << 2 * 1024 * MiB;
        QTest::newRow("2GB") << "2GB" << 2 * 1024 * MiB;
        QTest::newRow("1T") << "1T" << 1024 * 1024 * MiB;
        QTest::newRow("bytes") << "1048576" << MiB;
        QTest::newRow("bytes with B") << "12B" << qint64(12);
        QTest::newRow("spaces") << " 3 M " << 3 * MiB;
        QTest::newRow("zero") << "0" << qint64(0);
        QTest::newRow("lots") << "lots" << qint64(-1);
        QTest::newRow("empty") << "" << qint64(-1);
        QTest::newRow("unit only") << "G" << qint64(-1);
        QTest::newRow("negative") << "-1G" << qint64(-1);
        QTest::newRow("unknown unit") << "2X" << qint64(-1);
        QTest::newRow("nan") << "nan" << qint64(-1);
    }
    void sizesParse()
    {
        QFETCH(QString, text);
        QFETCH(qint64, bytes);
        qint64 parsed = -7;
        QCOMPARE(MachineLoad::parseSize(text, &parsed), bytes >= 0);
        if (bytes >= 0)
            QCOMPARE(parsed, bytes);
        else
            QCOMPARE(parsed, qint64(-7));
    }

    void sizesFormat()
    {
        QCOMPARE(MachineLoad::formatSize(2 * 1024 * MiB), QStringLiteral("2 GiB"));
        QCOMPARE(MachineLoad::formatSize(1229 * MiB), QStringLiteral("1.2 GiB"));
        QCOMPARE(MachineLoad::formatSize(500 * MiB), QStringLiteral("500 MiB"));
        QCOMPARE(MachineLoad::formatSize(64 * 1024), QStringLiteral("64 KiB"));
        QCOMPARE(MachineLoad::formatSize(12), QStringLiteral("12 B"));
    }

    void procFilesParse()
    {
        qint64 bytes = 0;
        QVERIFY(MachineLoad::parseMemAvailable("MemTotal: 100 kB\nMemFree: 5 kB\nMemAvailable:    3521436 kB\n", &bytes));
        QCOMPARE(bytes, qint64(3521436) * 1024);
        QVERIFY(MachineLoad::parseMemAvailable("MemAvailable: 7 kB", &bytes)); // no newline at the end
        QCOMPARE(bytes, qint64(7 * 1024));
        QVERIFY(!MachineLoad::parseMemAvailable("MemTotal: 100 kB\nMemFree: 5 kB\n", &bytes)); // a kernel before 3.14
        QVERIFY(!MachineLoad::parseMemAvailable("MemAvailable: kB\n", &bytes));
        double load = 0;
        QVERIFY(MachineLoad::parseLoadAverage("0.52 0.58 0.59 1/389 12345\n", &load));
        QCOMPARE(load, 0.52);
        QVERIFY(MachineLoad::parseLoadAverage("12.00 1 1 1/1 1", &load));
        QCOMPARE(load, 12.0);
        QVERIFY(!MachineLoad::parseLoadAverage("x 1 1", &load));
        QVERIFY(!MachineLoad::parseLoadAverage("", &load));

        // The real files read, and a missing one is not a reading.
        QVERIFY(currentMemAvailable() > 0);
        QVERIFY(MachineLoad().loadAverage(&load));
        QVERIFY(load >= 0);
        QVERIFY(!MachineLoad(QStringLiteral("/no/such/meminfo"), QStringLiteral("/no/such/loadavg")).memAvailable(&bytes));
    }

    void jobFileKeepsTheGates()
    {
        JobSpec spec = perTask({QStringLiteral("echo"), QStringLiteral("{}")});
        spec.memFreeBytes = 3 * 1024 * MiB + 5;
        spec.loadBelow = 2.5;
        spec.startDelaySeconds = 0.75;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("job.json"));
        QString error;
        QVERIFY(spec.save(path, &error));
        JobSpec loaded;
        QVERIFY2(JobSpec::load(path, &loaded, &error), qPrintable(error));
        QCOMPARE(loaded.memFreeBytes, spec.memFreeBytes);
        QCOMPARE(loaded.loadBelow, 2.5);
        QCOMPARE(loaded.startDelaySeconds, 0.75);
        QCOMPARE(loaded.toJson(), spec.toJson());

        // A job file from before the gates: all off.
        QJsonObject old = spec.toJson();
        for (const char *key : {"memfree_bytes", "load_below", "start_delay_s"})
            old.remove(QLatin1String(key));
        QVERIFY(writeFile(path, QJsonDocument(old).toJson()));
        QVERIFY2(JobSpec::load(path, &loaded, &error), qPrintable(error));
        QCOMPARE(loaded.memFreeBytes, qint64(0));
        QCOMPARE(loaded.loadBelow, 0.0);
        QCOMPARE(loaded.startDelaySeconds, 0.0);
        QVERIFY(loaded.validate().isEmpty());

        JobSpec bad = spec;
        bad.memFreeBytes = -1;
        QVERIFY(bad.validate().contains(QStringLiteral("free memory")));
        bad = spec;
        bad.loadBelow = -1;
        QVERIFY(bad.validate().contains(QStringLiteral("load")));
        bad = spec;
        bad.startDelaySeconds = -1;
        QVERIFY(bad.validate().contains(QStringLiteral("delay")));
    }

    // ---- --memfree ---------------------------------------------------------------

    // Three tasks that each hold 20 MB run; then memory falls under half of
    // --memfree: the youngest is ended and requeued, then (after the pause)
    // the next youngest, never the last. Nothing starts while memory is under
    // --memfree; once it is back, the requeued tasks run and finish, each
    // with one attempt and none counted as failed or retried.
    void memfreeRequeuesTheYoungestTask_data() { addModeRows(); }
    void memfreeRequeuesTheYoungestTask()
    {
        QFETCH(JobSpec::Mode, mode);
        QTemporaryDir dir;
        const QString meminfo = dir.filePath(QStringLiteral("meminfo"));
        QVERIFY(writeMemAvailable(meminfo, 4096));
        JobSpec spec = actingOut(mode);
        spec.workers = 3;
        spec.memFreeBytes = 1024 * MiB;
        spec.startDelaySeconds = 0.1; // the tasks start in order: t2 is the youngest
        QList<QByteArray> items;
        for (int i = 0; i < 4; ++i)
            items.append(QStringLiteral("leak:20:await:%1/t%2").arg(dir.path()).arg(i).toUtf8());
        LiveRun run(spec, items);
        run.pool.setMachineLoad(MachineLoad(meminfo, dir.filePath(QStringLiteral("loadavg"))));
        auto release = [&](int task) { QVERIFY(writeFile(dir.filePath(QStringLiteral("t%1").arg(task)), "go")); };
        auto forget = [&](int task) { QVERIFY(QFile::remove(dir.filePath(QStringLiteral("t%1.waiting").arg(task)))); };
        run.start();
        QTRY_COMPARE_WITH_TIMEOUT(startedMarks(dir.path()), QStringList({"t0.waiting", "t1.waiting", "t2.waiting"}), 10000);
        QCOMPARE(run.pool.stats().running, 3);

        QVERIFY(writeMemAvailable(meminfo, 400)); // under half of 1 GiB
        QTRY_VERIFY_WITH_TIMEOUT(logHas(run, QStringLiteral("task 2 to free memory")), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(run.pool.stats().running, 2, 5000);
        // One at a time: the next goes only after a pause (seconds, not this test's few ms).
        QVERIFY(!logHas(run, QStringLiteral("task 1 to free memory")));
        forget(2);
        QTRY_COMPARE_WITH_TIMEOUT(run.pool.waitingReason(), QStringLiteral("waiting for memory: 400 MiB free, needs 1 GiB"), 5000);
        QCOMPARE(run.pool.stats().waiting, run.pool.waitingReason());

        // Still short after the pause: the next youngest goes, and then no more.
        QTRY_VERIFY_WITH_TIMEOUT(logHas(run, QStringLiteral("task 1 to free memory")), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(run.pool.stats().running, 1, 5000);
        forget(1);
        QTRY_VERIFY_WITH_TIMEOUT(logHas(run, QStringLiteral("only one task runs")), 5000);
        QVERIFY(!logHas(run, QStringLiteral("task 0 to free memory")));
        QCOMPARE(run.pool.stats().running, 1);

        // Above half but under --memfree: nothing is ended, nothing starts.
        QVERIFY(writeMemAvailable(meminfo, 800));
        QTRY_COMPARE_WITH_TIMEOUT(run.pool.waitingReason(), QStringLiteral("waiting for memory: 800 MiB free, needs 1 GiB"), 5000);
        QCOMPARE(startedMarks(dir.path()), QStringList({"t0.waiting"}));
        release(0);
        QTRY_COMPARE_WITH_TIMEOUT(run.outcomes.size(), 1, 5000);
        QCOMPARE(run.outcomes.first().id, qint64(0));
        QTRY_COMPARE_WITH_TIMEOUT(run.pool.waitingReason(), QStringLiteral("waiting for memory: 800 MiB free, needs 1 GiB"), 5000);
        QCOMPARE(run.pool.stats().running, 0);
        QCOMPARE(startedMarks(dir.path()), QStringList({"t0.waiting"})); // t1, t2, t3 held back

        // Memory is back: the requeued tasks and the last one run.
        QVERIFY(writeMemAvailable(meminfo, 4096));
        QTRY_COMPARE_WITH_TIMEOUT(startedMarks(dir.path()),
                                  QStringList({"t0.waiting", "t1.waiting", "t2.waiting", "t3.waiting"}), 10000);
        for (int task = 1; task < 4; ++task)
            release(task);
        WAIT_FOR_END(run, 10000);
        QVERIFY(run.eachIdOnce(4));
        QCOMPARE(run.count(TaskStatus::Ok), 4);
        for (const TaskOutcome &o : std::as_const(run.outcomes))
            QCOMPARE(o.attempts, 1); // ended for memory: not an attempt
        const PoolStats stats = run.pool.stats();
        QCOMPARE(stats.retried, qint64(0));
        QCOMPARE(stats.failures(), qint64(0));
        QVERIFY(stats.waiting.isEmpty());
    }

    // The real /proc/meminfo, with a threshold far above what any machine has
    // free: nothing starts, the pool says why in real figures, and stopping
    // it records every task as cancelled.
    void memfreeHoldsStartsOnRealMemory()
    {
        const qint64 available = currentMemAvailable();
        QVERIFY(available > 0);
        JobSpec spec = perTask({QStringLiteral("echo"), QStringLiteral("{}")});
        spec.workers = 2;
        spec.memFreeBytes = available * 64;
        LiveRun run(spec, range(3));
        run.start();
        QTRY_VERIFY_WITH_TIMEOUT(run.pool.waitingReason().startsWith(QStringLiteral("waiting for memory: ")), 5000);
        QVERIFY2(run.pool.waitingReason().endsWith(QStringLiteral(", needs ") + MachineLoad::formatSize(spec.memFreeBytes)),
                 qPrintable(run.pool.waitingReason()));
        QCOMPARE(run.pool.stats().running, 0);
        run.pool.stop();
        WAIT_FOR_END(run, 5000);
        QCOMPARE(run.count(TaskStatus::Cancelled), 3);
        QVERIFY(run.pool.waitingReason().isEmpty());
    }

    // A gate whose figure cannot be read holds nothing back, and says so once.
    void unreadableMemoryHoldsNothing()
    {
        JobSpec spec = perTask({QStringLiteral("echo"), QStringLiteral("{}")});
        spec.workers = 2;
        spec.memFreeBytes = 1024 * MiB;
        LiveRun run(spec, range(4));
        run.pool.setMachineLoad(MachineLoad(QStringLiteral("/no/such/meminfo"), QStringLiteral("/no/such/loadavg")));
        RUN_TO_END(run, 10000);
        QCOMPARE(run.count(TaskStatus::Ok), 4);
        QCOMPARE(std::count_if(run.log.cbegin(), run.log.cend(),
                               [](const QString &l) { return l.contains(QStringLiteral("cannot read the available memory")); }),
                 1);
    }

    // ---- --load -------------------------------------------------------------------

    void loadHoldsStartsUntilItFalls_data() { addModeRows(); }
    void loadHoldsStartsUntilItFalls()
    {
        QFETCH(JobSpec::Mode, mode);
        QTemporaryDir dir;
        const QString loadavg = dir.filePath(QStringLiteral("loadavg"));
        QVERIFY(writeLoad(loadavg, "5.00"));
        JobSpec spec = actingOut(mode);
        spec.workers = 2;
        spec.loadBelow = 2;
        LiveRun run(spec, inputs({"a", "b", "c", "d"}));
        run.pool.setMachineLoad(MachineLoad(dir.filePath(QStringLiteral("meminfo")), loadavg));
        run.start();
        QTRY_COMPARE_WITH_TIMEOUT(run.pool.waitingReason(), QStringLiteral("waiting for load: 5.00, needs below 2"), 5000);
        QCOMPARE(run.pool.stats().running, 0);
        QVERIFY(run.outcomes.isEmpty());
        QVERIFY(writeLoad(loadavg, "2.00")); // not below 2 yet
        QTRY_COMPARE_WITH_TIMEOUT(run.pool.waitingReason(), QStringLiteral("waiting for load: 2.00, needs below 2"), 5000);
        QVERIFY(run.outcomes.isEmpty());
        QVERIFY(writeLoad(loadavg, "1.50"));
        WAIT_FOR_END(run, 10000);
        QCOMPARE(run.count(TaskStatus::Ok), 4);
        QVERIFY(run.pool.waitingReason().isEmpty());
    }

    // ---- --delay -------------------------------------------------------------------

    // Four slots, six quick tasks, 0.25 s apart: every start is at least that
    // long after the one before (a lower bound only: a loaded machine may be later).
    void delaySpacesStarts()
    {
        JobSpec spec = perTask({QStringLiteral("echo"), QStringLiteral("{}")});
        spec.workers = 4;
        spec.startDelaySeconds = 0.25;
        LiveRun run(spec, range(6));
        run.start();
        QTRY_VERIFY_WITH_TIMEOUT(run.pool.waitingReason().startsWith(QStringLiteral("delay: next start in ")), 5000);
        WAIT_FOR_END(run, 20000);
        QCOMPARE(run.count(TaskStatus::Ok), 6);
        QList<qint64> starts;
        for (const TaskOutcome &o : std::as_const(run.outcomes))
            starts.append(o.startedAtMs);
        std::sort(starts.begin(), starts.end());
        // The pool spaces starts on the monotonic clock, a task's start time is
        // wall-clock ms read just after; a busy machine can hold a start up
        // between the two. Without the delay the four slots start together (~0 ms).
        for (qsizetype i = 1; i < starts.size(); ++i)
            QVERIFY2(starts[i] - starts[i - 1] >= 200, qPrintable(QStringLiteral("start %1 came %2 ms after the one before")
                                                                      .arg(i)
                                                                      .arg(starts[i] - starts[i - 1])));
    }

    // ---- what a watcher sees -------------------------------------------------------

    // The state message carries the note only while something waits; one
    // without it (an older run's) reads as nothing waiting.
    void monitorStateCarriesTheWaitingNote()
    {
        MonitorProtocol::LiveState state;
        state.state = TaskPool::State::Running;
        state.stats.waiting = QStringLiteral("waiting for load: 3.10, needs below 2");
        QByteArray line = MonitorProtocol::stateLine(state);
        QCOMPARE(MonitorProtocol::parseState(QJsonDocument::fromJson(line).object()).stats.waiting, state.stats.waiting);
        state.stats.waiting.clear();
        line = MonitorProtocol::stateLine(state);
        QVERIFY(!line.contains("\"waiting\""));
        QVERIFY(MonitorProtocol::parseState(QJsonDocument::fromJson(line).object()).stats.waiting.isEmpty());
    }

    // ---- taskpool run ---------------------------------------------------------------

    void cliChecksTheOptions_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QString>("message");
        QTest::newRow("memfree lots") << QStringList{"--memfree", "lots"} << "--memfree needs a size such as 2G";
        QTest::newRow("memfree negative") << QStringList{"--memfree", "-2G"} << "--memfree needs a size";
        QTest::newRow("load word") << QStringList{"--load", "high"} << "--load needs a load average above 0";
        QTest::newRow("load zero") << QStringList{"--load", "0"} << "--load needs a load average above 0";
        QTest::newRow("delay word") << QStringList{"--delay", "soon"} << "--delay needs a number of seconds";
        QTest::newRow("delay negative") << QStringList{"--delay", "-1"} << "--delay needs a number of seconds";
    }
    void cliChecksTheOptions()
    {
        QFETCH(QStringList, options);
        QFETCH(QString, message);
        QProcess p;
        p.start(QStringLiteral(TASKPOOL_PATH),
                QStringList{"run", "--no-journal", "--no-monitor"} + options + QStringList{"--range", "1", "--", "true"});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 2);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(message), qPrintable(err));
        QVERIFY(p.readAllStandardOutput().isEmpty());
    }

    // The options reach the run: --help has them, --delay spaces the starts,
    // and with --progress the status line says what holds tasks back.
    void cliRunsWithTheGates()
    {
        QProcess help;
        help.start(QStringLiteral(TASKPOOL_PATH), {"run", "--help"});
        QVERIFY(help.waitForFinished(10000));
        const QByteArray helpText = help.readAllStandardOutput();
        for (const char *option : {"--memfree SIZE", "--load N", "--delay SECONDS"})
            QVERIFY2(helpText.contains(option), option);

        QProcess run;
        run.start(QStringLiteral(TASKPOOL_PATH), {"run", "--no-journal", "--no-monitor", "-j", "3", "--delay", "0.2",
                                                  "--load", "100000", "--memfree", "1M", "--range", "3", "--", "true"});
        QVERIFY(run.waitForFinished(20000));
        QCOMPARE(run.exitCode(), 0);
        for (const QByteArray &line : run.readAllStandardOutput().split('\n')) {
            if (line.isEmpty())
                continue;
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            QCOMPARE(o.value(QLatin1String("status")).toString(), QStringLiteral("ok"));
            QCOMPARE(o.value(QLatin1String("attempts")).toInt(), 1);
        }

        const qint64 available = currentMemAvailable();
        QVERIFY(available > 0);
        QProcess held;
        held.start(QStringLiteral(TASKPOOL_PATH),
                   {"run", "--no-journal", "--no-monitor", "--progress", "--memfree",
                    QString::number(available / 1024 * 64) + QStringLiteral("k"), "--range", "2", "--", "true"});
        QVERIFY(held.waitForStarted());
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += held.readAllStandardError()).contains("| waiting for memory: "), 10000);
        held.terminate(); // SIGTERM: ends the run as Ctrl-C does
        QVERIFY(held.waitForFinished(10000));
        QCOMPARE(held.exitCode(), 128 + SIGTERM);
    }
};

QTEST_GUILESS_MAIN(TestStartGates)
#include "tst_startgates.moc"
