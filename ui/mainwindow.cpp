#include "mainwindow.h"

#include "aboutdialog.h"
#include "confirmation.h"
#include "jobeditor.h"
#include "jobrun.h"
#include "jobsummarybar.h"
#include "journalservice.h"
#include "liveoutputview.h"
#include "logview.h"
#include "progressbardelegate.h"
#include "resultexporter.h"
#include "resultfilterproxy.h"
#include "resultspanel.h"
#include "resulttablemodel.h"
#include "runcontroller.h"
#include "runlistmodel.h"
#include "runspanel.h"
#include "runstab.h"
#include "summarypanel.h"
#include "sweepchartpanel.h"
#include "sweepchartview.h"
#include "tablesetup.h"
#include "theme.h"
#include "timelinepanel.h"
#include "timelineview.h"
#include "windowfit.h"
#include "workertablemodel.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTableView>
#include <QThread>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <numeric>

// Outside any namespace, as Q_INIT_RESOURCE requires; the resources live in a
// static library, whose initializer the linker would otherwise drop.
static void initResources()
{
    Q_INIT_RESOURCE(taskpool);
}

namespace {
const QString JobLockedText = QStringLiteral("The job can be edited again when the run has ended.");
constexpr int StatusMessageMs = 15000;

QString stateText(TaskPool::State state)
{
    switch (state) {
    case TaskPool::State::Idle: return QStringLiteral("Ready");
    case TaskPool::State::Running: return QStringLiteral("Running");
    case TaskPool::State::Paused: return QStringLiteral("Paused");
    case TaskPool::State::Stopping: return QStringLiteral("Stopping: running tasks finish");
    case TaskPool::State::Terminating: return QStringLiteral("Terminating");
    case TaskPool::State::Finished: return QStringLiteral("Finished");
    }
    return {};
}

// A past run's counts in the summary's terms.
// A job's results as one run: its counts, and the time its runs took.
PoolStats statsOf(const JobResultsInfo &job)
{
    PoolStats s;
    static_cast<TaskCounts &>(s) = job.counts;
    s.total = s.finished();
    s.queued = 0;
    for (const RunInfo &run : job.runs) {
        if (run.finishedAtMs > run.startedAtMs)
            s.elapsedSeconds += (run.finishedAtMs - run.startedAtMs) / 1000.0;
    }
    if (s.elapsedSeconds > 0)
        s.tasksPerSecond = s.finished() / s.elapsedSeconds;
    return s;
}

PoolStats statsOf(const RunInfo &run)
{
    PoolStats s;
    static_cast<TaskCounts &>(s) = run.counts;
    s.total = s.finished();
    s.queued = 0;
    if (run.finishedAtMs > run.startedAtMs) {
        s.elapsedSeconds = (run.finishedAtMs - run.startedAtMs) / 1000.0;
        s.tasksPerSecond = s.finished() / s.elapsedSeconds;
    }
    return s;
}

void describe(QAction *action, const QString &name, const QString &tooltip)
{
    action->setObjectName(name);
    const QString shortcut = action->shortcut().toString(QKeySequence::NativeText);
    action->setToolTip(shortcut.isEmpty() ? tooltip : QStringLiteral("%1 (%2)").arg(tooltip, shortcut));
    action->setStatusTip(tooltip);
}
} // namespace

