// Slots on other hosts running a pool: inputs and exit statuses arrive
// exactly, hosts that cannot be reached or drop the connection hand their
// tasks to the others, and terminate reaches the process trees over there.
// First through a stand-in launcher (sh -c does what sshd and the login shell
// do with the command string), then through a real sshd on 127.0.0.1.

#include "remotefixtures.h"

#include <QElapsedTimer>

#include <csignal>

using namespace TestSupport;

class TestRemoteHosts : public QObject
{
    Q_OBJECT
    SshServer m_sshd;
    QString m_sshdProblem;

    static JobSpec withHosts(JobSpec spec, const QList<HostSpec> &hosts)
    {
        spec.hosts = hosts;
        return spec;
    }

private Q_SLOTS:
    void initTestCase()
    {
        becomeSubreaper();
        startSshd(m_sshd, &m_sshdProblem);
    }
    void cleanupTestCase() { m_sshd.stop(); }
    // No worker, guard or remote process may outlive a test; sshd itself stays.
    void cleanup() { verifyNothingLeftRunning({m_sshd.pid()}); }

    // ---- through a stand-in launcher (sh -c) -----------------------------------

    void shellHostPassesInputsExactly_data()
    {
        QTest::addColumn<bool>("shell");
        QTest::newRow("argv") << false;
        QTest::newRow("shell") << true;
    }
    void shellHostPassesInputsExactly()
    {
        QFETCH(bool, shell);
        JobSpec spec = withHosts(perTask({QStringLiteral("argv"), QStringLiteral("{}")}), {shellHost(3)});
        spec.shell = shell;
        const QList<QByteArray> hostile = hostileInputs();
        LiveRun run(spec, hostile);
        RUN_TO_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(hostile.size()));
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.status, TaskStatus::Ok);
            QCOMPARE(o.output, hostile[o.id] + QByteArray(1, '\0'));
            QCOMPARE(o.host, QStringLiteral("shell"));
            QVERIFY2(o.errorOutput.isEmpty(), o.errorOutput.constData()); // the guard's lines are taken out
        }
    }

    void shellHostReportsExitStatusesExactly_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<TaskStatus>("status");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("error");
        QTest::newRow("ok") << QStringList{"echo"} << TaskStatus::Ok << 0 << QString();
        QTest::newRow("exit 3") << QStringList{"exit", "3"} << TaskStatus::Failed << 3 << "exited with code 3 on shell";
        // ssh's own failure code: still the command's status, not a lost host.
        QTest::newRow("exit 255") << QStringList{"exit", "255"} << TaskStatus::Failed << 255 << "exited with code 255 on shell";
        QTest::newRow("segfault") << QStringList{"crash"} << TaskStatus::Crashed << -1 << "SIGSEGV";
    }
    void shellHostReportsExitStatusesExactly()
    {
        QFETCH(QStringList, args);
        QFETCH(TaskStatus, status);
        QFETCH(int, exitCode);
        QFETCH(QString, error);
        JobSpec spec = withHosts(perTask(args), {shellHost(2)});
        LiveRun run(spec, range(4));
        RUN_TO_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(4));
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.status, status);
            QCOMPARE(o.exitCode, exitCode);
            QVERIFY2(o.error.contains(error), qPrintable(o.error));
            QCOMPARE(o.attempts, 1);
        }
        QVERIFY(run.pool.fatalError().isEmpty());
    }

    void shellHostKeepsStderrWhole()
    {
        JobSpec spec = withHosts(perTask({QStringLiteral("flood"), QStringLiteral("300000")}), {shellHost(2)});
        LiveRun run(spec, range(3));
        RUN_TO_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(3));
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.status, TaskStatus::Ok);
            QCOMPARE(o.output, QByteArray(300000, 'x'));
            QCOMPARE(o.errorOutput, QByteArray(300000, 'x'));
        }
    }

    void missingDirectoryIsAHostProblem()
    {
        JobSpec spec = withHosts(perTask({QStringLiteral("echo")}), {shellHost(1)});
        spec.workingDirectory = QStringLiteral("/nonexistent/taskpool-test-dir");
        LiveRun run(spec, range(2));
        RUN_TO_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(2));
        QCOMPARE(run.count(TaskStatus::Cancelled), 2);
        QVERIFY2(run.pool.fatalError().contains(QLatin1String("no host can run workers"))
                     && run.pool.fatalError().contains(QLatin1String("cannot enter the directory /nonexistent/taskpool-test-dir"))
                     && run.pool.fatalError().contains(QLatin1String("shared file system")),
                 qPrintable(run.pool.fatalError()));
    }

    void unreachableHostLeavesTheWorkToTheOthers_data()
    {
        addModeRows();
    }
    void unreachableHostLeavesTheWorkToTheOthers()
    {
        QFETCH(JobSpec::Mode, mode);
        JobSpec spec = actingOut(mode);
        spec.hosts = {localHost(2), unreachableHost(3)};
        const QList<QByteArray> items(30, "slow:60");
        LiveRun run(spec, items);
        RUN_TO_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(30));
        QCOMPARE(run.count(TaskStatus::Ok), 30);
        QCOMPARE(hostsOf(run), QSet<QString>{QStringLiteral("localhost")});
        for (const TaskOutcome &o : run.outcomes)
            QCOMPARE(o.attempts, 1); // a host that never came up cost no task an attempt
        QVERIFY2(run.pool.fatalError().isEmpty(), qPrintable(run.pool.fatalError()));
        const QString log = run.log.join('\n');
        QVERIFY2(log.contains(QLatin1String("cannot reach 127.0.0.1")) && log.contains(QLatin1String("Connection refused"))
                     && log.contains(QLatin1String("host 127.0.0.1 is down")),
                 qPrintable(log));
        const QList<HostSnapshot> hosts = run.pool.hostSnapshots();
        QCOMPARE(hosts.size(), 2);
        QCOMPARE(hosts[0].tasksOk, 30);
        // It went down (the log says so); by the end it may be down or being tried again.
        QCOMPARE(hosts[1].tasksOk, 0);
        QVERIFY(hosts[1].failures >= 1);
        QVERIFY2(hosts[1].lastError.contains(QLatin1String("Connection refused")), qPrintable(hosts[1].lastError));
    }

    void allHostsDownEndTheRunClearly_data()
    {
        addModeRows();
    }
    void allHostsDownEndTheRunClearly()
    {
        QFETCH(JobSpec::Mode, mode);
        JobSpec spec = mode == JobSpec::Mode::Worker ? protocol() : perTask({QStringLiteral("echo")});
        spec.hosts = {unreachableHost(2)};
        LiveRun run(spec, range(5));
        QElapsedTimer clock;
        clock.start();
        RUN_TO_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(5));
        QCOMPARE(run.count(TaskStatus::Cancelled), 5);
        QVERIFY2(run.pool.fatalError().contains(QLatin1String("no host can run workers"))
                     && run.pool.fatalError().contains(QLatin1String("Connection refused"))
                     && run.pool.fatalError().contains(QLatin1String("4 tries")),
                 qPrintable(run.pool.fatalError()));
        QVERIFY2(clock.elapsed() < 30000, "bounded: 1 + 2 + 4 s of backoff");
        // A dead host is not a crash loop of the worker program.
        QVERIFY(!run.pool.fatalError().contains(QLatin1String("keeps exiting")));
    }

    // ---- through a real sshd ---------------------------------------------------

    void sshHostTakesItsShare_data()
    {
        addModeRows();
    }
    void sshHostTakesItsShare()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QFETCH(JobSpec::Mode, mode);
        JobSpec spec = actingOut(mode);
        spec.hosts = {localHost(1), m_sshd.host(2)};
        const QList<QByteArray> items(30, "slow:100");
        LiveRun run(spec, items);
        RUN_TO_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(30));
        QCOMPARE(run.count(TaskStatus::Ok), 30);
        QCOMPARE(hostsOf(run), (QSet<QString>{QStringLiteral("localhost"), m_sshd.target()}));
        const QList<HostSnapshot> hosts = run.pool.hostSnapshots();
        QCOMPARE(hosts.size(), 2);
        QCOMPARE(hosts[1].name, m_sshd.target());
        QVERIFY(hosts[1].tasksOk > 0 && !hosts[1].down);
        QCOMPARE(hosts[0].tasksOk + hosts[1].tasksOk, 30);
        QVERIFY2(run.pool.fatalError().isEmpty(), qPrintable(run.pool.fatalError()));
    }

    void hostileInputsOverSsh()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        JobSpec spec = withHosts(perTask({QStringLiteral("argv"), QStringLiteral("{}")}), {m_sshd.host(3)});
        const QList<QByteArray> hostile = hostileInputs();
        LiveRun run(spec, hostile);
        RUN_TO_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(hostile.size()));
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.status, TaskStatus::Ok);
            QCOMPARE(o.output, hostile[o.id] + QByteArray(1, '\0'));
            QCOMPARE(o.host, m_sshd.target());
        }
    }

    // The ssh client dies mid-run (as when the network or the node goes):
    // its tasks run again elsewhere, no task fails or runs twice to the end,
    // and the guard on the far side ends the orphaned remote processes.
    void killedConnectionLosesNothing_data()
    {
        addModeRows();
    }
    void killedConnectionLosesNothing()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QFETCH(JobSpec::Mode, mode);
        JobSpec spec = actingOut(mode);
        spec.hosts = {localHost(1), m_sshd.host(2)};
        const QList<QByteArray> items(24, "slow:400");
        LiveRun run(spec, items);
        run.start();
        // Wait for a remote slot that is running a task on the host, then cut it off.
        qint64 victim = 0;
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     for (const SlotSnapshot &w : run.pool.slotSnapshots()) {
                                         if (w.host == m_sshd.target() && w.taskId >= 0 && w.progress > 0 && w.pid > 0) {
                                             victim = w.pid;
                                             return true;
                                         }
                                     }
                                     return false;
                                 }()),
                                 20000);
        QVERIFY(::kill(pid_t(victim), SIGKILL) == 0);
        WAIT_FOR_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(24));
        QCOMPARE(run.count(TaskStatus::Ok), 24);
        for (const TaskOutcome &o : run.outcomes)
            QCOMPARE(o.attempts, 1); // returned, not failed
        const QString log = run.log.join('\n');
        QVERIFY2(log.contains(QLatin1String("lost the connection to ") + m_sshd.target())
                     && log.contains(QLatin1String("killed by signal 9")),
                 qPrintable(log));
        QVERIFY2(run.pool.fatalError().isEmpty(), qPrintable(run.pool.fatalError()));
        // cleanup() checks that nothing is left running, on either side.
    }

    void terminateReachesRemoteProcessTrees_data()
    {
        addModeRows();
    }
    void terminateReachesRemoteProcessTrees()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QFETCH(JobSpec::Mode, mode);
        QTemporaryDir dir;
        const QString pidFile = dir.filePath(QStringLiteral("grandchild.pid"));
        JobSpec spec = mode == JobSpec::Mode::Worker ? protocol() : perTask({QStringLiteral("grandchild"), pidFile});
        spec.hosts = {m_sshd.host(1)};
        LiveRun run(spec, QList<QByteArray>{mode == JobSpec::Mode::Worker ? ("grandchild:" + pidFile.toUtf8()) : QByteArray("x"), "y"});
        run.start();
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(pidFile) && QFile(pidFile).size() > 0, 20000);
        QFile f(pidFile);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const qint64 grandchild = f.readAll().trimmed().toLongLong();
        QVERIFY(isAlive(grandchild)); // ignores SIGTERM, in the remote command's session
        run.pool.terminate();
        WAIT_FOR_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(2));
        QCOMPARE(run.count(TaskStatus::Cancelled), 2);
        QTRY_VERIFY_WITH_TIMEOUT(!isAlive(grandchild), 10000); // SIGKILL from the guard after the grace
    }
};

QTEST_GUILESS_MAIN(TestRemoteHosts)
#include "tst_remotehosts.moc"
