// Slots as Slurm job steps (--host N/srun) on a real one-node cluster
// (munged, slurmctld, slurmd on 127.0.0.1): tasks run there beside a local
// slot, and terminate reaches a step's whole process tree. Skipped, saying
// why, where Slurm is not installed or the suite is not root.

#include "remotefixtures.h"

using namespace TestSupport;

class TestSlurm : public QObject
{
    Q_OBJECT
    SlurmCluster m_slurm;
    QString m_slurmProblem;

private Q_SLOTS:
    void initTestCase()
    {
        becomeSubreaper();
        startSlurm(m_slurm, &m_slurmProblem);
    }
    void cleanupTestCase() { m_slurm.stop(); }
    // No worker or step may outlive a test; the daemons stay.
    void cleanup() { verifyNothingLeftRunning(m_slurm.pids()); }

    void srunHostRunsTasks_data()
    {
        addModeRows();
    }
    void srunHostRunsTasks()
    {
        SKIP_UNLESS_READY(m_slurmProblem);
        QFETCH(JobSpec::Mode, mode);
        JobSpec spec = actingOut(mode);
        spec.hosts = {localHost(1), srunHost(2)};
        QList<QByteArray> items(16, "slow:200");
        items.append("error");
        LiveRun run(spec, items);
        RUN_TO_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(17));
        QCOMPARE(run.count(TaskStatus::Ok), 16);
        QCOMPARE(run.count(TaskStatus::Failed), 1); // the command's own failure, not a lost host
        QCOMPARE(hostsOf(run), (QSet<QString>{QStringLiteral("localhost"), QStringLiteral("srun")}));
        QVERIFY2(run.pool.fatalError().isEmpty(), qPrintable(run.pool.fatalError()));
    }

    void srunTerminateReachesTheStep()
    {
        SKIP_UNLESS_READY(m_slurmProblem);
        QTemporaryDir dir;
        const QString pidFile = dir.filePath(QStringLiteral("grandchild.pid"));
        JobSpec spec = perTask({QStringLiteral("grandchild"), pidFile});
        spec.hosts = {srunHost(1)};
        LiveRun run(spec, range(2));
        run.start();
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(pidFile) && QFile(pidFile).size() > 0, 30000);
        QFile f(pidFile);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const qint64 grandchild = f.readAll().trimmed().toLongLong();
        QVERIFY(isAlive(grandchild));
        run.pool.terminate();
        WAIT_FOR_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(2));
        QCOMPARE(run.count(TaskStatus::Cancelled), 2);
        QTRY_VERIFY_WITH_TIMEOUT(!isAlive(grandchild), 15000);
    }
};

QTEST_GUILESS_MAIN(TestSlurm)
#include "tst_slurm.moc"
