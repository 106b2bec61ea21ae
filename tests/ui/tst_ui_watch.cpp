// Watching runs the window did not start, offscreen, on real `taskpool run`
// processes: a running run in the Runs tab is watched (workers with their own
// pids, results, state, and the controls acting on it), a live run is found
// without the journal (gui --attach), a watched run killed with SIGKILL is
// reported lost, and closing the window leaves a watched run going.

#include "jobeditor.h"
#include "mainwindow.h"
#include "monitordirectory.h"
#include "resulttablemodel.h"
#include "runcontroller.h"
#include "runlistmodel.h"
#include "runspanel.h"
#include "uitestsupport.h"
#include "workertablemodel.h"

#include <QAction>
#include <QLabel>
#include <QMenu>
#include <QProcess>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace {
constexpr int TimeoutMs = 30000; // generous: the machine may be busy with other tests
}

class TestWatch : public QObject
{
    Q_OBJECT
    QTemporaryDir m_runtime;
    UiTest::TempJournal m_journal;

    // A headless run of tasks that wait for `go`, recorded in the window's journal.
    std::unique_ptr<QProcess> startRun(const QString &dir, int tasks, int workers, const QStringList &extra = {})
    {
        QByteArray lines;
        for (int i = 0; i < tasks; ++i)
            lines += QStringLiteral("await:%1/go\n").arg(dir).toUtf8();
        QFile inputs(dir + QStringLiteral("/inputs"));
        if (!inputs.open(QIODevice::WriteOnly) || inputs.write(lines) != lines.size())
            return nullptr;
        inputs.close();
        auto cli = std::make_unique<QProcess>();
        cli->start(UiTest::taskpool(), QStringList{QStringLiteral("run"), QStringLiteral("-q"), QStringLiteral("-j"),
                                                   QString::number(workers), QStringLiteral("--inputs"), inputs.fileName()}
                                           + extra
                                           + QStringList{QStringLiteral("--"), QStringLiteral(TESTWORKER_PATH),
                                                         QStringLiteral("task"), QStringLiteral("{}")});
        return cli->waitForStarted() ? std::move(cli) : nullptr;
    }

    static bool release(const QString &dir)
    {
        QFile go(dir + QStringLiteral("/go"));
        return go.open(QIODevice::WriteOnly);
    }

