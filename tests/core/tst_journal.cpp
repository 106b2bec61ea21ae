// The run journal: crash safety, resume, retry failed, export, bad files,
// and journals written by older versions.

#include "runjournal.h"
#include "testsupport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>

#include <csignal>
#include <sys/stat.h>

using namespace TestSupport;

namespace {
int runCli(const QStringList &args, QByteArray *err = nullptr, QByteArray *out = nullptr)
{
    QProcess p;
    p.start(QStringLiteral(TASKPOOL_PATH), args);
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (err)
        *err = p.readAllStandardError();
    if (out)
        *out = p.readAllStandardOutput();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

QList<QJsonObject> readResults(const QString &path)
{
    QList<QJsonObject> list;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return list;
    for (const QByteArray &line : f.readAll().split('\n'))
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
        QCOMPARE(runCli({"runs", "--journal", file}, &err), 0);
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

        {
            RunJournal j;
            QString error;
            QVERIFY2(j.open(journal, &error), qPrintable(error));
            QCOMPARE(j.runs().value(0).state, QStringLiteral("interrupted"));
            // Everything reported before the kill is in the journal.
            QVERIFY(j.runs().value(0).counts.count(TaskStatus::Ok) >= lineCount(first));
        }

        QCOMPARE(runCli(QStringList{"run", "-q", "--journal", journal, "--resume", "--results", second} + job), 0);
        QMap<QString, int> seen;
        const QList<QJsonObject> before = readResults(first);
        const QList<QJsonObject> after = readResults(second);
        QVERIFY(!before.isEmpty());
        QVERIFY(after.size() < 300);
        for (const QJsonObject &o : before + after) {
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
        QCOMPARE(runCli(QStringList{"run", "-q", "--journal", journal, "--inputs", inputs} + command), 0);
        writeInputs("e\nc\nd\na\nb\n"); // reordered, with new inputs
        QByteArray out;
        QCOMPARE(runCli(QStringList{"run", "-q", "--journal", journal, "--resume", "--inputs", inputs} + command, nullptr, &out), 0);
        QStringList ran;
        for (const QByteArray &line : out.split('\n'))
            if (!line.isEmpty())
                ran.append(QJsonDocument::fromJson(line).object().value("input").toString());
        ran.sort();
        QCOMPARE(ran, (QStringList{"d", "e"}));
        // A different command is a different task: nothing is skipped.
        QCOMPARE(runCli(QStringList{"run", "-q", "--journal", journal, "--resume", "--inputs", inputs, "--", testWorker(), "echo", "x"}, nullptr, &out), 0);
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
        QCOMPARE(runCli({"runs", "--journal", file, "--keep", "x"}, &err), 2);
        QVERIFY(err.contains("--keep takes a number"));
        // Kept: the newest ended run by count, the recent one by age, the one going.
        QCOMPARE(runCli({"runs", "--journal", file, "--keep", "1", "--older-than", "5"}, &err, &out), 0);
        QVERIFY2(out.contains("deleted 2 run(s)"), out.constData());
        QCOMPARE(listedRuns(), (QList<qint64>{going, ids[3], ids[2]}));
        int left = 0;
        QVERIFY(writer.forEachResult(ids[0], [&](const TaskOutcome &) { ++left; }, &error));
        QCOMPARE(left, 0);
        QCOMPARE(runCli({"runs", "--journal", file, "--keep", "0"}, &err, &out), 0);
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
        QCOMPARE(runCli({"run", "-q", "--journal", journal, "--inputs", inputs, "--chdir", m_dir.path(), "--", testWorker(), "crash-once", "{}"}, nullptr, &out), 1);
        QCOMPARE(out.count("\"crashed\""), 3);
        QCOMPARE(runCli({"run", "-q", "--journal", journal, "--retry-failed"}, nullptr, &out), 0);
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
        QCOMPARE(runCli({"run", "-q", "--keep-order", "--journal", journal, "--results", results, "--range", "20", "--",
                         testWorker(), "echo", "line, with \"quotes\""}),
                 0);
        QByteArray jsonl;
        QCOMPARE(runCli({"export", "--journal", journal, "--format", "jsonl"}, nullptr, &jsonl), 0);
        QFile f(results);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> direct = f.readAll().trimmed().split('\n');
        const QList<QByteArray> exported = jsonl.trimmed().split('\n');
        QCOMPARE(exported.size(), 20);
        for (int i = 0; i < 20; ++i)
            QCOMPARE(QJsonDocument::fromJson(exported[i]).object(), QJsonDocument::fromJson(direct[i]).object());
        QByteArray csv;
        const QString csvPath = path(QStringLiteral("export.csv"));
        QCOMPARE(runCli({"export", "--journal", journal, "--format", "csv", "-o", csvPath}), 0);
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
        QCOMPARE(runCli({"run", "-q", "--journal", journal, "--halt-on-failures", "2", "-j", "1", "--range", "20", "--",
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
        QCOMPARE(runCli({"run", "--journal", journal, "--range", "3", "--", testWorker(), "echo"}, &err, &out), 0);
        QVERIFY2(err.contains("running without a journal"), err.constData());
        QVERIFY2(err.contains(kind == QLatin1String("corrupt") ? "damaged" : "another program"), err.constData());
        QCOMPARE(out.count('\n'), 3);
        // --resume needs the journal: it must refuse instead of running everything again.
        QCOMPARE(runCli({"run", "--journal", journal, "--resume", "--range", "3", "--", testWorker(), "echo"}, &err), 2);
        if (locker.isOpen()) {
            locker.close();
            locker = {};
            QSqlDatabase::removeDatabase(QStringLiteral("locker"));
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
