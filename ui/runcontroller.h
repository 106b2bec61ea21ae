#pragma once

#include "jobrun.h"
#include "jobspec.h"
#include "monitorprotocol.h"
#include "journalservice.h"
#include "processgroupusage.h"
#include "runjournal.h"
#include "taskpool.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

class JournalService;
class MonitorTunnel;
class LiveOutput;
class ResultTableModel;
class RunPublisher;
class RunWatcher;
class TimelineModel;
class WorkerTableModel;

// Runs jobs for the window: owns the current JobRun (which records it in the
// journal and publishes it on the monitor socket), feeds its outcomes to the
// results model, and polls worker snapshots, /proc usage and stats on a ~10 Hz
// timer. It also fills the results model with a past run from the journal, or
// with a past run's job (one row per task across its runs).
//
// Or it watches a run of another process (`taskpool run`, another window, a
// run on another host through an ssh tunnel) through its monitor socket: the
// same models are fed from what the socket says, and pause, stop, terminate
// and the worker count go to that run. The window cannot tell the two apart
// except by isWatching(). Everything is asynchronous; it never waits on a
// process, a socket or the disk.
class RunController : public QObject
{
    Q_OBJECT
public:
    static constexpr int RefreshIntervalMs = 100;
    static constexpr int UsageIntervalMs = 1000;

    // journalPath: the SQLite run journal every run is recorded in.
    explicit RunController(const QString &journalPath, QObject *parent = nullptr);
    ~RunController() override;

    WorkerTableModel *workerModel() const { return m_workers; }
    ResultTableModel *resultModel() const { return m_results; }
    // Every attempt on a time axis. A run watched from elsewhere feeds it the
    // same data a local run does: addAttempt() per finished attempt,
    // setRunning() with each slot snapshot.
    TimelineModel *timelineModel() const { return m_timeline; }
    JournalService *journal() const { return m_journal; }
    // The running tasks' output, per slot. Fed from the pool of a run started
    // here; a run watched from elsewhere feeds it through LiveOutput::append().
    LiveOutput *liveOutput() const { return m_liveOutput; }

    // A new run of the job over these of its inputs (all of them; the ones
    // earlier runs left unfinished, to resume the job; exactly some, to retry a
    // past run's failures). Clears the results. False (and why) when the job
    // cannot start.
    bool start(const JobSpec &spec, const RunInputs &inputs, QString *error);
    // Fills the results with a past run from the journal, in batches; runShown() follows.
    bool showRun(const RunInfo &run, QString *error);
    // Fills the results with the job of a past run: the latest result of every
    // task across the job's runs, in batches; jobShown() follows.
    bool showJob(const RunInfo &run, QString *error);
    qint64 shownRun() const { return m_shownRun; } // the journal run in the results, -1 if none
    bool isShowingJob() const { return m_showingJob; } // the results are shownRun()'s job
    bool isLoadingRun() const { return m_loadingRun; }
    // Runs the tasks of these result rows again, with the command of the run
    // that produced them. Their rows are updated in place (see ResultTableModel).
    bool retry(const QList<int> &rows, QString *error);
    QList<int> failedRows() const;

    // Turns the window onto the run published on this socket (MonitorDirectory,
    // or a MonitorTunnel's). The results are cleared; started() follows once
    // the run said hello, watchLost() if it cannot be reached.
    bool watch(const QString &socketPath, QString *error);
    // Watches a socket of a tunnel to another host; the tunnel lives as long as the watch.
    bool watch(const QString &socketPath, MonitorTunnel *tunnel, QString *error);
    void stopWatching();
    bool isWatching() const { return m_watcher != nullptr; }
    QString watchedRunText() const; // "run 12 (pid 4711 on node2)"

    void pause();
    void unpause();
    void stop();
    void terminate();
    void setWorkerCount(int count);
    int workerCount() const { return m_workerCount; }

    bool isActive() const;
    TaskPool::State state() const;
    PoolStats stats() const;
    bool isRetryRun() const { return m_retrying; }
    JobRun *run() const { return m_run; }
    TaskPool *pool() const { return m_run ? m_run->pool() : nullptr; }
    // Per-host counts of the current run; empty when its job lists no hosts.
    QList<HostSnapshot> hostSnapshots() const;
    const JobSpec &resultsSpec() const { return m_resultsSpec; } // the job whose results are shown
    QString fatalError() const;
    QString haltReason() const;  // set when the halt policy stopped the run
    int liveWorkerCount() const; // the slots the current run wants now

Q_SIGNALS:
    void started();
    void stateChanged(TaskPool::State state);
    void refreshed(const PoolStats &stats);
    void logLine(int slot, const QString &line);
    void finished(const PoolStats &stats);
    void runShown(qint64 runId, bool ok, const QString &error);
    // The watched run's process went away before it said how the run ended
    // (killed, or the ssh connection dropped); finished() has followed.
    void watchLost(const QString &error);
    void jobShown(qint64 runId, const JobResultsInfo &job, bool ok, const QString &error);

private:
    bool launch(const JobSpec &spec, const RunInputs &inputs, QString *error);
    bool beginShowing(const RunInfo &run, QString *error);
    void showNewRun(const JobSpec &spec);
    void discardRun();
    void refresh();
    void onTaskFinished(const TaskOutcome &outcome);
    void onAttemptFailed(const TaskOutcome &outcome);
    TaskOutcome asShownTask(const TaskOutcome &outcome) const;
    void onRunFinished();
    void publish(JobRun *run);
    void onWatchedHello();
    void onWatchedState(const MonitorProtocol::LiveState &state);
    void onWatchEnded(const QString &error);

    WorkerTableModel *m_workers;
    ResultTableModel *m_results;
    TimelineModel *m_timeline;
    JournalService *m_journal;
    LiveOutput *m_liveOutput;
    ProcessGroupUsage m_usage;
    QTimer m_refreshTimer;
    QElapsedTimer m_sinceUsageSample;
    QPointer<JobRun> m_run;
    RunPublisher *m_publisher = nullptr; // the run's, deleted with it
    RunWatcher *m_watcher = nullptr;
    MonitorTunnel *m_tunnel = nullptr;   // when the watched run is on another host
    MonitorProtocol::LiveState m_watched; // its latest state
    bool m_watchedEnded = false;
    JobSpec m_resultsSpec;
    bool m_retrying = false;
    QList<int> m_retryRows; // retry run: task id -> result row
    int m_workerCount = 0;  // 0: the job's own count
    qint64 m_shownRun = -1;
    bool m_loadingRun = false;
    bool m_showingJob = false;
};