MainWindow::MainWindow(const QString &taskpoolPath, const QString &journalPath, QWidget *parent)
    : QMainWindow(parent)
    , m_taskpoolPath(taskpoolPath)
    , m_controller(new RunController(journalPath.isEmpty() ? RunJournal::defaultPath() : journalPath, this))
    , m_exporter(new ResultExporter(this))
    , m_confirmation(new Confirmation(this))
{
    initResources();
    setWindowTitle(QStringLiteral("taskpool"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/taskpool-128.png")));
    setObjectName(QStringLiteral("mainWindow"));

    buildActions();
    setCentralWidget(buildCentralWidget());
    buildToolBar();
    buildMenus();

    m_stateLabel = new QLabel(this);
    m_stateLabel->setObjectName(QStringLiteral("stateLabel"));
    m_stateLabel->setAccessibleName(QStringLiteral("Run state"));
    m_stateLabel->setToolTip(QStringLiteral("State of the pool"));
    m_journalLabel = new QLabel(QStringLiteral("⚠ Not recorded"), this);
    m_journalLabel->setObjectName(QStringLiteral("journalLabel"));
    Theme::keepErrorColor(m_journalLabel);
    m_journalLabel->hide();
    statusBar()->addPermanentWidget(m_journalLabel);
    statusBar()->addPermanentWidget(m_stateLabel);

    connect(m_controller, &RunController::started, this, &MainWindow::onStarted);
    connect(m_controller, &RunController::stateChanged, this, &MainWindow::onStateChanged);
    connect(m_controller, &RunController::finished, this, &MainWindow::onFinished);
    connect(m_controller, &RunController::logLine, m_log, &LogView::appendLine);
    connect(m_controller, &RunController::refreshed, this, [this](const PoolStats &stats) {
        m_summary->update(stats, m_controller->isActive());
        m_summary->updateHosts(m_controller->hostSnapshots());
        if (m_controller->isActive() && m_controller->liveWorkerCount() != m_jobSummaryWorkers)
            updateJobSummary(true); // resized, or a watched run's count arrived
        if (m_controller->isWatching()) {
            showWorkerCount(m_controller->liveWorkerCount()); // it may be changed from elsewhere too
            updateStateLabel();
        }
    });
    connect(m_controller, &RunController::watchLost, this, [this](const QString &error) { m_watchLostReason = error; });
    connect(m_controller->resultModel(), &ResultTableModel::countsChanged, this, &MainWindow::updateResultsTabTitle);
    connect(m_results, &ResultsPanel::retryRequested, this, &MainWindow::retryRows);
    connect(m_results, &ResultsPanel::retryFailedRequested, this,
            [this] { retryRows(m_controller->failedRows()); });
    connect(m_exporter, &ResultExporter::finished, this,
            [this](bool ok, const QString &path, qint64 rows, const QString &error) {
                m_export->setEnabled(true);
                if (ok)
                    statusBar()->showMessage(QStringLiteral("Exported %1 results to %2")
                                                 .arg(QLocale().toString(rows), QDir::toNativeSeparators(path)),
                                             StatusMessageMs);
                else
                    showError(QStringLiteral("Export failed"), error);
                Q_EMIT exportFinished(ok, path);
            });

    connect(m_jobEditor, &JobEditor::formErrorChanged, this, &MainWindow::updateActions);
    connect(m_jobEditor, &JobEditor::edited, this, &MainWindow::showFormJobColumns);
    connect(m_jobEditor, &JobEditor::hostsChanged, this, &MainWindow::showFormJobColumns);
    connectJournal();
    restoreSettings();
    showFormJobColumns();
    updateActions();
    updateResultsTabTitle();
    statusBar()->showMessage(QStringLiteral("Set up a job on the left, then press Start (%1).")
                                 .arg(m_start->shortcut().toString(QKeySequence::NativeText)));
}

MainWindow::~MainWindow() = default;

RunsPanel *MainWindow::runs() const
{
    return m_runsTab->panel();
}

RunListModel *MainWindow::runsModel() const
{
    return m_runsTab->model();
}

void MainWindow::buildActions()
{
    QStyle *s = style();
    m_start = new QAction(QStringLiteral("&Start"), this);
    m_start->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    describe(m_start, QStringLiteral("startAction"), QStringLiteral("Start the job with the worker count in the toolbar"));
    m_resumeJob = new QAction(QStringLiteral("Resume &job"), this);
    describe(m_resumeJob, QStringLiteral("resumeJobAction"),
             QStringLiteral("Run only the inputs of this job that did not finish in an earlier run "
                            "(matched by command and input, from the journal)"));
    m_pause = new QAction(QStringLiteral("&Pause"), this);
    m_pause->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    describe(m_pause, QStringLiteral("pauseAction"), QStringLiteral("Pause: hand out no new tasks, keep the workers; again to continue"));
    m_stop = new QAction(QStringLiteral("St&op"), this);
    m_stop->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    describe(m_stop, QStringLiteral("stopAction"), QStringLiteral("Stop: running tasks finish, the rest is cancelled"));
    m_terminate = new QAction(s->standardIcon(QStyle::SP_BrowserStop), QStringLiteral("&Terminate pool"), this);
    m_terminate->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    describe(m_terminate, QStringLiteral("terminateAction"),
             QStringLiteral("End every worker's whole process tree now; unfinished tasks are cancelled, results are kept"));

    m_openJob = new QAction(s->standardIcon(QStyle::SP_DialogOpenButton), QStringLiteral("&Open job…"), this);
    m_openJob->setShortcut(QKeySequence::Open);
    describe(m_openJob, QStringLiteral("openJobAction"), QStringLiteral("Load a job saved as JSON"));
    m_saveJob = new QAction(s->standardIcon(QStyle::SP_DialogSaveButton), QStringLiteral("&Save job as…"), this);
    m_saveJob->setShortcut(QKeySequence::Save);
    describe(m_saveJob, QStringLiteral("saveJobAction"), QStringLiteral("Save the job as JSON (also usable with taskpool run --job)"));
    m_demoJob = new QAction(QStringLiteral("Load the &demo job"), this);
    describe(m_demoJob, QStringLiteral("demoJobAction"), QStringLiteral("Load the built-in demo: 40 tasks on long-lived demo workers"));
    m_export = new QAction(s->standardIcon(QStyle::SP_DriveHDIcon), QStringLiteral("&Export results…"), this);
    m_export->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    describe(m_export, QStringLiteral("exportAction"), QStringLiteral("Write all results to a CSV or JSON Lines file"));
    m_showRuns = new QAction(QStringLiteral("Past &runs"), this);
    m_showRuns->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    describe(m_showRuns, QStringLiteral("showRunsAction"), QStringLiteral("Show the runs recorded in the journal"));
    m_jobFormAction = new QAction(QStringLiteral("&Job form"), this);
    m_jobFormAction->setCheckable(true);
    m_jobFormAction->setChecked(true);
    m_jobFormAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_J));
    describe(m_jobFormAction, QStringLiteral("jobFormAction"),
             QStringLiteral("Show or fold the job form; folded, one line says what runs (remembered for runs and "
                            "for between runs)"));
    m_quit = new QAction(QStringLiteral("&Quit"), this);
    m_quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    m_quit->setMenuRole(QAction::QuitRole);
    describe(m_quit, QStringLiteral("quitAction"), QStringLiteral("Close the window"));

    updateMediaIcons();
    connect(m_start, &QAction::triggered, this, &MainWindow::startRun);
    connect(m_resumeJob, &QAction::triggered, this, &MainWindow::resumeJob);
    connect(m_showRuns, &QAction::triggered, this, [this] {
        m_tabs->setCurrentWidget(runs());
        runs()->view()->setFocus(Qt::ShortcutFocusReason);
    });
    connect(m_pause, &QAction::triggered, this, &MainWindow::togglePause);
    connect(m_stop, &QAction::triggered, m_controller, &RunController::stop);
    connect(m_terminate, &QAction::triggered, this, &MainWindow::requestTerminate);
    connect(m_openJob, &QAction::triggered, this, &MainWindow::openJob);
    connect(m_saveJob, &QAction::triggered, this, &MainWindow::saveJob);
    connect(m_demoJob, &QAction::triggered, this, &MainWindow::loadDemoJob);
    connect(m_export, &QAction::triggered, this, &MainWindow::chooseExportFile);
    connect(m_quit, &QAction::triggered, this, &QWidget::close);
    connect(m_jobFormAction, &QAction::triggered, this, &MainWindow::onJobFormToggled);
}

// The style draws its media icons black, which a dark palette would hide:
// the same shapes in the palette's button text colour, redrawn when it changes.
QIcon MainWindow::mediaIcon(QStyle::StandardPixmap which) const
{
    const QIcon standard = style()->standardIcon(which);
    const QColor colour = palette().color(QPalette::Active, QPalette::ButtonText);
    QIcon icon;
    for (const QSize &size : standard.availableSizes()) {
        QPixmap pixmap = standard.pixmap(size);
        QPainter painter(&pixmap);
        painter.setCompositionMode(QPainter::CompositionMode_SourceIn);
        painter.fillRect(pixmap.rect(), colour);
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon.isNull() ? standard : icon;
}

void MainWindow::updateMediaIcons()
{
    m_start->setIcon(mediaIcon(QStyle::SP_MediaPlay));
    m_resumeJob->setIcon(mediaIcon(QStyle::SP_MediaSeekForward));
    m_pause->setIcon(mediaIcon(m_controller->state() == TaskPool::State::Paused ? QStyle::SP_MediaPlay
                                                                                : QStyle::SP_MediaPause));
    m_stop->setIcon(mediaIcon(QStyle::SP_MediaStop));
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (!m_fitJobPanelOnShow)
        return;
    m_fitJobPanelOnShow = false;
    const QList<int> sizes = m_mainSplitter->sizes();
    const int total = std::accumulate(sizes.begin(), sizes.end(), 0);
    const auto *scroll = static_cast<QScrollArea *>(m_jobPanel);
    const int wanted = scroll->widget()->sizeHint().width() + scroll->verticalScrollBar()->sizeHint().width();
    const int form = std::min(wanted, total * 2 / 5); // the monitor keeps most of a small window
    if (total > 0 && form > 0)
        m_mainSplitter->setSizes({form, total - form});
}

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    const QEvent::Type type = event->type();
    if ((type == QEvent::PaletteChange || type == QEvent::StyleChange) && m_start)
        updateMediaIcons(); // View > Theme switched
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(QStringLiteral("&File"));
    file->addAction(m_openJob);
    file->addAction(m_saveJob);
    file->addAction(m_demoJob);
    file->addSeparator();
    file->addAction(m_export);
    file->addSeparator();
    file->addAction(m_quit);

    QMenu *run = menuBar()->addMenu(QStringLiteral("&Run"));
    run->addAction(m_start);
    run->addAction(m_resumeJob);
    run->addAction(m_pause);
    run->addAction(m_stop);
    run->addSeparator();
    run->addAction(m_terminate);
    run->addSeparator();
    QAction *workers = run->addAction(QStringLiteral("Set &worker count"));
    workers->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W));
    describe(workers, QStringLiteral("workerCountAction"), QStringLiteral("Move the focus to the worker count"));
    connect(workers, &QAction::triggered, this, [this] {
        m_workerCount->setFocus(Qt::ShortcutFocusReason);
        m_workerCount->selectAll();
    });
    run->addSeparator();
    run->addAction(m_showRuns);

    QMenu *view = menuBar()->addMenu(QStringLiteral("&View"));
    view->addAction(m_jobFormAction);
    view->addSeparator();
    view->addMenu(Theme::menu(view));

    QMenu *results = menuBar()->addMenu(QStringLiteral("Res&ults"));
    results->addAction(m_results->retrySelectedAction());
    results->addAction(m_results->retryFailedAction());
    results->addSeparator();
    results->addAction(m_results->copyAction());
    results->addAction(m_results->findAction());
    results->addSeparator();
    results->addAction(m_export);
    addAction(m_results->findAction());
    addAction(m_results->retrySelectedAction());
    addAction(m_results->retryFailedAction());

    QMenu *help = menuBar()->addMenu(QStringLiteral("&Help"));
    QAction *about = help->addAction(QStringLiteral("&About taskpool"));
    about->setMenuRole(QAction::AboutRole);
    describe(about, QStringLiteral("aboutAction"), QStringLiteral("The version of taskpool and where its files are"));
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
    QAction *aboutQt = help->addAction(QStringLiteral("About &Qt"));
    aboutQt->setMenuRole(QAction::AboutQtRole);
    describe(aboutQt, QStringLiteral("aboutQtAction"), QStringLiteral("The version of Qt taskpool runs on"));
    connect(aboutQt, &QAction::triggered, qApp, &QApplication::aboutQt);
}

