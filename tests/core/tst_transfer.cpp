// File transfer to other hosts (--transfer, --return, --cleanup, --remote-dir):
// each input file is copied to a scratch directory on the host, the command
// or long-lived worker runs on the copy, the outputs it names come back beside
// the input. Failures say which file and why; a connection lost mid-copy
// hands the task back; terminate does not wait for a copy; cleanup leaves
// nothing behind. Over a real sshd, and stand-in launchers that fail on cue.

#include "commandtemplate.h"
#include "remotefixtures.h"
#include "remotetransfer.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>

using namespace TestSupport;

namespace {

// A one-slot "ssh" host whose launcher, a script at path, runs shell code
// instead of a file copy of the kind given ('put' or 'get'), and passes
// everything else to sh -c as shellHost() does. Empty host if it cannot be written.
HostSpec standInHost(const QString &path, const char *copyKind, const QString &instead)
{
    const QString script = QStringLiteral("#!/bin/sh\n"
                                          "case $1 in *\"'taskpool-transfer' '%1'\"*)\n%2\n;; esac\n"
                                          "exec sh -c \"$1\"\n")
                               .arg(QLatin1String(copyKind), instead);
    if (!writeFile(path, script.toUtf8())
        || !QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner))
        return {};
    HostSpec h = shellHost(1);
    h.launcher = QLatin1Char('"') + path + QLatin1Char('"'); // QProcess::splitCommand quoting
    return h;
}

// Input files for the transfer tests, absolute and relative, with names a shell
// would mangle if a word went unquoted; the tasks turn each into NAME.out in
// upper case. source holds them, remote is the --remote-dir.
struct TransferFiles
{
    QTemporaryDir source;
    QTemporaryDir remote;
    QStringList names;
    QList<QByteArray> items;

    bool write()
    {
        if (!source.isValid() || !remote.isValid())
            return false;
        names = QStringList{source.filePath(QStringLiteral("plain.txt")),
                            source.filePath(QStringLiteral("it's a \"file\" $HOME; `id` & more.txt")),
                            source.filePath(QStringLiteral("sub dir/nested $x.txt")),
                            QStringLiteral("rel one.txt"),
                            QStringLiteral("deeper/-rel two.txt"),
                            QStringLiteral("./deeper/../dots.txt")};
        for (int i = 0; i < names.size(); ++i) {
            if (!writeFile(local(i), QByteArray("content of file ") + QByteArray::number(i) + '\n'))
                return false;
            items.append(names[i].toUtf8());
        }
        return true;
    }
    QString local(qint64 id) const { return QDir::cleanPath(QDir(source.path()).absoluteFilePath(names[int(id)])); }
    // Where a copy goes inside a scratch directory.
    static QString inside(const QString &name)
    {
        const QString clean = QDir::cleanPath(name);
        return QDir::isAbsolutePath(clean) ? clean.mid(1) : clean;
    }

    // The output came back beside its input, which is untouched.
    void checkReturned(qint64 id) const
    {
        QCOMPARE(readFile(local(id) + QStringLiteral(".out")), QByteArray("CONTENT OF FILE ") + QByteArray::number(id) + '\n');
        QCOMPARE(readFile(local(id)), QByteArray("content of file ") + QByteArray::number(id) + '\n');
    }

    // With cleanup nothing is left on the host; without it, each copy and its
    // output stay in the scratch directories the commands ran in, under one
    // directory for the run. Nothing half-copied is left beside the outputs.
    void checkLeftovers(const QSet<QString> &scratchDirs, bool cleanup) const
    {
        for (const QString &entry : treeOf(source.path()))
            QVERIFY2(!entry.contains(QLatin1String("taskpool-part")), qPrintable(entry));
        const QStringList left = treeOf(remote.path());
        if (cleanup) {
            QVERIFY2(left.isEmpty(), qPrintable(left.join('\n')));
            return;
        }
        QStringList found;
        for (const QString &dir : scratchDirs) {
            QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
            while (it.hasNext())
                found.append(QDir(dir).relativeFilePath(it.next()));
        }
        found.sort();
        QStringList wanted;
        for (const QString &name : names)
            wanted << inside(name) << inside(name) + QStringLiteral(".out");
        wanted.sort();
        QCOMPARE(found, wanted);
        QCOMPARE(QDir(remote.path()).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(), 1);
    }
};

