// The pool against real processes: the helper worker misbehaves on demand.

#include "testsupport.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTimer>

#include <csignal>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

using namespace TestSupport;

class TestTaskPool : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { becomeSubreaper(); }
    void cleanup()
    {
        // Whatever a test did, no worker, child or grandchild may outlive it.
        QTRY_VERIFY_WITH_TIMEOUT(liveChildren().isEmpty(), 5000);
    }

    void perTaskRunsEveryInputOnce_data()
    {
        QTest::addColumn<int>("workers");
        QTest::newRow("1 worker") << 1;
        QTest::newRow("3 workers") << 3;
        QTest::newRow("8 workers") << 8;
    }
    void perTaskRunsEveryInputOnce()
    {
        QFETCH(int, workers);
        JobSpec spec = perTask({QStringLiteral("echo"), QStringLiteral("got"), QStringLiteral("{}")});
        spec.workers = workers;
        const EndedRun run = runToEnd(spec, RangeInput(30));
        QVERIFY(run.ended);
        QVERIFY(run.eachIdOnce(30));
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.status, TaskStatus::Ok);
            QCOMPARE(o.exitCode, 0);
            QCOMPARE(o.output, "got " + QByteArray::number(o.id) + "\n");
            QCOMPARE(o.attempts, 1);
            QVERIFY(o.worker >= 0 && o.worker < workers);
        }
        QCOMPARE(run.stats.ok, 30);
        QVERIFY(run.fatalError.isEmpty());
        // After the run every slot is still listed, with its final count.
        QCOMPARE(run.workers.size(), workers);
        qint64 done = 0;
        for (const SlotSnapshot &s : run.workers) {
            QCOMPARE(s.state, SlotState::Exited);
            QCOMPARE(s.taskId, -1);
            done += s.tasksDone;
        }
        QCOMPARE(done, 30);
    }

    void perTaskStatuses_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<double>("timeout");
        QTest::addColumn<TaskStatus>("status");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("error");
        QTest::newRow("ok") << QStringList{"echo"} << 0.0 << TaskStatus::Ok << 0 << QString();
        QTest::newRow("exit 3") << QStringList{"exit", "3"} << 0.0 << TaskStatus::Failed << 3 << "exited with code 3";
        QTest::newRow("segfault") << QStringList{"crash"} << 0.0 << TaskStatus::Crashed << -1 << "SIGSEGV";
        QTest::newRow("hang") << QStringList{"hang"} << 0.3 << TaskStatus::Timeout << -1 << "timed out";
        QTest::newRow("ignores SIGTERM") << QStringList{"ignore-term"} << 0.3 << TaskStatus::Timeout << -1 << "timed out";
    }
    void perTaskStatuses()
    {
        QFETCH(QStringList, args);
        QFETCH(double, timeout);
        QFETCH(TaskStatus, status);
        QFETCH(int, exitCode);
        QFETCH(QString, error);
        JobSpec spec = perTask(args);
        spec.timeoutSeconds = timeout;
        spec.workers = 2;
        const EndedRun run = runToEnd(spec, RangeInput(2));
        QVERIFY(run.ended);
        QVERIFY(run.eachIdOnce(2));
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.status, status);
            QCOMPARE(o.exitCode, exitCode);
            QVERIFY2(o.error.contains(error), qPrintable(o.error));
        }
    }

    void perTaskHostileInputsArePassedExactly_data()
    {
        QTest::addColumn<bool>("shell");
        QTest::newRow("argv") << false;
        QTest::newRow("shell") << true;
    }
    void perTaskHostileInputsArePassedExactly()
    {
        QFETCH(bool, shell);
        const QList<QByteArray> hostile = {
            "a; rm -rf ~", "$(reboot)", "`id`", "'single' \"double\"", "-n", "--help", "  spaces  ",
            "back\\slash", "glob * ?", "h\xc3\xa9llo \xe2\x9c\x93", "new\rline", "|& > /dev/null", "",
            QByteArray(100000, 'L'),
        };
        JobSpec spec = perTask({QStringLiteral("argv"), QStringLiteral("{}")});
        spec.shell = shell;
        spec.workers = 4;
        const EndedRun run = runToEnd(spec, ListInput(hostile));
        QVERIFY(run.ended);
        QVERIFY(run.eachIdOnce(hostile.size()));
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.status, TaskStatus::Ok);
            QCOMPARE(o.output, hostile.at(o.id) + '\0');
        }
    }

    // --shell: wherever {} stands, the shell gets the input as data, never as
    // code: the output equals the input exactly and nothing it says runs.
    void shellTemplateKeepsInputsAsDataInEveryContext_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<QByteArray>("before"); // printed before the input
        QTest::newRow("unquoted") << "printf '%s\\n' {}" << QByteArray();
        QTest::newRow("double quotes") << "printf '%s\\n' \"file: {}\"" << QByteArray("file: ");
        QTest::newRow("single quotes") << "printf '%s\\n' 'file: {}'" << QByteArray("file: ");
        QTest::newRow("command substitution") << "printf '%s\\n' \"$(printf '%s' {})\"" << QByteArray();
        QTest::newRow("nested in double quotes") << "printf '%s\\n' \"<$(printf '%s' \"{}\")>\"" << QByteArray("<");
        QTest::newRow("assignment") << "v={}; printf '%s\\n' \"$v\"" << QByteArray();
        QTest::newRow("function, set --") << "f() { printf '%s\\n' {}; }; set -- x; f" << QByteArray();
        QTest::newRow("appended") << "printf '%s\\n'" << QByteArray();
    }
    void shellTemplateKeepsInputsAsDataInEveryContext()
    {
        QFETCH(QString, script);
        QFETCH(QByteArray, before);
        QTemporaryDir dir;
        const QByteArray marker = QFile::encodeName(dir.filePath(QStringLiteral("PWNED")));
        const QList<QByteArray> hostile = {
            "x\\\"$(touch " + marker + ")", "'$(touch " + marker + ")'", "\"`touch " + marker + "`\"", "$HOME ${HOME} *",
            "a; touch " + marker, "it's \"q\" \\ \\\\", "  two  spaces  ", "-n", "h\xc3\xa9llo", "",
        };
        JobSpec spec;
        spec.mode = JobSpec::Mode::PerTask;
        spec.command = {script};
        spec.shell = true;
        spec.workers = 2;
        spec.killGraceSeconds = 0.3;
        QCOMPARE(spec.validate(), QString());
        const EndedRun run = runToEnd(spec, ListInput(hostile));
        QVERIFY(run.ended);
        QVERIFY(run.eachIdOnce(hostile.size()));
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.status, TaskStatus::Ok);
            const QByteArray expected = before + hostile.at(o.id) + (before == "<" ? ">\n" : "\n");
            QCOMPARE(o.output, expected);
        }
        QVERIFY(!QFile::exists(QString::fromUtf8(marker)));
    }

    void perTaskInputsThatCannotBeArgumentsFailClearly()
    {
        JobSpec spec = perTask({QStringLiteral("echo")});
        const QList<QByteArray> tasks = {QByteArray("fine"), QByteArray("nul\0byte", 8)};
        const EndedRun run = runToEnd(spec, ListInput(tasks));
        QVERIFY(run.ended);
        const auto byId = run.byId();
        QCOMPARE(byId.value(0).status, TaskStatus::Ok);
        QCOMPARE(byId.value(1).status, TaskStatus::Failed);
        QVERIFY(byId.value(1).error.contains(QStringLiteral("NUL")));
        QVERIFY(run.fatalError.isEmpty());
    }

    // File names on Linux are bytes: like xargs, the command gets the exact
    // bytes (in {} and its parts, with and without a shell), and two names that
    // differ only in bytes that are not UTF-8 stay two.
    void perTaskPassesNamesThatAreNotUtf8Exactly_data()
    {
        QTest::addColumn<bool>("shell");
        QTest::newRow("argv") << false;
        QTest::newRow("shell") << true;
    }
    void perTaskPassesNamesThatAreNotUtf8Exactly()
    {
        QFETCH(bool, shell);
        const QList<QByteArray> names = {"dir/caf\xe9.txt", "dir/caf\xe8.txt", "\xff\xfe", "ok-\xc3\xa9"};
        JobSpec spec = perTask({QStringLiteral("argv"), QStringLiteral("{}"), QStringLiteral("{/.}")});
        if (shell)
            spec.command = {QStringLiteral("'%1' argv {} \"{/.}\"").arg(testWorker())};
        spec.shell = shell;
        spec.workers = 2;
        const EndedRun run = runToEnd(spec, ListInput(names));
        QVERIFY(run.ended);
        QVERIFY(run.eachIdOnce(names.size()));
        const QList<QByteArray> bases = {"caf\xe9", "caf\xe8", "\xff\xfe", "ok-\xc3\xa9"};
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.status, TaskStatus::Ok);
            QCOMPARE(o.input, names.at(o.id));
            QCOMPARE(o.output, names.at(o.id) + '\0' + bases.at(o.id) + '\0');
        }
    }

    // The guard that stops a run whose program cannot start is for a fixed
    // program: a program named by the input, or a command line the input made
    // too long (E2BIG), fails that task and the run goes on.
    void startFailuresCausedByTheInputFailOnlyThatTask_data()
    {
        QTest::addColumn<QStringList>("command");
        QTest::addColumn<QList<QByteArray>>("badInputs");
        QTest::addColumn<QByteArray>("goodInput");
        QTest::addColumn<QString>("error");
        QTest::newRow("program from the input") << QStringList{"{}"}
                                                << QList<QByteArray>{"/nonexistent1", "/nonexistent2", "/nonexistent3"}
                                                << QByteArray("/bin/true") << "No such file";
        QTest::newRow("argument too long") << QStringList{testWorker(), "echo", "{}"}
                                           << QList<QByteArray>(3, QByteArray(200000, 'x')) << QByteArray("short")
                                           << "at most 131071 per argument";
        // Each argument fits, all of them together pass ARG_MAX (which follows the stack limit).
        const QStringList many = QStringList{testWorker(), "echo"} + QStringList(::sysconf(_SC_ARG_MAX) / 120000 + 2, "{}");
        QTest::newRow("arguments too long") << many << QList<QByteArray>(3, QByteArray(120000, 'x')) << QByteArray("short")
                                            << "the system takes at most";
    }
    void startFailuresCausedByTheInputFailOnlyThatTask()
    {
        QFETCH(QStringList, command);
        QFETCH(QList<QByteArray>, badInputs);
        QFETCH(QByteArray, goodInput);
        QFETCH(QString, error);
        JobSpec spec;
        spec.mode = JobSpec::Mode::PerTask;
        spec.command = command;
        spec.workers = 1;
        const EndedRun run = runToEnd(spec, ListInput(badInputs + QList<QByteArray>(3, goodInput)));
        QVERIFY(run.ended);
        QVERIFY2(run.fatalError.isEmpty(), qPrintable(run.fatalError));
        QVERIFY(run.eachIdOnce(6));
        for (const TaskOutcome &o : run.outcomes) {
            if (o.id < 3) {
                QCOMPARE(o.status, TaskStatus::Failed);
                QVERIFY2(o.error.contains(error), qPrintable(o.error));
            } else {
                QCOMPARE(o.status, TaskStatus::Ok);
            }
        }
    }

    void perTaskProgressComesFromOutput()
    {
        JobSpec spec = perTask({QStringLiteral("percent"), QStringLiteral("20"), QStringLiteral("40")});
        LiveRun run(spec, range(1));
        double seen = -1;
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, &run.pool, [&] {
            for (const SlotSnapshot &s : run.pool.slotSnapshots()) {
                if (s.progress > 0 && s.progress < 1)
                    seen = s.progress;
            }
        });
        poll.start(5);
        run.start();
        WAIT_FOR_END(run, 20000);
        QVERIFY2(seen > 0 && seen < 1, qPrintable(QString::number(seen)));
        QCOMPARE(run.outcomes.value(0).status, TaskStatus::Ok);
    }

    void perTaskOutputIsCapped()
    {
        JobSpec spec = perTask({QStringLiteral("flood"), QStringLiteral("5000000")});
        spec.maxOutputBytes = 65536;
        const EndedRun run = runToEnd(spec, RangeInput(2));
        QVERIFY(run.ended);
        QVERIFY(run.eachIdOnce(2));
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.status, TaskStatus::Ok);
            QCOMPARE(o.output.size(), 65536);
            QCOMPARE(o.errorOutput.size(), 65536);
            QVERIFY(o.outputTruncated);
        }
    }

    void perTaskMissingProgramStopsTheRun()
    {
        JobSpec spec;
        spec.command = {QStringLiteral("/nonexistent/program"), QStringLiteral("{}")};
        spec.workers = 2;
        const EndedRun run = runToEnd(spec, RangeInput(10));
        QVERIFY(run.ended);
        QVERIFY2(run.fatalError.contains(QStringLiteral("/nonexistent/program")), qPrintable(run.fatalError));
        QVERIFY(run.eachIdOnce(10));
        QCOMPARE(run.count(TaskStatus::Ok), 0);
        QCOMPARE(run.count(TaskStatus::Failed) + run.count(TaskStatus::Cancelled), 10);
    }

    void retriesRunAFailedTaskAgain_data()
    {
        QTest::addColumn<JobSpec::Mode>("mode");
        QTest::addColumn<int>("retries");
        QTest::newRow("per-task, no retry") << JobSpec::Mode::PerTask << 0;
        QTest::newRow("per-task, 1 retry") << JobSpec::Mode::PerTask << 1;
        QTest::newRow("worker, no retry") << JobSpec::Mode::Worker << 0;
        QTest::newRow("worker, 1 retry") << JobSpec::Mode::Worker << 1;
    }
    void retriesRunAFailedTaskAgain()
    {
        QFETCH(JobSpec::Mode, mode);
        QFETCH(int, retries);
        QTemporaryDir dir;
        const QString marker = dir.filePath(QStringLiteral("crashed"));
        JobSpec spec = mode == JobSpec::Mode::PerTask ? perTask({QStringLiteral("crash-once"), QStringLiteral("{}")})
                                                      : protocol();
        spec.retries = retries;
        const QByteArray task = (mode == JobSpec::Mode::PerTask ? marker : QStringLiteral("crash-once:") + marker).toUtf8();
        const EndedRun run = runToEnd(spec, ListInput({task}));
        QVERIFY(run.ended);
        QCOMPARE(run.outcomes.size(), 1);
        QCOMPARE(run.outcomes.first().status, retries ? TaskStatus::Ok : TaskStatus::Crashed);
        QCOMPARE(run.outcomes.first().attempts, retries ? 2 : 1);
        QCOMPARE(run.stats.retried, retries);
    }

    void protocolRunsEveryTaskOnce_data()
    {
        QTest::addColumn<int>("workers");
        QTest::addColumn<int>("window");
        QTest::newRow("1 worker, adaptive") << 1 << 0;
        QTest::newRow("2 workers, adaptive") << 2 << 0;
        QTest::newRow("2 workers, window 1") << 2 << 1;
        QTest::newRow("3 workers, window 16") << 3 << 16;
    }
    void protocolRunsEveryTaskOnce()
    {
        QFETCH(int, workers);
        QFETCH(int, window);
        JobSpec spec = protocol();
        spec.workers = workers;
        spec.window = window;
        const EndedRun run = runToEnd(spec, RangeInput(5000), 30000);
        QVERIFY(run.ended);
        QVERIFY(run.eachIdOnce(5000));
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.status, TaskStatus::Ok);
            QCOMPARE(o.result, '"' + QByteArray::number(o.id) + '"');
        }
    }

    void protocolHandlesEveryKindOfAnswer()
    {
        JobSpec spec = protocol();
        spec.workers = 1;
        spec.window = 8; // "skip" gets no answer: a deeper window lets the next task reveal it
        const QList<QByteArray> tasks = inputs({"a", "error", "garbage", "skip", "stderr", "utf8-junk", "slow:200", "b"});
        const EndedRun run = runToEnd(spec, ListInput(tasks));
        QVERIFY(run.ended);
        QVERIFY(run.eachIdOnce(tasks.size()));
        const auto r = run.byId();
        QCOMPARE(r[0].status, TaskStatus::Ok);
        QCOMPARE(r[0].result, QByteArray("\"a\""));
        QCOMPARE(r[1].status, TaskStatus::Failed);
        QCOMPARE(r[1].error, QStringLiteral("failed on purpose"));
        QCOMPARE(r[2].status, TaskStatus::Ok);
        QCOMPARE(r[3].status, TaskStatus::Failed);
        QVERIFY(r[3].error.contains(QStringLiteral("skipped")));
        QCOMPARE(r[4].status, TaskStatus::Ok); // its stderr line goes to the log (below)
        QCOMPARE(r[5].status, TaskStatus::Failed); // its only answer was not valid JSON text
        QCOMPARE(r[6].status, TaskStatus::Ok);
        QCOMPARE(r[7].status, TaskStatus::Ok);
        QVERIFY(run.log.join('\n').contains(QStringLiteral("not a protocol message")));
        QVERIFY(run.log.join('\n').contains(QStringLiteral("a line on stderr")));
    }

    void protocolProgressIsReported()
    {
        JobSpec spec = protocol();
        LiveRun run(spec, inputs({"slow:600"}));
        double seen = -1;
        QString message;
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, &run.pool, [&] {
            for (const SlotSnapshot &s : run.pool.slotSnapshots()) {
                if (s.progress > 0 && s.progress < 1) {
                    seen = s.progress;
                    message = s.message;
                }
            }
        });
        poll.start(5);
        run.start();
        WAIT_FOR_END(run, 20000);
        QVERIFY(seen > 0 && seen < 1);
        QCOMPARE(message, QStringLiteral("step"));
    }

    void protocolOverlongLineIsDroppedNotFatal()
    {
        JobSpec spec = protocol();
        spec.maxOutputBytes = 64 * 1024; // protocol lines are capped at this size
        spec.window = 4;
        const EndedRun run = runToEnd(spec, ListInput(inputs({"flood:1000000", "after"})));
        QVERIFY(run.ended);
        const auto r = run.byId();
        QCOMPARE(r[0].status, TaskStatus::Ok); // the flood line is dropped; the real answer follows
        QCOMPARE(r[1].status, TaskStatus::Ok);
        QVERIFY(run.log.join('\n').contains(QStringLiteral("longer than")));
    }

    void protocolCrashBlamesOnlyTheRunningTask()
    {
        JobSpec spec = protocol();
        spec.workers = 2;
        spec.window = 8;
        QList<QByteArray> tasks;
        for (int i = 0; i < 60; ++i)
            tasks.append(i == 30 ? QByteArray("crash") : QByteArray::number(i));
        const EndedRun run = runToEnd(spec, ListInput(tasks));
        QVERIFY(run.ended);
        QVERIFY(run.eachIdOnce(60));
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.status, o.id == 30 ? TaskStatus::Crashed : TaskStatus::Ok);
            QCOMPARE(o.attempts, 1);
        }
        QVERIFY(run.byId()[30].error.contains(QStringLiteral("SIGSEGV")));
    }

    void poisonTaskIsSetAsideAndTheRunGoesOn()
    {
        JobSpec spec = protocol();
        spec.workers = 2;
        spec.retries = 2;
        const EndedRun run = runToEnd(spec, ListInput(inputs({"a", "crash", "b", "c", "d"})));
        QVERIFY(run.ended);
        QVERIFY(run.eachIdOnce(5));
        QCOMPARE(run.byId()[1].status, TaskStatus::Crashed);
        QCOMPARE(run.byId()[1].attempts, 3);
        QCOMPARE(run.count(TaskStatus::Ok), 4);
        QVERIFY(run.fatalError.isEmpty());
    }

    void protocolKilledWorkersLoseNothing()
    {
        JobSpec spec = protocol();
        spec.workers = 3;
        spec.retries = 5;
        QList<QByteArray> tasks;
        for (int i = 0; i < 400; ++i)
            tasks.append("slow:10");
        LiveRun run(spec, tasks);
        int kills = 0;
        QTimer killer;
        QObject::connect(&killer, &QTimer::timeout, &run.pool, [&] {
            const QList<SlotSnapshot> workers = run.pool.slotSnapshots();
            if (workers.isEmpty())
                return; // between the last worker's exit and finished()
            const SlotSnapshot &victim = workers.at(QRandomGenerator::global()->bounded(int(workers.size())));
            if (victim.pid > 0 && kills < 8 && ::kill(pid_t(victim.pid), SIGKILL) == 0)
                ++kills;
        });
        killer.start(80);
        RUN_TO_END(run, 60000);
        killer.stop();
        QVERIFY(kills > 0);
        QVERIFY(run.eachIdOnce(400));
        QCOMPARE(run.count(TaskStatus::Ok), 400);
        QVERIFY(run.log.join('\n').contains(QStringLiteral("SIGKILL")));
    }

    void protocolTimeoutRestartsTheWorker()
    {
        JobSpec spec = protocol();
        spec.workers = 1;
        // The clock of the task after a restart includes the new worker's start:
        // room for that on a loaded machine.
        spec.timeoutSeconds = 1.0;
        const EndedRun run = runToEnd(spec, ListInput(inputs({"a", "hang", "b", "ignore-term", "c"})));
        QVERIFY(run.ended);
        QVERIFY(run.eachIdOnce(5));
        const auto r = run.byId();
        QCOMPARE(r[0].status, TaskStatus::Ok);
        QCOMPARE(r[1].status, TaskStatus::Timeout);
        QCOMPARE(r[2].status, TaskStatus::Ok);
        QCOMPARE(r[3].status, TaskStatus::Timeout);
        QCOMPARE(r[4].status, TaskStatus::Ok);
    }

    void workerThatCannotRunStopsTheRun_data()
    {
        QTest::addColumn<QStringList>("command");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing program") << QStringList{"/nonexistent/worker"} << "cannot start";
        QTest::newRow("dies at start") << QStringList{testWorker(), "proto", "--die-at-start"} << "cannot initialise";
        QTest::newRow("exits before answering")
            << QStringList{testWorker(), "proto", "--exit-after", "0"} << "exited with code 0";
    }
    void workerThatCannotRunStopsTheRun()
    {
        QFETCH(QStringList, command);
        QFETCH(QString, message);
        JobSpec spec = protocol();
        spec.command = command;
        spec.workers = 2;
        const EndedRun run = runToEnd(spec, RangeInput(10), 30000);
        QVERIFY(run.ended);
        QVERIFY2(run.fatalError.contains(message), qPrintable(run.fatalError));
        QVERIFY(run.eachIdOnce(10));
        QCOMPARE(run.count(TaskStatus::Ok), 0);
    }

    void terminateReachesGrandchildren_data()
    {
        addModeRows();
    }
    void terminateReachesGrandchildren()
    {
        QFETCH(JobSpec::Mode, mode);
        QTemporaryDir dir;
        const QString pidFile = dir.filePath(QStringLiteral("grandchild.pid"));
        JobSpec spec = mode == JobSpec::Mode::PerTask ? perTask({QStringLiteral("grandchild"), QStringLiteral("{}")})
                                                      : protocol();
        spec.workers = 2;
        const QByteArray first = mode == JobSpec::Mode::PerTask ? pidFile.toUtf8() : "grandchild:" + pidFile.toUtf8();
        LiveRun run(spec, QList<QByteArray>{first, QByteArray("x"), QByteArray("y"), QByteArray("z")});
        run.start();
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(pidFile) && QFile(pidFile).size() > 0, 10000);
        QFile f(pidFile);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const qint64 grandchild = f.readAll().trimmed().toLongLong();
        QVERIFY(isAlive(grandchild));
        run.pool.terminate();
        WAIT_FOR_END(run, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!isAlive(grandchild), 5000); // it ignored SIGTERM: SIGKILL after the grace period got it
        QVERIFY(run.eachIdOnce(4));
        QCOMPARE(run.byId()[0].status, TaskStatus::Cancelled);
    }

    // A pipe whose producer is still there: stop and terminate record every
    // input the pool read from it (cancelled if never run) and wait for no more.
    void endingRecordsEveryInputReadFromAPipe_data()
    {
        QTest::addColumn<JobSpec::Mode>("mode");
        QTest::addColumn<bool>("terminate");
        QTest::newRow("per-task, terminate") << JobSpec::Mode::PerTask << true;
        QTest::newRow("per-task, stop") << JobSpec::Mode::PerTask << false;
        QTest::newRow("worker, terminate") << JobSpec::Mode::Worker << true;
        QTest::newRow("worker, stop") << JobSpec::Mode::Worker << false;
    }
    void endingRecordsEveryInputReadFromAPipe()
    {
        QFETCH(JobSpec::Mode, mode);
        QFETCH(bool, terminate);
        QTemporaryDir dir;
        const QString fifo = dir.filePath(QStringLiteral("inputs"));
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        JobSpec spec = actingOut(mode);
        spec.workers = 1;
        spec.window = 1;
        spec.inputKind = JobSpec::InputKind::File;
        spec.inputFile = fifo;
        QString error;
        std::unique_ptr<InputSource> in(InputSource::create(spec, nullptr, &error));
        QVERIFY2(in, qPrintable(error));
        const int writer = ::open(QFile::encodeName(fifo).constData(), O_WRONLY | O_CLOEXEC);
        QVERIFY(writer >= 0);
        LiveRun run(spec, std::move(in));
        run.start();
        // A stop lets the first task finish: it waits for the gate, opened
        // after the stop, so b and c cannot have started however slow the test is.
        const QString gate = dir.filePath(QStringLiteral("gate"));
        const QByteArray first = terminate ? QByteArray("hang") : "await:" + QFile::encodeName(gate);
        const QByteArray lines = first + "\nb\nc\n";
        QCOMPARE(::write(writer, lines.constData(), size_t(lines.size())), lines.size());
        QTRY_COMPARE_WITH_TIMEOUT(run.pool.stats().running, 1, 10000);
        int unread = -1;
        QTRY_VERIFY_WITH_TIMEOUT(::ioctl(writer, FIONREAD, &unread) == 0 && unread == 0, 10000); // all read
        if (terminate) {
            run.pool.terminate();
        } else {
            run.pool.stop();
            QVERIFY(writeFile(gate, "open"));
        }
        WAIT_FOR_END(run, 10000); // the producer is still there
        ::close(writer);
        QVERIFY(run.eachIdOnce(3));
        const QMap<qint64, TaskOutcome> byId = run.byId();
        QCOMPARE(byId[0].input, first);
        QCOMPARE(byId[0].status, terminate ? TaskStatus::Cancelled : TaskStatus::Ok);
        QCOMPARE(byId[1].input, QByteArray("b"));
        QCOMPARE(byId[1].status, TaskStatus::Cancelled);
        QCOMPARE(byId[2].input, QByteArray("c"));
        QCOMPARE(byId[2].status, TaskStatus::Cancelled);
        QCOMPARE(run.pool.stats().total, 3);
    }

    void stopDrainsRunningTasksAndCancelsTheRest()
    {
        JobSpec spec = protocol();
        spec.workers = 2;
        spec.window = 1;
        QList<QByteArray> tasks(20, QByteArray("slow:400"));
        LiveRun run(spec, tasks);
        run.start();
        QTRY_COMPARE_WITH_TIMEOUT(run.pool.stats().running, 2, 10000);
        // Usually 2; more if the test was slow to look and a task had finished.
        const qint64 startedBeforeTheStop = run.pool.stats().issued;
        run.pool.stop();
        WAIT_FOR_END(run, 10000);
        QVERIFY(run.eachIdOnce(20));
        QVERIFY(startedBeforeTheStop < 20);
        QCOMPARE(run.count(TaskStatus::Ok), startedBeforeTheStop);
        QCOMPARE(run.count(TaskStatus::Cancelled), 20 - startedBeforeTheStop);
    }

    void terminateKeepsCollectedResults()
    {
        JobSpec spec = protocol();
        spec.workers = 2;
        spec.window = 1; // exactly one hanging task per worker
        QList<QByteArray> tasks = inputs({"a", "b", "c", "d"});
        tasks += QList<QByteArray>(10, QByteArray("hang"));
        LiveRun run(spec, tasks);
        run.start();
        QTRY_COMPARE_WITH_TIMEOUT(run.outcomes.size(), 4, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(run.pool.stats().running, 2, 10000);
        run.pool.terminate();
        WAIT_FOR_END(run, 10000);
        QVERIFY(run.eachIdOnce(14));
        QCOMPARE(run.count(TaskStatus::Ok), 4);
        QCOMPARE(run.count(TaskStatus::Cancelled), 10);
    }

    void pauseStopsDispatchingUntilResumed()
    {
        JobSpec spec = protocol();
        spec.workers = 1;
        spec.window = 1;
        QList<QByteArray> tasks(6, QByteArray("slow:100"));
        LiveRun run(spec, tasks);
        run.start();
        QTRY_COMPARE_WITH_TIMEOUT(run.outcomes.size(), 1, 10000);
        run.pool.pause();
        const qint64 issuedAtPause = run.pool.stats().issued; // those done and the one in hand
        // The task in hand finishes, and its worker asks for the next one in
        // the same event: a pool that ignored the pause would hand it out now.
        QTRY_COMPARE_WITH_TIMEOUT(run.pool.stats().running, 0, 10000);
        QCOMPARE(run.pool.stats().issued, issuedAtPause);
        QCOMPARE(run.outcomes.size(), issuedAtPause);
        // Ask for a dispatch outright (a resize does one) and give whatever is
        // pending its turn: still nothing may start.
        run.pool.setWorkerCount(1);
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
        QCOMPARE(run.pool.stats().issued, issuedAtPause);
        QCOMPARE(run.pool.stats().running, 0);
        QCOMPARE(run.pool.slotSnapshots().size(), 1); // workers are kept
        run.pool.unpause();
        WAIT_FOR_END(run, 10000);
        QVERIFY(run.eachIdOnce(6));
        QCOMPARE(run.count(TaskStatus::Ok), 6);
    }

    void workerCountFollowsChangesMidRun_data()
    {
        addModeRows();
    }
    void workerCountFollowsChangesMidRun()
    {
        QFETCH(JobSpec::Mode, mode);
        JobSpec spec = mode == JobSpec::Mode::PerTask ? perTask({QStringLiteral("sleep"), QStringLiteral("60")}) : protocol();
        spec.workers = 1;
        spec.window = 1;
        QList<QByteArray> tasks(mode == JobSpec::Mode::PerTask ? 80 : 80, QByteArray("slow:60"));
        LiveRun run(spec, tasks);
        run.start();
        QCOMPARE(run.pool.slotSnapshots().size(), 1);
        run.pool.setWorkerCount(4);
        QCOMPARE(run.pool.slotSnapshots().size(), 4);
        QTRY_COMPARE_WITH_TIMEOUT(run.pool.stats().running, 4, 10000);
        run.pool.setWorkerCount(2);
        QCOMPARE(run.pool.stats().workers, 2);
        QTRY_COMPARE_WITH_TIMEOUT(run.pool.slotSnapshots().size(), 2, 10000); // busy ones finished their task
        WAIT_FOR_END(run, 30000);
        QVERIFY(run.eachIdOnce(80));
        QCOMPARE(run.count(TaskStatus::Ok), 80);
        QVERIFY(run.log.filter(QStringLiteral("exited")).isEmpty());
    }

    // Raised near the end, the pool adds only the workers the tasks left to
    // start can use: none once every task has started. The count is kept.
    void raisingTheCountAddsNoMoreWorkersThanTasksLeft_data()
    {
        addModeRows();
    }
    void raisingTheCountAddsNoMoreWorkersThanTasksLeft()
    {
        QFETCH(JobSpec::Mode, mode);
        QTemporaryDir dir;
        const QString gate = dir.filePath(QStringLiteral("gate"));
        JobSpec spec = actingOut(mode);
        spec.workers = 2;
        spec.window = 1;
        LiveRun run(spec, QList<QByteArray>(3, "await:" + QFile::encodeName(gate)));
        run.start();
        QTRY_COMPARE_WITH_TIMEOUT(run.pool.stats().running, 2, 10000);
        run.pool.setWorkerCount(4); // one task left to start: one worker for it
        QCOMPARE(run.pool.slotSnapshots().size(), 3);
        QVERIFY(run.log.contains(QStringLiteral("-1: only 1 task left to start: 1 worker added")));
        QTRY_COMPARE_WITH_TIMEOUT(run.pool.stats().running, 3, 10000);
        run.pool.setWorkerCount(6); // every task has started
        QCOMPARE(run.pool.slotSnapshots().size(), 3);
        QVERIFY(run.log.contains(QStringLiteral("-1: every task has started: no worker added")));
        QCOMPARE(run.pool.hostSnapshots().value(0).slotCount, 6); // what the user asked for stays
        run.pool.setWorkerCount(1); // lowering still retires
        QCOMPARE(run.pool.stats().workers, 1);
        QVERIFY(writeFile(gate, "open"));
        WAIT_FOR_END(run, 20000);
        QVERIFY(run.eachIdOnce(3));
        QCOMPARE(run.count(TaskStatus::Ok), 3);
    }

    void slowFeederNeverEndsWorkers()
    {
        // The classic `while not queue.empty()` bug: workers quit when the feeder lags.
        QTemporaryDir dir;
        const QString fifo = dir.filePath(QStringLiteral("inputs"));
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        QProcess feeder;
        feeder.start(QStringLiteral("/bin/sh"),
                     {QStringLiteral("-c"), QStringLiteral("for i in $(seq 1 15); do echo $i; sleep 0.05; done > '%1'").arg(fifo)});
        JobSpec spec = protocol();
        spec.workers = 2;
        spec.inputKind = JobSpec::InputKind::File;
        spec.inputFile = fifo;
        QString error;
        std::unique_ptr<InputSource> in(InputSource::create(spec, nullptr, &error));
        QVERIFY2(in, qPrintable(error));
        LiveRun run(spec, std::move(in));
        QList<qint64> pids;
        QTimer watch;
        QObject::connect(&watch, &QTimer::timeout, &run.pool, [&] {
            for (const SlotSnapshot &s : run.pool.slotSnapshots())
                if (s.pid > 0 && !pids.contains(s.pid))
                    pids.append(s.pid);
        });
        watch.start(5);
        RUN_TO_END(run, 20000);
        QVERIFY(feeder.state() == QProcess::NotRunning || feeder.waitForFinished(5000));
        QVERIFY(run.eachIdOnce(15));
        QCOMPARE(run.count(TaskStatus::Ok), 15);
        QCOMPARE(pids.size(), 2); // the same two workers served the whole trickle
    }
};

QTEST_GUILESS_MAIN(TestTaskPool)
#include "tst_taskpool.moc"