// One dialog, not modal: the window goes on updating behind it.
void MainWindow::showAbout()
{
    if (!m_about)
        m_about = new AboutDialog(this);
    m_about->show();
    m_about->raise();
    m_about->activateWindow();
}

void MainWindow::buildToolBar()
{
    QToolBar *bar = addToolBar(QStringLiteral("Run"));
    bar->setObjectName(QStringLiteral("runToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);

    auto *workersLabel = new QLabel(QStringLiteral(" &Workers: "), bar);
    m_workerCount = new QSpinBox(bar);
    m_workerCount->setObjectName(QStringLiteral("workerCount"));
    m_workerCount->setRange(1, 512);
    m_workerCount->setValue(qMax(1, QThread::idealThreadCount()));
    m_workerCount->setAccessibleName(QStringLiteral("Worker count"));
    m_workerCount->setToolTip(QStringLiteral("How many worker processes run at once; change it during a run to grow or "
                                             "shrink the pool (busy workers finish their task first) (Ctrl+Shift+W)"));
    workersLabel->setBuddy(m_workerCount);
    connect(m_workerCount, &QSpinBox::valueChanged, m_controller, &RunController::setWorkerCount);
    m_controller->setWorkerCount(m_workerCount->value());

    bar->addWidget(workersLabel);
    bar->addWidget(m_workerCount);
    bar->addSeparator();
    bar->addAction(m_start);
    bar->addAction(m_resumeJob);
    bar->addAction(m_pause);
    bar->addAction(m_stop);
    bar->addSeparator();
    bar->addAction(m_terminate);
    if (QWidget *button = bar->widgetForAction(m_terminate)) {
        button->setObjectName(QStringLiteral("terminateButton"));
        button->setAccessibleName(QStringLiteral("Terminate pool"));
        button->setStyleSheet(QStringLiteral(
            "QToolButton { background: #c62828; color: white; font-weight: bold; border: 1px solid #8e0000;"
            " border-radius: 3px; padding: 3px 8px; }"
            "QToolButton:hover { background: #b71c1c; }" // darker, not lighter: white on it stays above 4.5:1
            "QToolButton:disabled { background: palette(button); color: palette(button-text); border-color: palette(mid);"
            " font-weight: normal; }"));
    }
    auto *spacer = new QWidget(bar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    bar->addWidget(spacer);
    bar->addAction(m_openJob);
    bar->addAction(m_saveJob);
    bar->addAction(m_export);
}

QWidget *MainWindow::buildCentralWidget()
{
    m_jobEditor = new JobEditor;
    m_jobEditor->setObjectName(QStringLiteral("jobEditor"));
    auto *jobTitle = new QLabel(QStringLiteral("<b>Job</b>"));
    auto *foldJob = new QToolButton;
    foldJob->setObjectName(QStringLiteral("hideJobFormButton"));
    foldJob->setArrowType(Qt::LeftArrow);
    foldJob->setAutoRaise(true);
    foldJob->setText(QStringLiteral("Fold"));
    foldJob->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    foldJob->setAccessibleName(QStringLiteral("Fold the job form"));
    foldJob->setToolTip(QStringLiteral("Fold the job form to one line and give the monitor the room (%1)")
                            .arg(m_jobFormAction->shortcut().toString(QKeySequence::NativeText)));
    connect(foldJob, &QToolButton::clicked, this, [this] { onJobFormToggled(false); });
    auto *jobHeader = new QHBoxLayout;
    jobHeader->addWidget(jobTitle);
    jobHeader->addStretch();
    jobHeader->addWidget(foldJob);
    m_jobLockedNote = new QLabel(JobLockedText);
    m_jobLockedNote->setObjectName(QStringLiteral("jobLockedNote"));
    m_jobLockedNote->setWordWrap(true);
    m_jobLockedNote->setVisible(false);
    auto *jobPanel = new QWidget;
    auto *jobLayout = new QVBoxLayout(jobPanel);
    jobLayout->setContentsMargins(8, 6, 8, 6);
    jobLayout->addLayout(jobHeader);
    jobLayout->addWidget(m_jobLockedNote);
    jobLayout->addWidget(m_jobEditor);
    jobLayout->addStretch();
    auto *jobScroll = new QScrollArea;
    jobScroll->setWidget(jobPanel);
    jobScroll->setWidgetResizable(true);
    jobScroll->setFrameShape(QFrame::NoFrame);
    jobScroll->setMinimumWidth(300);
    jobScroll->setObjectName(QStringLiteral("jobPanel"));
    m_jobPanel = jobScroll;
    m_jobSummary = new JobSummaryBar(m_jobFormAction);
    m_jobSummary->setObjectName(QStringLiteral("jobSummaryBar"));
    m_jobSummary->setVisible(false);

    m_summary = new SummaryPanel;
    m_summary->setObjectName(QStringLiteral("summary"));

    auto *workerModel = m_controller->workerModel();
    m_workersView = new QTableView;
    m_workersView->setObjectName(QStringLiteral("workersView"));
    m_workersView->setAccessibleName(QStringLiteral("Workers"));
    m_workersView->setModel(workerModel);
    m_workersView->setItemDelegate(
        new ProgressBarDelegate(WorkerTableModel::ProgressColumn, WorkerTableModel::ProgressRole, m_workersView));
    TableSetup::rows(m_workersView, 8);
    m_workersView->setSelectionMode(QAbstractItemView::SingleSelection);
    // Slot, host, pid, state, task, progress, time, done, fails, cpu, memory.
    TableSetup::fitColumns(m_workersView,
                           {QStringLiteral("99"), QStringLiteral("node-12 (down)"), QStringLiteral("4194304"),
                            QStringLiteral("stopping"), QStringLiteral("0000000000"), QStringLiteral("0000000000000"),
                            QStringLiteral("59 m 59 s"), QStringLiteral("00000"), QStringLiteral("0000"),
                            QStringLiteral("100.0 %"), QStringLiteral("999.9 MiB")},
                           WorkerTableModel::TaskColumn);

    auto *workersPanel = new QWidget;
    auto *workersLayout = new QVBoxLayout(workersPanel);
    workersLayout->setContentsMargins(4, 0, 4, 0);
    auto *workersTitle = new QLabel(QStringLiteral("<b>Workers</b>"));
    workersLayout->addWidget(workersTitle);
    workersLayout->addWidget(m_workersView);

    auto *summaryPanel = new QWidget;
    auto *summaryLayout = new QVBoxLayout(summaryPanel);
    summaryLayout->setContentsMargins(4, 4, 4, 0);
    summaryLayout->addWidget(m_summary);

    m_results = new ResultsPanel(m_controller->resultModel());
    m_results->setObjectName(QStringLiteral("results"));
    m_results->view()->setColumnHidden(ResultTableModel::HostColumn, true); // until a run on other hosts
    m_workersView->setColumnHidden(WorkerTableModel::HostColumn, true);     // until a run of a job with hosts
    m_runsTab = new RunsTab(m_controller, m_confirmation, this);
    runs()->setObjectName(QStringLiteral("runs"));
    m_log = new LogView;
    m_log->setObjectName(QStringLiteral("log"));
    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("resultTabs"));
    m_tabs->setAccessibleName(QStringLiteral("Results, runs and log"));
    m_tabs->addTab(m_results, QString());
    m_tabs->addTab(runs(), QStringLiteral("Runs"));
    m_tabs->addTab(m_log, QStringLiteral("&Log"));
    m_liveOutput = new LiveOutputView(m_controller->liveOutput(), workerModel);
    m_liveOutput->setObjectName(QStringLiteral("liveOutput"));
    m_tabs->setTabToolTip(m_tabs->addTab(m_liveOutput, QStringLiteral("Live output")),
                          QStringLiteral("The selected worker's output as it is written (double-click a worker)"));
    connect(m_workersView->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        const QModelIndexList rows = m_workersView->selectionModel()->selectedRows();
        m_liveOutput->setSlot(rows.isEmpty() ? -1 : rows.first().data(WorkerTableModel::SlotRole).toInt());
    });
    connect(m_workersView, &QAbstractItemView::activated, this, [this] { m_tabs->setCurrentWidget(m_liveOutput); });
    m_timeline = new TimelinePanel(m_controller->timelineModel());
    m_timeline->setObjectName(QStringLiteral("timeline"));
    m_tabs->setTabToolTip(m_tabs->addTab(m_timeline, QStringLiteral("Timeline")),
                          QStringLiteral("Every attempt on a time axis, a lane per worker: click a bar to see its result"));
    connect(m_timeline->view(), &TimelineView::attemptClicked, this, [this](qint64 taskId) {
        if (m_results->selectTask(taskId))
            m_tabs->setCurrentWidget(m_results);
    });
    m_sweepChart = new SweepChartPanel(m_controller->resultModel());
    m_sweepChart->setObjectName(QStringLiteral("sweepChart"));
    m_tabs->setTabToolTip(m_tabs->addTab(m_sweepChart, QStringLiteral("By parameter")),
                          QStringLiteral("A sweep's results against its parameters: a heatmap or points; click one to see its result"));
    connect(m_sweepChart->view(), &SweepChartView::resultClicked, this, [this](qint64 taskId) {
        if (m_results->selectTask(taskId))
            m_tabs->setCurrentWidget(m_results);
    });
    m_tabs->setTabToolTip(0, QStringLiteral("One row per finished task"));
    m_tabs->setTabToolTip(1, QStringLiteral("Past runs from the journal: open, resume, retry or delete them (Ctrl+H)"));
    m_tabs->setTabToolTip(2, QStringLiteral("Worker stderr and pool messages"));
    connect(m_log, &LogView::linesAdded, this, [this] {
        if (m_tabs->currentWidget() != m_log)
            m_tabs->setTabText(m_tabs->indexOf(m_log), QStringLiteral("&Log •"));
    });
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (m_tabs->widget(index) == m_log)
            m_tabs->setTabText(index, QStringLiteral("&Log"));
        else if (m_tabs->widget(index) == runs())
            m_runsTab->refresh(); // `taskpool run` may have added some meanwhile
    });

    m_rightSplitter = new QSplitter(Qt::Vertical);
    m_rightSplitter->setObjectName(QStringLiteral("rightSplitter"));
    m_rightSplitter->addWidget(summaryPanel);
    m_rightSplitter->addWidget(workersPanel);
    m_rightSplitter->addWidget(m_tabs);
    // A taller window gives the room to the results; the workers pane keeps
    // the height that fits its rows (fitWorkersPane).
    m_rightSplitter->setStretchFactor(0, 0);
    m_rightSplitter->setStretchFactor(1, 0);
    m_rightSplitter->setStretchFactor(2, 1);
    m_rightSplitter->setChildrenCollapsible(false);
    connect(m_rightSplitter, &QSplitter::splitterMoved, this, [this] { m_workersPaneSized = true; });
    connect(workerModel, &QAbstractItemModel::rowsInserted, this, &MainWindow::fitWorkersPane);

    auto *monitor = new QWidget;
    auto *monitorLayout = new QVBoxLayout(monitor);
    monitorLayout->setContentsMargins(0, 0, 0, 0);
    monitorLayout->setSpacing(0);
    monitorLayout->addWidget(m_jobSummary);
    monitorLayout->addWidget(m_rightSplitter, 1);

    m_mainSplitter = new QSplitter(Qt::Horizontal);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_mainSplitter->addWidget(jobScroll);
    m_mainSplitter->addWidget(monitor);
    m_mainSplitter->setStretchFactor(0, 0);
    m_mainSplitter->setStretchFactor(1, 1);
    m_mainSplitter->setChildrenCollapsible(false);
    return m_mainSplitter;
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    JobSpec spec = JobSpec::demo(m_taskpoolPath);
    const QByteArray savedJob = settings.value(QStringLiteral("job/spec")).toByteArray();
    if (!savedJob.isEmpty()) {
        JobSpec saved;
        QString error;
        const QJsonDocument doc = QJsonDocument::fromJson(savedJob);
        if (doc.isObject() && JobSpec::fromJson(doc.object(), &saved, &error)) {
            // The demo job names the binary it came from; follow the binary if it moved.
            if (saved.command.size() >= 2 && saved.command.at(1) == QLatin1String("demo-worker")
                && !QFileInfo::exists(saved.command.first()))
                saved.command.first() = m_taskpoolPath;
            spec = saved;
        }
    }
    m_jobEditor->setSpec(spec);
    m_jobPath = settings.value(QStringLiteral("job/path")).toString();
    const int workers = settings.value(QStringLiteral("run/workers"), 0).toInt();
    if (workers > 0)
        m_workerCount->setValue(workers);
    WindowFit::place(this, settings.value(QStringLiteral("window/geometry")).toByteArray());
    // Without a saved state the form gets the width its fields like once the window is shown.
    m_fitJobPanelOnShow = !m_mainSplitter->restoreState(settings.value(QStringLiteral("window/mainSplitter")).toByteArray());
    if (!m_rightSplitter->restoreState(settings.value(QStringLiteral("window/rightSplitter")).toByteArray()))
        m_rightSplitter->setSizes({150, 230, 400}); // a run's start fits the workers pane to its rows
    m_jobFormIdle = settings.value(QStringLiteral("window/jobFormIdle"), true).toBool();
    m_jobFormRunning = settings.value(QStringLiteral("window/jobFormRunning"), false).toBool();
    applyJobFormChoice(false);
    m_results->splitter()->restoreState(settings.value(QStringLiteral("window/resultsSplitter")).toByteArray());
    // Back on the tab that was open last (results, runs or log).
    const QString tab = settings.value(QStringLiteral("window/tab")).toString();
    if (auto *page = m_tabs->findChild<QWidget *>(tab); page && m_tabs->indexOf(page) >= 0)
        m_tabs->setCurrentWidget(page);
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("job/spec"), QJsonDocument(m_jobEditor->spec().toJson()).toJson(QJsonDocument::Compact));
    settings.setValue(QStringLiteral("job/path"), m_jobPath);
    settings.setValue(QStringLiteral("run/workers"), m_workerCount->value());
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/mainSplitter"), m_mainSplitter->saveState());
    settings.setValue(QStringLiteral("window/rightSplitter"), m_rightSplitter->saveState());
    settings.setValue(QStringLiteral("window/resultsSplitter"), m_results->splitter()->saveState());
    settings.setValue(QStringLiteral("window/tab"), m_tabs->currentWidget()->objectName());
    settings.setValue(QStringLiteral("window/jobFormIdle"), m_jobFormIdle);
    settings.setValue(QStringLiteral("window/jobFormRunning"), m_jobFormRunning);
}

