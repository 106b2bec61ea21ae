// `taskpool run` end to end: the real binary, real workers, real signals; and
// its options for other hosts (--host, --launcher, --transfer...), over a real
// sshd on 127.0.0.1 where a run needs one (see remotefixtures.h).

#include "remotefixtures.h"
#include "runjournal.h"
#include "testsupport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>

#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace TestSupport;

namespace {
using CliResult = ProgramRun;

// Four files in dir named after pattern (%1: 0 to 3), holding "abc0" to
// "abc3", and inputs.txt that lists their names (*names).
bool writeInputFiles(const QString &dir, const QString &pattern, QStringList *names)
{
    for (int i = 0; i < 4; ++i) {
        names->append(pattern.arg(i));
        if (!writeFile(dir + QLatin1Char('/') + names->last(), QByteArray("abc") + QByteArray::number(i)))
            return false;
    }
    return writeFile(dir + QStringLiteral("/inputs.txt"), names->join('\n').toUtf8() + '\n');
}

// A command line taskpool refuses: exit status 2, the reason on stderr, no results.
void checkRefused(const QStringList &args, const QString &reason)
{
    const CliResult r = runCli(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(QString::fromUtf8(r.err).contains(reason), r.err.constData());
    QVERIFY(r.out.isEmpty());
}
} // namespace

class TestCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dataHome;
    SshServer m_sshd;
    QString m_sshdProblem;

private Q_SLOTS:
    void initTestCase()
    {
        becomeSubreaper();
        // Runs are journaled by default: keep them out of the real data folder.
        qputenv("XDG_DATA_HOME", m_dataHome.path().toUtf8());
        startSshd(m_sshd, &m_sshdProblem);
    }
    void cleanupTestCase() { m_sshd.stop(); }
    void cleanup() { verifyNothingLeftRunning({m_sshd.pid()}, 5000); }

    void helpDocumentsEveryOption()
    {
        const CliResult r = runCli({"run", "--help"});
        QCOMPARE(r.exitCode, 0);
        for (const char *option : {"--inputs", "--range", "--null", "--workers", "--worker", "--shell", "--retries",
                                   "--timeout", "--kill-grace", "--max-output", "--progress-pattern", "--results",
                                   "--keep-order", "--progress", "--quiet", "--job", "--demo", "--window", "--chdir",
                                   "--follow"})
            QVERIFY2(r.out.contains(option), option);
    }