// The cleanup column of a test that runs with and without --cleanup.
void addCleanupRows()
{
    QTest::addColumn<bool>("cleanup");
    QTest::newRow("cleanup") << true;
    QTest::newRow("keep the copies") << false;
}

// spec, run on host with --transfer: inputs named relative to `from` are
// copied under remoteDir there, and each task's INPUT.out comes back.
JobSpec transferring(JobSpec spec, const HostSpec &host, const QString &from, const QString &remoteDir, bool cleanup)
{
    spec.hosts = {host};
    spec.workingDirectory = from;
    spec.transfer = true;
    spec.returnFiles = {QStringLiteral("{}.out")};
    spec.cleanup = cleanup;
    spec.remoteDirectory = remoteDir;
    return spec;
}

// A per-task job that runs through sh -c (inputs reach the script as data).
JobSpec shellJob(const QStringList &words)
{
    JobSpec spec;
    spec.mode = JobSpec::Mode::PerTask;
    spec.command = words;
    spec.shell = true;
    spec.killGraceSeconds = 0.3;
    return spec;
}

} // namespace

class TestTransfer : public QObject
{
    Q_OBJECT
    SshServer m_sshd;
    QString m_sshdProblem;

private Q_SLOTS:
    void initTestCase()
    {
        becomeSubreaper();
        startSshd(m_sshd, &m_sshdProblem);
    }
    void cleanupTestCase() { m_sshd.stop(); }
    // No worker, guard, copy or remote process may outlive a test; sshd itself stays.
    void cleanup() { verifyNothingLeftRunning({m_sshd.pid()}); }

    // ---- per-task commands -----------------------------------------------------