bool MainWindow::isJobFormShown() const
{
    return !m_jobPanel->isHidden();
}

void MainWindow::showJobForm(bool shown)
{
    m_jobPanel->setVisible(shown);
    m_jobSummary->setVisible(!shown);
    m_jobFormAction->setChecked(shown);
    if (!shown && m_jobPanel->isAncestorOf(focusWidget()))
        m_rightSplitter->setFocus(Qt::OtherFocusReason); // the focus must not stay in a hidden form
}

void MainWindow::onJobFormToggled(bool shown)
{
    (m_controller->isActive() ? m_jobFormRunning : m_jobFormIdle) = shown;
    showJobForm(shown);
}

// While a run goes the summary names the job that runs (the form may show
// another one between runs, or a watched run's).
void MainWindow::applyJobFormChoice(bool running)
{
    updateJobSummary(running);
    showJobForm(running ? m_jobFormRunning : m_jobFormIdle);
}

void MainWindow::updateJobSummary(bool running)
{
    m_jobSummaryWorkers = running ? m_controller->liveWorkerCount() : m_workerCount->value();
    m_jobSummary->setJob(running ? m_controller->resultsSpec() : m_jobEditor->spec(), m_jobSummaryWorkers);
}

void MainWindow::fitWorkersPane()
{
    if (m_workersPaneSized || !m_rightSplitter)
        return;
    const QList<int> sizes = m_rightSplitter->sizes();
    const int total = std::accumulate(sizes.begin(), sizes.end(), 0);
    if (total <= 0)
        return; // not laid out yet: a run's start fits it
    const int rows = std::clamp(m_controller->workerModel()->rowCount(), 4, 8);
    QWidget *workersPanel = m_rightSplitter->widget(1);
    const int chrome = workersPanel->sizeHint().height() - m_workersView->sizeHint().height();
    const int table = m_workersView->horizontalHeader()->sizeHint().height()
        + rows * m_workersView->verticalHeader()->defaultSectionSize() + 2 * m_workersView->frameWidth();
    // The workers come first, then the results keep at least their minimum;
    // a small screen gets a smaller summary (its chart gives) before fewer rows.
    const int tabsMinimum = m_tabs->minimumSizeHint().height();
    int summary = m_rightSplitter->widget(0)->sizeHint().height();
    if (summary + chrome + table + tabsMinimum > total)
        summary = m_rightSplitter->widget(0)->minimumSizeHint().height();
    int workers = chrome + table;
    if (workers > total - summary - tabsMinimum) { // whole rows only: a cut row reads as a glitch
        const int rowHeight = m_workersView->verticalHeader()->defaultSectionSize();
        workers -= ((workers - (total - summary - tabsMinimum)) + rowHeight - 1) / rowHeight * rowHeight;
    }
    m_rightSplitter->setSizes({summary, workers, std::max(0, total - summary - workers)});
}

