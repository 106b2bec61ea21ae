#include "runcontroller.h"

#include "journalservice.h"
#include "resulttablemodel.h"
#include "workertablemodel.h"

RunController::RunController(const QString &journalPath, QObject *parent)
    : QObject(parent)
    , m_workers(new WorkerTableModel(this))
    , m_results(new ResultTableModel(this))
    , m_journal(new JournalService(journalPath, this))
{
    m_refreshTimer.setInterval(RefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &RunController::refresh);
    connect(m_journal, &JournalService::runBegun, this, [this](qint64 runId) { m_shownRun = runId; });
    connect(m_journal, &JournalService::resultsArrived, this, [this](qint64 runId, const QList<TaskOutcome> &outcomes) {
        if (!m_loadingRun || runId != m_shownRun)
            return;
        for (const TaskOutcome &o : outcomes)
            m_results->append(o); // batched into the view like a live run's results
    });
    connect(m_journal, &JournalService::resultsLoaded, this, [this](qint64 runId, bool ok, const QString &error) {
        if (!m_loadingRun || runId != m_shownRun)
            return;
        m_loadingRun = false;
        m_results->flush();
        Q_EMIT runShown(runId, ok, error);
    });
    connect(m_journal, &JournalService::jobResultsLoaded, this,
            [this](qint64 runId, const JobResultsInfo &job, bool ok, const QString &error) {
                if (!m_loadingRun || runId != m_shownRun)
                    return;
                m_loadingRun = false;
                m_results->flush();
                Q_EMIT jobShown(runId, job, ok, error);
            });
}

RunController::~RunController()
{
    if (m_run)
        m_run->abandon(QStringLiteral("the window was closed during the run"));
    delete m_run; // its slots end their process trees
}

bool RunController::start(const JobSpec &spec, const RunInputs &inputs, QString *error)
{
    if (isActive()) {
        *error = QStringLiteral("a run is already going");
        return false;
    }
    JobSpec own = spec;
    if (m_workerCount > 0)
        own.workers = m_workerCount;
    if (!launch(own, inputs, error))
        return false;
    showNewRun(m_run->spec());
    Q_EMIT started();
    m_run->start();
    return true;
}

void RunController::showNewRun(const JobSpec &spec)
{
    m_showingJob = false;
    m_results->clear();
    m_results->setMode(spec.mode);
    m_resultsSpec = spec;
    m_retrying = false;
    m_retryRows.clear();
}

bool RunController::showRun(const RunInfo &run, QString *error)
{
    if (!beginShowing(run, error))
        return false;
    m_journal->loadResults(run.id);
    return true;
}

bool RunController::showJob(const RunInfo &run, QString *error)
{
    if (!beginShowing(run, error))
        return false;
    m_showingJob = true;
    m_journal->loadJobResults(run.id);
    return true;
}

// Clears the window's run for results read from the journal, anchored at this run.
bool RunController::beginShowing(const RunInfo &run, QString *error)
{
    if (isActive()) {
        *error = QStringLiteral("wait until the current run has finished");
        return false;
    }
    discardRun();
    m_workers->clear();
    showNewRun(run.spec);
    m_shownRun = run.id;
    m_loadingRun = true;
    return true;
}

bool RunController::retry(const QList<int> &rows, QString *error)
{
    if (isActive()) {
        *error = QStringLiteral("wait until the current run has finished");
        return false;
    }
    m_results->flush();
    QList<int> valid;
    QList<QByteArray> inputs;
    for (int row : rows) {
        if (row >= 0 && row < m_results->rowCount() && !valid.contains(row)) {
            valid.append(row);
            inputs.append(m_results->outcome(row).input);
        }
    }
    if (valid.isEmpty()) {
        *error = QStringLiteral("no tasks to retry");
        return false;
    }
    JobSpec spec = m_resultsSpec;
    if (m_workerCount > 0)
        spec.workers = m_workerCount;
    // The inputs go in as bytes, exactly as they were first run.
    if (!launch(spec, RunInputs::exactly(std::move(inputs)), error))
        return false;
    m_retrying = true;
    m_retryRows = valid;
    Q_EMIT started();
    m_run->start();
    return true;
}

QList<int> RunController::failedRows() const
{
    QList<int> rows;
    for (int row = 0; row < m_results->rowCount(); ++row) {
        if (isFailure(m_results->outcome(row).status))
            rows.append(row);
    }
    return rows;
}

// Makes the run and hooks it up; the caller starts it once the window shows it.
bool RunController::launch(const JobSpec &spec, const RunInputs &inputs, QString *error)
{
    JobRun *run = JobRun::create(spec, inputs, m_journal, error, this);
    if (!run)
        return false;
    discardRun();
    m_workers->clear();
    m_loadingRun = false;
    m_showingJob = false;
    m_journal->cancelLoad();
    m_shownRun = -1; // until the journal numbers the run
    m_run = run;
    TaskPool *pool = run->pool();
    connect(pool, &TaskPool::taskFinished, this, &RunController::onTaskFinished);
    connect(pool, &TaskPool::logLine, this, &RunController::logLine);
    connect(pool, &TaskPool::stateChanged, this, &RunController::stateChanged);
    connect(run, &JobRun::finished, this, &RunController::onRunFinished);
    m_sinceUsageSample.start();
    m_refreshTimer.start();
    return true;
}

void RunController::discardRun()
{
    if (!m_run)
        return;
    m_run->disconnect(this);
    m_run->pool()->disconnect(this);
    m_run->deleteLater();
    m_run = nullptr;
}

void RunController::onTaskFinished(const TaskOutcome &outcome)
{
    if (!m_retrying) {
        m_results->append(outcome);
        return;
    }
    if (outcome.id >= 0 && outcome.id < m_retryRows.size())
        m_results->replace(m_retryRows.at(outcome.id), outcome);
}

void RunController::refresh()
{
    if (!m_run)
        return;
    m_workers->update(pool()->slotSnapshots());
    if (m_sinceUsageSample.elapsed() >= UsageIntervalMs && ProcessGroupUsage::isAvailable()) {
        m_sinceUsageSample.restart();
        m_workers->setUsage(m_usage.sample(m_workers->pids()));
    }
    Q_EMIT refreshed(m_run->stats());
}

void RunController::onRunFinished()
{
    m_refreshTimer.stop();
    m_results->flush();
    refresh();
    Q_EMIT finished(m_run->stats());
}

void RunController::pause()
{
    if (m_run)
        m_run->pause();
}

void RunController::unpause()
{
    if (m_run)
        m_run->unpause();
}

void RunController::stop()
{
    if (m_run)
        m_run->stop();
}

void RunController::terminate()
{
    if (m_run)
        m_run->terminate();
}

void RunController::setWorkerCount(int count)
{
    m_workerCount = count;
    if (isActive())
        pool()->setWorkerCount(count);
}
