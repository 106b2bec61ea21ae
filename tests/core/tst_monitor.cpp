// The monitor socket: a run published for viewers (RunPublisher), watched
// (RunWatcher) in this process and from `taskpool run` processes, with slow,
// killed and foreign ends.

#include "jobrun.h"
#include "monitordirectory.h"
#include "monitortunnel.h"
#include "remotefixtures.h"
#include "runpublisher.h"
#include "runwatcher.h"
#include "testsupport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <csignal>
#include <sys/stat.h>

using namespace TestSupport;

namespace {

// What a watcher saw of a run.
struct Seen
{
    QList<TaskOutcome> results;
    QList<TaskOutcome> attempts;
    QList<MonitorProtocol::LiveState> states;
    QStringList ends;
    QStringList disconnects;
    QByteArray output;

    explicit Seen(RunWatcher *watcher)
    {
        QObject::connect(watcher, &RunWatcher::resultReceived, watcher, [this](const TaskOutcome &o) { results.append(o); });
        QObject::connect(watcher, &RunWatcher::attemptReceived, watcher, [this](const TaskOutcome &o) { attempts.append(o); });
        QObject::connect(watcher, &RunWatcher::stateReceived, watcher,
                         [this](const MonitorProtocol::LiveState &s) { states.append(s); });
        QObject::connect(watcher, &RunWatcher::ended, watcher, [this](const QString &state) { ends.append(state); });
        QObject::connect(watcher, &RunWatcher::disconnected, watcher,
                         [this](const QString &error) { disconnects.append(error); });
        QObject::connect(watcher, &RunWatcher::outputReceived, watcher,
                         [this](int, qint64, OutputStream, const QByteArray &bytes) { output.append(bytes); });
    }
    bool eachResultOnce(qint64 total) const
    {
        QSet<qint64> ids;
        for (const TaskOutcome &o : results)
            ids.insert(o.id);
        return results.size() == total && ids.size() == total;
    }
    MonitorProtocol::LiveState last() const { return states.isEmpty() ? MonitorProtocol::LiveState() : states.last(); }
};

JobSpec listJob(const QStringList &items, int workers)
{
    JobSpec spec = perTask({QStringLiteral("task"), QStringLiteral("{}")});
    spec.inputKind = JobSpec::InputKind::List;
    spec.inputList = items;
    spec.workers = workers;
    return spec;
}

} // namespace

class TestMonitor : public QObject
{
    Q_OBJECT
    QTemporaryDir m_runtime;
    QTemporaryDir m_dataHome;
    SshServer m_sshd;
    QString m_sshdProblem;

    QString taskpool() const { return QStringLiteral(TASKPOOL_PATH); }

    // A `taskpool run` in the background (results on its stdout) of `tasks`
    // tasks that each wait until dir/go exists; null if it cannot start.
    std::unique_ptr<QProcess> startAwaitingRun(const QTemporaryDir &dir, int tasks, const QStringList &options,
                                               const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        const QString inputs = dir.filePath(QStringLiteral("inputs"));
        if (!writeFile(inputs, QStringLiteral("await:%1\n").arg(dir.filePath(QStringLiteral("go"))).repeated(tasks).toUtf8()))
            return nullptr;
        auto process = std::make_unique<QProcess>();
        process->setProcessEnvironment(env);
        process->start(taskpool(), QStringList{QStringLiteral("run"), QStringLiteral("-q"), QStringLiteral("--inputs"), inputs}
                                       + options
                                       + QStringList{QStringLiteral("--"), testWorker(), QStringLiteral("task"),
                                                     QStringLiteral("{}")});
        return process->waitForStarted() ? std::move(process) : nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        becomeSubreaper();
        // Sockets and journal in folders of this test's own.
        qputenv("XDG_RUNTIME_DIR", m_runtime.path().toUtf8());
        qputenv("XDG_DATA_HOME", m_dataHome.path().toUtf8());
        startSshd(m_sshd, &m_sshdProblem);
    }
    void cleanupTestCase() { m_sshd.stop(); }
    void cleanup() { verifyNothingLeftRunning({m_sshd.pid()}); }