void MainWindow::startRun()
{
    if (m_controller->isActive() || m_runsTab->isStarting())
        return;
    if (!m_jobEditor->formError().isEmpty()) {
        showError(QStringLiteral("Cannot start the job"), m_jobEditor->formError());
        return;
    }
    const JobSpec spec = m_jobEditor->spec();
    QString error;
    if (!m_controller->start(spec, RunInputs::all(), &error)) {
        showError(QStringLiteral("Cannot start the job"), error);
        return;
    }
    saveSettings(); // a job that ran is worth remembering even if the app is killed
}

void MainWindow::attach(const QString &target)
{
    m_tabs->setCurrentWidget(runs());
    runs()->watchHostEdit()->setText(target);
    m_runsTab->findLiveRuns(target);
}

void MainWindow::resumeJob()
{
    if (!m_jobEditor->formError().isEmpty()) {
        showError(QStringLiteral("Cannot resume the job"), m_jobEditor->formError());
        return;
    }
    m_runsTab->resume(m_jobEditor->spec());
}

void MainWindow::retryRows(const QList<int> &rows)
{
    QString error;
    if (!m_controller->retry(rows, &error)) {
        showError(QStringLiteral("Cannot retry"), error);
        return;
    }
    statusBar()->showMessage(QStringLiteral("Retrying %1 task(s)…").arg(rows.size()), StatusMessageMs);
}

