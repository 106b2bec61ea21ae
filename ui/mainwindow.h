#pragma once

#include "jobspec.h"
#include "journalservice.h"
#include "runjournal.h"
#include "taskpool.h"

#include <QMainWindow>
#include <QStyle>

#include <memory>

class AboutDialog;
class Confirmation;
class JobEditor;
class JobSummaryBar;
class LiveOutputView;
class LogView;
class QAction;
class QLabel;
class QSpinBox;
class QSplitter;
class QSystemTrayIcon;
class QTabWidget;
class QTableView;
class ResultExporter;
class ResultsPanel;
class RunController;
class RunListModel;
class RunsPanel;
class RunsTab;
class SummaryPanel;
class SweepChartPanel;
class TimelinePanel;

// The desktop app: job form, run controls, workers, results, past runs,
// summary and log. It only observes the engine (signals and ~10 Hz snapshots)
// and sends it commands; every dialog is asynchronous, so the event loop
// always runs.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // taskpoolPath: the taskpool binary, whose demo-worker the demo job runs.
    // journalPath: the run journal; empty = RunJournal::defaultPath(), shared with `taskpool run`.
    explicit MainWindow(const QString &taskpoolPath, const QString &journalPath = QString(), QWidget *parent = nullptr);
    ~MainWindow() override;

    RunController *controller() const { return m_controller; }
    JobEditor *jobEditor() const { return m_jobEditor; }
    SummaryPanel *summary() const { return m_summary; }
    ResultsPanel *results() const { return m_results; }
    QTableView *workersView() const { return m_workersView; }
    LogView *log() const { return m_log; }
    LiveOutputView *liveOutput() const { return m_liveOutput; }
    QSpinBox *workerCountBox() const { return m_workerCount; }
    RunsPanel *runs() const;
    RunListModel *runsModel() const;
    QTabWidget *tabs() const { return m_tabs; }
    TimelinePanel *timeline() const { return m_timeline; }
    SweepChartPanel *sweepChart() const { return m_sweepChart; }

    QAction *startAction() const { return m_start; }
    QAction *pauseAction() const { return m_pause; }
    QAction *stopAction() const { return m_stop; }
    QAction *terminateAction() const { return m_terminate; }
    QAction *exportAction() const { return m_export; }
    QAction *resumeJobAction() const { return m_resumeJob; }
    QAction *showRunsAction() const { return m_showRuns; }
    QAction *jobFormAction() const { return m_jobFormAction; }
    JobSummaryBar *jobSummaryBar() const { return m_jobSummary; }
    bool isJobFormShown() const;

    void startRun();      // as the Start button: the job in the form, the worker count in the toolbar
    // Watches a live run on this machine ("") or on "ssh:HOST": the one there
    // is, or a choice in the Runs tab (`taskpool gui --attach`).
    void attach(const QString &target);
    void resumeJob();     // the job in the form, minus the inputs that finished in earlier runs
    bool loadJobFile(const QString &path);
    bool saveJobFile(const QString &path);
    void exportResults(const QString &path); // asynchronous: exportFinished() follows

Q_SIGNALS:
    void exportFinished(bool ok, const QString &path);

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void buildActions();
    void buildMenus();
    QIcon mediaIcon(QStyle::StandardPixmap which) const;
    void updateMediaIcons();
    void showAbout();
    void buildToolBar();
    QWidget *buildCentralWidget();
    void restoreSettings();
    void saveSettings() const;

    // The job form folds to a one-line summary while a run goes; the user's
    // choice for runs and for between runs is remembered separately.
    void showJobForm(bool shown);
    void onJobFormToggled(bool shown);
    void applyJobFormChoice(bool running);
    void updateJobSummary(bool running);
    // The workers pane as tall as its rows (up to 8), unless the user sized it.
    void fitWorkersPane();

    void togglePause();
    void requestTerminate();
    void askToTerminate(const QString &question, const QString &acceptText, std::function<void()> onAccept);
    void openJob();
    void saveJob();
    void loadDemoJob();
    void chooseExportFile();
    void retryRows(const QList<int> &rows);

    // The journal as the window shows it; the Runs tab itself is m_runsTab's.
    void connectJournal();
    void onJournalProblem(const QString &message);
    void openRun(const RunInfo &run);
    void openJobResults(const RunInfo &run);
    void onJobShown(qint64 runId, const JobResultsInfo &job, bool ok, const QString &error);
    void updateResultsCaption();
    void showColumnsFor(const JobSpec &spec);
    void showFormJobColumns();

    void onStarted();
    void onStateChanged(TaskPool::State state);
    void onFinished(const PoolStats &stats);
    void updateActions();
    void updateWorkerCountBox(bool active);
    void showWorkerCount(int count);
    void updateStateLabel();
    void updateResultsTabTitle();
    void notify(const QString &title, const QString &text);
    void showError(const QString &title, const QString &text);

    const QString m_taskpoolPath;
    RunController *m_controller;
    ResultExporter *m_exporter;
    Confirmation *m_confirmation; // one question at a time, whichever part of the window asks
    JobEditor *m_jobEditor = nullptr;
    SummaryPanel *m_summary = nullptr;
    QTableView *m_workersView = nullptr;
    ResultsPanel *m_results = nullptr;
    LogView *m_log = nullptr;
    LiveOutputView *m_liveOutput = nullptr; // follows the worker selected in m_workersView
    QTabWidget *m_tabs = nullptr;
    RunsTab *m_runsTab = nullptr;
    TimelinePanel *m_timeline = nullptr;
    SweepChartPanel *m_sweepChart = nullptr;
    QLabel *m_journalLabel = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QSplitter *m_rightSplitter = nullptr;
    QWidget *m_jobPanel = nullptr;      // the form's scroll area in m_mainSplitter
    JobSummaryBar *m_jobSummary = nullptr;
    QAction *m_jobFormAction = nullptr; // checked: the form is shown
    bool m_jobFormIdle = true;          // the user's choice between runs
    bool m_jobFormRunning = false;      // ... and while a run goes
    int m_jobSummaryWorkers = -1;       // the count m_jobSummary shows
    bool m_workersPaneSized = false;    // the user dragged its splitter handle
    bool m_fitJobPanelOnShow = false;   // no saved splitter state: size the form at the first show
    QSpinBox *m_workerCount = nullptr;
    QLabel *m_stateLabel = nullptr;
    QLabel *m_jobLockedNote = nullptr;
    QSystemTrayIcon *m_tray = nullptr;

    QAction *m_start = nullptr;
    QAction *m_resumeJob = nullptr;
    QAction *m_showRuns = nullptr;
    AboutDialog *m_about = nullptr;
    QAction *m_pause = nullptr;
    QAction *m_stop = nullptr;
    QAction *m_terminate = nullptr;
    QAction *m_openJob = nullptr;
    QAction *m_saveJob = nullptr;
    QAction *m_demoJob = nullptr;
    QAction *m_export = nullptr;
    QAction *m_quit = nullptr;

    bool m_haltAnnounced = false;
    QString m_watchLostReason; // the watched run went away before it ended
    std::unique_ptr<JobSpec> m_ownJob; // the form's job while it shows a watched run's
    bool m_unrecorded = false;    // the journal could not record the current run
    RunInfo m_shownRunInfo;       // the past run in the results (id -1: the live run)
    JobResultsInfo m_shownJob;    // when the results are its job's: what they were read from
    bool m_closeWhenFinished = false;
    bool m_forceClose = false; // the pool did not end in time: close anyway
    QString m_jobPath;
};
