// What taskpool hands another host, without a pool: --host specs and their
// JSON form, the command line ssh and srun are given (every word arrives as
// the same bytes, through sh and bash), and the remote guard's lines told
// apart from the command's on stderr.

#include "remotecommand.h"
#include "remotefixtures.h"
#include "remotestderr.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStandardPaths>

using namespace TestSupport;

class TestRemoteCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { becomeSubreaper(); }
    void cleanup() { verifyNothingLeftRunning({}); }

    void hostSpecParses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("slotCount");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("name");
        QTest::newRow("localhost") << "4/localhost" << 4 << int(HostSpec::Kind::Local) << "" << "localhost";
        QTest::newRow("ssh") << "8/ssh:user@node2" << 8 << int(HostSpec::Kind::Ssh) << "user@node2" << "user@node2";
        QTest::newRow("bare name is ssh") << "2/node2" << 2 << int(HostSpec::Kind::Ssh) << "node2" << "node2";
        QTest::newRow("srun") << "16/srun" << 16 << int(HostSpec::Kind::Srun) << "" << "srun";
        QTest::newRow("srun node") << "3/srun:node05" << 3 << int(HostSpec::Kind::Srun) << "node05" << "srun:node05";
        QTest::newRow("no count, remote") << "ssh:alias" << 1 << int(HostSpec::Kind::Ssh) << "alias" << "alias";
    }
    void hostSpecParses()
    {
        QFETCH(QString, text);
        QFETCH(int, slotCount);
        QFETCH(int, kind);
        QFETCH(QString, target);
        QFETCH(QString, name);
        HostSpec h;
        QString error;
        QVERIFY2(HostSpec::parse(text, &h, &error), qPrintable(error));
        QCOMPARE(h.slotCount, slotCount);
        QCOMPARE(int(h.kind), kind);
        QCOMPARE(h.target, target);
        QCOMPARE(h.name(), name);
        HostSpec again;
        QVERIFY(HostSpec::parse(h.toString(), &again, &error));
        QVERIFY(again == h);
    }

    void hostSpecRejects_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("zero slots") << "0/localhost" << "at least 1";
        QTest::newRow("bad count") << "x/node2" << "whole number";
        QTest::newRow("empty ssh") << "4/ssh:" << "destination";
        QTest::newRow("option as host") << "4/ssh:-oProxyCommand=touch /tmp/x" << "must not";
        QTest::newRow("space in host") << "4/ssh:a b" << "spaces";
        QTest::newRow("local target") << "local:x" << "no target";
    }
    void hostSpecRejects()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        HostSpec h;
        QString error;
        QVERIFY(!HostSpec::parse(text, &h, &error));
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void jobSpecKeepsHostsInJson()
    {
        JobSpec spec = perTask({QStringLiteral("echo")});
        spec.hosts = {localHost(2), shellHost(3), unreachableHost(1)};
        spec.hosts[2].kind = HostSpec::Kind::Srun;
        // The saved form users may write by hand.
        const QJsonObject first = spec.toJson().value("hosts").toArray().at(1).toObject();
        QCOMPARE(first.value("slots").toInt(), 3);
        QCOMPARE(first.value("kind").toString(), QStringLiteral("ssh"));
        QCOMPARE(first.value("target").toString(), QStringLiteral("shell"));
        QCOMPARE(first.value("launcher").toString(), QStringLiteral("sh -c"));
        JobSpec back;
        QString error;
        QVERIFY2(JobSpec::fromJson(spec.toJson(), &back, &error), qPrintable(error));
        QCOMPARE(back.hosts.size(), 3);
        for (int i = 0; i < 3; ++i)
            QVERIFY(back.hosts[i] == spec.hosts[i]);
        QVERIFY(back.hasRemoteHosts() && back.hasLocalHost());
        QVERIFY(!back.transfer && back.returnFiles.isEmpty() && !back.cleanup);

        spec.transfer = true;
        spec.returnFiles = {QStringLiteral("{.}.out"), QStringLiteral("log/{/}.txt")};
        spec.cleanup = true;
        spec.remoteDirectory = QStringLiteral("/scratch/me");
        spec.transferRunToken = QStringLiteral("not-saved");
        QVERIFY2(JobSpec::fromJson(spec.toJson(), &back, &error), qPrintable(error));
        QVERIFY(back.transfer && back.cleanup);
        QCOMPARE(back.returnFiles, spec.returnFiles);
        QCOMPARE(back.remoteDirectory, QStringLiteral("/scratch/me"));
        QVERIFY(back.transferRunToken.isEmpty()); // each run makes its own
        QVERIFY(!JobSpec::forRun(back).transferRunToken.isEmpty());
        QVERIFY(JobSpec::forRun(back).transferRunToken != JobSpec::forRun(back).transferRunToken);

        JobSpec plain = perTask({QStringLiteral("echo")});
        plain.workers = 5;
        QVERIFY(JobSpec::fromJson(plain.toJson(), &back, &error));
        QVERIFY(back.hosts.isEmpty());
        QCOMPARE(back.effectiveHosts().size(), 1);
        QCOMPARE(back.effectiveHosts().first().slotCount, 5);
        QVERIFY(!back.effectiveHosts().first().isRemote());
    }

    void remoteStderrSplitsLauncherGuardAndCommand()
    {
        const QByteArray token = "taskpool-0123456789abcdef";
        const QByteArray stream = "Warning: added host key\r\n" + token + " up\n" + "err one\ntaskpool-not-it\npartial"
            + token + " exit 3\n";
        // Byte by byte: the worst chunking a pipe can produce.
        RemoteStderr filter;
        filter.reset(token);
        QStringList launcherLines;
        QByteArray command;
        for (char c : stream)
            filter.feed(QByteArrayView(&c, 1), [&](const QString &l) { launcherLines.append(l); },
                        [&](QByteArrayView d) { command.append(d); });
        filter.finish([&](const QString &l) { launcherLines.append(l); }, [&](QByteArrayView d) { command.append(d); });
        QCOMPARE(launcherLines, QStringList{QStringLiteral("Warning: added host key")});
        QCOMPARE(command, QByteArray("err one\ntaskpool-not-it\npartial"));
        QVERIFY(filter.isUp());
        QVERIFY(filter.hasExited());
        QCOMPARE(filter.exitStatus(), 3);

        RemoteStderr refused;
        refused.reset(token);
        refused.feed("ssh: connect to host node2 port 22: Connection refused\r\n", {}, {});
        refused.finish({}, {});
        QVERIFY(!refused.isUp());
        QCOMPARE(refused.lastLauncherLine(), QStringLiteral("ssh: connect to host node2 port 22: Connection refused"));
    }

    // What sshd does with the string: the login shell runs it. Every word must
    // arrive as the exact same bytes, whatever the shell.
    void remoteCommandKeepsEveryWordPlain_data()
    {
        QTest::addColumn<QString>("shell");
        QTest::newRow("sh") << "sh";
        QTest::newRow("bash") << "bash";
    }
    void remoteCommandKeepsEveryWordPlain()
    {
        QFETCH(QString, shell);
        if (QStandardPaths::findExecutable(shell).isEmpty())
            QSKIP("shell not installed");
        QStringList words;
        for (const QByteArray &w : hostileInputs())
            words.append(QString::fromUtf8(w));
        QTemporaryDir dir(QDir::tempPath() + QStringLiteral("/it's a \"dir\" $HOME `id`-XXXXXX"));
        QVERIFY(dir.isValid());
        RemoteCommand::Options options;
        options.token = QStringLiteral("taskpool-feedfacefeedface");
        options.directory = dir.path();
        options.graceMs = 300;
        const QString command = RemoteCommand::shellCommand(options, QStringLiteral(TESTWORKER_PATH), QStringList{"argv"} + words);
        QProcess p;
        p.start(shell, {QStringLiteral("-c"), command});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        QList<QByteArray> got = p.readAllStandardOutput().split('\0');
        QCOMPARE(got.takeLast(), QByteArray());
        QCOMPARE(got, hostileInputs());
        QCOMPARE(p.readAllStandardError(), QByteArray("taskpool-feedfacefeedface up\ntaskpool-feedfacefeedface exit 0\n"));

        // The directory is entered exactly; one that is not there is refused up front.
        const QString pwd = RemoteCommand::shellCommand(options, QStringLiteral("pwd"), {});
        p.start(shell, {QStringLiteral("-c"), pwd});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(QString::fromUtf8(p.readAllStandardOutput()), dir.path() + QLatin1Char('\n'));
        options.directory = dir.path() + QStringLiteral("/missing");
        p.start(shell, {QStringLiteral("-c"), RemoteCommand::shellCommand(options, QStringLiteral("pwd"), {})});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 1);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("cannot enter the directory") && !err.contains(" up\n"), err.constData());
    }

    void srunGetsTheGuardAsArguments()
    {
        RemoteCommand::Options options;
        options.token = QStringLiteral("taskpool-1");
        const QStringList argv = RemoteCommand::build(srunHost(1), options, QStringLiteral("prog"), {QStringLiteral("a b")});
        QCOMPARE(argv.mid(0, 4), QStringList({"srun", "--ntasks=1", "--nodes=1", "--quiet"}));
        QCOMPARE(argv.at(4), QStringLiteral("sh"));
        QCOMPARE(argv.at(5), QStringLiteral("-c"));
        QCOMPARE(argv.mid(argv.size() - 2), QStringList({"prog", "a b"})); // no quoting: srun runs argv
        HostSpec ssh = shellHost(1);
        ssh.launcher = QStringLiteral("ssh -p 2222 {host} --");
        ssh.target = QStringLiteral("user@node2");
        const QStringList viaSsh = RemoteCommand::build(ssh, options, QStringLiteral("prog"), {QStringLiteral("a b")});
        QCOMPARE(viaSsh.mid(0, 5), QStringList({"ssh", "-p", "2222", "user@node2", "--"}));
        QCOMPARE(viaSsh.size(), 6); // one string for the remote shell
        QVERIFY(viaSsh.last().startsWith(QStringLiteral("exec 'sh' '-c' ")));
        QVERIFY(viaSsh.last().endsWith(QStringLiteral(" 'prog' 'a b'")));
    }
};

QTEST_GUILESS_MAIN(TestRemoteCommand)
#include "tst_remotecommand.moc"