void MainWindow::connectJournal()
{
    JournalService *journal = m_controller->journal();
    connect(journal, &JournalService::problem, this, &MainWindow::onJournalProblem);
    connect(journal, &JournalService::notice, m_log, &LogView::appendMessage);
    connect(journal, &JournalService::runsListed, this, [this](const QList<RunInfo> &listed, const QString &error) {
        m_journalLabel->setVisible(!error.isEmpty());
        if (error.isEmpty())
            m_tabs->setTabText(m_tabs->indexOf(runs()), QStringLiteral("Runs (%1)").arg(QLocale().toString(listed.size())));
    });
    connect(journal, &JournalService::runBegun, this, [this](qint64 runId) {
        m_unrecorded = runId < 0;
        if (m_unrecorded)
            m_log->appendMessage(QStringLiteral("this run is not recorded in the journal"));
        updateResultsCaption();
    });
    connect(journal, &JournalService::runEnded, this, &MainWindow::updateResultsCaption);
    connect(journal, &JournalService::runsDeleted, this, [this](const QList<qint64> &deleted) {
        if (deleted.contains(m_shownRunInfo.id))
            m_results->setCaption(QStringLiteral("Run %1 (deleted)").arg(m_shownRunInfo.id));
    });
    connect(m_controller, &RunController::runShown, this, [this](qint64 runId, bool ok, const QString &error) {
        if (!ok) {
            showError(QStringLiteral("Cannot read run %1").arg(runId), error);
            return;
        }
        statusBar()->showMessage(QStringLiteral("Showing run %1: %2").arg(runId).arg(JobRun::summaryText(statsOf(m_shownRunInfo), statsOf(m_shownRunInfo).elapsedSeconds)),
                                 StatusMessageMs);
    });

    // What the Runs tab does, as the window shows it.
    connect(runs(), &RunsPanel::openRequested, this, &MainWindow::openRun);
    connect(runs(), &RunsPanel::openJobRequested, this, &MainWindow::openJobResults);
    connect(m_controller, &RunController::jobShown, this, &MainWindow::onJobShown);
    connect(runs(), &RunsPanel::resumeRequested, this, [this](const RunInfo &run) {
        m_jobEditor->setSpec(run.spec); // the form shows the job that runs
        // The run's own spec, not the form's: the form writes a multi-word
        // --shell command as one word, another command key, another job.
        m_runsTab->resume(run.spec);
    });
    connect(m_runsTab, &RunsTab::startingChanged, this, &MainWindow::updateActions);
    connect(m_runsTab, &RunsTab::progress, this, [this](const QString &text) { statusBar()->showMessage(text); });
    connect(m_runsTab, &RunsTab::notice, this, [this](const QString &text) { statusBar()->showMessage(text, StatusMessageMs); });
    connect(m_runsTab, &RunsTab::failed, this, &MainWindow::showError);
    connect(m_runsTab, &RunsTab::resumed, this, [this](const QString &text) {
        saveSettings();
        m_log->appendMessage(text);
        statusBar()->showMessage(text, StatusMessageMs);
    });
    connect(m_runsTab, &RunsTab::retryStarted, this, [this](const QString &text) {
        m_log->appendMessage(text);
        statusBar()->showMessage(text, StatusMessageMs);
        m_tabs->setCurrentWidget(m_results);
    });
}

void MainWindow::onJournalProblem(const QString &message)
{
    // Never a dialog: the run goes on, and the status bar and the log say what is lost.
    const QString text = QStringLiteral("Run journal unavailable: %1 — runs go ahead without being recorded").arg(message);
    m_log->appendMessage(text);
    statusBar()->showMessage(text, StatusMessageMs);
    m_journalLabel->setToolTip(text);
    m_journalLabel->show();
}

void MainWindow::openRun(const RunInfo &run)
{
    QString error;
    if (!m_controller->showRun(run, &error)) {
        showError(QStringLiteral("Cannot show run %1").arg(run.id), error);
        return;
    }
    m_shownRunInfo = run;
    showColumnsFor(run.spec);
    m_summary->reset();
    m_summary->update(statsOf(run), false);
    updateResultsCaption();
    m_tabs->setCurrentWidget(m_results);
    statusBar()->showMessage(QStringLiteral("Reading run %1 from the journal…").arg(run.id));
    updateActions();
}

void MainWindow::openJobResults(const RunInfo &run)
{
    QString error;
    if (!m_controller->showJob(run, &error)) {
        showError(QStringLiteral("Cannot show the job of run %1").arg(run.id), error);
        return;
    }
    m_shownRunInfo = run;
    m_shownJob = JobResultsInfo();
    showColumnsFor(run.spec);
    m_summary->reset();
    updateResultsCaption();
    m_tabs->setCurrentWidget(m_results);
    statusBar()->showMessage(QStringLiteral("Reading the job of run %1 from the journal…").arg(run.id));
    updateActions();
}

void MainWindow::onJobShown(qint64 runId, const JobResultsInfo &job, bool ok, const QString &error)
{
    if (!ok) {
        showError(QStringLiteral("Cannot read the job of run %1").arg(runId), error);
        return;
    }
    m_shownJob = job;
    const PoolStats stats = statsOf(job);
    m_summary->update(stats, false);
    updateResultsCaption();
    statusBar()->showMessage(QStringLiteral("Showing the job of run %1 across %2 run(s): %3")
                                 .arg(runId)
                                 .arg(job.runs.size())
                                 .arg(JobRun::summaryText(stats, stats.elapsedSeconds)),
                             StatusMessageMs);
}

void MainWindow::updateResultsCaption()
{
    if (m_shownRunInfo.id >= 0 && m_controller->shownRun() == m_shownRunInfo.id && !m_controller->isActive()
        && m_controller->isShowingJob()) {
        QStringList ids;
        for (const RunInfo &run : m_shownJob.runs)
            ids.append(QString::number(run.id));
        const QString command = m_shownRunInfo.spec.command.join(QLatin1Char(' '));
        if (m_shownJob.runs.isEmpty()) {
            m_results->setCaption(QStringLiteral("Job of run %1 · reading…").arg(m_shownRunInfo.id));
            return;
        }
        m_results->setCaption(QStringLiteral("Job of run %1 · %2 task(s) across %3 run(s): %4")
                                  .arg(m_shownRunInfo.id)
                                  .arg(QLocale().toString(m_shownJob.counts.finished()))
                                  .arg(m_shownJob.runs.size())
                                  .arg(ids.join(QStringLiteral(", "))),
                              QStringLiteral("The latest result of every task of %1 across its runs: a newer run's "
                                             "result replaces an older one's, but a task cancelled in a newer run "
                                             "keeps its finished result; attempts add up over the runs")
                                  .arg(command));
        return;
    }
    if (m_shownRunInfo.id >= 0 && m_controller->shownRun() == m_shownRunInfo.id && !m_controller->isActive()) {
        const RunInfo &run = m_shownRunInfo;
        m_results->setCaption(QStringLiteral("Run %1 · %2 · %3")
                                  .arg(run.id)
                                  .arg(RunListModel::startedText(run.startedAtMs), run.state),
                              QStringLiteral("A past run from the journal: %1").arg(run.spec.command.join(QLatin1Char(' '))));
        return;
    }
    const qint64 shown = m_controller->shownRun();
    QString text;
    if (m_controller->isRetryRun())
        text = shown >= 0 ? QStringLiteral("Retry (run %1)").arg(shown) : QStringLiteral("Retry");
    else if (shown >= 0)
        text = QStringLiteral("Run %1").arg(shown);
    else if (m_unrecorded)
        text = QStringLiteral("This run (not recorded)");
    else if (m_controller->isActive())
        text = QStringLiteral("This run");
    if (m_controller->isActive() && !text.isEmpty())
        text += QStringLiteral(" · running");
    m_results->setCaption(text);
}