    static int runningRow(RunListModel *model)
    {
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->run(row).state == QLatin1String("running"))
                return row;
        }
        return -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        UiTest::isolateSettings();
        qputenv("XDG_RUNTIME_DIR", m_runtime.path().toUtf8());
    }

    // Runs tab > Watch: the window shows the headless run and drives it.
    void watchARunningRunAndControlIt()
    {
        QTemporaryDir dir;
        auto cli = startRun(dir.path(), 4, 2, {QStringLiteral("--journal"), m_journal.path()});
        QVERIFY(cli);
        MainWindow window(UiTest::taskpool(), m_journal.path());
        UiTest::ModelTesters testers(window);
        window.show();
        RunsPanel *runs = window.runs();
        window.tabs()->setCurrentWidget(runs);
        // Listed as running (the tab looks again while others' runs go), and watchable.
        QTRY_VERIFY_WITH_TIMEOUT(runningRow(window.runsModel()) >= 0, TimeoutMs);
        runs->selectRun(window.runsModel()->run(runningRow(window.runsModel())).id);
        QTRY_VERIFY_WITH_TIMEOUT(runs->watchAction()->isEnabled(), TimeoutMs);
        QCOMPARE(runs->findChild<QWidget *>(QStringLiteral("watchRunActionButton"))->accessibleName(), QStringLiteral("Watch"));
        const QStringList ownCommand = window.jobEditor()->spec().command;
        runs->watchAction()->trigger();

        RunController *controller = window.controller();
        QVERIFY(controller->isWatching());
        WorkerTableModel *workers = controller->workerModel();
        QTRY_COMPARE_WITH_TIMEOUT(workers->rowCount(), 2, TimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(controller->stats().running == 2, TimeoutMs);
        const QList<qint64> pids = workers->pids();
        QCOMPARE(pids.size(), 2);
        for (qint64 pid : pids) {
            ProcStat stat;
            QVERIFY(ProcStat::read(pid, &stat));
            QCOMPARE(stat.ppid, cli->processId()); // the run's own workers
        }
        QVERIFY(controller->isActive());
        QVERIFY(!window.startAction()->isEnabled());
        QVERIFY(window.terminateAction()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(window.findChild<QLabel *>(QStringLiteral("stateLabel"))->text().startsWith(
                                     QStringLiteral("Watching run")),
                                 TimeoutMs);
        QCOMPARE(window.workerCountBox()->value(), 2);
        // The form shows the watched job, locked; the window's own comes back afterwards.
        QCOMPARE(window.jobEditor()->spec().command.first(), QStringLiteral(TESTWORKER_PATH));
        QVERIFY(!window.jobEditor()->isEnabled());

        window.pauseAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), TaskPool::State::Paused, TimeoutMs);
        window.pauseAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), TaskPool::State::Running, TimeoutMs);
        window.workerCountBox()->setValue(3);
        QTRY_VERIFY_WITH_TIMEOUT(controller->stats().running == 3 && workers->rowCount() == 3, TimeoutMs);

        window.terminateAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(UiTest::openQuestion(), TimeoutMs);
        UiTest::answer("confirmTerminate");
        QTRY_VERIFY_WITH_TIMEOUT(!controller->isActive(), TimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(cli->state(), QProcess::NotRunning, TimeoutMs);
        QCOMPARE(controller->resultModel()->rowCount(), 4); // 3 cut short, 1 never started
        QCOMPARE(controller->resultModel()->count(TaskStatus::Cancelled), 4);
        QVERIFY(window.startAction()->isEnabled());
        QCOMPARE(window.jobEditor()->spec().command, ownCommand);
        QVERIFY2(window.statusBar()->currentMessage().contains(QLatin1String("Run ended early")),
                 qPrintable(window.statusBar()->currentMessage()));
    }

    // `taskpool gui --attach`: a run in no journal the window reads, found by
    // its socket; then killed with SIGKILL: the window says it is lost.
    void attachFindsARunOutsideTheJournalAndNoticesItsDeath()
    {
        QTemporaryDir dir;
        auto cli = startRun(dir.path(), 2, 1, {QStringLiteral("--no-journal")});
        QVERIFY(cli);
        const QString socket = MonitorDirectory::socketPath(cli->processId());
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(socket), TimeoutMs);
        MainWindow window(UiTest::taskpool(), m_journal.path());
        UiTest::ModelTesters testers(window);
        window.show();
        window.attach(QString());
        RunController *controller = window.controller();
        QTRY_VERIFY_WITH_TIMEOUT(controller->isWatching() && controller->stats().running == 1, TimeoutMs);
        QCOMPARE(controller->resultsSpec().command.last(), QStringLiteral("{}"));

        ::kill(pid_t(cli->processId()), SIGKILL);
        QTRY_VERIFY_WITH_TIMEOUT(!controller->isActive(), TimeoutMs);
        QVERIFY2(window.statusBar()->currentMessage().startsWith(QLatin1String("Watched run lost")),
                 qPrintable(window.statusBar()->currentMessage()));
        QVERIFY(window.startAction()->isEnabled());
        QVERIFY(release(dir.path())); // its orphaned worker may still wait
    }

    // Several live runs: the window offers them (a menu at Find live runs), labelled with
    // their pid and command, and watches the one picked.
    void attachOffersAChoiceOfLiveRuns()
    {
        QTemporaryDir first;
        QTemporaryDir second;
        auto a = startRun(first.path(), 1, 1, {QStringLiteral("--no-journal")});
        auto b = startRun(second.path(), 1, 1, {QStringLiteral("--no-journal")});
        QVERIFY(a && b);
        for (const auto *cli : {a.get(), b.get()})
            QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(MonitorDirectory::socketPath(cli->processId())), TimeoutMs);
        MainWindow window(UiTest::taskpool(), m_journal.path());
        window.show();
        window.attach(QString());
        QMenu *menu = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((menu = window.findChild<QMenu *>(QStringLiteral("liveRunsMenu"))), TimeoutMs);
        QCOMPARE(menu->actions().size(), 2);
        QAction *pick = nullptr;
        for (QAction *action : menu->actions()) {
            if (action->text().startsWith(QStringLiteral("pid %1 ").arg(b->processId())))
                pick = action;
        }
        QVERIFY2(pick, qPrintable(menu->actions().first()->text()));
        QVERIFY(pick->text().contains(QLatin1String("task {}")));
        menu->hide();
        pick->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window.controller()->isWatching() && window.controller()->stats().running == 1, TimeoutMs);
        QVERIFY(window.controller()->watchedRunText().contains(QString::number(b->processId())));
        QVERIFY(release(first.path()) && release(second.path()));
        QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isActive(), TimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(a->state() == QProcess::NotRunning && b->state() == QProcess::NotRunning, TimeoutMs);
    }

    // The window goes; the run it watched does not.
    void closingTheWindowLeavesAWatchedRunGoing()
    {
        QTemporaryDir dir;
        auto cli = startRun(dir.path(), 2, 2, {QStringLiteral("--no-journal")});
        QVERIFY(cli);
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(MonitorDirectory::socketPath(cli->processId())), TimeoutMs);
        {
            MainWindow window(UiTest::taskpool(), m_journal.path());
            window.show();
            window.attach(QString());
            QTRY_VERIFY_WITH_TIMEOUT(window.controller()->isWatching() && window.controller()->stats().running == 2,
                                     TimeoutMs);
            QVERIFY(window.close()); // no question: the run is not the window's
        }
        QTest::qWait(200); // the run has a moment to notice the viewer went
        QCOMPARE(cli->state(), QProcess::Running);
        QVERIFY(release(dir.path()));
        QTRY_COMPARE_WITH_TIMEOUT(cli->state(), QProcess::NotRunning, TimeoutMs);
        QCOMPARE(cli->exitCode(), 0);
    }
};

QTEST_MAIN(TestWatch)
#include "tst_ui_watch.moc"
