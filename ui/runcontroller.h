#pragma once

#include "jobrun.h"
#include "jobspec.h"
#include "journalservice.h"
#include "processgroupusage.h"
#include "runjournal.h"
#include "taskpool.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

class ResultTableModel;
class WorkerTableModel;

// Runs jobs for the window: owns the current JobRun (which records it in the
// journal), feeds its outcomes to the results model, and polls worker
// snapshots, /proc usage and stats on a ~10 Hz timer. It also fills the results model with a
// past run from the journal, or with a past run's job (one row per task across its runs). Everything it does is asynchronous; it never
// waits on a process or on the disk.
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
    JournalService *journal() const { return m_journal; }

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

    void pause();
    void unpause();
    void stop();
    void terminate();
    void setWorkerCount(int count);
    int workerCount() const { return m_workerCount; }

    bool isActive() const { return m_run && m_run->isActive(); }
    TaskPool::State state() const { return m_run ? pool()->state() : TaskPool::State::Idle; }
    PoolStats stats() const { return m_run ? m_run->stats() : PoolStats(); }
    bool isRetryRun() const { return m_retrying; }
    JobRun *run() const { return m_run; }
    TaskPool *pool() const { return m_run ? m_run->pool() : nullptr; }
    // Per-host counts of the current run; empty when its job lists no hosts.
    QList<HostSnapshot> hostSnapshots() const
    {
        return m_run && !m_run->spec().hosts.isEmpty() ? pool()->hostSnapshots() : QList<HostSnapshot>();
    }
    const JobSpec &resultsSpec() const { return m_resultsSpec; } // the job whose results are shown
    QString fatalError() const { return m_run ? pool()->fatalError() : QString(); }

Q_SIGNALS:
    void started();
    void stateChanged(TaskPool::State state);
    void refreshed(const PoolStats &stats);
    void logLine(int slot, const QString &line);
    void finished(const PoolStats &stats);
    void runShown(qint64 runId, bool ok, const QString &error);
    void jobShown(qint64 runId, const JobResultsInfo &job, bool ok, const QString &error);

private:
    bool launch(const JobSpec &spec, const RunInputs &inputs, QString *error);
    bool beginShowing(const RunInfo &run, QString *error);
    void showNewRun(const JobSpec &spec);
    void discardRun();
    void refresh();
    void onTaskFinished(const TaskOutcome &outcome);
    void onRunFinished();

    WorkerTableModel *m_workers;
    ResultTableModel *m_results;
    JournalService *m_journal;
    ProcessGroupUsage m_usage;
    QTimer m_refreshTimer;
    QElapsedTimer m_sinceUsageSample;
    QPointer<JobRun> m_run;
    JobSpec m_resultsSpec;
    bool m_retrying = false;
    QList<int> m_retryRows; // retry run: task id -> result row
    int m_workerCount = 0;  // 0: the job's own count
    qint64 m_shownRun = -1;
    bool m_loadingRun = false;
    bool m_showingJob = false;
};