// An empty results table between runs has the columns the form's job will
// give it, so what the user sees before Start is what the run fills in.
void MainWindow::showFormJobColumns()
{
    ResultTableModel *model = m_controller->resultModel();
    if (m_controller->isActive() || m_controller->isLoadingRun() || model->rowCount() > 0)
        return;
    const JobSpec spec = m_jobEditor->spec();
    model->setMode(spec.mode); // "Result" or "Output"
    showColumnsFor(spec);
}

void MainWindow::showColumnsFor(const JobSpec &spec)
{
    // Long-lived workers have no exit code per task: an empty column only puzzles.
    m_results->view()->setColumnHidden(ResultTableModel::ExitCodeColumn, spec.mode == JobSpec::Mode::Worker);
    // Every task ran here: a column of "localhost" says nothing.
    m_results->view()->setColumnHidden(ResultTableModel::HostColumn, !spec.hasRemoteHosts());
    // A job without hosts runs every worker here: the room goes to the task.
    m_workersView->setColumnHidden(WorkerTableModel::HostColumn, spec.hosts.isEmpty());
}

void MainWindow::togglePause()
{
    if (m_controller->state() == TaskPool::State::Paused)
        m_controller->unpause();
    else
        m_controller->pause();
}

void MainWindow::requestTerminate()
{
    if (!m_controller->isActive())
        return;
    const PoolStats stats = m_controller->stats();
    if (stats.running == 0 && stats.queued <= 0) {
        m_controller->terminate();
        return;
    }
    const QString question =
        QStringLiteral("%1 task(s) are running and %2 are waiting.\n\nTerminating ends every worker's whole process "
                       "tree now and marks the unfinished tasks cancelled. The results collected so far are kept.")
            .arg(stats.running)
            .arg(stats.queued >= 0 ? QLocale().toString(stats.queued) : QStringLiteral("more"));
    askToTerminate(question, QStringLiteral("Terminate pool"), [this] { m_controller->terminate(); });
}

void MainWindow::askToTerminate(const QString &question, const QString &acceptText, std::function<void()> onAccept)
{
    m_confirmation->ask(QMessageBox::Warning, QStringLiteral("terminateQuestion"), QStringLiteral("Terminate the pool?"),
                        question, {acceptText, QStringLiteral("confirmTerminate")},
                        {QStringLiteral("Keep running"), QStringLiteral("cancelTerminate")},
                        [this, onAccept = std::move(onAccept)] {
                            if (m_controller->isActive()) // it may have ended while the question was open
                                onAccept();
                        });
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    // A watched run is not the window's: it goes on without it.
    if (!m_controller->isActive() || m_forceClose || m_controller->isWatching()) {
        saveSettings();
        event->accept();
        return;
    }
    event->ignore();
    if (m_closeWhenFinished)
        return; // already terminating on the way out
    askToTerminate(QStringLiteral("A run is still going. Closing the window terminates the pool: every worker's "
                                  "process tree ends now and unfinished tasks are cancelled."),
                   QStringLiteral("Terminate and close"), [this] {
                       m_closeWhenFinished = true;
                       m_controller->terminate();
                       // Workers are killed outright when the pool is deleted, so never wait for long.
                       const int graceMs = int(m_controller->resultsSpec().killGraceSeconds * 1000);
                       QTimer::singleShot(graceMs + 2000, this, [this] {
                           if (m_controller->isActive()) {
                               m_forceClose = true;
                               close();
                           }
                       });
                   });
}

void MainWindow::openJob()
{
    const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Open job"), QFileInfo(m_jobPath).path(),
                                                      QStringLiteral("Job files (*.json);;All files (*)"));
    if (!path.isEmpty())
        loadJobFile(path);
}

bool MainWindow::loadJobFile(const QString &path)
{
    JobSpec spec;
    QString error;
    if (!JobSpec::load(path, &spec, &error)) {
        showError(QStringLiteral("Cannot open the job"), error);
        return false;
    }
    m_jobEditor->setSpec(spec);
    if (spec.workers > 0)
        m_workerCount->setValue(spec.workers);
    m_jobPath = path;
    statusBar()->showMessage(QStringLiteral("Loaded %1").arg(QDir::toNativeSeparators(path)), StatusMessageMs);
    return true;
}

void MainWindow::saveJob()
{
    QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Save job"),
                                                m_jobPath.isEmpty() ? QStringLiteral("job.json") : m_jobPath,
                                                QStringLiteral("Job files (*.json)"));
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".json");
    saveJobFile(path);
}

bool MainWindow::saveJobFile(const QString &path)
{
    // Saving would drop the hosts (or sweep values) that do not parse: fix them first.
    if (!m_jobEditor->formError().isEmpty()) {
        showError(QStringLiteral("Cannot save the job"), m_jobEditor->formError());
        return false;
    }
    JobSpec spec = m_jobEditor->spec();
    spec.workers = m_workerCount->value();
    QString error;
    if (!spec.save(path, &error)) {
        showError(QStringLiteral("Cannot save the job"), error);
        return false;
    }
    m_jobPath = path;
    statusBar()->showMessage(QStringLiteral("Saved %1").arg(QDir::toNativeSeparators(path)), StatusMessageMs);
    return true;
}

void MainWindow::loadDemoJob()
{
    m_jobEditor->setSpec(JobSpec::demo(m_taskpoolPath));
    statusBar()->showMessage(QStringLiteral("Loaded the demo job: press Start"), StatusMessageMs);
}

void MainWindow::chooseExportFile()
{
    QString selectedFilter;
    const QString jsonFilter = QStringLiteral("JSON Lines (*.jsonl)");
    const QString csvFilter = QStringLiteral("CSV (*.csv)");
    const QString start = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)
                          + QStringLiteral("/results.jsonl");
    QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Export results"), start,
                                                jsonFilter + QStringLiteral(";;") + csvFilter, &selectedFilter);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += selectedFilter == csvFilter ? QStringLiteral(".csv") : QStringLiteral(".jsonl");
    exportResults(path);
}

void MainWindow::exportResults(const QString &path)
{
    if (m_exporter->isRunning())
        return;
    ResultTableModel *model = m_controller->resultModel();
    model->flush();
    m_export->setEnabled(false);
    statusBar()->showMessage(QStringLiteral("Exporting %1 results…").arg(QLocale().toString(model->rowCount())));
    m_exporter->start(model->snapshot(), model->mode(), path, ResultExporter::formatForPath(path),
                      model->parameterNames());
}