    void directoryIsTheUsersAlone()
    {
        const QString dir = MonitorDirectory::path();
        QCOMPARE(dir, m_runtime.path() + QStringLiteral("/taskpool"));
        QString error;
        QVERIFY2(MonitorDirectory::ensure(&error), qPrintable(error));
        struct stat st{};
        QCOMPARE(::stat(QFile::encodeName(dir).constData(), &st), 0);
        QCOMPARE(st.st_mode & 0777, mode_t(0700));
        // Opened up by someone: closed again before a socket goes in.
        QVERIFY(QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                               | QFileDevice::ReadOther | QFileDevice::ExeOther));
        QVERIFY2(MonitorDirectory::ensure(&error), qPrintable(error));
        QCOMPARE(::stat(QFile::encodeName(dir).constData(), &st), 0);
        QCOMPARE(st.st_mode & 0777, mode_t(0700));
        // Not a directory: no publishing there.
        QTemporaryDir other;
        qputenv("XDG_RUNTIME_DIR", other.path().toUtf8());
        QVERIFY(writeFile(other.filePath(QStringLiteral("taskpool")), "a file"));
        QVERIFY(!MonitorDirectory::ensure(&error));
        QVERIFY2(error.contains(QLatin1String("not a directory")), qPrintable(error));
        qputenv("XDG_RUNTIME_DIR", m_runtime.path().toUtf8());
    }

    // A viewer that connects mid-run gets the results so far, the live state,
    // then each new result once, and the end.
    void viewerMidRunGetsSnapshotThenDeltas()
    {
        QTemporaryDir dir;
        const QString go = dir.filePath(QStringLiteral("go"));
        QStringList items;
        for (int i = 0; i < 6; ++i)
            items.append(QStringLiteral("q%1").arg(i));
        items << QStringLiteral("await:") + go << QStringLiteral("await:") + go;
        for (int i = 6; i < 10; ++i)
            items.append(QStringLiteral("q%1").arg(i));
        QString error;
        std::unique_ptr<JobRun> run(JobRun::create(listJob(items, 2), RunInputs::all(), nullptr, &error));
        QVERIFY2(run, qPrintable(error));
        RunPublisher publisher(run.get());
        QVERIFY2(publisher.listen(&error), qPrintable(error));
        QCOMPARE(publisher.socketPath(), MonitorDirectory::socketPath(QCoreApplication::applicationPid()));
        struct stat st{};
        QCOMPARE(::stat(QFile::encodeName(publisher.socketPath()).constData(), &st), 0);
        QCOMPARE(st.st_mode & 0777, mode_t(0600));
        QSignalSpy finished(run.get(), &JobRun::finished);
        QList<TaskOutcome> poolResults;
        connect(run->pool(), &TaskPool::taskFinished, this, [&](const TaskOutcome &o) { poolResults.append(o); });
        run->start();
        // Both workers wait on the go file once the first six are done.
        QTRY_COMPARE_WITH_TIMEOUT(poolResults.size(), 6, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(run->stats().running, 2, 20000);

        RunWatcher watcher;
        Seen seen(&watcher);
        QSignalSpy hello(&watcher, &RunWatcher::helloReceived);
        watcher.connectTo(MonitorDirectory::liveSockets().value(0));
        QTRY_COMPARE_WITH_TIMEOUT(hello.count(), 1, 10000);
        QCOMPARE(watcher.hello().pid, QCoreApplication::applicationPid());
        QCOMPARE(watcher.hello().spec.command, run->spec().command);
        QTRY_COMPARE_WITH_TIMEOUT(seen.results.size(), 6, 10000); // the snapshot
        QTRY_VERIFY_WITH_TIMEOUT(!seen.states.isEmpty() && seen.last().stats.running == 2, 10000);
        const MonitorProtocol::LiveState busy = seen.last();
        QCOMPARE(busy.state, TaskPool::State::Running);
        QCOMPARE(busy.slotSnapshots.size(), 2);
        for (const SlotSnapshot &slot : busy.slotSnapshots) {
            QVERIFY(slot.pid > 0);
            QCOMPARE(slot.state, SlotState::Busy);
            QVERIFY(slot.input.startsWith("await:"));
        }

        QVERIFY(writeFile(go, "go"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(seen.ends.size(), 1, 10000);
        QCOMPARE(seen.ends.first(), QStringLiteral("finished"));
        QVERIFY(seen.eachResultOnce(items.size()));
        // Live output came too: of the tasks that ran while it watched, as they wrote it.
        QVERIFY2(seen.output.contains("q9\n"), seen.output.constData());
        QCOMPARE(seen.last().state, TaskPool::State::Finished);
        QCOMPARE(seen.last().stats.ok, qint64(items.size()));
        for (const TaskOutcome &o : seen.results) {
            const TaskOutcome &own = poolResults.at(int(std::find_if(poolResults.cbegin(), poolResults.cend(),
                                                                       [&](const TaskOutcome &p) { return p.id == o.id; })
                                                          - poolResults.cbegin()));
            QCOMPARE(o.input, own.input);
            QCOMPARE(o.output, own.output);
            QCOMPARE(o.worker, own.worker);
            QCOMPARE(o.startedAtMs, own.startedAtMs);
        }
    }

    // Two runs in one process (two windows): the second goes unpublished, the
    // first keeps its socket.
    void secondPublisherOfAProcessLeavesTheFirstAlone()
    {
        QString error;
        std::unique_ptr<JobRun> first(JobRun::create(listJob({QStringLiteral("a")}, 1), RunInputs::all(), nullptr, &error));
        std::unique_ptr<JobRun> second(JobRun::create(listJob({QStringLiteral("b")}, 1), RunInputs::all(), nullptr, &error));
        QVERIFY2(first && second, qPrintable(error));
        RunPublisher published(first.get());
        QVERIFY2(published.listen(&error), qPrintable(error));
        RunPublisher refused(second.get());
        QVERIFY(!refused.listen(&error));
        QVERIFY2(error.contains(QLatin1String("another run of this process")), qPrintable(error));
        RunWatcher watcher;
        QSignalSpy hello(&watcher, &RunWatcher::helloReceived);
        watcher.connectTo(published.socketPath());
        QTRY_COMPARE_WITH_TIMEOUT(hello.count(), 1, 10000);
        QCOMPARE(watcher.hello().spec.inputList, QStringList{QStringLiteral("a")});
    }

    // A viewer that reads nothing neither slows the run nor loses a result:
    // once it reads, it catches up from the history.
    void slowViewerNeverSlowsTheRunNorLosesResults()
    {
        const int tasks = 3000;
        JobSpec spec = protocol();
        spec.workers = 2;
        QStringList items;
        const QString padding(2000, QLatin1Char('x')); // ~2.7 KB a result line: far past what a socket buffers
        for (int i = 0; i < tasks; ++i)
            items.append(QStringLiteral("%1-%2").arg(i).arg(padding));
        spec.inputKind = JobSpec::InputKind::List;
        spec.inputList = items;
        QString error;
        std::unique_ptr<JobRun> run(JobRun::create(spec, RunInputs::all(), nullptr, &error));
        QVERIFY2(run, qPrintable(error));
        RunPublisher publisher(run.get());
        QVERIFY2(publisher.listen(&error), qPrintable(error));
        QSignalSpy connected(&publisher, &RunPublisher::viewerConnected);
        QLocalSocket stuck; // connected, never read until the run is over
        stuck.connectToServer(publisher.socketPath());
        QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 10000);

        QSignalSpy finished(run.get(), &JobRun::finished);
        run->start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
        QCOMPARE(run->stats().ok, qint64(tasks));

        // Now it reads (through the event loop: the publisher shares this thread):
        // every result, then the end.
        QSet<qint64> ids;
        bool ended = false;
        QByteArray pending;
        auto read = [&] {
            pending.append(stuck.readAll());
            qsizetype newline;
            while ((newline = pending.indexOf('\n')) >= 0) {
                const QJsonObject json = QJsonDocument::fromJson(pending.left(newline)).object();
                pending.remove(0, newline + 1);
                const QString type = json.value(QLatin1String("type")).toString();
                if (type == QLatin1String("result"))
                    ids.insert(json.value(QLatin1String("id")).toInteger());
                ended = ended || type == QLatin1String("end");
            }
        };
        connect(&stuck, &QLocalSocket::readyRead, this, read);
        read();
        QTRY_VERIFY_WITH_TIMEOUT(ended, 60000);
        QCOMPARE(ids.size(), tasks);
    }

    // The history is bounded: a viewer that comes late to a big run gets the
    // newest results and the number of those it missed.
    void boundedHistoryTellsALateViewerWhatItMissed()
    {
        const int tasks = 3000;
        JobSpec spec = protocol();
        spec.workers = 2;
        spec.inputKind = JobSpec::InputKind::List;
        const QString padding(2000, QLatin1Char('x'));
        for (int i = 0; i < tasks; ++i)
            spec.inputList.append(QStringLiteral("%1-%2").arg(i).arg(padding));
        QString error;
        std::unique_ptr<JobRun> run(JobRun::create(spec, RunInputs::all(), nullptr, &error));
        QVERIFY2(run, qPrintable(error));
        RunPublisher publisher(run.get());
        publisher.setHistoryLimit(1 << 20); // about 370 of these results
        QVERIFY2(publisher.listen(&error), qPrintable(error));
        QSignalSpy finished(run.get(), &JobRun::finished);
        run->start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);

        RunWatcher watcher;
        Seen seen(&watcher);
        qint64 skipped = 0;
        connect(&watcher, &RunWatcher::resultsSkipped, this, [&](qint64 n) { skipped += n; });
        watcher.connectTo(publisher.socketPath());
        QTRY_COMPARE_WITH_TIMEOUT(seen.ends.size(), 1, 60000);
        QVERIFY2(seen.results.size() > 100 && seen.results.size() < tasks, qPrintable(QString::number(seen.results.size())));
        QCOMPARE(skipped + seen.results.size(), qint64(tasks));
        QSet<qint64> ids;
        for (const TaskOutcome &o : seen.results)
            ids.insert(o.id);
        QCOMPARE(ids.size(), seen.results.size());
    }

    // A run killed with SIGKILL leaves its socket; nobody mistakes it for a
    // live run, and the first lister removes it.
    void killedRunsSocketIsCleanedUp()
    {
        QTemporaryDir dir;
        auto cli = startAwaitingRun(dir, 1, {QStringLiteral("-j"), QStringLiteral("1")});
        QVERIFY(cli);
        const QString socket = MonitorDirectory::socketPath(cli->processId());
        QTRY_VERIFY_WITH_TIMEOUT(MonitorDirectory::liveSockets().contains(socket), 20000);

        RunWatcher watcher;
        Seen seen(&watcher);
        QSignalSpy hello(&watcher, &RunWatcher::helloReceived);
        watcher.connectTo(socket);
        QTRY_COMPARE_WITH_TIMEOUT(hello.count(), 1, 10000);
        QVERIFY(watcher.hello().journalRun > 0);

        ::kill(pid_t(cli->processId()), SIGKILL);
        QVERIFY(cli->waitForFinished(10000));
        QTRY_COMPARE_WITH_TIMEOUT(seen.disconnects.size(), 1, 10000);
        QVERIFY2(seen.disconnects.first().contains(QLatin1String("went away")), qPrintable(seen.disconnects.first()));
        QVERIFY(QFileInfo::exists(socket)); // left behind by the killed process
        QVERIFY(!MonitorDirectory::liveSockets().contains(socket));
        QVERIFY(!QFileInfo::exists(socket));
        // Its orphan guard ends the waiting worker (cleanup() checks).
    }

    // The app's controls act on a headless run through its socket.
    void headlessRunIsWatchedAndControlled()
    {
        QTemporaryDir dir;
        auto cli = startAwaitingRun(dir, 4, {QStringLiteral("-j"), QStringLiteral("2")});
        QVERIFY(cli);
        const QString socket = MonitorDirectory::socketPath(cli->processId());
        QTRY_VERIFY_WITH_TIMEOUT(MonitorDirectory::liveSockets().contains(socket), 20000);

        RunWatcher watcher;
        Seen seen(&watcher);
        watcher.connectTo(socket);
        QTRY_VERIFY_WITH_TIMEOUT(!seen.states.isEmpty() && seen.last().stats.running == 2, 20000);
        // The workers' own pids, with their CPU and memory (sampled once a
        // second; a sample that catches a worker mid-exec reads 0 bytes, the
        // next one has its memory).
        auto eachWorkerMeasured = [&seen] {
            const MonitorProtocol::LiveState state = seen.last();
            if (state.usage.size() != 2 || state.slotSnapshots.size() != 2)
                return false;
            return std::all_of(state.slotSnapshots.cbegin(), state.slotSnapshots.cend(), [&state](const SlotSnapshot &slot) {
                return state.usage.value(slot.pid).rssBytes > 0;
            });
        };
        QTRY_VERIFY_WITH_TIMEOUT(eachWorkerMeasured(), 20000);

        watcher.setWorkerCount(3);
        QTRY_VERIFY_WITH_TIMEOUT(seen.last().wantedWorkers == 3 && seen.last().stats.running == 3, 20000);
        watcher.pause();
        QTRY_COMPARE_WITH_TIMEOUT(seen.last().state, TaskPool::State::Paused, 20000);
        watcher.unpause();
        QTRY_COMPARE_WITH_TIMEOUT(seen.last().state, TaskPool::State::Running, 20000);
        watcher.terminate();
        QTRY_COMPARE_WITH_TIMEOUT(seen.ends.size(), 1, 20000);
        QCOMPARE(seen.ends.first(), QStringLiteral("terminated"));
        QTRY_COMPARE_WITH_TIMEOUT(cli->state(), QProcess::NotRunning, 20000);
        QCOMPARE(cli->exitCode(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(seen.disconnects.size(), 1, 10000);
        QVERIFY(!QFileInfo::exists(socket)); // removed on the way out
        QCOMPARE(seen.results.size(), 4);  // 3 cut short, 1 never started: all recorded
        QVERIFY(seen.eachResultOnce(4));
    }

    void noMonitorPublishesNothing()
    {
        QTemporaryDir dir;
        auto cli = startAwaitingRun(dir, 1, {QStringLiteral("--no-monitor")});
        QVERIFY(cli);
        // Once its task runs (it says so with go.waiting), the run would long
        // have published.
        QTRY_VERIFY2_WITH_TIMEOUT(QFileInfo::exists(dir.filePath(QStringLiteral("go.waiting"))),
                                  cli->readAllStandardError().constData(), 60000);
        QVERIFY(!QFileInfo::exists(MonitorDirectory::socketPath(cli->processId())));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("go")), "go"));
        QVERIFY(cli->waitForFinished(20000));
        QCOMPARE(cli->exitCode(), 0);
    }

    // Another user cannot reach a run: the directory and the socket are ours.
    void anotherUserIsRefused()
    {
        if (::getuid() != 0)
            QSKIP("needs root to act as another user");
        QString error;
        std::unique_ptr<JobRun> run(JobRun::create(listJob({QStringLiteral("a")}, 1), RunInputs::all(), nullptr, &error));
        QVERIFY2(run, qPrintable(error));
        RunPublisher publisher(run.get());
        QVERIFY2(publisher.listen(&error), qPrintable(error));
        QSignalSpy connected(&publisher, &RunPublisher::viewerConnected);
        QProcess other;
        other.start(QStringLiteral("setpriv"), {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                                                QStringLiteral("--clear-groups"), testWorker(), QStringLiteral("connect"),
                                                publisher.socketPath()});
        QTRY_COMPARE_WITH_TIMEOUT(other.state(), QProcess::NotRunning, 20000);
        const QByteArray said = other.readAllStandardOutput();
        if (said.isEmpty())
            QSKIP(qPrintable(QStringLiteral("setpriv cannot run the helper as nobody: %1")
                                 .arg(QString::fromLocal8Bit(other.readAllStandardError()))));
        QVERIFY2(said.startsWith("refused: Permission denied"), said.constData());
        QCOMPARE(connected.count(), 0);
        // The owner still can.
        QLocalSocket own;
        own.connectToServer(publisher.socketPath());
        QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 10000);
    }

    // `taskpool gui --attach ssh:HOST`: the runs over there, forwarded here.
    // The "remote" host is this machine's sshd; its sessions have no
    // XDG_RUNTIME_DIR, so the run publishes where they look: /tmp/taskpool-UID.
    void sshTunnelBringsAnotherHostsRun()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QTemporaryDir dir;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("XDG_RUNTIME_DIR"));
        auto run = startAwaitingRun(dir, 1, {}, env);
        QVERIFY(run);
        QProcess &cli = *run;
        const QString remoteSocket = QStringLiteral("/tmp/taskpool-%1/%2.sock").arg(::getuid()).arg(cli.processId());
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(remoteSocket), 20000);

        QCOMPARE(MonitorTunnel::hostOf(QStringLiteral("ssh:") + m_sshd.target()), m_sshd.target());
        MonitorTunnel tunnel(m_sshd.target(), m_sshd.launcher());
        QSignalSpy opened(&tunnel, &MonitorTunnel::opened);
        QSignalSpy failed(&tunnel, &MonitorTunnel::failed);
        tunnel.open();
        QTRY_VERIFY_WITH_TIMEOUT(opened.count() + failed.count() > 0, RemoteRunTimeoutMs);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        const QStringList sockets = opened.first().first().toStringList();
        const auto ours = std::find_if(sockets.cbegin(), sockets.cend(), [&](const QString &s) {
            return s.endsWith(QStringLiteral("-%1.sock").arg(cli.processId()));
        });
        QVERIFY2(ours != sockets.cend(), qPrintable(sockets.join(QLatin1Char(' '))));

        RunWatcher watcher;
        Seen seen(&watcher);
        QSignalSpy hello(&watcher, &RunWatcher::helloReceived);
        watcher.connectTo(*ours);
        QTRY_COMPARE_WITH_TIMEOUT(hello.count(), 1, RemoteRunTimeoutMs);
        QCOMPARE(watcher.hello().pid, cli.processId());
        QTRY_VERIFY_WITH_TIMEOUT(!seen.states.isEmpty() && seen.last().stats.running == 1, RemoteRunTimeoutMs);
        watcher.terminate();
        QTRY_COMPARE_WITH_TIMEOUT(seen.ends.size(), 1, RemoteRunTimeoutMs);
        QCOMPARE(seen.ends.first(), QStringLiteral("terminated"));
        QTRY_COMPARE_WITH_TIMEOUT(cli.state(), QProcess::NotRunning, 20000);
        QVERIFY(!QFileInfo::exists(remoteSocket));
    }

    void tunnelToAnUnreachableHostFails()
    {
        MonitorTunnel tunnel(QStringLiteral("nobody@127.0.0.1"),
                             QStringLiteral("ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=5 -p %1 {host} --")
                                 .arg(freePort()));
        QSignalSpy failed(&tunnel, &MonitorTunnel::failed);
        tunnel.open();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        QVERIFY2(failed.first().first().toString().contains(QLatin1String("cannot list the runs")),
                 qPrintable(failed.first().first().toString()));
    }
};

QTEST_MAIN(TestMonitor)
#include "tst_monitor.moc"