    void transferPathsMapIntoTheScratchDirectory_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("inside");
        QTest::newRow("relative") << "a b/c.txt" << "a b/c.txt";
        QTest::newRow("cleaned") << "./a//b/../c.txt" << "a/c.txt";
        QTest::newRow("absolute") << "/data/x.txt" << "data/x.txt";
        QTest::newRow("climbs out") << "../up.txt" << "home/up.txt";
        QTest::newRow("option-like") << "-n" << "-n";
    }
    void transferPathsMapIntoTheScratchDirectory()
    {
        QFETCH(QString, path);
        QFETCH(QString, inside);
        QCOMPARE(RemoteTransfer::scratchPath(path, QStringLiteral("/home/me")), inside);
        JobSpec spec;
        QCOMPARE(spec.effectiveRemoteDirectory(), QStringLiteral(".taskpool/transfer"));
        spec.remoteDirectory = QStringLiteral("~/scratch");
        QCOMPARE(spec.effectiveRemoteDirectory(), QStringLiteral("scratch"));
        spec.remoteDirectory = QStringLiteral("/tmp/x");
        QCOMPARE(spec.effectiveRemoteDirectory(), QStringLiteral("/tmp/x"));
    }

    // A relative remote directory is taken from the home on the host (here the
    // stand-in launcher's), and cleanup removes the run's directory inside it.
    void transferUsesTheRemoteHome()
    {
        QTemporaryDir source;
        QVERIFY(writeFile(source.filePath(QStringLiteral("in.txt")), "x"));
        const QString base = QStringLiteral("taskpool-test-%1").arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
        const QString home = QDir::homePath();
        JobSpec spec = shellJob({QStringLiteral("pwd;"), QStringLiteral("cp"), QStringLiteral("{}"), QStringLiteral("{}.copy")});
        spec.hosts = {shellHost(1)};
        spec.transfer = true;
        spec.returnFiles = {QStringLiteral("{}.copy")};
        spec.cleanup = true;
        spec.remoteDirectory = QStringLiteral("~/") + base;
        LiveRun run(spec, QList<QByteArray>{source.filePath(QStringLiteral("in.txt")).toUtf8()});
        RUN_TO_END(run, RemoteRunTimeoutMs);
        const QStringList left = treeOf(home + QLatin1Char('/') + base);
        QDir(home + QLatin1Char('/') + base).removeRecursively();
        QVERIFY(run.eachIdOnce(1));
        const TaskOutcome o = run.outcomes.first();
        QVERIFY2(o.status == TaskStatus::Ok, qPrintable(o.error));
        QVERIFY2(QString::fromUtf8(o.output).startsWith(home + QLatin1Char('/') + base + QLatin1Char('/')), o.output.constData());
        QCOMPARE(readFile(source.filePath(QStringLiteral("in.txt.copy"))), QByteArray("x"));
        QVERIFY2(left.isEmpty(), qPrintable(left.join('\n')));
    }

    // Each input names a local file; the command reads the copy in a scratch
    // directory on the host and writes an output next to it, which comes back.
    void transferRunsOnCopiesAndReturnsOutputs_data()
    {
        addCleanupRows();
    }
    void transferRunsOnCopiesAndReturnsOutputs()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QFETCH(bool, cleanup);
        TransferFiles files;
        QVERIFY(files.write());
        JobSpec spec = shellJob({QStringLiteral("pwd;"), QStringLiteral("tr"), QStringLiteral("a-z"), QStringLiteral("A-Z"),
                                 QStringLiteral("<"), QStringLiteral("{}"), QStringLiteral(">"), QStringLiteral("{}.out")});
        spec = transferring(spec, m_sshd.host(3), files.source.path(), files.remote.path(), cleanup);
        LiveRun run(spec, files.items);
        RUN_TO_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(files.names.size()));
        QVERIFY2(run.pool.fatalError().isEmpty(), qPrintable(run.pool.fatalError()));
        QSet<QString> taskDirs;
        for (const TaskOutcome &o : run.outcomes) {
            QVERIFY2(o.status == TaskStatus::Ok, qPrintable(o.error + QString::fromUtf8(o.errorOutput)));
            QCOMPARE(o.host, m_sshd.target());
            // The command ran in a scratch directory under the remote directory, not beside the sources.
            const QString cwd = QString::fromUtf8(o.output).trimmed();
            QVERIFY2(cwd.startsWith(files.remote.path() + QLatin1Char('/')), qPrintable(cwd));
            taskDirs.insert(cwd);
            files.checkReturned(o.id);
        }
        QCOMPARE(taskDirs.size(), files.names.size()); // one scratch directory per task
        files.checkLeftovers(taskDirs, cleanup);
    }

    // A missing return file fails the task; a missing input fails it before
    // anything runs; both say why, and cleanup still leaves nothing behind.
    void transferFailuresAreClear()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QTemporaryDir source;
        QTemporaryDir remote;
        QVERIFY(writeFile(source.filePath(QStringLiteral("data.txt")), "some data\n"));
        JobSpec spec = perTask({QStringLiteral("echo"), QStringLiteral("{}")});
        spec.command = {QStringLiteral("cat"), QStringLiteral("{}")};
        spec.hosts = {m_sshd.host(1)};
        spec.workingDirectory = source.path();
        spec.transfer = true;
        spec.returnFiles = {QStringLiteral("{.}.result")};
        spec.cleanup = true;
        spec.remoteDirectory = remote.path();
        LiveRun run(spec, QList<QByteArray>{"data.txt", "no such file.txt", ""});
        RUN_TO_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(3));
        const QMap<qint64, TaskOutcome> byId = run.byId();
        QCOMPARE(byId[0].status, TaskStatus::Failed);
        QCOMPARE(byId[0].output, QByteArray("some data\n")); // cat read the copy by its relative name
        QVERIFY2(byId[0].error.contains(QLatin1String("did not create the return file \"data.result\"")), qPrintable(byId[0].error));
        QVERIFY(!QFile::exists(source.filePath(QStringLiteral("data.result"))));
        QCOMPARE(byId[1].status, TaskStatus::Failed);
        QVERIFY2(byId[1].error.contains(QLatin1String("cannot transfer \"no such file.txt\": no such file")), qPrintable(byId[1].error));
        QCOMPARE(byId[2].status, TaskStatus::Failed);
        QVERIFY2(byId[2].error.contains(QLatin1String("cannot transfer")), qPrintable(byId[2].error));
        QVERIFY2(run.pool.fatalError().isEmpty(), qPrintable(run.pool.fatalError())); // the task's fault, not the host's
        QVERIFY2(treeOf(remote.path()).isEmpty(), qPrintable(treeOf(remote.path()).join('\n')));
        QCOMPARE(readFile(source.filePath(QStringLiteral("data.txt"))), QByteArray("some data\n"));
    }

    // A host that cannot be reached for the transfer is a lost host: the tasks
    // go to the local slot (which reads the files in place), none fails.
    void transferToAnUnreachableHostRequeues()
    {
        QTemporaryDir source;
        QList<QByteArray> items;
        for (int i = 0; i < 6; ++i) {
            const QString path = source.filePath(QStringLiteral("in %1.txt").arg(i));
            QVERIFY(writeFile(path, QByteArray::number(i)));
            items.append(path.toUtf8());
        }
        JobSpec spec = perTask({});
        spec.command = {QStringLiteral("cat"), QStringLiteral("{}")};
        spec.hosts = {localHost(1), unreachableHost(2)};
        spec.transfer = true;
        spec.returnFiles = {QStringLiteral("{}.out")};
        LiveRun run(spec, items);
        RUN_TO_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(6));
        QCOMPARE(run.count(TaskStatus::Ok), 6);
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.host, QStringLiteral("localhost"));
            QCOMPARE(o.attempts, 1);
            QCOMPARE(o.output, QByteArray::number(o.id));
        }
        const QString log = run.log.join('\n');
        QVERIFY2(log.contains(QLatin1String("cannot reach 127.0.0.1")) && log.contains(QLatin1String("host 127.0.0.1 is down")),
                 qPrintable(log));
        QVERIFY2(run.pool.fatalError().isEmpty(), qPrintable(run.pool.fatalError()));
    }

    // The connection drops while a return file is copied back (a stand-in
    // launcher fails the first copy as ssh does): the task is not failed but
    // goes back to the queue and runs again once the host is back.
    void connectionLostWhileReturningRequeues_data()
    {
        QTest::addColumn<bool>("worker");
        QTest::newRow("per-task") << false;
        QTest::newRow("long-lived worker") << true; // its worker is let go with the host, as on any host loss
    }
    void connectionLostWhileReturningRequeues()
    {
        QFETCH(bool, worker);
        QTemporaryDir dir;
        const QString mark = dir.filePath(QStringLiteral("dropped-once"));
        // The first copy back fails as a dropped ssh connection does.
        const HostSpec flaky = standInHost(dir.filePath(QStringLiteral("flaky-ssh")), "get",
                                           QStringLiteral("if [ ! -e %1 ]; then : > %1; echo 'flaky-ssh: connection reset' >&2; exit 255; fi")
                                               .arg(CommandTemplate::shellQuote(mark)));
        QVERIFY(!flaky.launcher.isEmpty());
        QVERIFY(writeFile(dir.filePath(QStringLiteral("in.txt")), "payload"));
        // The per-task command counts its runs in a file of its own; the worker upper-cases.
        JobSpec spec = worker ? protocol({QStringLiteral("--files")})
                              : shellJob({QStringLiteral("echo"), QStringLiteral("ran"), QStringLiteral(">>"), QStringLiteral("{}.runs;"),
                                          QStringLiteral("cp"), QStringLiteral("{}"), QStringLiteral("{}.out")});
        spec = transferring(spec, flaky, dir.path(), dir.filePath(QStringLiteral("remote")), true);
        LiveRun run(spec, QList<QByteArray>{"in.txt"});
        RUN_TO_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(1));
        const TaskOutcome o = run.outcomes.first();
        QVERIFY2(o.status == TaskStatus::Ok, qPrintable(o.error + QLatin1Char('\n') + run.pool.fatalError() + QLatin1Char('\n') + run.log.join('\n')));
        QCOMPARE(o.attempts, 1); // returned to the queue, not failed
        QCOMPARE(o.input, QByteArray("in.txt"));
        QVERIFY(QFile::exists(mark));
        QCOMPARE(readFile(dir.filePath(QStringLiteral("in.txt.out"))), worker ? QByteArray("PAYLOAD") : QByteArray("payload"));
        const QString log = run.log.join('\n');
        QVERIFY2(log.contains(QLatin1String("flaky-ssh: connection reset")) && log.contains(QLatin1String("is down"))
                     && log.contains(QLatin1String("is up again")),
                 qPrintable(log));
        QVERIFY2(run.pool.fatalError().isEmpty(), qPrintable(run.pool.fatalError()));
        const QStringList left = treeOf(spec.remoteDirectory);
        if (worker) {
            // The slot's directory is kept across the loss (the same slot comes back to it) and goes at the end.
            QVERIFY2(left.isEmpty(), qPrintable(left.join('\n')));
            return;
        }
        // The command ran twice, each time in a scratch directory of its own; the first one's copies
        // stayed (the host was gone), the second one's were cleaned up (its own .runs file is not ours).
        QCOMPARE(left.filter(QRegularExpression(QStringLiteral("/in\\.txt\\.runs$"))).size(), 2);
        QCOMPARE(left.filter(QRegularExpression(QStringLiteral("/in\\.txt$"))).size(), 1);
        QCOMPARE(left.filter(QRegularExpression(QStringLiteral("/in\\.txt\\.out$"))).size(), 1);
    }

    // Terminate while an input is being copied: the task is cancelled at once
    // and the copy's launcher is ended (cleanup() checks nothing is left).
    void terminateDuringTransferCancels_data()
    {
        QTest::addColumn<bool>("worker");
        QTest::newRow("per-task") << false;
        QTest::newRow("long-lived worker") << true;
    }
    void terminateDuringTransferCancels()
    {
        QFETCH(bool, worker);
        QTemporaryDir dir;
        const QString mark = dir.filePath(QStringLiteral("copying"));
        // Copies to the host never end.
        const HostSpec slow = standInHost(dir.filePath(QStringLiteral("slow-ssh")), "put",
                                          QStringLiteral(": > %1; exec sleep 30").arg(CommandTemplate::shellQuote(mark)));
        QVERIFY(!slow.launcher.isEmpty());
        QVERIFY(writeFile(dir.filePath(QStringLiteral("in.txt")), "payload"));
        JobSpec spec = worker ? protocol({QStringLiteral("--files")}) : perTask({});
        if (!worker)
            spec.command = {QStringLiteral("cat"), QStringLiteral("{}")};
        spec.hosts = {slow};
        spec.workingDirectory = dir.path();
        spec.transfer = true;
        spec.remoteDirectory = dir.filePath(QStringLiteral("remote"));
        LiveRun run(spec, QList<QByteArray>{"in.txt", "in.txt"});
        run.start();
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(mark), 10000);
        QElapsedTimer clock;
        clock.start();
        run.pool.terminate();
        WAIT_FOR_END(run, RemoteRunTimeoutMs);
        QVERIFY2(clock.elapsed() < 5000, "a copy under way must not hold up terminate");
        QVERIFY(run.eachIdOnce(2));
        QCOMPARE(run.count(TaskStatus::Cancelled), 2);
    }

    // ---- long-lived workers ----------------------------------------------------

    // Long-lived workers (testworker proto --files) on real ssh: each task's input
    // is copied into the slot's scratch directory, the worker (running there)
    // reads the copy by the path the line names and writes INPUT.out, which
    // comes back; results keep the input as given.
    void workerTransferRunsOnCopiesAndReturnsOutputs_data()
    {
        addCleanupRows();
    }
    void workerTransferRunsOnCopiesAndReturnsOutputs()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QFETCH(bool, cleanup);
        TransferFiles files;
        QVERIFY(files.write());
        JobSpec spec = transferring(protocol({QStringLiteral("--files")}), m_sshd.host(2), files.source.path(), files.remote.path(), cleanup);
        LiveRun run(spec, files.items);
        RUN_TO_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(files.names.size()));
        QVERIFY2(run.pool.fatalError().isEmpty(), qPrintable(run.pool.fatalError()));
        const QRegularExpression slotDir(QStringLiteral("^%1/[^/]+/w\\d+-[0-9a-f]{8}$").arg(QRegularExpression::escape(files.remote.path())));
        QSet<QString> workerDirs;
        for (const TaskOutcome &o : run.outcomes) {
            QVERIFY2(o.status == TaskStatus::Ok, qPrintable(o.error + QString::fromUtf8(o.errorOutput) + run.log.join('\n')));
            QCOMPARE(o.host, m_sshd.target());
            QCOMPARE(o.input, files.items[int(o.id)]); // the input as given, not the copy's path
            const QJsonObject answer = QJsonDocument::fromJson("{\"r\":" + o.result + "}").object().value("r").toObject();
            // The worker ran in its slot's scratch directory and was given the copy, by a path relative to it.
            const QString cwd = answer.value("cwd").toString();
            QVERIFY2(slotDir.match(cwd).hasMatch(), qPrintable(cwd));
            workerDirs.insert(cwd);
            QCOMPARE(answer.value("input").toString(), TransferFiles::inside(files.names[int(o.id)]));
            files.checkReturned(o.id);
        }
        QVERIFY2(workerDirs.size() <= 2, qPrintable(QStringList(workerDirs.cbegin(), workerDirs.cend()).join('\n'))); // one per slot
        files.checkLeftovers(workerDirs, cleanup);
    }

    // One worker, one task at a time: a missing return file fails only its
    // task, a missing input fails its task before any line is sent, and the
    // worker goes on with the next ones; cleanup still leaves nothing.
    void workerTransferFailuresAreClear()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QTemporaryDir source;
        QTemporaryDir remote;
        QVERIFY(writeFile(source.filePath(QStringLiteral("first.txt")), "first\n"));
        QVERIFY(writeFile(source.filePath(QStringLiteral("quiet.txt")), "no output here\n"));
        QVERIFY(writeFile(source.filePath(QStringLiteral("last.txt")), "last\n"));
        QVERIFY(writeFile(source.filePath(QStringLiteral("quiet.txt.out")), "stale\n"));
        JobSpec spec = transferring(protocol({QStringLiteral("--files")}), m_sshd.host(1), source.path(), remote.path(), true);
        LiveRun run(spec, QList<QByteArray>{"first.txt", "quiet.txt", "no such file.txt", "last.txt"});
        RUN_TO_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(4));
        const QMap<qint64, TaskOutcome> byId = run.byId();
        QVERIFY2(byId[0].status == TaskStatus::Ok, qPrintable(byId[0].error));
        QCOMPARE(readFile(source.filePath(QStringLiteral("first.txt.out"))), QByteArray("FIRST\n"));
        QCOMPARE(byId[1].status, TaskStatus::Failed);
        QVERIFY2(byId[1].error.contains(QLatin1String("the worker did not create the return file \"quiet.txt.out\"")), qPrintable(byId[1].error));
        QCOMPARE(readFile(source.filePath(QStringLiteral("quiet.txt.out"))), QByteArray("stale\n")); // not overwritten
        QCOMPARE(byId[2].status, TaskStatus::Failed);
        QVERIFY2(byId[2].error.contains(QLatin1String("cannot transfer \"no such file.txt\": no such file")), qPrintable(byId[2].error));
        QVERIFY2(byId[3].status == TaskStatus::Ok, qPrintable(byId[3].error));
        QCOMPARE(readFile(source.filePath(QStringLiteral("last.txt.out"))), QByteArray("LAST\n"));
        for (const TaskOutcome &o : run.outcomes)
            QCOMPARE(o.attempts, 1);
        QVERIFY2(run.pool.fatalError().isEmpty(), qPrintable(run.pool.fatalError()));
        QVERIFY2(treeOf(remote.path()).isEmpty(), qPrintable(treeOf(remote.path()).join('\n')));
    }

    // A return file an earlier task left in the slot's directory (no --cleanup)
    // never passes for a later task of the same name that did not write one.
    void workerTransferIgnoresStaleReturnFiles()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath(QStringLiteral("in.txt"));
        QVERIFY(writeFile(input, "first\n"));
        JobSpec spec = transferring(protocol({QStringLiteral("--files")}), shellHost(1), dir.path(), dir.filePath(QStringLiteral("remote")), false);
        LiveRun run(spec, QList<QByteArray>{"in.txt", "in.txt"});
        // Before the second task's input is copied (one slot, one task at a time), the
        // file changes so that the worker writes no output for it.
        QObject::connect(&run.pool, &TaskPool::taskFinished, &run.pool, [input](const TaskOutcome &) {
            writeFile(input, "no output now\n");
            QFile::remove(input + QStringLiteral(".out"));
        });
        RUN_TO_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(2));
        const QMap<qint64, TaskOutcome> byId = run.byId();
        QVERIFY2(byId[0].status == TaskStatus::Ok, qPrintable(byId[0].error + run.log.join('\n')));
        QCOMPARE(byId[1].status, TaskStatus::Failed);
        QVERIFY2(byId[1].error.contains(QLatin1String("did not create the return file \"in.txt.out\"")), qPrintable(byId[1].error));
        QVERIFY(!QFile::exists(input + QStringLiteral(".out")));
    }

    // A worker recycled after every task (--max-tasks-per-worker 1) starts again
    // in the same slot directory; its files still come and go.
    void workerTransferSurvivesRecycling()
    {
        QTemporaryDir dir;
        QList<QByteArray> items;
        for (int i = 0; i < 4; ++i) {
            QVERIFY(writeFile(dir.filePath(QStringLiteral("in%1.txt").arg(i)), QByteArray("x") + QByteArray::number(i)));
            items.append(QStringLiteral("in%1.txt").arg(i).toUtf8());
        }
        JobSpec spec = transferring(protocol({QStringLiteral("--files")}), shellHost(1), dir.path(), dir.filePath(QStringLiteral("remote")), true);
        spec.maxTasksPerWorker = 1;
        LiveRun run(spec, items);
        RUN_TO_END(run, RemoteRunTimeoutMs);
        QVERIFY(run.eachIdOnce(4));
        QSet<QString> dirs;
        for (const TaskOutcome &o : run.outcomes) {
            QVERIFY2(o.status == TaskStatus::Ok, qPrintable(o.error + run.log.join('\n')));
            QCOMPARE(readFile(dir.filePath(QStringLiteral("in%1.txt.out").arg(o.id))), QByteArray("X") + QByteArray::number(o.id));
            dirs.insert(QJsonDocument::fromJson("{\"r\":" + o.result + "}").object().value("r").toObject().value("cwd").toString());
        }
        QCOMPARE(dirs.size(), 1);
        QVERIFY2(run.log.join('\n').contains(QLatin1String("worker recycled")), qPrintable(run.log.join('\n')));
        QVERIFY2(treeOf(spec.remoteDirectory).isEmpty(), qPrintable(treeOf(spec.remoteDirectory).join('\n')));
    }
};

QTEST_GUILESS_MAIN(TestTransfer)
#include "tst_transfer.moc"