void MainWindow::onStarted()
{
    m_summary->reset();
    m_watchLostReason.clear();
    m_shownRunInfo = RunInfo();
    m_haltAnnounced = false;
    m_unrecorded = false;
    showColumnsFor(m_controller->resultsSpec());
    updateResultsCaption();
    const QString command = m_controller->resultsSpec().command.join(QLatin1Char(' '));
    if (m_controller->isWatching()) {
        m_log->appendMessage(QStringLiteral("watching %1: %2").arg(m_controller->watchedRunText(), command));
        showWorkerCount(m_controller->liveWorkerCount());
        // The form shows what runs; the user's own job comes back when the watch ends.
        if (!m_ownJob)
            m_ownJob = std::make_unique<JobSpec>(m_jobEditor->spec());
        m_jobEditor->setSpec(m_controller->resultsSpec());
        m_jobLockedNote->setText(QStringLiteral("Watching a run of another process: this is its job. Yours comes "
                                                "back when the watch ends."));
    } else {
        m_log->appendMessage(m_controller->isRetryRun() ? QStringLiteral("retry run started")
                                                        : QStringLiteral("run started: %1").arg(command));
    }
    statusBar()->clearMessage();
    updateActions();
    applyJobFormChoice(true); // the pool starts right after this signal
    fitWorkersPane();
}

// The box shows the watched run's count without sending it back as a change.
void MainWindow::showWorkerCount(int count)
{
    if (count <= 0 || m_workerCount->value() == count || m_workerCount->hasFocus())
        return;
    const QSignalBlocker quiet(m_workerCount);
    m_workerCount->setValue(count);
}

void MainWindow::onStateChanged(TaskPool::State)
{
    updateActions();
    const QString halt = m_controller->haltReason();
    if (!halt.isEmpty() && !m_haltAnnounced) {
        m_haltAnnounced = true; // the pool's own log line has it too
        statusBar()->showMessage(QStringLiteral("Run halted: %1").arg(halt.section(QStringLiteral("halting: "), -1)));
    }
}

void MainWindow::onFinished(const PoolStats &stats)
{
    m_log->flush();
    updateActions();
    updateResultsCaption();
    const QString fatal = m_controller->fatalError();
    const QString halt = m_controller->haltReason();
    QString title;
    QString text = JobRun::summaryText(stats, stats.elapsedSeconds);
    if (!fatal.isEmpty()) {
        title = QStringLiteral("Run failed");
        text = fatal + QStringLiteral(" — ") + text;
    } else if (!halt.isEmpty()) {
        title = QStringLiteral("Run halted");
        text = halt.section(QStringLiteral("halting: "), -1) + QStringLiteral(" — ") + text;
    } else if (stats.cancelled > 0) {
        title = QStringLiteral("Run ended early");
    } else {
        title = stats.failures() > 0 ? QStringLiteral("Run finished with failures") : QStringLiteral("Run finished");
    }
    if (m_controller->isWatching()) {
        if (!m_watchLostReason.isEmpty()) {
            title = QStringLiteral("Watched run lost");
            text = m_watchLostReason + QStringLiteral(" — the journal has what it recorded");
        }
        text = m_controller->watchedRunText() + QStringLiteral(": ") + text;
        if (m_ownJob) {
            m_jobEditor->setSpec(*m_ownJob);
            m_ownJob.reset();
        }
        m_jobLockedNote->setText(JobLockedText);
        const QSignalBlocker quiet(m_workerCount); // back to the window's own count
        m_workerCount->setValue(m_controller->workerCount() > 0 ? m_controller->workerCount() : m_workerCount->value());
    }
    applyJobFormChoice(false);
    statusBar()->showMessage(title + QStringLiteral(": ") + text);
    m_log->appendMessage(title + QStringLiteral(": ") + text);
    notify(title, text);
    if (m_closeWhenFinished) {
        m_closeWhenFinished = false;
        close();
    }
}

void MainWindow::notify(const QString &title, const QString &text)
{
    QApplication::alert(this);
    if (isActiveWindow())
        return; // the user is looking at the window already
    if (!QSystemTrayIcon::isSystemTrayAvailable() || !QSystemTrayIcon::supportsMessages())
        return; // no notification service: the status bar says it
    if (!m_tray) {
        m_tray = new QSystemTrayIcon(windowIcon(), this);
        m_tray->setToolTip(QStringLiteral("taskpool"));
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
            showNormal();
            raise();
            activateWindow();
        });
    }
    m_tray->show();
    m_tray->showMessage(title, text, windowIcon());
}

void MainWindow::showError(const QString &title, const QString &text)
{
    statusBar()->showMessage(title + QStringLiteral(": ") + text, StatusMessageMs);
    m_log->appendMessage(title + QStringLiteral(": ") + text);
    auto *box = new QMessageBox(QMessageBox::Critical, title, text, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("errorMessage"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::updateActions()
{
    const TaskPool::State state = m_controller->state();
    const bool active = m_controller->isActive();
    const bool runningOrPaused = state == TaskPool::State::Running || state == TaskPool::State::Paused;
    // Hosts that do not parse would silently run everything here, a sweep
    // row that does not parse its last good values: no start until fixed.
    const bool hostsOk = m_jobEditor->formError().isEmpty();
    const bool starting = m_runsTab->isStarting();
    m_start->setEnabled(!active && !starting && hostsOk);
    m_resumeJob->setEnabled(!active && !starting && hostsOk);
    updateWorkerCountBox(active);
    m_pause->setEnabled(runningOrPaused);
    m_pause->setText(state == TaskPool::State::Paused ? QStringLiteral("Contin&ue") : QStringLiteral("&Pause"));
    m_pause->setIcon(mediaIcon(state == TaskPool::State::Paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
    m_stop->setEnabled(runningOrPaused);
    m_terminate->setEnabled(active && state != TaskPool::State::Terminating);
    m_openJob->setEnabled(!active);
    m_demoJob->setEnabled(!active);
    m_jobEditor->setEnabled(!active);
    m_jobLockedNote->setVisible(active);
    m_results->setRetryEnabled(!active && !starting);
    runs()->setRunActive(active || starting);
    updateStateLabel();
}

void MainWindow::updateStateLabel()
{
    QString text = stateText(m_controller->state());
    if (m_controller->isActive())
        text += QStringLiteral(" · %1 worker(s)").arg(m_controller->liveWorkerCount());
    if (m_controller->isWatching())
        text = QStringLiteral("Watching %1 · %2").arg(m_controller->watchedRunText(), text);
    m_stateLabel->setText(text);
}

void MainWindow::updateWorkerCountBox(bool active)
{
    // With hosts the job's slot counts decide, and the pool would resize only
    // the first local host: two places for one number. The box steps aside.
    const bool hosts = active ? !m_controller->resultsSpec().hosts.isEmpty() : m_jobEditor->hasHosts();
    m_workerCount->setEnabled(!hosts);
    m_workerCount->setToolTip(
        hosts ? QStringLiteral("The job lists hosts: their slot counts (N/HOST in the job's Hosts field) set the workers. "
                               "Clear the Hosts field to choose the count here.")
              : QStringLiteral("How many worker processes run at once; change it during a run to grow or "
                               "shrink the pool (busy workers finish their task first) (Ctrl+Shift+W)"));
}

void MainWindow::updateResultsTabTitle()
{
    m_tabs->setTabText(0, QStringLiteral("&Results (%1)").arg(QLocale().toString(m_controller->resultModel()->rowCount())));
}