    void usageErrorsExitWithTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown option") << QStringList{"run", "--bogus", "--range", "1", "--", "true"} << "bogus";
        QTest::newRow("bad worker count") << QStringList{"run", "-j", "zero", "--range", "1", "--", "true"} << "--workers";
        QTest::newRow("no command") << QStringList{"run", "--range", "1"} << "no command";
        QTest::newRow("missing program") << QStringList{"run", "--range", "1", "--", "/no/such/prog"} << "/no/such/prog";
        QTest::newRow("missing inputs file") << QStringList{"run", "--inputs", "/no/such/file", "--", "true"} << "/no/such/file";
        QTest::newRow("bad size") << QStringList{"run", "--max-output", "lots", "--range", "1", "--", "true"} << "--max-output";
        QTest::newRow("bad pattern") << QStringList{"run", "--progress-pattern", "(", "--range", "1", "--", "true"} << "progress pattern";
        QTest::newRow("unknown subcommand") << QStringList{"frobnicate"} << "unknown command";
        QTest::newRow("start-up for per-task") << QStringList{"run", "--worker-startup", "5", "--range", "1", "--", "true"} << "--worker-startup is for long-lived";
        QTest::newRow("unsafe shell template") << QStringList{"run", "--shell", "--range", "1", "--", "echo `cat {}`"} << "inside `…`; use $(…)";
        QTest::newRow("bad start-up") << QStringList{"run", "--worker", "--worker-startup", "soon", "--range", "1", "--", "true"} << "--worker-startup needs";
    }
    void usageErrorsExitWithTwo()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        checkRefused(args, message);
    }

    // Two slots whose tasks write lines in pieces, pausing mid-line, on both
    // streams: every line comes out whole, once, after its own task's id,
    // and a task's unterminated last line comes out when the task ends.
    void followPrintsWholeLinesPrefixedByTheirTask()
    {
        QTemporaryDir dir;
        const QString results = dir.filePath(QStringLiteral("results.jsonl"));
        const CliResult r = runCli({"run", "-j", "2", "--range", "6", "-q", "--follow", "--results", results, "--",
                                    testWorker(), "pieces", "{}"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(readFile(results).count('\n'), 6);
        static const QRegularExpression format(QStringLiteral("^\\[(\\d+)( err)?\\] (.*)$"));
        QMap<int, QStringList> lines; // id -> its lines, in the order printed
        const QList<QByteArray> printed = r.out.split('\n');
        QVERIFY(r.out.endsWith('\n'));
        for (const QByteArray &line : printed.first(printed.size() - 1)) {
            const QRegularExpressionMatch m = format.match(QString::fromUtf8(line));
            QVERIFY2(m.hasMatch(), line.constData());
            lines[m.captured(1).toInt()].append(m.captured(2) + QLatin1Char('|') + m.captured(3));
        }
        QCOMPARE(lines.size(), 6);
        for (auto it = lines.cbegin(); it != lines.cend(); ++it) {
            const QString id = QString::number(it.key());
            QStringList out;
            for (const QString &line : it.value())
                if (!line.startsWith(QLatin1String(" err|")))
                    out.append(line);
            QCOMPARE(out, (QStringList{"|one of " + id, "|two of " + id, "|end of " + id}));
            QCOMPARE(it.value().size(), 4);
            QVERIFY(it.value().contains(" err|err of " + id));
        }
    }

    // Without --results, standard output carries the results: the lines go to stderr.
    void followGoesToStderrWhenStdoutHasTheResults()
    {
        const CliResult r = runCli({"run", "-j", "2", "--range", "2", "-q", "--follow", "--", testWorker(), "pieces", "{}"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.results().size(), 2); // every line of stdout is a result
        for (const QJsonObject &o : r.results())
            QCOMPARE(o.value("status").toString(), QStringLiteral("ok"));
        for (const char *line : {"[0] one of 0\n", "[1] end of 1\n", "[0 err] err of 0\n", "[1 err] err of 1\n"})
            QVERIFY2(r.err.contains(line), r.err.constData());
    }

    // A worker's stdout lines that are not protocol messages are its output;
    // its protocol lines are not.
    void followShowsAWorkersOwnLines()
    {
        QTemporaryDir dir;
        const QString go = dir.filePath(QStringLiteral("go"));
        QVERIFY(writeFile(go, {})); // chatter: does not wait
        const QString results = dir.filePath(QStringLiteral("results.jsonl"));
        const CliResult r = runCli({"run", "--worker", "-j", "1", "-q", "--follow", "--results", results, "--",
                                    testWorker(), "proto"},
                                   ("chatter:" + go + "\nplain\n").toUtf8());
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.startsWith("[0] chatter on stdout\n"), r.out.constData());
        QVERIFY2(r.out.contains(" err] chatter on stderr\n"), r.out.constData());
        QVERIFY2(!r.out.contains("progress") && !r.out.contains("result"), r.out.constData());
        QCOMPARE(r.out.count('\n'), 2);
    }

    void perTaskResultsHaveEveryField()
    {
        const CliResult r = runCli({"run", "-j", "3", "--range", "5", "-q", "--", testWorker(), "echo", "n={}"});
        QCOMPARE(r.exitCode, 0);
        const QList<QJsonObject> results = r.results();
        QCOMPARE(results.size(), 5);
        QSet<int> ids;
        for (const QJsonObject &o : results) {
            for (const char *key : {"id", "input", "status", "exit_code", "output", "error", "attempts", "worker", "duration_ms"})
                QVERIFY2(o.contains(key), key);
            ids.insert(o.value("id").toInt());
            QCOMPARE(o.value("status").toString(), QStringLiteral("ok"));
            QCOMPARE(o.value("output").toString(), QStringLiteral("n=%1\n").arg(o.value("input").toString()));
        }
        QCOMPARE(ids.size(), 5);
    }

    // --max-output takes the sizes --memfree takes ("1.5k", "2KiB", "4096").
    void maxOutputKeepsThatMuch_data()
    {
        QTest::addColumn<QString>("size");
        QTest::addColumn<int>("kept");
        QTest::newRow("1.5k") << "1.5k" << 1536;
        QTest::newRow("2KiB") << "2KiB" << 2048;
        QTest::newRow("bytes") << "1000" << 1000;
    }

    void maxOutputKeepsThatMuch()
    {
        QFETCH(QString, size);
        QFETCH(int, kept);
        const CliResult r = runCli({"run", "--no-journal", "--no-monitor", "-q", "--max-output", size, "--range", "1", "--",
                                    "sh", "-c", "head -c 5000 /dev/zero | tr '\\0' x"});
        QCOMPARE(r.exitCode, 0);
        const QList<QJsonObject> results = r.results();
        QCOMPARE(results.size(), 1);
        QCOMPARE(results.first().value("output").toString().size(), kept);
        QVERIFY(results.first().value("truncated").toBool());
    }

    void inputsFromStdinWithKeepOrderAndResultsFile()
    {
        QTemporaryDir dir;
        const QString resultsPath = dir.filePath(QStringLiteral("out.jsonl"));
        QByteArray inputs;
        for (int i = 0; i < 50; ++i)
            inputs += (i % 2 ? "slow:20" : "fast") + QByteArray("\n");
        const CliResult r = runCli({"run", "-j", "4", "--worker", "--inputs", "-", "--keep-order", "--results", resultsPath,
                                    "-q", "--", testWorker(), "proto"},
                                   inputs);
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.isEmpty());
        QFile f(resultsPath);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 50);
        for (int i = 0; i < 50; ++i) {
            const QJsonObject o = QJsonDocument::fromJson(lines[i]).object();
            QCOMPARE(o.value("id").toInt(), i);
            QCOMPARE(o.value("result").toString(), QString::fromLatin1(i % 2 ? "slow:20" : "fast"));
        }
    }

    void nulSeparatedInputsAndShellMode()
    {
        const QByteArray inputs("it's\nmulti-line\0$(echo no)\0", 27);
        const CliResult r = runCli({"run", "-0", "--shell", "-q", "--keep-order", "--", "printf", "'[%s]'", "{}"}, inputs);
        QCOMPARE(r.exitCode, 0);
        const QList<QJsonObject> results = r.results();
        QCOMPARE(results.size(), 2);
        QCOMPARE(results[0].value("output").toString(), QStringLiteral("[it's\nmulti-line]"));
        QCOMPARE(results[1].value("output").toString(), QStringLiteral("[$(echo no)]"));
    }

    void failuresExitWithOne()
    {
        const CliResult r = runCli({"run", "--range", "3", "--", testWorker(), "exit"});
        QCOMPARE(r.exitCode, 1);
        const QList<QJsonObject> results = r.results();
        QCOMPARE(results.size(), 3);
        int failed = 0;
        for (const QJsonObject &o : results)
            failed += o.value("status").toString() == QLatin1String("failed");
        QCOMPARE(failed, 2); // "exit 0" succeeds, "exit 1" and "exit 2" fail
        QVERIFY(r.err.contains("2 failed"));
    }

    void programsNamedByTheInputFailOneByOne()
    {
        const CliResult r = runCli({"run", "-j", "1", "--no-journal", "--inputs", "-", "--", "{}"},
                                   "/nonexistent1\n/nonexistent2\n/nonexistent3\n/bin/true\n/bin/true\n/bin/true\n");
        QCOMPARE(r.exitCode, 1); // some failed; not 2, the run was not stopped
        QVERIFY2(r.err.contains("3 ok, 3 failed"), r.err.constData());
    }

    // File names are bytes. Two that differ only in a byte that is not UTF-8
    // run as given, in both modes, come out distinct (input_base64), and
    // resume knows each one.
    void namesThatAreNotUtf8RunExactlyAndResume_data()
    {
        QTest::addColumn<QStringList>("command");
        QTest::newRow("per-task") << QStringList{"--", testWorker(), "argv", "{}"};
        QTest::newRow("worker") << QStringList{"--worker", "--", testWorker(), "proto"};
    }
    void namesThatAreNotUtf8RunExactlyAndResume()
    {
        QFETCH(QStringList, command);
        QTemporaryDir dir;
        const QString journalPath = dir.filePath(QStringLiteral("journal.sqlite"));
        const QList<QByteArray> names = {"caf\xe9.txt", "caf\xe8.txt"};
        const QStringList run = QStringList{"run", "-j", "1", "--keep-order", "--journal", journalPath, "--inputs", "-"} + command;
        const CliResult first = runCli(run, names.join('\n') + '\n');
        QCOMPARE(first.exitCode, 0);
        const QList<QJsonObject> results = first.results();
        QCOMPARE(results.size(), 2);
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(results[i].value("status").toString(), QStringLiteral("ok"));
            QCOMPARE(QByteArray::fromBase64(results[i].value("input_base64").toString().toLatin1()), names[i]);
            QCOMPARE(results[i].value("input").toString(), i == 0 ? QStringLiteral("caf\\xe9.txt") : QStringLiteral("caf\\xe8.txt"));
        }
        const CliResult again = runCli(QStringList{"run", "--resume"} + run.mid(1), names.join('\n') + "\ncaf\xe7.txt\n");
        QCOMPARE(again.exitCode, 0);
        QVERIFY2(again.err.contains("2 tasks of this command already finished"), again.err.constData());
        QCOMPARE(again.results().size(), 1); // only the new name
        QCOMPARE(QByteArray::fromBase64(again.results().value(0).value("input_base64").toString().toLatin1()), QByteArray("caf\xe7.txt"));
    }

    void ctrlCTerminatesTheTreeAndKeepsResults()
    {
        QTemporaryDir dir;
        const QString resultsPath = dir.filePath(QStringLiteral("out.jsonl"));
        const QString pidFile = dir.filePath(QStringLiteral("gc.pid"));
        QProcess p;
        const QString journalPath = dir.filePath(QStringLiteral("journal.sqlite"));
        p.start(QStringLiteral(TASKPOOL_PATH),
                {"run", "-j", "2", "--worker", "--window", "1", "--kill-grace", "0.3", "--inputs", "-", "--results", resultsPath,
                 "--journal", journalPath, "--", testWorker(), "proto"});
        QVERIFY(p.waitForStarted());
        p.write("a\nb\ngrandchild:" + pidFile.toUtf8() + "\nhang\nc\nd\n");
        p.closeWriteChannel();
        QTRY_VERIFY_WITH_TIMEOUT(QFile(pidFile).size() > 0, 10000);
        // "a" and "b" are done: both workers now hold a task that never ends.
        auto resultLines = [&] {
            QFile f(resultsPath);
            return f.open(QIODevice::ReadOnly) ? f.readAll().count('\n') : 0;
        };
        QTRY_COMPARE_WITH_TIMEOUT(resultLines(), 2, 10000);
        QFile pf(pidFile);
        QVERIFY(pf.open(QIODevice::ReadOnly));
        const qint64 grandchild = pf.readAll().trimmed().toLongLong();
        QVERIFY(isAlive(grandchild));
        // a and b may have gone to the other worker, slower to start on a busy machine.
        const auto written = [&resultsPath](const char *input) {
            QFile f(resultsPath);
            return f.open(QIODevice::ReadOnly) && f.readAll().contains(QByteArray("\"input\":\"" + QByteArray(input) + '"'));
        };
        QTRY_VERIFY_WITH_TIMEOUT(written("a") && written("b"), 10000);
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 130);
        QTRY_VERIFY_WITH_TIMEOUT(!isAlive(grandchild), 5000); // SIGKILLed: gone once the kernel has run its exit
        QFile f(resultsPath);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 6); // every input has exactly one record
        QMap<QString, QString> statusByInput;
        for (const QByteArray &line : lines) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            statusByInput.insert(o.value("input").toString(), o.value("status").toString());
        }
        QCOMPARE(statusByInput.value("a"), QStringLiteral("ok"));
        QCOMPARE(statusByInput.value("b"), QStringLiteral("ok"));
        QCOMPARE(statusByInput.value("hang"), QStringLiteral("cancelled"));
        QCOMPARE(statusByInput.value("grandchild:" + pidFile), QStringLiteral("cancelled"));
        // Both workers were stuck (window 1): "c" and "d" were read but never run.
        QCOMPARE(statusByInput.value("c"), QStringLiteral("cancelled"));
        QCOMPARE(statusByInput.value("d"), QStringLiteral("cancelled"));
        // The journal holds the same six records.
        RunJournal journal;
        QString error;
        QVERIFY2(journal.open(journalPath, &error), qPrintable(error));
        RunInfo info;
        QVERIFY(journal.run(journal.latestRun(), &info, &error));
        QCOMPARE(info.counts.count(TaskStatus::Ok), 2);
        QCOMPARE(info.counts.count(TaskStatus::Cancelled), 4);
        QCOMPARE(info.state, QStringLiteral("terminated"));
    }

    // xargs and GNU parallel start a job for each line as it arrives; so does
    // taskpool, while the producer is still writing.
    void streamingInputRunsEachLineAsItArrives_data()
    {
        QTest::addColumn<QStringList>("command");
        QTest::newRow("per-task") << QStringList{testWorker(), "echo", "{}"};
        QTest::newRow("worker") << QStringList{"--worker", "--", testWorker(), "proto"};
    }
    void streamingInputRunsEachLineAsItArrives()
    {
        QFETCH(QStringList, command);
        if (command.first() != QLatin1String("--worker"))
            command.prepend(QStringLiteral("--"));
        QProcess p;
        p.start(QStringLiteral(TASKPOOL_PATH), QStringList{"run", "-j", "2", "--no-journal", "-q", "--inputs", "-"} + command);
        QVERIFY(p.waitForStarted());
        QByteArray out;
        for (const QByteArray &line : {QByteArray("first"), QByteArray("second")}) {
            p.write(line + '\n');
            const QByteArray record = QByteArray("\"input\":\"") + line + '"';
            QTRY_VERIFY_WITH_TIMEOUT((out += p.readAllStandardOutput(), out.contains(record)), 10000);
            QCOMPARE(p.state(), QProcess::Running); // standard input is still open
        }
        p.closeWriteChannel();
        QTRY_COMPARE_WITH_TIMEOUT(p.state(), QProcess::NotRunning, 10000);
        QCOMPARE(p.exitCode(), 0);
        out += p.readAllStandardOutput();
        QCOMPARE(out.count('\n'), 2);
    }

    // kill -9 of taskpool leaves nothing behind, in both modes: a guard process
    // ends every worker's process tree, here one in which every process ignores
    // SIGTERM (PR_SET_PDEATHSIG reaches only the direct child, with SIGTERM).
    void killedTaskpoolLeavesNoProcessBehind_data()
    {
        QTest::addColumn<bool>("protocol");
        QTest::newRow("per-task") << false;
        QTest::newRow("worker") << true;
    }
    void killedTaskpoolLeavesNoProcessBehind()
    {
        QFETCH(bool, protocol);
        QTemporaryDir dir;
        const QStringList pidFiles = {dir.filePath(QStringLiteral("a.pids")), dir.filePath(QStringLiteral("b.pids"))};
        QStringList args = {"run", "-j", "2", "--no-journal", "--kill-grace", "0.3", "--inputs", "-"};
        QByteArray inputs;
        for (const QString &file : pidFiles)
            inputs += (protocol ? "tree:" : "") + file.toUtf8() + '\n';
        if (protocol)
            args += QStringList{"--worker", "--window", "1", "--", testWorker(), "proto"};
        else
            args += QStringList{"--", testWorker(), "tree", "{}"};
        QProcess p;
        p.start(QStringLiteral(TASKPOOL_PATH), args);
        QVERIFY(p.waitForStarted());
        p.write(inputs);
        p.closeWriteChannel();
        QList<qint64> tree;
        const auto killLeftovers = qScopeGuard([&tree] {
            for (qint64 pid : std::as_const(tree))
                if (isAlive(pid))
                    ::kill(pid_t(pid), SIGKILL); // a failed run must not leave them to the next test
        });
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(pidFiles[0]) && QFile::exists(pidFiles[1]), 10000);
        for (const QString &file : pidFiles) {
            QFile f(file);
            QVERIFY(f.open(QIODevice::ReadOnly));
            for (const QByteArray &pid : f.readAll().simplified().split(' '))
                tree.append(pid.toLongLong());
        }
        QCOMPARE(tree.size(), 4); // two workers and their children
        for (qint64 pid : std::as_const(tree))
            QVERIFY(isAlive(pid));
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished(5000));
        const auto anyAlive = [&tree] { return std::any_of(tree.cbegin(), tree.cend(), isAlive); };
        QTRY_VERIFY_WITH_TIMEOUT(!anyAlive(), 10000); // the grace is 0.3 s
    }

    // A signal that was ignored when taskpool started stays ignored, the Unix
    // way: `nohup taskpool run … &` outlives the terminal's SIGHUP, and a
    // script's background `taskpool run … &` (SIGINT ignored by the shell) is
    // not stopped by Ctrl-C. The last row: the same signal, not ignored, ends the run.
    void ignoredSignalsStayIgnored_data()
    {
        QTest::addColumn<int>("signal");
        QTest::addColumn<bool>("ignored");
        QTest::newRow("SIGHUP ignored (nohup)") << int(SIGHUP) << true;
        QTest::newRow("SIGINT ignored (a script's background job)") << int(SIGINT) << true;
        QTest::newRow("SIGHUP not ignored") << int(SIGHUP) << false;
    }
    void ignoredSignalsStayIgnored()
    {
        QFETCH(int, signal);
        QFETCH(bool, ignored);
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a"));
        const QString b = dir.filePath(QStringLiteral("b"));
        const auto touch = [](const QString &path) {
            QFile f(path);
            return f.open(QIODevice::WriteOnly);
        };
        QProcess p;
        if (ignored)
            p.setChildProcessModifier([signal] { ::signal(signal, SIG_IGN); });
        p.start(QStringLiteral(TASKPOOL_PATH), {"run", "-j", "2", "--no-journal", "--kill-grace", "0.3", "--inputs", "-",
                                                "--", testWorker(), "task", "{}"});
        QVERIFY(p.waitForStarted());
        p.write(("await:" + a + "\nawait:" + b + "\n").toUtf8());
        p.closeWriteChannel();
        QByteArray out;
        const auto statusOf = [&](const QString &path) {
            out += p.readAllStandardOutput();
            for (const QByteArray &line : out.split('\n')) {
                const QJsonObject o = QJsonDocument::fromJson(line).object();
                if (o.value("input").toString() == "await:" + path)
                    return o.value("status").toString();
            }
            return QString();
        };
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(a + ".waiting") && QFile::exists(b + ".waiting"), 10000);
        ::kill(pid_t(p.processId()), signal);
        // Taskpool runs the handler before it can see the first task end: once
        // that task's result is out, a signal that ends the run has ended it.
        QVERIFY(touch(a));
        QTRY_VERIFY_WITH_TIMEOUT(!statusOf(a).isEmpty() || p.state() == QProcess::NotRunning, 10000);
        if (!ignored) {
            QTRY_COMPARE_WITH_TIMEOUT(p.state(), QProcess::NotRunning, 10000);
            QCOMPARE(p.exitCode(), 128 + signal);
            return;
        }
        QCOMPARE(p.state(), QProcess::Running);
        QVERIFY(touch(b));
        QTRY_COMPARE_WITH_TIMEOUT(p.state(), QProcess::NotRunning, 10000);
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QCOMPARE(statusOf(a), QStringLiteral("ok"));
        QCOMPARE(statusOf(b), QStringLiteral("ok"));
        QCOMPARE(out.count('\n'), 2);
    }

    // The results go to a reader that stops reading: the pool still finishes
    // every task (into the journal), says what it waits for, and Ctrl-C ends
    // the wait without losing anything.
    void stalledReaderNeitherFreezesThePoolNorLosesResults()
    {
        QTemporaryDir dir;
        const QString fifo = dir.filePath(QStringLiteral("results.fifo"));
        const QString journalPath = dir.filePath(QStringLiteral("journal.sqlite"));
        QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
        const int count = 20000; // ~2 MB of results; a pipe holds 64 KiB
        QProcess p;
        p.start(QStringLiteral(TASKPOOL_PATH), {"run", "-j", "2", "--worker", "--range", QString::number(count), "--journal",
                                                journalPath, "--results", fifo, "--", QStringLiteral(TASKPOOL_PATH),
                                                "demo-worker", "--fast"});
        QVERIFY(p.waitForStarted());
        const int reader = ::open(QFile::encodeName(fifo).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        QVERIFY(reader >= 0);
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError(), err.contains("waiting for the results to be read")), 30000);
        QCOMPARE(p.state(), QProcess::Running);
        ::kill(pid_t(p.processId()), SIGINT);
        QTRY_COMPARE_WITH_TIMEOUT(p.state(), QProcess::NotRunning, 10000);
        err += p.readAllStandardError();
        QCOMPARE(p.exitCode(), 130);
        QVERIFY2(err.contains("the results not yet read are in the journal"), err.constData());
        QByteArray out;
        char buffer[65536];
        ssize_t n;
        while ((n = ::read(reader, buffer, sizeof buffer)) > 0)
            out.append(buffer, n);
        ::close(reader);
        const qsizetype lines = out.count('\n');
        QVERIFY(lines > 0 && lines < count);
        RunJournal journal;
        QString error;
        QVERIFY2(journal.open(journalPath, &error), qPrintable(error));
        RunInfo info;
        QVERIFY(journal.run(journal.latestRun(), &info, &error));
        QCOMPARE(info.counts.count(TaskStatus::Ok), qint64(count));
        QVERIFY2(err.contains(QByteArray(QByteArray("taskpool export --run ") + QByteArray::number(info.id) + ')')), err.constData());
        QCOMPARE(info.state, QStringLiteral("terminated"));
    }

    // A results output that fails ends the run: a full disk says why (exit 1), a
    // reader that went away (`| head`) ends it quietly, like any Unix filter.
    void failingResultsOutputEndsTheRun()
    {
        QTemporaryDir dir;
        const QString journalPath = dir.filePath(QStringLiteral("journal.sqlite"));
        const QStringList job = {"--range", "100000", "--worker", "--journal", journalPath, "--", QStringLiteral(TASKPOOL_PATH),
                                 "demo-worker", "--fast"};
        auto latestRun = [&] {
            RunJournal journal;
            QString error;
            RunInfo info;
            if (journal.open(journalPath, &error))
                journal.run(journal.latestRun(), &info, &error);
            return info;
        };
        const CliResult full = runCli(QStringList{"run", "-j", "2", "--results", "/dev/full"} + job);
        QCOMPARE(full.exitCode, 1);
        QVERIFY2(full.err.contains("cannot write results: No space left on device"), full.err.constData());
        QVERIFY(full.err.contains("cancelled")); // the rest of the run was cancelled, not run for nothing
        QCOMPARE(latestRun().state, QStringLiteral("failed")); // not "finished": its output failed
        QVERIFY2(latestRun().message.contains(QStringLiteral("No space left on device")), qPrintable(latestRun().message));

        int fds[2];
        QVERIFY(::pipe(fds) == 0);
        ::close(fds[0]); // nobody will ever read
        QProcess p;
        p.setStandardOutputFile(QStringLiteral("/proc/self/fd/%1").arg(fds[1]));
        p.start(QStringLiteral(TASKPOOL_PATH), QStringList{"run", "-j", "2"} + job);
        QVERIFY(p.waitForFinished(30000));
        ::close(fds[1]);
        QCOMPARE(p.exitCode(), 128 + SIGPIPE);
        QVERIFY(!p.readAllStandardError().contains("cannot write"));
        QCOMPARE(latestRun().state, QStringLiteral("terminated"));
        QVERIFY2(latestRun().message.contains(QStringLiteral("results output was closed")), qPrintable(latestRun().message));
    }

    // A run whose output cannot be opened never starts, and leaves no run in
    // the journal; a FIFO is waited for like a shell's redirection, and
    // Ctrl-C ends that wait.
    void aRunThatCannotOpenItsOutputLeavesNoRun()
    {
        QTemporaryDir dir;
        const QString journalPath = dir.filePath(QStringLiteral("journal.sqlite"));
        auto runCount = [&] {
            RunJournal journal;
            QString error;
            return journal.open(journalPath, &error) ? journal.latestRun() : -2;
        };
        const CliResult missing = runCli({"run", "--journal", journalPath, "--results", dir.filePath("no/such/dir/out"),
                                          "--range", "3", "--", testWorker(), "echo"});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY2(missing.err.contains("No such file or directory"), missing.err.constData());
        QCOMPARE(runCount(), -1);

        const QString fifo = dir.filePath(QStringLiteral("out.fifo"));
        QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
        QProcess p;
        p.start(QStringLiteral(TASKPOOL_PATH), {"run", "--journal", journalPath, "--results", fifo, "--range", "3", "--",
                                                testWorker(), "echo"});
        QVERIFY(p.waitForStarted());
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError(), err.contains("waiting for a reader")), 10000);
        ::kill(pid_t(p.processId()), SIGINT);
        QTRY_COMPARE_WITH_TIMEOUT(p.state(), QProcess::NotRunning, 10000);
        QCOMPARE(p.exitCode(), 130);
        QCOMPARE(runCount(), -1);

        // With a reader, the run goes ahead and writes there.
        QProcess reader;
        reader.start(QStringLiteral("cat"), {fifo});
        QVERIFY(reader.waitForStarted());
        const CliResult read = runCli({"run", "-q", "--journal", journalPath, "--results", fifo, "--range", "3", "--",
                                       testWorker(), "echo"});
        QCOMPARE(read.exitCode, 0);
        QTRY_COMPARE_WITH_TIMEOUT(reader.state(), QProcess::NotRunning, 10000);
        QCOMPARE(reader.readAllStandardOutput().count('\n'), 3);
        QVERIFY(runCount() > 0);
    }

    void demoRunsWithNothingElseInstalled()
    {
        const CliResult r = runCli({"run", "--demo", "--range", "6", "-j", "6", "--progress"});
        QCOMPARE(r.exitCode, 0);
        const QList<QJsonObject> results = r.results();
        QCOMPARE(results.size(), 6);
        for (const QJsonObject &o : results) {
            QCOMPARE(o.value("status").toString(), QStringLiteral("ok"));
            const int n = o.value("input").toString().toInt();
            QCOMPARE(o.value("result").toObject().value("square").toInt(), n * n);
        }
        QVERIFY(r.err.contains("6/6"));
    }

    void exampleWorkersRun()
    {
        const CliResult python = runCli({"run", "-q", "-j", "3", "--range", "15", "--worker", "--", "python3",
                                         QStringLiteral(EXAMPLES_DIR "/square_worker.py")});
        QCOMPARE(python.exitCode, 1); // 7 is unlucky, on purpose
        const QList<QJsonObject> results = python.results();
        QCOMPARE(results.size(), 15);
        for (const QJsonObject &o : results) {
            const int n = o.value("input").toString().toInt();
            if (n == 7)
                QCOMPARE(o.value("error").toString(), QStringLiteral("7 is unlucky"));
            else
                QCOMPARE(o.value("result").toObject().value("square").toInt(), n * n);
        }
        const CliResult shell = runCli({"run", "-q", "--range", "2", "--", "sh", QStringLiteral(EXAMPLES_DIR "/progress_task.sh"), "{}"});
        QCOMPARE(shell.exitCode, 0);
        QVERIFY(shell.results().value(0).value("output").toString().contains(QStringLiteral("100%")));
    }

    void timeoutEndsTheTask()
    {
        const CliResult r = runCli({"run", "--timeout", "0.3", "--kill-grace", "0.2", "--range", "1", "-q", "--", testWorker(), "ignore-term"});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.results().value(0).value("status").toString(), QStringLiteral("timeout"));
    }

    // ---- on other hosts (--host, --launcher, --transfer, --return, --cleanup) ----

    void cliRunsOnHostsAndRecordsThem()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QTemporaryDir dir;
        const QString journalPath = dir.filePath(QStringLiteral("journal.sqlite"));
        QProcess p;
        p.start(QStringLiteral(TASKPOOL_PATH),
                {"run", "--journal", journalPath, "--host", "1/localhost", "--host", "2/ssh:" + m_sshd.target(),
                 "--launcher", "ssh=" + m_sshd.launcher(), "--range", "12", "--", TESTWORKER_PATH, "task", "slow:100"});
        QVERIFY(p.waitForFinished(60000));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(p.exitCode() == 0, err.constData());
        QMap<qint64, QString> hostOf;
        for (const QByteArray &line : p.readAllStandardOutput().split('\n')) {
            if (line.isEmpty())
                continue;
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            QCOMPARE(o.value("status").toString(), QStringLiteral("ok"));
            hostOf.insert(o.value("id").toInteger(), o.value("host").toString());
        }
        QCOMPARE(hostOf.size(), 12);
        QVERIFY(hostOf.values().contains(m_sshd.target()));
        QVERIFY(hostOf.values().contains(QStringLiteral("localhost")));

        RunJournal journal;
        QString error;
        QVERIFY2(journal.open(journalPath, &error), qPrintable(error));
        RunInfo info;
        QVERIFY(journal.run(journal.latestRun(), &info, &error));
        QCOMPARE(info.spec.hosts.size(), 2);
        QCOMPARE(info.spec.hosts[1].launcher, m_sshd.launcher());
        int seen = 0;
        QVERIFY(journal.forEachResult(
            info.id, [&](const TaskOutcome &o) {
                QCOMPARE(o.host, hostOf.value(o.id));
                ++seen;
            },
            &error));
        QCOMPARE(seen, 12);
    }

    void cliRejectsBadHostOptions_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QStringList tail{"--range", "1", "--", "true"};
        QTest::newRow("-j with --host") << (QStringList{"run", "-j", "2", "--host", "2/localhost"} + tail) << "--host N/localhost";
        QTest::newRow("bad host") << (QStringList{"run", "--host", "0/localhost"} + tail) << "at least 1";
        QTest::newRow("launcher without host") << (QStringList{"run", "--launcher", "srun=srun -N1"} + tail) << "no --host of that kind";
        QTest::newRow("bad launcher kind") << (QStringList{"run", "--host", "ssh:x", "--launcher", "rsh=rsh"} + tail) << "ssh=TEMPLATE";
        QTest::newRow("missing launcher") << (QStringList{"run", "--host", "ssh:x", "--launcher", "ssh=no-such-ssh-here {host}"} + tail)
                                          << "not installed here";
    }
    void cliRejectsBadHostOptions()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        checkRefused(args << QStringLiteral("--no-journal"), message);
    }

    void cliRejectsBadTransferOptions_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QStringList tail{"--range", "1", "--", "true"};
        const QStringList ssh{"run", "--host", "2/ssh:node2"};
        QTest::newRow("return without transfer") << (ssh + QStringList{"--return", "{}.out"} + tail) << "need the input files transferred";
        QTest::newRow("cleanup without transfer") << (ssh + QStringList{"--cleanup"} + tail) << "need the input files transferred";
        QTest::newRow("transfer without a remote host") << (QStringList{"run", "--transfer"} + tail) << "needs a remote host";
        QTest::newRow("transfer to unpinned srun") << (QStringList{"run", "--host", "2/srun", "--transfer"} + tail) << "pinned node";
        QTest::newRow("empty return name") << (ssh + QStringList{"--transfer", "--return", " "} + tail) << "needs a name";
    }
    void cliRejectsBadTransferOptions()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        checkRefused(args << QStringLiteral("--no-journal"), message);
    }

    // --transfer with --worker used to be refused; now only what is wrong for
    // any mode is (no remote host, a return file without a name).
    void workerTransferIsAccepted()
    {
        JobSpec spec = protocol({QStringLiteral("--files")});
        spec.hosts = {shellHost(2)};
        spec.transfer = true;
        spec.returnFiles = {QStringLiteral("{}.out")};
        spec.cleanup = true;
        QVERIFY2(spec.validate().isEmpty(), qPrintable(spec.validate()));
        spec.hosts = {localHost(2)};
        QVERIFY(spec.validate().contains(QLatin1String("needs a remote host")));
        // The CLI runs it (a stand-in "ssh" that is sh -c: no sshd needed).
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath(QStringLiteral("in.txt")), "abc"));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("inputs.txt")), "in.txt\n"));
        QProcess p;
        p.setWorkingDirectory(dir.path());
        p.start(QStringLiteral(TASKPOOL_PATH),
                {"run", "--no-journal", "--worker", "--host", "1/ssh:shell", "--launcher", "ssh=sh -c", "--transfer", "--return",
                 "{}.out", "--cleanup", "--remote-dir", dir.filePath(QStringLiteral("remote")), "--inputs", "inputs.txt", "--",
                 TESTWORKER_PATH, "proto", "--files"});
        QVERIFY(p.waitForFinished(30000));
        const QString err = QString::fromLocal8Bit(p.readAllStandardError());
        QVERIFY2(p.exitCode() == 0, qPrintable(err));
        QCOMPARE(readFile(dir.filePath(QStringLiteral("in.txt.out"))), QByteArray("ABC"));
        QVERIFY2(treeOf(dir.filePath(QStringLiteral("remote"))).isEmpty(), qPrintable(treeOf(dir.filePath(QStringLiteral("remote"))).join('\n')));
    }

    void cliTakesHostsFromAJobFile()
    {
        QTemporaryDir dir;
        JobSpec spec = perTask({QStringLiteral("echo"), QStringLiteral("{}")});
        spec.hosts = {localHost(2), shellHost(2)};
        spec.inputKind = JobSpec::InputKind::Range;
        spec.rangeCount = 8;
        const QString job = dir.filePath(QStringLiteral("job.json"));
        QString error;
        QVERIFY2(spec.save(job, &error), qPrintable(error));
        QProcess p;
        p.start(QStringLiteral(TASKPOOL_PATH), {"run", "--no-journal", "--job", job});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        QSet<QString> hosts;
        for (const QByteArray &line : p.readAllStandardOutput().split('\n'))
            if (!line.isEmpty())
                hosts.insert(QJsonDocument::fromJson(line).object().value("host").toString());
        QCOMPARE(hosts, (QSet<QString>{QStringLiteral("localhost"), QStringLiteral("shell")}));
        // -j would be ignored next to hosts: refused instead.
        p.start(QStringLiteral(TASKPOOL_PATH), {"run", "--no-journal", "--job", job, "-j", "3"});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("--host N/localhost"));
    }

    void helpDescribesHosts()
    {
        QProcess p;
        p.start(QStringLiteral(TASKPOOL_PATH), {"run", "--help"});
        QVERIFY(p.waitForFinished(20000));
        const QByteArray out = p.readAllStandardOutput();
        for (const char *word : {"--host N/HOST", "--launcher KIND=TEMPLATE", "ssh:DEST", "srun", "shared file system", "host,",
                                 "--transfer", "--return PATTERN", "--cleanup", "--remote-dir DIR"})
            QVERIFY2(out.contains(word), word);
    }

    void cliTransfersFilesToWorkers()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QTemporaryDir source;
        QTemporaryDir remote;
        QStringList lines;
        QVERIFY(writeInputFiles(source.path(), QStringLiteral("case $%1 'q' \"d\".txt"), &lines));
        QProcess p;
        p.setWorkingDirectory(source.path());
        p.start(QStringLiteral(TASKPOOL_PATH),
                {"run", "--no-journal", "--worker", "--host", "2/ssh:" + m_sshd.target(), "--launcher", "ssh=" + m_sshd.launcher(),
                 "--transfer", "--return", "{}.out", "--cleanup", "--remote-dir", remote.path(), "--inputs", "inputs.txt",
                 "--", TESTWORKER_PATH, "proto", "--files"});
        QVERIFY(p.waitForFinished(60000));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(p.exitCode() == 0, err.constData());
        QStringList recorded;
        for (const QByteArray &line : p.readAllStandardOutput().split('\n')) {
            if (!line.trimmed().isEmpty())
                recorded.append(QJsonDocument::fromJson(line).object().value("input").toString());
        }
        recorded.sort();
        QStringList given = lines;
        given.sort();
        QCOMPARE(recorded, given); // the inputs as given, not the copies' paths
        for (int i = 0; i < 4; ++i)
            QCOMPARE(readFile(source.filePath(QStringLiteral("case $%1 'q' \"d\".txt.out").arg(i))), QByteArray("ABC") + QByteArray::number(i));
        QVERIFY2(treeOf(remote.path()).isEmpty(), qPrintable(treeOf(remote.path()).join('\n')));
    }

    void cliTransfersFiles()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QTemporaryDir source;
        QTemporaryDir remote;
        QStringList lines;
        QVERIFY(writeInputFiles(source.path(), QStringLiteral("case $%1 'q'.txt"), &lines));
        QProcess p;
        p.setWorkingDirectory(source.path());
        p.start(QStringLiteral(TASKPOOL_PATH),
                {"run", "--no-journal", "--host", "2/ssh:" + m_sshd.target(), "--launcher", "ssh=" + m_sshd.launcher(),
                 "--transfer", "--return", "{.}.up", "--cleanup", "--remote-dir", remote.path(), "--inputs", "inputs.txt",
                 "--shell", "--", "tr", "a-z", "A-Z", "<", "{}", ">", "{.}.up"});
        QVERIFY(p.waitForFinished(60000));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(p.exitCode() == 0, err.constData());
        for (int i = 0; i < 4; ++i)
            QCOMPARE(readFile(source.filePath(QStringLiteral("case $%1 'q'.up").arg(i))), QByteArray("ABC") + QByteArray::number(i));
        QVERIFY2(treeOf(remote.path()).isEmpty(), qPrintable(treeOf(remote.path()).join('\n')));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
