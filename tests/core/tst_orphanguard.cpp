// OrphanGuard: the process that ends a run's process trees if taskpool dies.
// Closing the guard's socket is what it sees when taskpool is killed.

#include "orphanguard.h"
#include "processtree.h"
#include "testsupport.h"

#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>

#include <csignal>
#include <unistd.h>

using namespace TestSupport;

namespace {
// What `testworker tree PIDFILE` wrote: its own pid and its child's.
QList<qint64> treePids(const QString &pidFile)
{
    QList<qint64> pids;
    QFile f(pidFile);
    if (f.open(QIODevice::ReadOnly)) {
        for (const QByteArray &pid : f.readAll().simplified().split(' '))
            pids.append(pid.toLongLong());
    }
    return pids;
}

// The process will ask the guard to watch its group, as the pool's do.
void watchedBy(QProcess *process, const OrphanGuard &guard)
{
    ProcessTree::ChildSetup setup;
    setup.guard = &guard;
    ProcessTree::prepare(process, setup);
}

// The name the kernel shows for the process (what prctl(PR_SET_NAME) set).
QByteArray processName(qint64 pid)
{
    QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
    return comm.open(QIODevice::ReadOnly) ? comm.readAll().trimmed() : QByteArray();
}

// "FD -> TARGET" for every descriptor the process holds.
QStringList openDescriptors(qint64 pid)
{
    QStringList list;
    const QString dir = QStringLiteral("/proc/%1/fd").arg(pid);
    const QStringList fds = QDir(dir).entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot);
    for (const QString &fd : fds) {
        char target[256];
        const ssize_t n = ::readlink(QFile::encodeName(dir + QLatin1Char('/') + fd).constData(), target, sizeof target - 1);
        list.append(fd + QStringLiteral(" -> ") + QString::fromLocal8Bit(target, n > 0 ? int(n) : 0));
    }
    std::sort(list.begin(), list.end());
    return list;
}
} // namespace

class TestOrphanGuard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { becomeSubreaper(); }
    void cleanup() { QTRY_VERIFY_WITH_TIMEOUT(liveChildren().isEmpty(), 5000); }

    // A session of its own and nothing open but its socket: a kill of our
    // process group or a hangup does not reach it, and no reader of our
    // output, journal or input waits on it.
    void holdsNothingOfOurs()
    {
        OrphanGuard guard(300);
        QString error;
        QVERIFY2(guard.start(&error), qPrintable(error));
        QVERIFY(isAlive(guard.pid()));
        QVERIFY(::getsid(pid_t(guard.pid())) != ::getsid(0));
        QVERIFY(::getpgid(pid_t(guard.pid())) != ::getpgrp());
        // It closes what it inherited before it execs a copy of this binary, but
        // while that starts the loader holds each library open for a moment, so
        // the count flickers between 4 and 5. Once it has named itself it is in
        // its loop, and what it holds then it holds for good.
        QTRY_COMPARE_WITH_TIMEOUT(processName(guard.pid()), QByteArray("taskpool-guard"), 30000);
        const QStringList fds = openDescriptors(guard.pid());
        QCOMPARE(fds.size(), 4);
        QCOMPARE(fds.mid(0, 3), (QStringList{"0 -> /dev/null", "1 -> /dev/null", "2 -> /dev/null"}));
        QVERIFY2(fds[3].startsWith(QStringLiteral("3 -> socket:")), qPrintable(fds[3]));
        guard.close();
        QTRY_VERIFY_WITH_TIMEOUT(!isAlive(guard.pid()), 5000); // nothing watched: it exits at once
    }

    // Every group it watches is ended, here one in which every process ignores
    // SIGTERM: the SIGKILL after the grace ends it.
    void endOfFileEndsWatchedTrees()
    {
        QTemporaryDir dir;
        const QString pidFile = dir.filePath(QStringLiteral("tree.pids"));
        OrphanGuard guard(300);
        QString error;
        QVERIFY2(guard.start(&error), qPrintable(error));
        QProcess p;
        watchedBy(&p, guard);
        p.start(testWorker(), {QStringLiteral("tree"), pidFile});
        QVERIFY(p.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(pidFile), 10000);
        const QList<qint64> tree = treePids(pidFile);
        const auto killLeftovers = qScopeGuard([&tree] {
            for (qint64 pid : tree)
                if (isAlive(pid))
                    ::kill(pid_t(pid), SIGKILL);
        });
        QCOMPARE(tree.size(), 2);
        guard.close();
        QTRY_VERIFY_WITH_TIMEOUT(!isAlive(tree[0]) && !isAlive(tree[1]), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(p.state(), QProcess::NotRunning, 5000); // may have finished in the loop above
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
        QCOMPARE(p.exitCode(), int(SIGKILL));
        QTRY_VERIFY_WITH_TIMEOUT(!isAlive(guard.pid()), 5000);
    }

    // A group it was told to forget is never signalled: by then its id may
    // belong to someone else.
    void forgottenGroupsAreLeftAlone()
    {
        OrphanGuard guard(300);
        QString error;
        QVERIFY2(guard.start(&error), qPrintable(error));
        QProcess p;
        watchedBy(&p, guard);
        p.start(testWorker(), {QStringLiteral("hang")});
        QVERIFY(p.waitForStarted()); // after exec: the child has asked to be watched
        guard.forget(p.processId());
        guard.close();
        QTRY_VERIFY_WITH_TIMEOUT(!isAlive(guard.pid()), 5000);
        // Had the guard sent SIGTERM, that would be what the process died of.
        QCOMPARE(p.state(), QProcess::Running);
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished(5000));
        QCOMPARE(p.exitCode(), int(SIGKILL));
    }

    // The control for the test above: the same process, not forgotten.
    void watchedGroupsAreEnded()
    {
        OrphanGuard guard(300);
        QString error;
        QVERIFY2(guard.start(&error), qPrintable(error));
        QProcess p;
        watchedBy(&p, guard);
        p.start(testWorker(), {QStringLiteral("hang")});
        QVERIFY(p.waitForStarted());
        guard.close();
        QTRY_COMPARE_WITH_TIMEOUT(p.state(), QProcess::NotRunning, 5000);
        QCOMPARE(p.exitCode(), int(SIGTERM));
    }
};

QTEST_GUILESS_MAIN(TestOrphanGuard)
#include "tst_orphanguard.moc"
