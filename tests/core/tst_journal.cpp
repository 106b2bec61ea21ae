// The run journal: crash safety, resume, retry failed, export, bad files,
// and journals written by older versions.

#include "runjournal.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSysInfo>
#include <QTemporaryDir>

#include <cstring>

#include <csignal>
#include <sys/stat.h>

using namespace TestSupport;

namespace {
// taskpool's exit code (-1: crashed or hung), with its stderr and stdout where asked.
int cliExitCode(const QStringList &args, QByteArray *err = nullptr, QByteArray *out = nullptr)
{
    const ProgramRun r = runCli(args);
    if (err)
        *err = r.err;
    if (out)
        *out = r.out;
    return r.exitCode;
}

QList<QJsonObject> readResults(const QString &path)
{
    QList<QJsonObject> list;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return list;
    QList<QByteArray> lines = f.readAll().split('\n');
    lines.removeLast(); // "" after the last newline, or a line a SIGKILL cut short
    for (const QByteArray &line : std::as_const(lines))
        if (!line.isEmpty())
            list.append(QJsonDocument::fromJson(line).object());
    return list;
}

qsizetype lineCount(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll().count('\n') : 0;
}
} // namespace

class TestJournal : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void initTestCase()
    {
        becomeSubreaper();
        qputenv("XDG_DATA_HOME", m_dir.filePath(QStringLiteral("xdg")).toUtf8());
    }
    void cleanup() { QTRY_VERIFY_WITH_TIMEOUT(liveChildren().isEmpty(), 5000); }

    void recordsRunsTasksAndAttempts()
    {
        const QString file = path(QStringLiteral("unit.sqlite"));
        RunJournal journal;
        QString error;
        QVERIFY2(journal.open(file, &error), qPrintable(error));
        QFileInfo info(file);
        QCOMPARE(info.permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther), QFile::Permissions());
        JobSpec spec;
        spec.command = {QStringLiteral("echo")};
        QVERIFY(journal.beginRun(spec, &error) > 0);
        TaskOutcome retried;
        retried.id = 0;
        retried.input = "a";
        retried.status = TaskStatus::Crashed;
        retried.attempts = 1;
        journal.recordAttempt(retried);
        for (int i = 0; i < 3; ++i) {
            TaskOutcome o;
            o.id = i;
            o.input = QByteArray(1, char('a' + i));
            o.status = i == 2 ? TaskStatus::Failed : TaskStatus::Ok;
            o.attempts = i == 0 ? 2 : 1;
            o.output = "out";
            journal.recordResult(o);
        }
        QVERIFY2(journal.commit(&error), qPrintable(error));
        QVERIFY(journal.endRun(QStringLiteral("finished"), {}, &error));
        const QList<RunInfo> runs = journal.runs();
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].state, QStringLiteral("finished"));
        QCOMPARE(runs[0].counts.count(TaskStatus::Ok), 2);
        QCOMPARE(runs[0].counts.count(TaskStatus::Failed), 1);
        QCOMPARE(runs[0].spec.command, spec.command);
        QCOMPARE(journal.finishedKeys(spec, &error).size(), 3);
        QCOMPARE(journal.failedInputs(runs[0].id, &error), QList<QByteArray>{"c"});
        QList<TaskOutcome> back;
        QVERIFY(journal.forEachResult(runs[0].id, [&](const TaskOutcome &o) { back.append(o); }, &error));
        QCOMPARE(back.size(), 3);
        QCOMPARE(back[0].attempts, 2);
        QCOMPARE(back[0].output, QByteArray("out"));
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
        db.setDatabaseName(file);
        QVERIFY(db.open());
        {
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM attempts")) && q.next());
            QCOMPARE(q.value(0).toInt(), 2); // the crashed try and the final one of the retried task
        }
        db.close();
        db = {};
        QSqlDatabase::removeDatabase(QStringLiteral("peek"));
        QVERIFY(journal.deleteRun(runs[0].id, &error));
        QVERIFY(journal.runs().isEmpty());
        int left = 0;
        QVERIFY(journal.forEachResult(runs[0].id, [&](const TaskOutcome &) { ++left; }, &error));
        QCOMPARE(left, 0); // the run's tasks went with it
    }

    // A journal someone made readable by others is made private again, and
    // taskpool says so (the README promises 0600).
    void aJournalReadableByOthersIsMadePrivate()
    {
        const QString file = path(QStringLiteral("shared.sqlite"));
        {
            RunJournal journal;
            QString error;
            QVERIFY2(journal.open(file, &error), qPrintable(error));
            QVERIFY(journal.notice().isEmpty());
        }
        const QStringList files = {file, file + QStringLiteral("-wal"), file + QStringLiteral("-shm")};
        for (const QString &name : files)
            if (QFile::exists(name))
                QVERIFY(::chmod(QFile::encodeName(name).constData(), 0644) == 0);
        auto mode = [](const QString &name) {
            struct stat st;
            return ::stat(QFile::encodeName(name).constData(), &st) == 0 ? int(st.st_mode & 0777) : -1;
        };
        QByteArray err;
        QCOMPARE(cliExitCode({"runs", "--journal", file}, &err), 0);
        QVERIFY2(err.contains("was readable by others (mode 644); it is private again (0600)"), err.constData());
        QCOMPARE(mode(file), 0600);
        for (const QString &name : files)
            QVERIFY(!QFile::exists(name) || mode(name) == 0600);
        RunJournal again;
        QString error;
        QVERIFY2(again.open(file, &error), qPrintable(error));
        QVERIFY(again.notice().isEmpty()); // said once: now it is private
    }

    void killedRunResumesWithoutLosingOrRepeatingWork()
    {
        const QString journal = path(QStringLiteral("kill.sqlite"));
        const QString first = path(QStringLiteral("first.jsonl"));
        const QString second = path(QStringLiteral("second.jsonl"));
        const QStringList job = {"--range", "300", "-j", "3", "--", testWorker(), "sleep", "15"};
        QProcess runner;
        runner.start(QStringLiteral(TASKPOOL_PATH), QStringList{"run", "-q", "--journal", journal, "--results", first} + job);
        QVERIFY(runner.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(lineCount(first) >= 40, 20000);
        ::kill(pid_t(runner.processId()), SIGKILL);
        QVERIFY(runner.waitForFinished(5000));
        QTRY_VERIFY_WITH_TIMEOUT(liveChildren().isEmpty(), 5000); // its workers went with it

        // What the killed run recorded. The journal commits a batch before the
        // results file gets it, so the kill can fall between the two: the
        // journal may hold more than the file, never less.
        QMap<QString, int> seen;
        {
            RunJournal j;
            QString error;
            QVERIFY2(j.open(journal, &error), qPrintable(error));
            const RunInfo killed = j.runs().value(0);
            QCOMPARE(killed.state, QStringLiteral("interrupted"));
            QVERIFY(killed.counts.count(TaskStatus::Ok) >= lineCount(first));
            QList<TaskOutcome> recorded;
            QVERIFY2(j.forEachResult(killed.id, [&](const TaskOutcome &o) { recorded.append(o); }, &error), qPrintable(error));
            for (const TaskOutcome &o : std::as_const(recorded)) {
                QCOMPARE(o.status, TaskStatus::Ok);
                ++seen[QString::fromUtf8(o.input)];
            }
        }
        const QList<QJsonObject> before = readResults(first);
        QVERIFY(!before.isEmpty());
        for (const QJsonObject &o : before) {
            QCOMPARE(o.value("status").toString(), QStringLiteral("ok"));
            QVERIFY2(seen.contains(o.value("input").toString()), qPrintable(o.value("input").toString()));
        }

        QCOMPARE(cliExitCode(QStringList{"run", "-q", "--journal", journal, "--resume", "--results", second} + job), 0);
        const QList<QJsonObject> after = readResults(second);
        QVERIFY(after.size() < 300);
        for (const QJsonObject &o : after) {
            QCOMPARE(o.value("status").toString(), QStringLiteral("ok"));
            ++seen[o.value("input").toString()];
        }
        QCOMPARE(seen.size(), 300);
        for (auto it = seen.cbegin(); it != seen.cend(); ++it)
            QVERIFY2(it.value() == 1, qPrintable(it.key())); // nothing that had finished ran twice
    }

    void resumeMatchesByInputNotPosition()
    {
        const QString journal = path(QStringLiteral("reorder.sqlite"));
        const QString inputs = path(QStringLiteral("inputs.txt"));
        auto writeInputs = [&](const QByteArray &content) {
            QFile f(inputs);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(content);
        };
        writeInputs("a\nb\nc\n");
        const QStringList command = {"--", testWorker(), "echo"};
        QCOMPARE(cliExitCode(QStringList{"run", "-q", "--journal", journal, "--inputs", inputs} + command), 0);
        writeInputs("e\nc\nd\na\nb\n"); // reordered, with new inputs
        QByteArray out;
        QCOMPARE(cliExitCode(QStringList{"run", "-q", "--journal", journal, "--resume", "--inputs", inputs} + command, nullptr, &out), 0);
        QStringList ran;
        for (const QByteArray &line : out.split('\n'))
            if (!line.isEmpty())
                ran.append(QJsonDocument::fromJson(line).object().value("input").toString());
        ran.sort();
        QCOMPARE(ran, (QStringList{"d", "e"}));
        // A different command is a different task: nothing is skipped.
        QCOMPARE(cliExitCode(QStringList{"run", "-q", "--journal", journal, "--resume", "--inputs", inputs, "--", testWorker(), "echo", "x"}, nullptr, &out), 0);
        QCOMPARE(out.count('\n'), 5);
    }

    void olderJournalsAreRekeyedSoResumeStillWorks()
    {
        const QString file = path(QStringLiteral("schema1.sqlite"));
        JobSpec spec;
        spec.command = {QStringLiteral("echo")};
        {
            RunJournal journal;
            QString error;
            QVERIFY2(journal.open(file, &error), qPrintable(error));
            QVERIFY(journal.beginRun(spec, &error) > 0);
            for (int i = 0; i < 3; ++i) {
                TaskOutcome o;
                o.id = i;
                o.input = QByteArray("in ") + QByteArray::number(i);
                o.status = TaskStatus::Ok;
                o.attempts = 1;
                journal.recordResult(o);
            }
            QVERIFY(journal.endRun(QStringLiteral("finished"), {}, &error));
        }
        {
            // What a schema 1 journal looked like: other (SHA-1) keys.
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("downgrade"));
            db.setDatabaseName(file);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("UPDATE tasks SET task_key = task_id + 12345")));
            QVERIFY(q.exec(QStringLiteral("UPDATE meta SET value='1' WHERE key='schema'")));
            q = QSqlQuery();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("downgrade"));
        RunJournal journal;
        QString error;
        QVERIFY2(journal.open(file, &error), qPrintable(error));
        const quint64 command = RunJournal::commandHash(RunJournal::commandKey(spec));
        const QSet<quint64> expected{RunJournal::taskKey(command, "in 0"), RunJournal::taskKey(command, "in 1"),
                                     RunJournal::taskKey(command, "in 2")};
        QCOMPARE(journal.finishedKeys(spec, &error), expected);
        // Keys are stored, so they must never change (the value was computed independently, in Python).
        QCOMPARE(RunJournal::taskKey(RunJournal::commandHash("per-task\x1f\x1f\x1f" "echo"), "a"), quint64(6923150465016036169ULL));
    }

    void oldRunsArePrunedByCountAndAge()
    {
        const QString file = path(QStringLiteral("prune.sqlite"));
        JobSpec spec;
        spec.command = {QStringLiteral("echo")};
        RunJournal writer;
        QString error;
        QVERIFY2(writer.open(file, &error), qPrintable(error));
        QList<qint64> ids;
        for (int run = 0; run < 4; ++run) {
            ids.append(writer.beginRun(spec, &error));
            TaskOutcome o;
            o.id = 0;
            o.input = "x";
            o.status = TaskStatus::Ok;
            o.attempts = 1;
            writer.recordResult(o);
            QVERIFY(writer.endRun(QStringLiteral("finished"), {}, &error));
        }
        const qint64 going = writer.beginRun(spec, &error); // this process is alive: the run is still going
        QVERIFY(writer.commit(&error));
        {
            // The two oldest runs started ten days ago.
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("age"));
            db.setDatabaseName(file);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("UPDATE runs SET started_at = started_at - 864000000 WHERE id IN (%1, %2)")
                               .arg(ids[0])
                               .arg(ids[1])));
            q = QSqlQuery();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("age"));
        auto listedRuns = [&] {
            QList<qint64> listed;
            for (const RunInfo &r : writer.runs())
                listed.append(r.id);
            return listed;
        };
        QByteArray err, out;
        QCOMPARE(cliExitCode({"runs", "--journal", file, "--keep", "x"}, &err), 2);
        QVERIFY(err.contains("--keep takes a number"));
        // Kept: the newest ended run by count, the recent one by age, the one going.
        QCOMPARE(cliExitCode({"runs", "--journal", file, "--keep", "1", "--older-than", "5"}, &err, &out), 0);
        QVERIFY2(out.contains("deleted 2 run(s)"), out.constData());
        QCOMPARE(listedRuns(), (QList<qint64>{going, ids[3], ids[2]}));
        int left = 0;
        QVERIFY(writer.forEachResult(ids[0], [&](const TaskOutcome &) { ++left; }, &error));
        QCOMPARE(left, 0);
        QCOMPARE(cliExitCode({"runs", "--journal", file, "--keep", "0"}, &err, &out), 0);
        QCOMPARE(listedRuns(), QList<qint64>{going});
        QVERIFY(writer.endRun(QStringLiteral("finished"), {}, &error));
    }

    void retryFailedRerunsOnlyTheFailures()
    {
        const QString journal = path(QStringLiteral("retry.sqlite"));
        const QString inputs = path(QStringLiteral("markers.txt"));
        {
            QFile f(inputs);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(path(QStringLiteral("m1")).toUtf8() + '\n' + "ok-input\n" + path(QStringLiteral("m2")).toUtf8() + '\n');
        }
        // crash-once crashes the first time it sees a marker path; "ok-input" does not exist either, so…
        QFile::remove(path(QStringLiteral("ok-input")));
        QByteArray out;
        QCOMPARE(cliExitCode({"run", "-q", "--journal", journal, "--inputs", inputs, "--chdir", m_dir.path(), "--", testWorker(), "crash-once", "{}"}, nullptr, &out), 1);
        QCOMPARE(out.count("\"crashed\""), 3);
        QCOMPARE(cliExitCode({"run", "-q", "--journal", journal, "--retry-failed"}, nullptr, &out), 0);
        QCOMPARE(out.count('\n'), 3);
        QCOMPARE(out.count("\"ok\""), 3);
        RunJournal j;
        QString error;
        QVERIFY(j.open(journal, &error));
        const QList<RunInfo> runs = j.runs();
        QCOMPARE(runs.size(), 2);
        QCOMPARE(runs[0].counts.count(TaskStatus::Ok), 3);
        QCOMPARE(runs[0].spec.command, runs[1].spec.command);
    }

    void exportRoundTrips()
    {
        const QString journal = path(QStringLiteral("export.sqlite"));
        const QString results = path(QStringLiteral("export-results.jsonl"));
        QCOMPARE(cliExitCode({"run", "-q", "--keep-order", "--journal", journal, "--results", results, "--range", "20", "--",
                         testWorker(), "echo", "line, with \"quotes\""}),
                 0);
        QByteArray jsonl;
        QCOMPARE(cliExitCode({"export", "--journal", journal, "--format", "jsonl"}, nullptr, &jsonl), 0);
        QFile f(results);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> direct = f.readAll().trimmed().split('\n');
        const QList<QByteArray> exported = jsonl.trimmed().split('\n');
        QCOMPARE(exported.size(), 20);
        for (int i = 0; i < 20; ++i)
            QCOMPARE(QJsonDocument::fromJson(exported[i]).object(), QJsonDocument::fromJson(direct[i]).object());
        QByteArray csv;
        const QString csvPath = path(QStringLiteral("export.csv"));
        QCOMPARE(cliExitCode({"export", "--journal", journal, "--format", "csv", "-o", csvPath}), 0);
        QFile c(csvPath);
        QVERIFY(c.open(QIODevice::ReadOnly));
        csv = c.readAll();
        QVERIFY(csv.startsWith("id,input,status,"));
        QCOMPARE(csv.count("\r\n"), 21); // header + 20 records; the newline inside each output is quoted
        QVERIFY(csv.contains("\"line, with \"\"quotes\"\" 7\n\""));
    }

    void haltedRunsAreRecordedWithTheirReason()
    {
        const QString journal = path(QStringLiteral("halt.sqlite"));
        QCOMPARE(cliExitCode({"run", "-q", "--journal", journal, "--halt-on-failures", "2", "-j", "1", "--range", "20", "--",
                         testWorker(), "exit", "1"}),
                 1);
        RunJournal j;
        QString error;
        QVERIFY(j.open(journal, &error));
        const RunInfo run = j.runs().value(0);
        QCOMPARE(run.state, QStringLiteral("stopped"));
        QVERIFY2(run.message.contains(QStringLiteral("2 tasks failed")), qPrintable(run.message));
        QCOMPARE(run.finished(), 20);
    }

    void badJournalFilesDoNotStopTheRun_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("corrupt") << "corrupt";
        QTest::newRow("locked") << "locked";
    }
    void badJournalFilesDoNotStopTheRun()
    {
        QFETCH(QString, kind);
        const QString journal = path(kind + QStringLiteral(".sqlite"));
        QSqlDatabase locker;
        if (kind == QLatin1String("corrupt")) {
            QFile f(journal);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(8192, 'x'));
        } else {
            locker = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("locker"));
            locker.setDatabaseName(journal);
            QVERIFY(locker.open());
            QSqlQuery q(locker);
            QVERIFY(q.exec(QStringLiteral("CREATE TABLE t(x)")));
            QVERIFY(q.exec(QStringLiteral("BEGIN EXCLUSIVE")));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO t VALUES(1)")));
        }
        QByteArray err, out;
        QCOMPARE(cliExitCode({"run", "--journal", journal, "--range", "3", "--", testWorker(), "echo"}, &err, &out), 0);
        QVERIFY2(err.contains("running without a journal"), err.constData());
        QVERIFY2(err.contains(kind == QLatin1String("corrupt") ? "damaged" : "another program"), err.constData());
        QCOMPARE(out.count('\n'), 3);
        // --resume needs the journal: it must refuse instead of running everything again.
        QCOMPARE(cliExitCode({"run", "--journal", journal, "--resume", "--range", "3", "--", testWorker(), "echo"}, &err), 2);
        if (locker.isOpen()) {
            locker.close();
            locker = {};
            QSqlDatabase::removeDatabase(QStringLiteral("locker"));
        }
    }

    // The job's results: one record per task across its runs, the newest
    // finished one winning, ids that stay, attempts added up.
    void jobResultsTakeTheLatestRecordPerTask()
    {
        const QString file = path(QStringLiteral("job.sqlite"));
        RunJournal journal;
        QString error;
        QVERIFY2(journal.open(file, &error), qPrintable(error));
        JobSpec spec = perTask({QStringLiteral("echo")});
        JobSpec other = perTask({QStringLiteral("echo"), QStringLiteral("x")});
        auto outcome = [](qint64 id, const char *input, TaskStatus status, int attempts, const char *output = "") {
            TaskOutcome o;
            o.id = id;
            o.input = input;
            o.status = status;
            o.attempts = attempts;
            o.output = output;
            return o;
        };
        auto record = [&](const JobSpec &s, const QList<TaskOutcome> &outcomes, const QString &state) {
            const qint64 id = journal.beginRun(s, &error);
            for (const TaskOutcome &o : outcomes)
                journal.recordResult(o);
            return journal.endRun(state, {}, &error) ? id : -1;
        };
        const qint64 first = record(spec,
                                    {outcome(0, "a", TaskStatus::Ok, 1, "a1"), outcome(1, "b", TaskStatus::Failed, 2),
                                     outcome(2, "c", TaskStatus::Cancelled, 0), outcome(3, "d", TaskStatus::Ok, 1, "d1")},
                                    QStringLiteral("stopped"));
        const qint64 unrelated = record(other, {outcome(0, "a", TaskStatus::Failed, 1)}, QStringLiteral("finished"));
        // --retry-failed numbers what it runs from 0.
        const qint64 retry = record(spec, {outcome(0, "b", TaskStatus::Ok, 1, "b2")}, QStringLiteral("finished"));
        // A run of the whole job again, stopped at once: "a" cancelled there, "e" new.
        const qint64 again = record(spec, {outcome(0, "a", TaskStatus::Cancelled, 1), outcome(1, "e", TaskStatus::Ok, 1, "e3"),
                                           outcome(2, "d", TaskStatus::Crashed, 1, "d3")},
                                    QStringLiteral("stopped"));
        QVERIFY2(first > 0 && unrelated > 0 && retry > 0 && again > 0, qPrintable(error));

        QList<qint64> ids;
        for (const RunInfo &r : journal.jobRuns(retry, &error))
            ids.append(r.id);
        QCOMPARE(ids, (QList<qint64>{first, retry, again}));

        struct Row
        {
            TaskOutcome o;
            qint64 run;
        };
        auto jobOf = [&](qint64 run) {
            QList<Row> rows;
            if (!journal.forEachJobResult(run, [&](const TaskOutcome &o, qint64 from) { rows.append({o, from}); }, &error))
                rows.clear();
            return rows;
        };
        const QList<Row> rows = jobOf(first); // any run of the job gives the whole job, newer runs included
        QCOMPARE(rows.size(), 5);
        auto check = [&](int i, qint64 id, const char *input, TaskStatus status, int attempts, qint64 run, const char *output) {
            QCOMPARE(rows[i].o.id, id);
            QCOMPARE(rows[i].o.input, QByteArray(input));
            QCOMPARE(rows[i].o.status, status);
            QCOMPARE(rows[i].o.attempts, attempts);
            QCOMPARE(rows[i].run, run);
            QCOMPARE(rows[i].o.output, QByteArray(output));
        };
        check(0, 0, "a", TaskStatus::Ok, 2, first, "a1");       // cancelled later: the ok stays
        check(1, 1, "b", TaskStatus::Ok, 3, retry, "b2");       // failed, then ok in the retry
        check(2, 2, "c", TaskStatus::Cancelled, 0, first, "");  // never finished anywhere
        check(3, 3, "d", TaskStatus::Crashed, 2, again, "d3");  // the newest finished record wins
        check(4, 5, "e", TaskStatus::Ok, 1, again, "e3");       // new in the last run: after every id before it
        QCOMPARE(jobOf(again).size(), 5);
        const QList<Row> alone = jobOf(unrelated);
        QCOMPARE(alone.size(), 1);
        QCOMPARE(alone[0].o.status, TaskStatus::Failed);
        QVERIFY(!journal.forEachJobResult(again + 100, [](const TaskOutcome &, qint64) {}, &error));
        QVERIFY2(error.contains(QStringLiteral("no run")), qPrintable(error));
        error.clear();
        QVERIFY(journal.jobRuns(again + 100, &error).isEmpty());
        QVERIFY(!error.isEmpty());
    }

    // A real run killed with SIGKILL mid-run, its resume, then retries of the
    // failures of both: the job's export has every input once, with its latest status.
    void jobExportAcrossAKillResumeAndRetries()
    {
        const QString journal = path(QStringLiteral("jobkill.sqlite"));
        const QString inputs = path(QStringLiteral("jobkill-inputs.txt"));
        const QString first = path(QStringLiteral("jobkill-first.jsonl"));
        QDir(m_dir.path()).mkpath(QStringLiteral("jobkill"));
        QByteArray list;
        QSet<QString> crashing;
        for (int i = 0; i < 120; ++i) {
            const QString input = path(QStringLiteral("jobkill/in%1").arg(i));
            list += input.toUtf8() + '\n';
            if (i % 10 == 3)
                crashing.insert(input); // crash-once crashes on a file that is not there yet
            else
                QVERIFY(QFile(input).open(QIODevice::WriteOnly));
        }
        {
            QFile f(inputs);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(list);
        }
        const QStringList job = {"--inputs", inputs, "-j", "2", "--shell", "--",
                                 QStringLiteral("sleep 0.05; exec '%1' crash-once {}").arg(testWorker())};
        QProcess runner;
        runner.start(QStringLiteral(TASKPOOL_PATH), QStringList{"run", "-q", "--journal", journal, "--results", first} + job);
        QVERIFY(runner.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(lineCount(first) >= 30, 30000);
        ::kill(pid_t(runner.processId()), SIGKILL);
        QVERIFY(runner.waitForFinished(5000));
        QTRY_VERIFY_WITH_TIMEOUT(liveChildren().isEmpty(), 5000);
        // The crashing inputs the killed run got to: crash-once made their file.
        QSet<QString> reachedBeforeTheKill;
        for (const QString &input : std::as_const(crashing)) {
            if (QFile::exists(input))
                reachedBeforeTheKill.insert(input);
        }

        QCOMPARE(cliExitCode(QStringList{"run", "-q", "--journal", journal, "--resume", "--results", path("jobkill-2.jsonl")} + job), 1);
        qint64 killed = -1, resumed = -1;
        QSet<QString> crashLostInTheKill;
        {
            RunJournal j;
            QString error;
            QVERIFY2(j.open(journal, &error), qPrintable(error));
            const QList<RunInfo> runs = j.runs();
            QCOMPARE(runs.size(), 2);
            QCOMPARE(runs[1].state, QStringLiteral("interrupted"));
            QVERIFY(runs[1].finished() < 120);
            killed = runs[1].id;
            resumed = runs[0].id;
            // A crash the SIGKILL came before the journal heard of (the task
            // was running, or its outcome not yet committed) is not in the
            // job: the resume ran that input again, found its file and passed.
            crashLostInTheKill = reachedBeforeTheKill;
            auto recorded = [&](const TaskOutcome &o) { crashLostInTheKill.remove(QString::fromUtf8(o.input)); };
            QVERIFY2(j.forEachResult(killed, recorded, &error), qPrintable(error));
            QVERIFY(crashLostInTheKill.size() < reachedBeforeTheKill.size());
        }
        // Both runs had crashes (every 10th input crashes once); retry each.
        QCOMPARE(cliExitCode({"run", "-q", "--journal", journal, "--retry-failed", "--run", QString::number(killed)}), 0);
        QCOMPARE(cliExitCode({"run", "-q", "--journal", journal, "--retry-failed", "--run", QString::number(resumed)}), 0);

        for (const QString &anchor : {QString(), QString::number(killed)}) {
            QByteArray out, err;
            QStringList args{"export", "--journal", journal, "--job"};
            if (!anchor.isEmpty())
                args << "--run" << anchor;
            QCOMPARE(cliExitCode(args, &err, &out), 0);
            QVERIFY2(err.isEmpty(), err.constData());
            QMap<QString, QJsonObject> byInput;
            QSet<qint64> ids;
            const QList<QByteArray> lines = out.trimmed().split('\n');
            QCOMPARE(lines.size(), 120);
            for (const QByteArray &line : lines) {
                const QJsonObject o = QJsonDocument::fromJson(line).object();
                byInput.insert(o.value("input").toString(), o);
                ids.insert(o.value("id").toInteger());
            }
            QCOMPARE(byInput.size(), 120); // exactly one record per input
            QCOMPARE(ids.size(), 120);     // and unique ids
            for (auto it = byInput.cbegin(); it != byInput.cend(); ++it) {
                QCOMPARE(it.value().value("status").toString(), QStringLiteral("ok"));
                // A task that crashed once was tried twice, in two runs.
                const bool crashedOnRecord = crashing.contains(it.key()) && !crashLostInTheKill.contains(it.key());
                QCOMPARE(it.value().value("attempts").toInt(), crashedOnRecord ? 2 : 1);
            }
        }
        QByteArray csv;
        QCOMPARE(cliExitCode({"export", "--journal", journal, "--job", "--format", "csv"}, nullptr, &csv), 0);
        QCOMPARE(csv.count("\r\n"), 121);
        QByteArray help;
        QCOMPARE(cliExitCode({"export", "--help"}, nullptr, &help), 0);
        QVERIFY(help.contains("--job"));
    }

    // Resume chains written by the first journal release (schema 1: SHA-1
    // task keys, a task_key index, no stalled counter, no hosts): a run
    // killed part-way (still "running", its owner dead), then a resume that
    // ran a little. This taskpool exports the job and resumes the rest.
    void jobOfAnOlderReleaseExportsAndResumes()
    {
        const QString file = path(QStringLiteral("release1.sqlite"));
        const QString inputs = path(QStringLiteral("release1-inputs.txt"));
        {
            QFile f(inputs);
            QVERIFY(f.open(QIODevice::WriteOnly));
            for (int i = 0; i < 10; ++i)
                f.write("in" + QByteArray::number(i) + '\n');
        }
        QProcess gone; // a pid whose process has ended: the owner of the killed run
        gone.start(testWorker(), {"exit", "0"});
        QVERIFY(gone.waitForFinished(10000));
        const qint64 deadPid = gone.processId() > 0 ? gone.processId() : 999999;
        const QByteArray commandKey = QByteArray("per-task\x1f\x1f\x1f") + testWorker().toUtf8() + "\x1f" "echo";
        auto sha1Key = [&](const QByteArray &input) {
            QCryptographicHash hash(QCryptographicHash::Sha1);
            hash.addData(commandKey);
            hash.addData(QByteArrayView("\0", 1));
            hash.addData(input);
            quint64 key;
            std::memcpy(&key, hash.result().constData(), sizeof key);
            return qint64(key & 0x7fffffffffffffffULL);
        };
        const QString jobJson =
            QStringLiteral("{\"mode\":\"per-task\",\"command\":[\"%1\",\"echo\"],\"shell\":false,\"working_directory\":\"\","
                           "\"workers\":2,\"retries\":0,\"timeout_s\":0,\"kill_grace_s\":2,\"max_output_bytes\":1048576,"
                           "\"progress_pattern\":\"\",\"window\":1,\"inputs\":{\"kind\":\"file\",\"file\":\"%2\","
                           "\"null_separated\":false}}")
                .arg(testWorker(), inputs);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("release1"));
            db.setDatabaseName(file);
            QVERIFY(db.open());
            QSqlQuery q(db);
            for (const char *sql : {
                     "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)",
                     "CREATE TABLE runs(id INTEGER PRIMARY KEY AUTOINCREMENT, started_at INTEGER NOT NULL, finished_at INTEGER,"
                     " state TEXT NOT NULL, message TEXT, job TEXT NOT NULL, command_key BLOB NOT NULL,"
                     " owner_pid INTEGER, owner_start TEXT, owner_host TEXT,"
                     " n_ok INTEGER DEFAULT 0, n_failed INTEGER DEFAULT 0, n_timeout INTEGER DEFAULT 0,"
                     " n_crashed INTEGER DEFAULT 0, n_cancelled INTEGER DEFAULT 0)",
                     "CREATE TABLE tasks(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, task_id INTEGER NOT NULL,"
                     " task_key INTEGER NOT NULL, input BLOB, status TEXT NOT NULL, exit_code INTEGER,"
                     " output BLOB, stderr BLOB, result TEXT, error TEXT, truncated INTEGER,"
                     " attempts INTEGER, worker INTEGER, started_at INTEGER, duration_ms INTEGER,"
                     " PRIMARY KEY(run_id, task_id))",
                     "CREATE INDEX tasks_by_key ON tasks(task_key, status)",
                     "CREATE TABLE attempts(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, task_id INTEGER NOT NULL,"
                     " attempt INTEGER NOT NULL, status TEXT NOT NULL, exit_code INTEGER, error TEXT, worker INTEGER,"
                     " started_at INTEGER, duration_ms INTEGER, PRIMARY KEY(run_id, task_id, attempt))",
                     "INSERT INTO meta(key, value) VALUES('schema', '1')"}) {
                QVERIFY2(q.exec(QString::fromLatin1(sql)), qPrintable(q.lastError().text()));
            }
            auto addRun = [&](qint64 id, const QString &state, qint64 finishedAt, int ok, int crashed) {
                q.prepare(QStringLiteral("INSERT INTO runs(id, started_at, finished_at, state, job, command_key, owner_pid,"
                                         " owner_start, owner_host, n_ok, n_crashed) VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
                for (const QVariant &v : {QVariant(id), QVariant(1700000000000 + id), finishedAt ? QVariant(finishedAt) : QVariant(),
                                          QVariant(state), QVariant(jobJson), QVariant(commandKey), QVariant(deadPid),
                                          QVariant(QStringLiteral("1")), QVariant(QSysInfo::machineHostName()), QVariant(ok),
                                          QVariant(crashed)})
                    q.addBindValue(v);
                QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
            };
            auto addTask = [&](qint64 run, qint64 id, int input, const char *status, int attempts) {
                const QByteArray in = "in" + QByteArray::number(input);
                q.prepare(QStringLiteral("INSERT INTO tasks(run_id, task_id, task_key, input, status, exit_code, output,"
                                         " truncated, attempts, worker, started_at, duration_ms) VALUES(?,?,?,?,?,?,?,0,?,0,?,5)"));
                for (const QVariant &v : {QVariant(run), QVariant(id), QVariant(sha1Key(in)), QVariant(in), QVariant(status),
                                          qstrcmp(status, "ok") == 0 ? QVariant(0) : QVariant(), QVariant(in + " old\n"),
                                          QVariant(attempts), QVariant(1700000000000 + run)})
                    q.addBindValue(v);
                QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
            };
            // Run 1, killed: in0..in4 finished (in2 crashed), in5 was running and never recorded.
            addRun(1, QStringLiteral("running"), 0, 4, 1);
            for (int i = 0; i < 5; ++i)
                addTask(1, i, i, i == 2 ? "crashed" : "ok", 1);
            // Run 2, a resume, killed too: it numbered its tasks from 0 and finished in5 and in6.
            addRun(2, QStringLiteral("running"), 0, 2, 0);
            addTask(2, 0, 5, "ok", 1);
            addTask(2, 1, 6, "ok", 1);
            q = QSqlQuery();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("release1"));

        auto exportJob = [&](QMap<QString, QJsonObject> *byInput) {
            QByteArray out, err;
            const int status = cliExitCode({"export", "--journal", file, "--job"}, &err, &out);
            if (status != 0)
                qWarning() << err;
            QList<qint64> ids;
            for (const QByteArray &line : out.trimmed().split('\n')) {
                const QJsonObject o = QJsonDocument::fromJson(line).object();
                byInput->insert(o.value("input").toString(), o);
                ids.append(o.value("id").toInteger());
            }
            return ids;
        };
        QMap<QString, QJsonObject> job;
        QCOMPARE(exportJob(&job), (QList<qint64>{0, 1, 2, 3, 4, 5, 6}));
        QCOMPARE(job.size(), 7);
        QCOMPARE(job.value("in2").value("status").toString(), QStringLiteral("crashed"));
        QCOMPARE(job.value("in5").value("id").toInteger(), 5); // the resume's task 0 follows run 1's ids
        QCOMPARE(job.value("in6").value("output").toString(), QStringLiteral("in6 old\n"));
        {
            RunJournal j;
            QString error;
            QVERIFY2(j.open(file, &error), qPrintable(error));
            const QList<RunInfo> runs = j.runs();
            QCOMPARE(runs.size(), 2);
            QCOMPARE(runs[0].state, QStringLiteral("interrupted")); // the dead owner's runs are not "running"
            QCOMPARE(runs[1].state, QStringLiteral("interrupted"));
        }

        // This release resumes the old chain: only in7..in9 run.
        QByteArray out;
        QCOMPARE(cliExitCode({"run", "-q", "--journal", file, "--resume", "--inputs", inputs, "--", testWorker(), "echo"}, nullptr, &out), 0);
        QStringList ran;
        for (const QByteArray &line : out.trimmed().split('\n'))
            ran.append(QJsonDocument::fromJson(line).object().value("input").toString());
        ran.sort();
        QCOMPARE(ran, (QStringList{"in7", "in8", "in9"}));
        job.clear();
        QCOMPARE(exportJob(&job), (QList<qint64>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
        QCOMPARE(job.size(), 10);
        for (int i = 0; i < 10; ++i) {
            const QJsonObject o = job.value(QStringLiteral("in%1").arg(i));
            QCOMPARE(o.value("id").toInteger(), i); // each input keeps its position as its id
            QCOMPARE(o.value("status").toString(), i == 2 ? QStringLiteral("crashed") : QStringLiteral("ok"));
            QCOMPARE(o.value("attempts").toInt(), 1);
        }
    }

    // Journals from before remote hosts gain the column and keep working.
    void journalGainsTheHostColumn()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("old.sqlite"));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("old"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec("CREATE TABLE tasks(run_id INTEGER NOT NULL, task_id INTEGER NOT NULL, task_key INTEGER NOT NULL,"
                           " input BLOB, status TEXT NOT NULL, exit_code INTEGER, output BLOB, stderr BLOB, result TEXT,"
                           " error TEXT, truncated INTEGER, attempts INTEGER, worker INTEGER, started_at INTEGER,"
                           " duration_ms INTEGER, PRIMARY KEY(run_id, task_id))"));
            QVERIFY(q.exec("CREATE TABLE attempts(run_id INTEGER NOT NULL, task_id INTEGER NOT NULL, attempt INTEGER NOT NULL,"
                           " status TEXT NOT NULL, exit_code INTEGER, error TEXT, worker INTEGER, started_at INTEGER,"
                           " duration_ms INTEGER, PRIMARY KEY(run_id, task_id, attempt))"));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("old"));
        RunJournal journal;
        QString error;
        QVERIFY2(journal.open(path, &error), qPrintable(error));
        const qint64 runId = journal.beginRun(perTask({QStringLiteral("echo")}), &error);
        QVERIFY2(runId >= 0, qPrintable(error));
        TaskOutcome retried;
        retried.id = 0;
        retried.input = "a";
        retried.status = TaskStatus::Failed;
        retried.attempts = 1;
        retried.host = QStringLiteral("user@node2");
        journal.recordAttempt(retried);
        TaskOutcome done = retried;
        done.status = TaskStatus::Ok;
        done.attempts = 2;
        done.host = QStringLiteral("localhost");
        journal.recordResult(done);
        QVERIFY2(journal.endRun(QStringLiteral("finished"), {}, &error), qPrintable(error));
        QString host;
        QVERIFY(journal.forEachResult(runId, [&](const TaskOutcome &o) { host = o.host; }, &error));
        QCOMPARE(host, QStringLiteral("localhost"));
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        {
            QSqlQuery q(db);
            QVERIFY(q.exec("SELECT host FROM attempts WHERE task_id=0 AND attempt=1") && q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("user@node2"));
        }
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("check"));
    }
};

QTEST_GUILESS_MAIN(TestJournal)
#include "tst_journal.moc"
