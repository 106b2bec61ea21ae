// Past runs in the desktop app, offscreen, on real processes and a real
// journal file: every run is recorded and listed, a past run's results come
// back into the results table (and a job's, one row per task across its
// runs), runs are deleted, a terminated job resumes with exactly its
// unfinished inputs, a past run's failures are retried, and a journal that
// cannot be opened never stops a run. Also the halt policy and the stalled
// status as the window shows them.

#include "jobeditor.h"
#include "journalservice.h"
#include "logview.h"
#include "mainwindow.h"
#include "resultfilterproxy.h"
#include "resultspanel.h"
#include "resulttablemodel.h"
#include "runcontroller.h"
#include "runjournal.h"
#include "runlistmodel.h"
#include "runspanel.h"
#include "uitestsupport.h"
#include "workertablemodel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

namespace {
constexpr int RunTimeoutMs = 30000; // generous: the machine may be busy with other tests

// A per-task job that runs `script` with sh: $0 is dir, $1 the input.
JobSpec shellJob(const QString &script, const QString &dir)
{
    JobSpec spec;
    spec.mode = JobSpec::Mode::PerTask;
    spec.command = {QStringLiteral("sh"), QStringLiteral("-c"), script, dir, QStringLiteral("{}")};
    spec.inputKind = JobSpec::InputKind::List;
    return spec;
}

// The journal as another program sees it: a connection of its own.
struct JournalReader
{
    explicit JournalReader(const QString &path)
    {
        QString error;
        ok = journal.open(path, &error);
        if (!ok)
            qWarning("%s", qPrintable(error));
    }
    QList<TaskOutcome> results(qint64 runId)
    {
        QList<TaskOutcome> outcomes;
        QString error;
        journal.forEachResult(runId, [&](const TaskOutcome &o) { outcomes.append(o); }, &error);
        return outcomes;
    }
    RunJournal journal;
    bool ok = false;
};

RunInfo runInfo(qint64 id, const QString &state, qint64 ok, qint64 failed = 0)
{
    RunInfo r;
    r.id = id;
    r.state = state;
    r.startedAtMs = 1700000000000 + id * 1000;
    const bool ended = state != QLatin1String("running") && state != QLatin1String("interrupted");
    r.finishedAtMs = ended ? r.startedAtMs + 2500 : 0;
    r.spec.command = {QStringLiteral("/usr/bin/gzip"), QStringLiteral("-k"), QStringLiteral("{}")};
    r.counts.add(TaskStatus::Ok, ok);
    r.counts.add(TaskStatus::Failed, failed);
    return r;
}

QString stateOfRow(const RunListModel *model, int row)
{
    return model->index(row, 0).data(RunListModel::StateRole).toString();
}
} // namespace

