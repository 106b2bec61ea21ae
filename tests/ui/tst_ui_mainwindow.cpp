// The desktop app end to end, offscreen, on real worker processes: start the
// demo, watch workers and results, resize the pool mid-run, terminate it,
// retry failures, export, and remember settings.

#include "jobeditor.h"
#include "logview.h"
#include "mainwindow.h"
#include "resultfilterproxy.h"
#include "resultspanel.h"
#include "resulttablemodel.h"
#include "runcontroller.h"
#include "runlistmodel.h"
#include "runspanel.h"
#include "summarypanel.h"
#include "uitestsupport.h"
#include "workertablemodel.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QProcess>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {
constexpr int RunTimeoutMs = 30000; // generous: the machine may be busy with other tests

int busyRowsWithProgress(const WorkerTableModel *model)
{
    int count = 0;
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, WorkerTableModel::ProgressColumn).data(WorkerTableModel::ProgressRole).toDouble() > 0)
            ++count;
    }
    return count;
}
} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        UiTest::isolateSettings();
        m_journal = std::make_unique<UiTest::TempJournal>();
    }

    void firstLaunchLoadsTheDemo()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        const JobSpec spec = window.jobEditor()->spec();
        const JobSpec demo = JobSpec::demo(UiTest::taskpool());
        QCOMPARE(spec.toJson(), demo.toJson());
        QCOMPARE(window.workerCountBox()->value(), qMax(1, QThread::idealThreadCount()));
        QVERIFY(window.startAction()->isEnabled());
        QVERIFY(!window.terminateAction()->isEnabled());
    }

    // Help › About shows the version CMake's project(VERSION) gave, the one
    // `taskpool --version` prints, and stays out of the window's way (not modal).
    // Before a run the empty results table has the columns of the form's job;
    // once a run fills it, the columns are that run's, whatever the form says.
    void resultColumnsFollowTheFormUntilARun()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        ResultTableModel *model = window.controller()->resultModel();
        QTableView *view = window.results()->view();
        auto header = [model] {
            return model->headerData(ResultTableModel::PreviewColumn, Qt::Horizontal).toString();
        };
        QCOMPARE(window.jobEditor()->spec().mode, JobSpec::Mode::Worker); // the demo
        QCOMPARE(header(), QStringLiteral("Result"));
        QVERIFY(view->isColumnHidden(ResultTableModel::ExitCodeColumn));

        auto *mode = window.jobEditor()->findChild<QComboBox *>(QStringLiteral("jobMode"));
        QVERIFY(mode);
        mode->setCurrentIndex(mode->findData(int(JobSpec::Mode::PerTask)));
        QCOMPARE(header(), QStringLiteral("Output"));
        QVERIFY(!view->isColumnHidden(ResultTableModel::ExitCodeColumn));
        QVERIFY(view->isColumnHidden(ResultTableModel::HostColumn));
        auto *hosts = window.jobEditor()->findChild<QLineEdit *>(QStringLiteral("jobHosts"));
        QVERIFY(hosts);
        QTest::keyClicks(hosts, QStringLiteral("2/ssh:node2"));
        QVERIFY(!view->isColumnHidden(ResultTableModel::HostColumn));
        hosts->clear();
        QVERIFY(view->isColumnHidden(ResultTableModel::HostColumn));

        window.jobEditor()->setSpec(UiTest::demoJob(3, true)); // a loaded job counts too
        QCOMPARE(header(), QStringLiteral("Result"));
        QSignalSpy finished(window.controller(), &RunController::finished);
        window.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, RunTimeoutMs);
        QCOMPARE(model->rowCount(), 3);
        mode->setCurrentIndex(mode->findData(int(JobSpec::Mode::PerTask)));
        QCOMPARE(header(), QStringLiteral("Result")); // the results shown are the run's
        QVERIFY(view->isColumnHidden(ResultTableModel::ExitCodeColumn));
    }

    void aboutShowsTheVersion()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *about = window.findChild<QAction *>(QStringLiteral("aboutAction"));
        QVERIFY(about);
        QVERIFY(!about->text().isEmpty());
        about->trigger();
        auto *dialog = window.findChild<QDialog *>(QStringLiteral("aboutDialog"));
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        QVERIFY(!dialog->isModal());
        auto *version = dialog->findChild<QLabel *>(QStringLiteral("aboutVersion"));
        QVERIFY(version);
        QVERIFY2(version->text().contains(QStringLiteral("taskpool " PROJECT_VERSION_FROM_CMAKE)), qPrintable(version->text()));
        QCOMPARE(version->accessibleName(), QStringLiteral("taskpool " PROJECT_VERSION_FROM_CMAKE));
        QProcess cli;
        cli.start(UiTest::taskpool(), {QStringLiteral("--version")});
        QVERIFY(cli.waitForFinished(20000));
        QCOMPARE(QString::fromUtf8(cli.readAllStandardOutput()).trimmed(), version->accessibleName());
        auto *text = dialog->findChild<QLabel *>(QStringLiteral("aboutText"));
        QVERIFY(text);
        QVERIFY(!text->accessibleName().isEmpty());
        QVERIFY(text->accessibleDescription().contains(QLatin1String("journal")));
        about->trigger(); // the same dialog again, not a second one
        QCOMPARE(window.findChildren<QDialog *>(QStringLiteral("aboutDialog")).size(), 1);
    }

    void demoRunsLiveAndTerminates()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        UiTest::ModelTesters testers(window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.jobEditor()->setSpec(UiTest::demoJob(40)); // far more than can finish before the terminate
        window.workerCountBox()->setValue(2);
        WorkerTableModel *workers = window.controller()->workerModel();
        ResultTableModel *results = window.controller()->resultModel();

        // Remember every worker process we see, to check none survives.
        QSet<qint64> groups;
        QTimer collector;
        connect(&collector, &QTimer::timeout, this, [&] {
            for (qint64 pid : workers->pids())
                groups.insert(pid);
        });
        collector.start(20);

        window.startAction()->trigger();
        QVERIFY(window.controller()->isActive());
        QVERIFY(!window.startAction()->isEnabled());
        QVERIFY(window.terminateAction()->isEnabled());
        QVERIFY(!window.jobEditor()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(workers->rowCount(), 2, RunTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(busyRowsWithProgress(workers) > 0, RunTimeoutMs); // tasks report progress
        QTRY_VERIFY_WITH_TIMEOUT(results->rowCount() > 0, RunTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(window.summary()->progressBar()->value() > 0, RunTimeoutMs);

        // Grow the pool mid-run: a new slot at once.
        window.workerCountBox()->setValue(3);
        QTRY_COMPARE_WITH_TIMEOUT(workers->rowCount(), 3, RunTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(workers->pids().size() == 3, RunTimeoutMs);
        // Shrink it: busy workers finish their task, then their rows go.
        window.workerCountBox()->setValue(1);
        QCOMPARE(window.controller()->pool()->workerCount(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(workers->rowCount(), 1, RunTimeoutMs);
        QVERIFY(window.controller()->isActive());

        // Terminate: there are tasks left, so the window asks first.
        window.terminateAction()->trigger();
        QTRY_VERIFY(UiTest::openQuestion());
        UiTest::answer("cancelTerminate");
        QTRY_VERIFY(!UiTest::openQuestion());
        QVERIFY(window.controller()->isActive());
        window.terminateAction()->trigger();
        QTRY_VERIFY(UiTest::openQuestion());
        UiTest::answer("confirmTerminate");
        QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isActive(), RunTimeoutMs);
        collector.stop();

        QVERIFY(groups.size() >= 3);
        QCOMPARE(UiTest::liveProcessesInGroups(groups), QList<qint64>());
        // Every input has exactly one result; what never ran is cancelled.
        QCOMPARE(results->rowCount(), 40);
        QVERIFY(results->count(TaskStatus::Cancelled) > 0);
        // The slot that was left keeps its row, exited, with its final figures.
        QCOMPARE(workers->rowCount(), 1);
        QCOMPARE(workers->index(0, WorkerTableModel::StateColumn).data().toString(), QStringLiteral("exited"));
        QVERIFY(window.startAction()->isEnabled());
        QVERIFY(window.jobEditor()->isEnabled());
        QVERIFY(window.statusBar()->currentMessage().contains(QLatin1String("cancelled")));

        // Export what was collected, in both formats, and read it back.
        QTemporaryDir dir;
        QSignalSpy exported(&window, &MainWindow::exportFinished);
        const QString jsonPath = dir.filePath(QStringLiteral("results.jsonl"));
        window.exportResults(jsonPath);
        QTRY_COMPARE(exported.count(), 1);
        QVERIFY(exported.at(0).at(0).toBool());
        const QList<QByteArray> lines = UiTest::readLines(jsonPath);
        QCOMPARE(lines.size(), 40);
        QSet<qint64> ids;
        qint64 cancelled = 0;
        for (const QByteArray &line : lines) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            ids.insert(o.value(QStringLiteral("id")).toInteger(-1));
            if (o.value(QStringLiteral("status")).toString() == QLatin1String("cancelled"))
                ++cancelled;
            else if (o.value(QStringLiteral("status")).toString() == QLatin1String("ok"))
                QVERIFY(o.value(QStringLiteral("result")).isObject()); // the demo worker's answer
        }
        QCOMPARE(ids.size(), 40);
        QCOMPARE(*std::min_element(ids.cbegin(), ids.cend()), 0);
        QCOMPARE(*std::max_element(ids.cbegin(), ids.cend()), 39);
        QCOMPARE(cancelled, results->count(TaskStatus::Cancelled));

        const QString csvPath = dir.filePath(QStringLiteral("results.csv"));
        window.exportResults(csvPath);
        QTRY_COMPARE(exported.count(), 2);
        QVERIFY(exported.at(1).at(0).toBool());
        const QList<QByteArray> csv = UiTest::readLines(csvPath);
        QVERIFY(csv.value(0).startsWith("id,input,status"));
        QCOMPARE(csv.size(), 41); // header + one line per task (the demo writes no newlines)
    }

    void fastRunFillsEveryRow()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        UiTest::ModelTesters testers(window);
        window.show();
        window.jobEditor()->setSpec(UiTest::demoJob(5000, true));
        window.workerCountBox()->setValue(2);
        QSignalSpy finished(window.controller(), &RunController::finished);
        window.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, RunTimeoutMs);

        ResultTableModel *results = window.controller()->resultModel();
        QCOMPARE(results->rowCount(), 5000);
        QCOMPARE(results->count(TaskStatus::Ok), 5000);
        QCOMPARE(window.results()->proxy()->rowCount(), 5000);
        QCOMPARE(window.summary()->progressBar()->value(), window.summary()->progressBar()->maximum());
        QCOMPARE(window.summary()->countText(QStringLiteral("ok")), QLocale().toString(5000));
        QVERIFY(window.statusBar()->currentMessage().startsWith(QLatin1String("Run finished")));
        QVERIFY(window.results()->statusFilter()->itemText(1).contains(QLocale().toString(5000)));

        // Filter and search on the finished run.
        window.results()->statusFilter()->setCurrentIndex(2); // Failed
        QCOMPARE(window.results()->proxy()->rowCount(), 0);
        window.results()->statusFilter()->setCurrentIndex(0);
        window.results()->searchField()->setText(QStringLiteral("4999"));
        QTRY_COMPARE(window.results()->proxy()->rowCount(), 1);

        // Selecting the row shows the task in the detail pane.
        QTableView *view = window.results()->view();
        view->setCurrentIndex(window.results()->proxy()->index(0, 0));
        QVERIFY(window.results()->findChild<QPlainTextEdit *>(QStringLiteral("resultDetail"))
                    ->toPlainText().contains(QLatin1String("Task 4999: OK")));
    }

    // A FIFO as the input file: the window stays live while nobody writes,
    // and each line runs as soon as it is written, before the writer closes.
    void fifoInputFileRunsEachLineAsItArrives()
    {
        QTemporaryDir dir;
        const QString fifo = dir.filePath(QStringLiteral("inputs"));
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        MainWindow window(UiTest::taskpool(), m_journal->path());
        UiTest::ModelTesters testers(window);
        window.show();
        JobSpec spec = UiTest::demoJob(0, true);
        spec.inputKind = JobSpec::InputKind::File;
        spec.inputFile = fifo;
        window.jobEditor()->setSpec(spec);
        QSignalSpy finished(window.controller(), &RunController::finished);
        window.startAction()->trigger(); // returns at once: nobody has opened the FIFO yet
        QVERIFY(window.controller()->isActive());
        const int writer = ::open(QFile::encodeName(fifo).constData(), O_WRONLY | O_CLOEXEC);
        QVERIFY(writer >= 0);
        ResultTableModel *results = window.controller()->resultModel();
        QCOMPARE(::write(writer, "3\n", 2), 2);
        QTRY_COMPARE_WITH_TIMEOUT(results->rowCount(), 1, RunTimeoutMs);
        QCOMPARE(::write(writer, "4\n", 2), 2);
        QTRY_COMPARE_WITH_TIMEOUT(results->rowCount(), 2, RunTimeoutMs);
        QCOMPARE(finished.count(), 0);
        ::close(writer);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, RunTimeoutMs);
        QCOMPARE(results->count(TaskStatus::Ok), 2);
    }

    void runOnHostsShowsThem()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        UiTest::ModelTesters testers(window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.workerCountBox()->isEnabled());
        QVERIFY(!window.summary()->hostCounts()->isVisible());
        JobSpec spec = UiTest::demoJob(6); // slow tasks: the slots stay long enough to be seen
        QString error;
        HostSpec local;
        QVERIFY(HostSpec::parse(QStringLiteral("2/localhost"), &local, &error));
        spec.hosts = {local};
        window.jobEditor()->setSpec(spec);
        // The hosts set the slots; the toolbar count steps aside and says why.
        QVERIFY(!window.workerCountBox()->isEnabled());
        QVERIFY(window.workerCountBox()->toolTip().contains(QLatin1String("Hosts")));
        window.workerCountBox()->setValue(5); // ignored by a job with hosts

        QSignalSpy finished(window.controller(), &RunController::finished);
        window.startAction()->trigger();
        QVERIFY(window.controller()->isActive());
        WorkerTableModel *workers = window.controller()->workerModel();
        QTRY_COMPARE_WITH_TIMEOUT(workers->rowCount(), 2, RunTimeoutMs);
        QCOMPARE(workers->headerData(WorkerTableModel::HostColumn, Qt::Horizontal).toString(), QStringLiteral("Host"));
        QVERIFY(!window.workersView()->isColumnHidden(WorkerTableModel::HostColumn));
        for (int row = 0; row < workers->rowCount(); ++row)
            QCOMPARE(workers->index(row, WorkerTableModel::HostColumn).data().toString(), QStringLiteral("local"));
        QTRY_VERIFY_WITH_TIMEOUT(window.summary()->hostCounts()->isVisible(), RunTimeoutMs);
        QVERIFY(window.summary()->hostCounts()->text().contains(QLatin1String("<b>local</b>: 2 slots")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, RunTimeoutMs);

        // The last refresh leaves the final per-host counts in place.
        ResultTableModel *results = window.controller()->resultModel();
        QCOMPARE(results->rowCount(), 6);
        const int ok = int(results->count(TaskStatus::Ok)); // the demo fails "unlucky" inputs
        const QString counts = window.summary()->hostCounts()->text();
        QVERIFY2(counts.contains(QStringLiteral("%1 done · %2 failed").arg(ok).arg(6 - ok)), qPrintable(counts));
        QVERIFY(window.workerCountBox()->toolTip().contains(QLatin1String("Hosts")));

        // Every task ran here: no Host column in the results, but the detail pane names the host.
        QVERIFY(window.results()->view()->isColumnHidden(ResultTableModel::HostColumn));
        window.results()->view()->setCurrentIndex(window.results()->proxy()->index(0, 0));
        QVERIFY(window.results()->findChild<QPlainTextEdit *>(QStringLiteral("resultDetail"))
                    ->toPlainText().contains(QLatin1String("host localhost")));

        // Saved and opened again, the job keeps its hosts.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("hosts.json"));
        QVERIFY(window.saveJobFile(path));
        window.jobEditor()->setSpec(UiTest::demoJob(3));
        QVERIFY(window.workerCountBox()->isEnabled());
        QVERIFY(window.loadJobFile(path));
        QCOMPARE(window.jobEditor()->findChild<QLineEdit *>(QStringLiteral("jobHosts"))->text(),
                 QStringLiteral("2/localhost"));
        QCOMPARE(window.jobEditor()->spec().hosts, spec.hosts);
        QVERIFY(!window.workerCountBox()->isEnabled());
    }

    void badHostsBlockStart()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        UiTest::ModelTesters testers(window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.jobEditor()->setSpec(UiTest::demoJob(3, true));
        auto *field = window.jobEditor()->findChild<QLineEdit *>(QStringLiteral("jobHosts"));
        auto *error = window.jobEditor()->findChild<QLabel *>(QStringLiteral("jobHostsError"));
        QVERIFY(field && error);
        QVERIFY(window.startAction()->isEnabled());

        field->setText(QStringLiteral("2/localhost, x/ssh:node2"));
        QVERIFY(error->isVisible());
        QVERIFY(!error->text().isEmpty());
        QVERIFY(!window.startAction()->isEnabled());
        QVERIFY(!window.resumeJobAction()->isEnabled());
        window.startRun(); // as a shortcut would: still refused, with the reason
        QVERIFY(!window.controller()->isActive());
        QTRY_VERIFY(window.findChild<QMessageBox *>(QStringLiteral("errorMessage")));
        window.findChild<QMessageBox *>(QStringLiteral("errorMessage"))->close();
        QTemporaryDir dir;
        QVERIFY(!window.saveJobFile(dir.filePath(QStringLiteral("job.json")))); // would lose the hosts
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("job.json"))));

        field->setText(QStringLiteral("2/localhost"));
        QVERIFY(!error->isVisible());
        QVERIFY(window.startAction()->isEnabled());
    }

    void retryFailedReplacesTheRows()
    {
        // Each input fails on its first run and succeeds on the next.
        QTemporaryDir markers;
        JobSpec spec;
        spec.mode = JobSpec::Mode::PerTask;
        spec.command = {QStringLiteral("sh"), QStringLiteral("-c"),
                        QStringLiteral("if [ -e \"$0/$1\" ]; then echo \"done $1\"; else touch \"$0/$1\"; "
                                       "echo \"first try $1\" >&2; exit 3; fi"),
                        markers.path(), QStringLiteral("{}")};
        spec.inputKind = JobSpec::InputKind::List;
        spec.inputList = {QStringLiteral("alpha"), QStringLiteral("beta"), QStringLiteral("gamma")};

        MainWindow window(UiTest::taskpool(), m_journal->path());
        UiTest::ModelTesters testers(window);
        window.show();
        window.jobEditor()->setSpec(spec);
        QSignalSpy finished(window.controller(), &RunController::finished);
        window.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, RunTimeoutMs);
        ResultTableModel *results = window.controller()->resultModel();
        QCOMPARE(results->rowCount(), 3);
        QCOMPARE(results->count(TaskStatus::Failed), 3);
        QCOMPARE(results->outcome(0).exitCode, 3);
        QVERIFY(results->outcome(0).errorOutput.startsWith("first try"));
        QVERIFY(window.results()->retryFailedAction()->isEnabled());
        QMap<QByteArray, qint64> idOfInput;
        for (int row = 0; row < 3; ++row)
            idOfInput.insert(results->outcome(row).input, results->outcome(row).id);

        window.results()->retryFailedAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, RunTimeoutMs);
        QCOMPARE(results->rowCount(), 3); // the same rows, now ok
        QCOMPARE(results->count(TaskStatus::Ok), 3);
        QCOMPARE(results->count(TaskStatus::Failed), 0);
        for (int row = 0; row < 3; ++row) {
            const TaskOutcome &o = results->outcome(row);
            QCOMPARE(o.attempts, 2);
            QCOMPARE(o.id, idOfInput.value(o.input)); // the row keeps its task id
            QCOMPARE(o.output, "done " + o.input + "\n");
        }
        QVERIFY(!window.results()->retryFailedAction()->isEnabled()); // nothing left to retry

        // Retry one chosen task: it runs again and stays ok.
        window.results()->view()->selectRow(1);
        window.results()->retrySelectedAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, RunTimeoutMs);
        const int row = window.results()->proxy()->mapToSource(window.results()->proxy()->index(1, 0)).row();
        QCOMPARE(results->outcome(row).attempts, 3);
        QCOMPARE(results->rowCount(), 3);
    }

    void missingProgramIsExplained()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        window.show();
        JobSpec spec = UiTest::demoJob(3);
        spec.command = {QStringLiteral("/no/such/program")};
        window.jobEditor()->setSpec(spec);
        window.startAction()->trigger();
        QVERIFY(!window.controller()->isActive());
        QTRY_VERIFY(UiTest::openQuestion());
        QVERIFY(UiTest::openQuestion()->text().contains(QLatin1String("/no/such/program")));
        UiTest::openQuestion()->accept();
    }

    void pauseAndContinue()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        window.show();
        window.jobEditor()->setSpec(UiTest::demoJob(50));
        window.workerCountBox()->setValue(1);
        window.startAction()->trigger();
        QTRY_COMPARE(window.controller()->state(), TaskPool::State::Running);
        window.pauseAction()->trigger();
        QCOMPARE(window.controller()->state(), TaskPool::State::Paused);
        QVERIFY(window.pauseAction()->text().remove(QLatin1Char('&')) == QLatin1String("Continue"));
        window.pauseAction()->trigger();
        QCOMPARE(window.controller()->state(), TaskPool::State::Running);
        window.stopAction()->trigger();
        QCOMPARE(window.controller()->state(), TaskPool::State::Stopping);
        QVERIFY(!window.pauseAction()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isActive(), RunTimeoutMs);
        QVERIFY(window.controller()->resultModel()->count(TaskStatus::Cancelled) > 0);
    }

    void closingDuringARunAsksFirst()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.jobEditor()->setSpec(UiTest::demoJob(50));
        window.workerCountBox()->setValue(2);
        window.startAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window.controller()->workerModel()->pids().size() == 2, RunTimeoutMs);
        const QList<qint64> pids = window.controller()->workerModel()->pids();
        const QSet<qint64> groups(pids.cbegin(), pids.cend());

        QVERIFY(!window.close());
        QTRY_VERIFY(UiTest::openQuestion());
        UiTest::answer("cancelTerminate");
        QVERIFY(window.isVisible());
        QVERIFY(window.controller()->isActive());

        QVERIFY(!window.close());
        QTRY_VERIFY(UiTest::openQuestion());
        UiTest::answer("confirmTerminate");
        QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), RunTimeoutMs);
        QVERIFY(!window.controller()->isActive());
        QCOMPARE(UiTest::liveProcessesInGroups(groups), QList<qint64>());
    }

    void settingsAreRemembered()
    {
        QTemporaryDir dir;
        const QString jobPath = dir.filePath(QStringLiteral("job.json"));
        QSize size;
        {
            MainWindow window(UiTest::taskpool(), m_journal->path());
            window.show();
            window.resize(1100, 700);
            JobSpec spec = UiTest::demoJob(7);
            spec.retries = 4;
            window.jobEditor()->setSpec(spec);
            window.workerCountBox()->setValue(3);
            window.showRunsAction()->trigger();
            QVERIFY(window.saveJobFile(jobPath));
            size = window.size();
            QVERIFY(window.close());
        }
        {
            MainWindow window(UiTest::taskpool(), m_journal->path());
            QCOMPARE(window.workerCountBox()->value(), 3);
            QCOMPARE(window.jobEditor()->spec().rangeCount, 7);
            QCOMPARE(window.jobEditor()->spec().retries, 4);
            QCOMPARE(window.size(), size);
            QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget *>(window.runs())); // the tab left open

            // A saved job file loads back, worker count included.
            window.jobEditor()->setSpec(UiTest::demoJob(1));
            window.workerCountBox()->setValue(1);
            QVERIFY(window.loadJobFile(jobPath));
            QCOMPARE(window.jobEditor()->spec().rangeCount, 7);
            QCOMPARE(window.workerCountBox()->value(), 3);
        }
    }

    void everyControlIsNamedAndExplained()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QStringList missing;
        const QList<QWidget *> widgets = window.findChildren<QWidget *>();
        for (QWidget *w : widgets) {
            const bool control = qobject_cast<QAbstractButton *>(w) || qobject_cast<QLineEdit *>(w)
                                 || qobject_cast<QComboBox *>(w) || qobject_cast<QAbstractSpinBox *>(w)
                                 || qobject_cast<QAbstractItemView *>(w) || qobject_cast<QPlainTextEdit *>(w);
            if (!control || w->objectName().startsWith(QLatin1String("qt_")) || w->focusPolicy() == Qt::NoFocus)
                continue;
            // Parts of a composite control (the line edit inside a spin box, ...) are named by it.
            QWidget *parent = w->parentWidget();
            if (qobject_cast<QAbstractSpinBox *>(parent) || qobject_cast<QComboBox *>(parent)
                || qobject_cast<QTabBar *>(parent) || (parent && qobject_cast<QComboBox *>(parent->parentWidget())))
                continue;
            QString name = w->accessibleName();
            if (auto *button = qobject_cast<QAbstractButton *>(w); name.isEmpty() && button)
                name = button->text();
            if (name.isEmpty())
                missing.append(QStringLiteral("%1 (%2): no accessible name").arg(w->objectName(), w->metaObject()->className()));
            if (w->toolTip().isEmpty() && !qobject_cast<QAbstractItemView *>(w))
                missing.append(QStringLiteral("%1 (%2): no tooltip").arg(w->objectName(), w->metaObject()->className()));
        }
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QLatin1String("; "))));

        // The run controls all have distinct shortcuts.
        QSet<QString> shortcuts;
        for (QAction *action : {window.startAction(), window.pauseAction(), window.stopAction(),
                                window.terminateAction(), window.exportAction(), window.showRunsAction()}) {
            QVERIFY(!action->shortcut().isEmpty());
            QVERIFY(!action->toolTip().isEmpty());
            shortcuts.insert(action->shortcut().toString());
        }
        QCOMPARE(shortcuts.size(), 6);
    }

    void keyboardStartsAndTerminates()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.activateWindow();
        QTRY_VERIFY(window.isActiveWindow());
        window.jobEditor()->setSpec(UiTest::demoJob(50));
        window.workerCountBox()->setValue(1);
        QTest::keySequence(&window, window.startAction()->shortcut());
        QTRY_VERIFY(window.controller()->isActive());
        QTest::keySequence(&window, window.terminateAction()->shortcut());
        QTRY_VERIFY(UiTest::openQuestion());
        QTest::keyClick(UiTest::openQuestion(), Qt::Key_Escape); // Escape keeps the run going
        QTRY_VERIFY(!UiTest::openQuestion());
        QVERIFY(window.controller()->isActive());
        QTest::keySequence(&window, window.terminateAction()->shortcut());
        QTRY_VERIFY(UiTest::openQuestion());
        UiTest::answer("confirmTerminate");
        QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isActive(), RunTimeoutMs);
    }

private:
    std::unique_ptr<UiTest::TempJournal> m_journal;
};

QTEST_MAIN(TestMainWindow)
#include "tst_ui_mainwindow.moc"