class TestRuns : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        UiTest::isolateSettings();
        m_journal = std::make_unique<UiTest::TempJournal>();
    }

    void runListMergesByRunId()
    {
        RunListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setRuns({runInfo(3, QStringLiteral("running"), 1), runInfo(2, QStringLiteral("finished"), 5, 1),
                       runInfo(1, QStringLiteral("interrupted"), 2)});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, RunListModel::IdColumn).data().toLongLong(), 3);
        QCOMPARE(model.index(1, RunListModel::StateColumn).data().toString(), QStringLiteral("Finished"));
        QCOMPARE(model.index(1, RunListModel::FailedColumn).data().toString(), QStringLiteral("1"));
        QCOMPARE(model.index(1, RunListModel::TasksColumn).data().toString(), QStringLiteral("6"));
        QCOMPARE(model.index(1, RunListModel::DurationColumn).data().toString(), QStringLiteral("2.5 s"));
        QCOMPARE(model.index(1, RunListModel::JobColumn).data().toString(), QStringLiteral("gzip -k {}"));
        QVERIFY(model.index(1, RunListModel::JobColumn).data(Qt::ToolTipRole).toString().contains(QLatin1String("/usr/bin/gzip")));
        QCOMPARE(model.index(2, RunListModel::DurationColumn).data().toString(), QStringLiteral("—"));

        // A refresh: run 3 ended, run 1 was deleted, run 4 is new. Rows move, never reset.
        inserted.clear();
        model.setRuns({runInfo(4, QStringLiteral("running"), 0), runInfo(3, QStringLiteral("terminated"), 2),
                       runInfo(2, QStringLiteral("finished"), 5, 1)});
        QCOMPARE(reset.count(), 0);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.rowOfRun(4), 0);
        QCOMPARE(model.rowOfRun(1), -1);
        QCOMPARE(stateOfRow(&model, 1), QStringLiteral("terminated"));

        // The run this window records shows the pool's counts until the journal has its end.
        PoolStats stats;
        stats.ok = 40;
        stats.stalled = 2;
        stats.elapsedSeconds = 3;
        model.setLiveRun(4, stats);
        QCOMPARE(model.index(0, RunListModel::OkColumn).data().toString(), QStringLiteral("40"));
        QCOMPARE(model.index(0, RunListModel::FailedColumn).data().toString(), QStringLiteral("2"));
        QVERIFY(model.index(0, RunListModel::FailedColumn).data(Qt::ToolTipRole).toString().contains(QLatin1String("2 stalled")));
        model.clearLiveRun();
        QCOMPARE(model.index(0, RunListModel::OkColumn).data().toString(), QStringLiteral("0"));

        model.setRuns({});
        QCOMPARE(model.rowCount(), 0);
    }

    void appRunsAreJournaledAndListed()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        UiTest::ModelTesters testers(window);
        window.show();
        RunListModel *runs = window.runsModel();
        QTRY_VERIFY(window.runs()->hint().startsWith(QLatin1String("No runs yet")));

        window.jobEditor()->setSpec(UiTest::demoJob(300, true));
        window.workerCountBox()->setValue(2);
        QSignalSpy finished(window.controller(), &RunController::finished);
        QSignalSpy ended(window.controller()->journal(), &JournalService::runEnded);
        window.startAction()->trigger();
        QVERIFY(window.runs()->hint().startsWith(QLatin1String("A run is going")));
        QTRY_COMPARE_WITH_TIMEOUT(runs->rowCount(), 1, RunTimeoutMs); // listed as soon as it begins
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, RunTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, RunTimeoutMs);
        QTRY_COMPARE(stateOfRow(runs, 0), QStringLiteral("finished"));
        QCOMPARE(runs->index(0, RunListModel::OkColumn).data().toString(), QLocale().toString(300));
        QCOMPARE(runs->liveRun(), -1);
        const qint64 runId = runs->run(0).id;
        QCOMPARE(window.controller()->shownRun(), runId);
        QVERIFY(window.results()->caption()->text().contains(QStringLiteral("Run %1").arg(runId)));

        JournalReader reader(m_journal->path());
        QVERIFY(reader.ok);
        const QList<TaskOutcome> recorded = reader.results(runId);
        QCOMPARE(recorded.size(), 300);
        QCOMPARE(recorded.constLast().status, TaskStatus::Ok);
        RunInfo info;
        QVERIFY(reader.journal.run(runId, &info));
        QCOMPARE(info.spec.command, window.jobEditor()->spec().command);
        QCOMPARE(info.spec.workers, 2); // the worker count the run had
        QVERIFY(info.finishedAtMs >= info.startedAtMs);
    }

    void retriedAttemptsAreJournaled()
    {
        // Every input fails its first attempt and passes the second.
        QTemporaryDir markers;
        JobSpec spec = shellJob(QStringLiteral("if [ -e \"$0/$1\" ]; then echo ok; else touch \"$0/$1\"; exit 4; fi"),
                                markers.path());
        spec.inputList = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
        spec.retries = 1;
        MainWindow window(UiTest::taskpool(), m_journal->path());
        UiTest::ModelTesters testers(window);
        window.jobEditor()->setSpec(spec);
        QSignalSpy ended(window.controller()->journal(), &JournalService::runEnded);
        window.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, RunTimeoutMs);
        const qint64 runId = ended.at(0).at(0).toLongLong();

        JournalReader reader(m_journal->path());
        const QList<TaskOutcome> recorded = reader.results(runId);
        QCOMPARE(recorded.size(), 3);
        for (const TaskOutcome &o : recorded) {
            QCOMPARE(o.status, TaskStatus::Ok);
            QCOMPARE(o.attempts, 2);
        }
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("attempts"));
        db.setDatabaseName(m_journal->path());
        QVERIFY(db.open());
        {
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT status, count(*) FROM attempts WHERE run_id=%1 GROUP BY status").arg(runId)));
            QMap<QString, int> byStatus;
            while (q.next())
                byStatus.insert(q.value(0).toString(), q.value(1).toInt());
            QCOMPARE(byStatus.value(QStringLiteral("failed")), 3); // the first tries
        }
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("attempts"));
    }

    void openingAPastRunFillsTheResults()
    {
        QTemporaryDir dir;
        JobSpec small = shellJob(QStringLiteral("echo \"out-$1\"; [ \"$1\" != b ]"), dir.path());
        small.inputList = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
        MainWindow window(UiTest::taskpool(), m_journal->path());
        UiTest::ModelTesters testers(window);
        window.show();
        window.workerCountBox()->setValue(2);
        QSignalSpy ended(window.controller()->journal(), &JournalService::runEnded);
        window.jobEditor()->setSpec(small);
        window.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, RunTimeoutMs);
        const qint64 smallRun = ended.at(0).at(0).toLongLong();
        const int bigRunSize = JournalService::LoadBatch * 2 + 500; // read back in three batches
        window.jobEditor()->setSpec(UiTest::demoJob(bigRunSize, true));
        window.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 2, RunTimeoutMs);
        const qint64 bigRun = ended.at(1).at(0).toLongLong();
        RunListModel *runs = window.runsModel();
        QTRY_COMPARE(runs->rowCount(), 2);
        QTRY_COMPARE(stateOfRow(runs, runs->rowOfRun(bigRun)), QStringLiteral("finished"));

        // Open the small run from the Runs tab: its three rows replace the big run's.
        ResultTableModel *results = window.controller()->resultModel();
        QSignalSpy shown(window.controller(), &RunController::runShown);
        window.tabs()->setCurrentWidget(window.runs());
        window.runs()->selectRun(smallRun);
        QVERIFY(window.runs()->openAction()->isEnabled());
        window.runs()->openAction()->trigger();
        QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget *>(window.results()));
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, RunTimeoutMs);
        QCOMPARE(shown.at(0).at(0).toLongLong(), smallRun);
        QVERIFY(shown.at(0).at(1).toBool());
        QCOMPARE(results->rowCount(), 3);
        QCOMPARE(results->count(TaskStatus::Ok), 2);
        QCOMPARE(results->count(TaskStatus::Failed), 1);
        QCOMPARE(results->outcome(1).input, QByteArray("b"));
        QCOMPARE(results->outcome(0).output, QByteArray("out-a\n"));
        QVERIFY(window.results()->caption()->text().startsWith(QStringLiteral("Run %1 ·").arg(smallRun)));
        QVERIFY(window.results()->statusFilter()->itemText(2).contains(QLatin1String("(1)"))); // Failed (1)

        // Same filter, search and detail pane as a live run.
        window.results()->statusFilter()->setCurrentIndex(2);
        QCOMPARE(window.results()->proxy()->rowCount(), 1);
        window.results()->view()->setCurrentIndex(window.results()->proxy()->index(0, 0));
        QVERIFY(window.results()->findChild<QPlainTextEdit *>(QStringLiteral("resultDetail"))
                    ->toPlainText().contains(QLatin1String("Failed")));
        window.results()->statusFilter()->setCurrentIndex(0);

        // And the same export.
        QTemporaryDir out;
        QSignalSpy exported(&window, &MainWindow::exportFinished);
        window.exportResults(out.filePath(QStringLiteral("run.jsonl")));
        QTRY_COMPARE(exported.count(), 1);
        QFile file(out.filePath(QStringLiteral("run.jsonl")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll().count('\n'), 3);

        // The big run arrives in batches, every row in order.
        QSignalSpy batches(window.controller()->journal(), &JournalService::resultsArrived);
        window.runs()->selectRun(bigRun);
        window.runs()->openAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 2, RunTimeoutMs);
        QCOMPARE(batches.count(), 3);
        QCOMPARE(results->rowCount(), bigRunSize);
        QCOMPARE(results->count(TaskStatus::Ok), bigRunSize);
        QCOMPARE(results->outcome(bigRunSize - 1).id, bigRunSize - 1);
        QCOMPARE(window.results()->proxy()->rowCount(), bigRunSize);
    }

    // "Show job results": the latest result of every task across the runs of
    // a job (here a run and the retry of its failure), one row per task.
    void showJobResultsFillsTheTableAcrossRuns()
    {
        QTemporaryDir dir;
        JobSpec spec = shellJob(QStringLiteral("[ \"$1\" != b ] || [ -e \"$0/fixed\" ] || exit 3; echo \"out-$1\""), dir.path());
        spec.inputList = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d")};
        MainWindow window(UiTest::taskpool(), m_journal->path());
        UiTest::ModelTesters testers(window);
        window.show();
        QSignalSpy ended(window.controller()->journal(), &JournalService::runEnded);
        window.jobEditor()->setSpec(spec);
        window.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, RunTimeoutMs);
        const qint64 first = ended.at(0).at(0).toLongLong();
        QFile fixed(dir.filePath(QStringLiteral("fixed")));
        QVERIFY(fixed.open(QIODevice::WriteOnly));
        fixed.close();
        RunListModel *runs = window.runsModel();
        QTRY_COMPARE(runs->rowCount(), 1);
        QTRY_COMPARE(runs->run(0).failures(), 1); // the list has the run's end, not its live counts
        window.runs()->selectRun(first);
        QVERIFY(window.runs()->retryFailedAction()->isEnabled());
        window.runs()->retryFailedAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 2, RunTimeoutMs);
        window.jobEditor()->setSpec(UiTest::demoJob(3, true)); // another job: not part of this one
        window.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 3, RunTimeoutMs);
        QTRY_COMPARE(runs->rowCount(), 3);

        auto *button = window.runs()->findChild<QToolButton *>(QStringLiteral("openJobActionButton"));
        QVERIFY(button);
        QCOMPARE(button->accessibleName(), QStringLiteral("Show job results"));
        window.tabs()->setCurrentWidget(window.runs());
        window.runs()->selectRun(first);
        QVERIFY(window.runs()->openJobAction()->isEnabled());
        QSignalSpy shown(window.controller(), &RunController::jobShown);
        button->click();
        QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget *>(window.results()));
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, RunTimeoutMs);
        QVERIFY(shown.at(0).at(2).toBool());
        QVERIFY(window.controller()->isShowingJob());
        ResultTableModel *results = window.controller()->resultModel();
        QCOMPARE(results->rowCount(), 4);
        QCOMPARE(results->count(TaskStatus::Ok), 4); // b failed in the first run, then passed in the retry
        QCOMPARE(results->count(TaskStatus::Failed), 0);
        for (int row = 0; row < 4; ++row) {
            const TaskOutcome o = results->outcome(row);
            QCOMPARE(o.id, row);
            QCOMPARE(o.input, spec.inputList.at(row).toUtf8());
            QCOMPARE(o.output, "out-" + o.input + '\n');
            QCOMPARE(o.attempts, row == 1 ? 2 : 1);
        }
        const QString caption = window.results()->caption()->text();
        QVERIFY2(caption.contains(QStringLiteral("Job of run %1").arg(first)) && caption.contains(QStringLiteral("across 2 run(s)")),
                 qPrintable(caption));
        QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("across 2 run(s)")),
                 qPrintable(window.statusBar()->currentMessage()));

        // The other job's run shows its own job; "Show results" goes back to one run.
        window.runs()->selectRun(ended.at(2).at(0).toLongLong());
        window.runs()->openJobAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 2, RunTimeoutMs);
        QCOMPARE(results->rowCount(), 3);
        QVERIFY(window.results()->caption()->text().contains(QStringLiteral("3 task(s) across 1 run(s)")));
        QSignalSpy runShown(window.controller(), &RunController::runShown);
        window.runs()->selectRun(first);
        window.runs()->openAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(runShown.count(), 1, RunTimeoutMs);
        QVERIFY(!window.controller()->isShowingJob());
        QCOMPARE(results->rowCount(), 4);
        QCOMPARE(results->count(TaskStatus::Failed), 1);
        QVERIFY(window.results()->caption()->text().startsWith(QStringLiteral("Run %1 ·").arg(first)));
    }

    // A job typed as several words after `taskpool run --shell --` is one
    // script to the shell; the form shows it as one. Resume from the Runs tab
    // must stay in that run's job (same command key), not start a new one.
    void resumeOfAShellRunStaysInItsJob()
    {
        QProcess cli;
        cli.start(UiTest::taskpool(), {"run", "-q", "--journal", m_journal->path(), "--shell", "--range", "3", "--", "echo", "{}"});
        QVERIFY(cli.waitForFinished(RunTimeoutMs));
        QCOMPARE(cli.exitCode(), 0);
        MainWindow window(UiTest::taskpool(), m_journal->path());
        window.show();
        RunListModel *runs = window.runsModel();
        QTRY_COMPARE(runs->rowCount(), 1);
        const qint64 first = runs->run(0).id;
        QSignalSpy ended(window.controller()->journal(), &JournalService::runEnded);
        window.runs()->selectRun(first);
        window.runs()->resumeAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, RunTimeoutMs);
        JournalReader reader(m_journal->path());
        QString error;
        QCOMPARE(reader.journal.jobRuns(first, &error).size(), 2);
        QCOMPARE(reader.results(ended.at(0).at(0).toLongLong()).size(), 0); // all three had finished
    }

    void deletingARunAsksFirst()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        UiTest::ModelTesters testers(window);
        window.show();
        QSignalSpy ended(window.controller()->journal(), &JournalService::runEnded);
        for (int i = 0; i < 2; ++i) {
            window.jobEditor()->setSpec(UiTest::demoJob(5 + i, true));
            window.startAction()->trigger();
            QTRY_COMPARE_WITH_TIMEOUT(ended.count(), i + 1, RunTimeoutMs);
        }
        RunListModel *runs = window.runsModel();
        QTRY_COMPARE(runs->rowCount(), 2);
        const qint64 older = ended.at(0).at(0).toLongLong();
        window.runs()->selectRun(older);
        QVERIFY(window.runs()->deleteAction()->isEnabled());

        window.runs()->deleteAction()->trigger();
        QTRY_VERIFY(UiTest::openQuestion());
        UiTest::answer("cancelDelete");
        QTRY_VERIFY(!UiTest::openQuestion());
        QCOMPARE(runs->rowCount(), 2);

        QSignalSpy deleted(window.controller()->journal(), &JournalService::runsDeleted);
        window.runs()->deleteAction()->trigger();
        QTRY_VERIFY(UiTest::openQuestion());
        UiTest::answer("confirmDelete");
        QTRY_COMPARE(deleted.count(), 1);
        QTRY_COMPARE(runs->rowCount(), 1);
        QCOMPARE(runs->rowOfRun(older), -1);
        JournalReader reader(m_journal->path());
        QCOMPARE(reader.journal.runs().size(), 1);
        QVERIFY(reader.results(older).isEmpty());
    }

    void resumeAfterTerminateRunsOnlyTheUnfinished()
    {
        // Inputs 0-2 finish at once; the rest hang until the marker exists, so
        // the terminate always finds them running or waiting.
        QTemporaryDir dir;
        JobSpec spec = shellJob(QStringLiteral("if [ \"$1\" -lt 3 ] || [ -e \"$0/go\" ]; then echo \"done $1\"; "
                                               "else sleep 30; fi"),
                                dir.path());
        spec.inputKind = JobSpec::InputKind::Range;
        spec.rangeCount = 12;
        spec.killGraceSeconds = 0.5;
        MainWindow window(UiTest::taskpool(), m_journal->path());
        UiTest::ModelTesters testers(window);
        window.show();
        window.workerCountBox()->setValue(3);
        window.jobEditor()->setSpec(spec);
        QSignalSpy ended(window.controller()->journal(), &JournalService::runEnded);
        QSignalSpy begun(window.controller()->journal(), &JournalService::runBegun);
        window.startAction()->trigger();
        ResultTableModel *results = window.controller()->resultModel();
        QTRY_COMPARE_WITH_TIMEOUT(results->count(TaskStatus::Ok), 3, RunTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->stats().running, 3, RunTimeoutMs);

        // The running run is listed, live, and cannot be deleted.
        QTRY_COMPARE(begun.count(), 1);
        const qint64 first = begun.at(0).at(0).toLongLong();
        RunListModel *runs = window.runsModel();
        QTRY_COMPARE(runs->rowOfRun(first), 0);
        QTRY_COMPARE(runs->liveRun(), first);
        window.runs()->selectRun(first);
        QVERIFY(!window.runs()->deleteAction()->isEnabled());
        QVERIFY(!window.runs()->resumeAction()->isEnabled());
        QVERIFY(!window.resumeJobAction()->isEnabled());

        window.controller()->terminate();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, RunTimeoutMs);
        QCOMPARE(results->count(TaskStatus::Cancelled), 9);
        QTRY_COMPARE(stateOfRow(runs, runs->rowOfRun(first)), QStringLiteral("terminated"));

        // Resume: only the nine unfinished inputs run, and all finish now.
        QFile go(dir.filePath(QStringLiteral("go")));
        QVERIFY(go.open(QIODevice::WriteOnly));
        go.close();
        QVERIFY(window.resumeJobAction()->isEnabled());
        window.resumeJobAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 2, RunTimeoutMs);
        const qint64 second = ended.at(1).at(0).toLongLong();
        QCOMPARE(results->rowCount(), 9);
        QCOMPARE(results->count(TaskStatus::Ok), 9);

        // Across both runs every input has exactly one ok result.
        JournalReader reader(m_journal->path());
        QMap<QByteArray, int> okCount;
        for (qint64 run : {first, second}) {
            for (const TaskOutcome &o : reader.results(run)) {
                if (o.status == TaskStatus::Ok)
                    ++okCount[o.input];
            }
        }
        QCOMPARE(okCount.size(), 12);
        for (auto it = okCount.cbegin(); it != okCount.cend(); ++it)
            QVERIFY2(it.value() == 1, it.key().constData());
        QSet<QByteArray> resumed;
        for (const TaskOutcome &o : reader.results(second))
            resumed.insert(o.input);
        QCOMPARE(resumed.size(), 9);
        QVERIFY(!resumed.contains("0") && !resumed.contains("1") && !resumed.contains("2"));

        // Resuming again from the Runs tab finds nothing left to do.
        QTRY_COMPARE(runs->rowCount(), 2);
        window.runs()->selectRun(first);
        QTRY_VERIFY(window.runs()->resumeAction()->isEnabled());
        window.runs()->resumeAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 3, RunTimeoutMs);
        QCOMPARE(results->rowCount(), 0);
        QVERIFY(reader.results(ended.at(2).at(0).toLongLong()).isEmpty());
    }

    void aKilledAppLeavesAnInterruptedRunThatResumes()
    {
        // The real app in its own process, journaling into a private data folder.
        QTemporaryDir home;
        QVERIFY(QDir(home.path()).mkpath(QStringLiteral("data")));
        const QString journalPath = home.filePath(QStringLiteral("data/taskpool/journal.sqlite"));
        JobSpec spec = shellJob(QStringLiteral("if [ -e \"$0/fast\" ]; then echo \"$1\"; else sleep 0.1; echo \"$1\"; fi"),
                                home.path());
        spec.inputKind = JobSpec::InputKind::Range;
        spec.rangeCount = 60;
        spec.workers = 2;
        const QString jobPath = home.filePath(QStringLiteral("job.json"));
        QString error;
        QVERIFY(spec.save(jobPath, &error));
        QProcess app;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        app.setProcessEnvironment(env);
        app.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        app.start(UiTest::taskpool(), {QStringLiteral("gui"), QStringLiteral("--job"), jobPath, QStringLiteral("--start")});
        QVERIFY(app.waitForStarted());

        // Wait until some results are on disk, then kill -9 the app mid-run.
        auto recorded = [&] {
            if (!QFile::exists(journalPath))
                return 0;
            JournalReader reader(journalPath);
            const QList<RunInfo> runs = reader.journal.runs();
            return runs.isEmpty() ? 0 : int(runs.constFirst().finished());
        };
        QTRY_VERIFY_WITH_TIMEOUT(recorded() >= 6, RunTimeoutMs);
        app.kill();
        QVERIFY(app.waitForFinished());
        QCOMPARE(app.exitStatus(), QProcess::CrashExit);

        JournalReader reader(journalPath);
        const QList<RunInfo> runs = reader.journal.runs();
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs.constFirst().state, QStringLiteral("interrupted"));
        const qint64 killed = runs.constFirst().id;
        const QList<TaskOutcome> before = reader.results(killed);
        QVERIFY(before.size() >= 6 && before.size() < 60);

        // This window sees the interrupted run and resumes it.
        QFile fast(home.filePath(QStringLiteral("fast")));
        QVERIFY(fast.open(QIODevice::WriteOnly));
        fast.close();
        MainWindow window(UiTest::taskpool(), journalPath);
        UiTest::ModelTesters testers(window);
        window.show();
        RunListModel *listed = window.runsModel();
        QTRY_COMPARE(listed->rowCount(), 1);
        QCOMPARE(stateOfRow(listed, 0), QStringLiteral("interrupted"));
        QSignalSpy ended(window.controller()->journal(), &JournalService::runEnded);
        window.runs()->selectRun(killed);
        QVERIFY(window.runs()->resumeAction()->isEnabled());
        window.runs()->resumeAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, RunTimeoutMs);
        QCOMPARE(window.controller()->resultModel()->rowCount(), 60 - int(before.size()));

        QMap<QByteArray, int> okCount;
        for (qint64 run : {killed, ended.at(0).at(0).toLongLong()}) {
            for (const TaskOutcome &o : reader.results(run))
                okCount[o.input] += o.status == TaskStatus::Ok ? 1 : 0;
        }
        QCOMPARE(okCount.size(), 60);
        for (auto it = okCount.cbegin(); it != okCount.cend(); ++it)
            QVERIFY2(it.value() == 1, it.key().constData());
    }

    void retryFailedOfAPastRunUsesItsJobAndExactInputs()
    {
        // Inputs not starting with "ok" fail until the marker exists; the task
        // prints its input back, so the bytes it got can be checked.
        QTemporaryDir dir;
        const QList<QByteArray> inputs = {"ok-1", "bad-\xff\xfe-not-utf8", "bad 'two' $HOME ;", "ok-2"};
        QFile list(dir.filePath(QStringLiteral("inputs.txt")));
        QVERIFY(list.open(QIODevice::WriteOnly));
        for (const QByteArray &input : inputs)
            list.write(input + '\n');
        list.close();
        JobSpec spec = shellJob(QStringLiteral("case \"$1\" in ok*) ;; *) [ -e \"$0/fixed\" ] || exit 3;; esac; "
                                               "printf %s \"$1\""),
                                dir.path());
        spec.inputKind = JobSpec::InputKind::File;
        spec.inputFile = list.fileName();

        MainWindow window(UiTest::taskpool(), m_journal->path());
        UiTest::ModelTesters testers(window);
        window.show();
        QSignalSpy ended(window.controller()->journal(), &JournalService::runEnded);
        window.jobEditor()->setSpec(spec);
        window.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, RunTimeoutMs);
        const qint64 failing = ended.at(0).at(0).toLongLong();
        // Another job since, so the retry must take the past run's own job.
        window.jobEditor()->setSpec(UiTest::demoJob(3, true));
        window.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 2, RunTimeoutMs);

        RunListModel *runs = window.runsModel();
        QTRY_COMPARE(runs->rowCount(), 2);
        QCOMPARE(runs->run(runs->rowOfRun(failing)).failures(), 2);
        window.runs()->selectRun(ended.at(1).at(0).toLongLong());
        QVERIFY(!window.runs()->retryFailedAction()->isEnabled()); // nothing failed there
        window.runs()->selectRun(failing);
        QVERIFY(window.runs()->retryFailedAction()->isEnabled());
        QFile fixed(dir.filePath(QStringLiteral("fixed")));
        QVERIFY(fixed.open(QIODevice::WriteOnly));
        fixed.close();
        window.runs()->retryFailedAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 3, RunTimeoutMs);

        ResultTableModel *results = window.controller()->resultModel();
        QCOMPARE(results->rowCount(), 2);
        JournalReader reader(m_journal->path());
        const QList<TaskOutcome> retried = reader.results(ended.at(2).at(0).toLongLong());
        QCOMPARE(retried.size(), 2);
        // A name that is not UTF-8 reaches the program byte for byte, from the
        // journal's copy (a trip through QString would have made it U+FFFD).
        QCOMPARE(retried.at(0).input, inputs.at(1));
        QCOMPARE(retried.at(0).status, TaskStatus::Ok);
        QCOMPARE(retried.at(0).output, inputs.at(1));
        // Quotes and shell characters reach the program exactly, now that it passes.
        QCOMPARE(retried.at(1).input, inputs.at(2));
        QCOMPARE(retried.at(1).status, TaskStatus::Ok);
        QCOMPARE(retried.at(1).output, inputs.at(2));
        QCOMPARE(results->count(TaskStatus::Ok), 2);
        RunInfo info;
        QVERIFY(reader.journal.run(ended.at(2).at(0).toLongLong(), &info));
        QCOMPARE(info.spec.command, spec.command);
    }

    void haltAndStallShowInTheWindow()
    {
        // Every task hangs silently: each stalls, and two stalls halt the run.
        QTemporaryDir dir;
        JobSpec spec = shellJob(QStringLiteral("sleep 30"), dir.path());
        spec.inputKind = JobSpec::InputKind::Range;
        spec.rangeCount = 20;
        spec.stallSeconds = 0.3;
        spec.haltAfterFailures = 2;
        spec.killGraceSeconds = 0.5;
        MainWindow window(UiTest::taskpool(), m_journal->path());
        UiTest::ModelTesters testers(window);
        window.show();
        window.workerCountBox()->setValue(2);
        window.jobEditor()->setSpec(spec);
        QCOMPARE(window.jobEditor()->spec().stallSeconds, 0.3);
        QSignalSpy ended(window.controller()->journal(), &JournalService::runEnded);
        window.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, RunTimeoutMs);

        ResultTableModel *results = window.controller()->resultModel();
        QCOMPARE(results->rowCount(), 20);
        QVERIFY(results->count(TaskStatus::Stalled) >= 2);
        QCOMPARE(results->count(TaskStatus::Stalled) + results->count(TaskStatus::Cancelled), 20);
        QVERIFY(window.statusBar()->currentMessage().startsWith(QLatin1String("Run halted")));
        QVERIFY(window.statusBar()->currentMessage().contains(QLatin1String("stalled")));
        QComboBox *filter = window.results()->statusFilter();
        const int stalledItem = filter->findText(QStringLiteral("Stalled"), Qt::MatchStartsWith);
        QVERIFY(stalledItem > 0);
        QCOMPARE(filter->itemText(stalledItem),
                 QStringLiteral("Stalled (%1)").arg(results->count(TaskStatus::Stalled)));
        filter->setCurrentIndex(stalledItem);
        QCOMPARE(window.results()->proxy()->rowCount(), int(results->count(TaskStatus::Stalled)));
        QVERIFY(window.results()->retryFailedAction()->isEnabled()); // stalled tasks count as failed

        RunListModel *runs = window.runsModel();
        QTRY_COMPARE(stateOfRow(runs, 0), QStringLiteral("stopped"));
        QVERIFY(runs->index(0, RunListModel::StateColumn).data(Qt::ToolTipRole).toString().contains(QLatin1String("failed")));
    }

    void aBrokenJournalNeverStopsARun()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("journal.sqlite"));
        QFile garbage(path);
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write(QByteArray(8192, 'x')); // not a database
        garbage.close();

        MainWindow window(UiTest::taskpool(), path);
        UiTest::ModelTesters testers(window);
        window.show();
        auto *problem = window.runs()->findChild<QLabel *>(QStringLiteral("journalProblem"));
        QTRY_VERIFY(problem->isVisibleTo(window.runs())); // said at once, without a dialog
        QVERIFY(!UiTest::openQuestion());
        window.jobEditor()->setSpec(UiTest::demoJob(50, true));
        QSignalSpy finished(window.controller(), &RunController::finished);
        QSignalSpy begun(window.controller()->journal(), &JournalService::runBegun);
        window.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, RunTimeoutMs);
        QTRY_COMPARE(begun.count(), 1);
        QCOMPARE(begun.at(0).at(0).toLongLong(), -1);
        QCOMPARE(window.controller()->resultModel()->count(TaskStatus::Ok), 50);
        QVERIFY(window.findChild<QLabel *>(QStringLiteral("journalLabel"))->isVisibleTo(&window));
        window.log()->flush();
        QVERIFY(window.log()->textView()->toPlainText().contains(QLatin1String("Run journal unavailable")));
        QVERIFY(window.results()->caption()->text().contains(QLatin1String("not recorded")));
        QVERIFY(!UiTest::openQuestion());
        QCOMPARE(window.runsModel()->rowCount(), 0);
    }

private:
    std::unique_ptr<UiTest::TempJournal> m_journal;
};

QTEST_MAIN(TestRuns)
#include "tst_ui_runs.moc"
