#include "runcontroller.h"

#include "journalservice.h"
#include "monitortunnel.h"
#include "liveoutput.h"
#include "resulttablemodel.h"
#include "runpublisher.h"
#include "runwatcher.h"
#include "timelinemodel.h"
#include "workertablemodel.h"

#include <QDateTime>

RunController::RunController(const QString &journalPath, QObject *parent)
    : QObject(parent)
    , m_workers(new WorkerTableModel(this))
    , m_results(new ResultTableModel(this))
    , m_timeline(new TimelineModel(this))
    , m_journal(new JournalService(journalPath, this))
    , m_liveOutput(new LiveOutput(this))
{
    m_refreshTimer.setInterval(RefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &RunController::refresh);
    connect(m_journal, &JournalService::runBegun, this, [this](qint64 runId) {
        m_shownRun = runId;
        if (m_publisher)
            m_publisher->setJournalRun(runId);
    });
    connect(m_journal, &JournalService::resultsArrived, this, [this](qint64 runId, const QList<TaskOutcome> &outcomes) {
        if (!m_loadingRun || runId != m_shownRun)
            return;
        for (const TaskOutcome &o : outcomes) {
            m_results->append(o); // batched into the view like a live run's results
            m_timeline->addAttempt(o);
        }
    });
    connect(m_journal, &JournalService::attemptsArrived, this, [this](qint64 runId, const QList<TaskOutcome> &attempts) {
        if (runId != m_shownRun || isActive())
            return;
        for (const TaskOutcome &o : attempts)
            m_timeline->addAttempt(o, true);
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

bool RunController::isActive() const
{
    if (m_watcher)
        return !m_watchedEnded;
    return m_run && m_run->isActive();
}

TaskPool::State RunController::state() const
{
    if (m_watcher)
        return m_watchedEnded ? TaskPool::State::Finished : m_watched.state;
    return m_run ? pool()->state() : TaskPool::State::Idle;
}

PoolStats RunController::stats() const
{
    if (m_watcher)
        return m_watched.stats;
    return m_run ? m_run->stats() : PoolStats();
}

QList<HostSnapshot> RunController::hostSnapshots() const
{
    if (m_watcher)
        return m_watched.hosts;
    return m_run && !m_run->spec().hosts.isEmpty() ? pool()->hostSnapshots() : QList<HostSnapshot>();
}

QString RunController::fatalError() const
{
    if (m_watcher)
        return m_watched.fatalError;
    return m_run ? pool()->fatalError() : QString();
}

QString RunController::haltReason() const
{
    if (m_watcher)
        return m_watched.haltReason;
    return m_run ? pool()->haltReason() : QString();
}

int RunController::liveWorkerCount() const
{
    if (m_watcher)
        return m_watched.wantedWorkers;
    return m_run ? pool()->workerCount() : 0;
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
    m_timeline->clear();
    m_results->setMode(spec.mode);
    m_results->setParameters(spec.parameters); // a column per sweep parameter
    m_resultsSpec = spec;
    m_retrying = false;
    m_retryRows.clear();
}

bool RunController::showRun(const RunInfo &run, QString *error)
{
    if (!beginShowing(run, error))
        return false;
    m_journal->loadResults(run.id);
    m_journal->loadAttempts(run.id);
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
    stopWatching();
    m_workers->clear();
    m_liveOutput->clear();
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
            inputs.append(m_results->row(row).input().toByteArray());
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
        if (isFailure(m_results->row(row).status()))
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
    stopWatching();
    m_workers->clear();
    m_liveOutput->clear();
    m_loadingRun = false;
    m_showingJob = false;
    m_journal->cancelLoad();
    m_shownRun = -1; // until the journal numbers the run
    m_run = run;
    TaskPool *pool = run->pool();
    connect(pool, &TaskPool::taskFinished, this, &RunController::onTaskFinished);
    connect(pool, &TaskPool::attemptFailed, this, &RunController::onAttemptFailed);
    connect(pool, &TaskPool::logLine, this, &RunController::logLine);
    connect(pool, &TaskPool::taskOutput, m_liveOutput,
            [this](int slot, qint64 taskId, OutputStream stream, const QByteArray &bytes) {
                m_liveOutput->append(slot, taskId, stream, bytes);
            });
    connect(pool, &TaskPool::stateChanged, this, &RunController::stateChanged);
    connect(run, &JobRun::finished, this, &RunController::onRunFinished);
    publish(run);
    m_sinceUsageSample.start();
    m_refreshTimer.start();
    return true;
}

// Another window, or one on another host, may watch this run too.
void RunController::publish(JobRun *run)
{
    m_publisher = new RunPublisher(run, run);
    QString error;
    if (!m_publisher->listen(&error)) {
        Q_EMIT logLine(-1, QStringLiteral("this run cannot be watched from elsewhere: %1").arg(error));
        delete m_publisher;
        m_publisher = nullptr;
    }
}

void RunController::discardRun()
{
    if (!m_run)
        return;
    m_run->disconnect(this);
    m_run->pool()->disconnect(this);
    m_run->deleteLater();
    m_run = nullptr;
    m_publisher = nullptr; // a child of the run
}

void RunController::onTaskFinished(const TaskOutcome &outcome)
{
    m_timeline->addAttempt(asShownTask(outcome));
    if (!m_retrying) {
        m_results->append(outcome);
        return;
    }
    if (outcome.id >= 0 && outcome.id < m_retryRows.size())
        m_results->replace(m_retryRows.at(outcome.id), outcome);
}

void RunController::onAttemptFailed(const TaskOutcome &outcome)
{
    m_timeline->addAttempt(asShownTask(outcome), true);
}

// A retry run numbers its tasks 0..n-1; the timeline names them as the results table does.
TaskOutcome RunController::asShownTask(const TaskOutcome &outcome) const
{
    if (!m_retrying || outcome.id < 0 || outcome.id >= m_retryRows.size())
        return outcome;
    TaskOutcome shown = outcome;
    shown.id = m_results->outcome(m_retryRows.at(outcome.id)).id;
    return shown;
}

void RunController::refresh()
{
    if (!m_run)
        return;
    QList<SlotSnapshot> snapshots = pool()->slotSnapshots();
    m_workers->update(snapshots);
    if (m_retrying) {
        for (SlotSnapshot &s : snapshots) {
            if (s.taskId >= 0 && s.taskId < m_retryRows.size())
                s.taskId = m_results->outcome(m_retryRows.at(s.taskId)).id;
        }
    }
    m_timeline->setRunning(snapshots, QDateTime::currentMSecsSinceEpoch());
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
    if (m_watcher)
        m_watcher->pause();
    else if (m_run)
        m_run->pause();
}

void RunController::unpause()
{
    if (m_watcher)
        m_watcher->unpause();
    else if (m_run)
        m_run->unpause();
}

void RunController::stop()
{
    if (m_watcher)
        m_watcher->stop();
    else if (m_run)
        m_run->stop();
}

void RunController::terminate()
{
    if (m_watcher)
        m_watcher->terminate();
    else if (m_run)
        m_run->terminate();
}

// The watched run's count belongs to it; the count for the window's own runs stays.
void RunController::setWorkerCount(int count)
{
    if (m_watcher) {
        if (isActive())
            m_watcher->setWorkerCount(count);
        return;
    }
    m_workerCount = count;
    if (isActive())
        pool()->setWorkerCount(count);
}

bool RunController::watch(const QString &socketPath, QString *error)
{
    return watch(socketPath, nullptr, error);
}

bool RunController::watch(const QString &socketPath, MonitorTunnel *tunnel, QString *error)
{
    if (isActive()) {
        *error = m_watcher ? QStringLiteral("already watching a run") : QStringLiteral("wait until the current run has finished");
        if (tunnel)
            tunnel->deleteLater();
        return false;
    }
    discardRun();
    stopWatching();
    m_loadingRun = false;
    m_journal->cancelLoad();
    m_workers->clear();
    m_liveOutput->clear();
    m_shownRun = -1;
    m_watched = MonitorProtocol::LiveState();
    m_watchedEnded = false;
    m_tunnel = tunnel;
    if (tunnel)
        tunnel->setParent(this);
    m_watcher = new RunWatcher(this);
    connect(m_watcher, &RunWatcher::helloReceived, this, &RunController::onWatchedHello);
    connect(m_watcher, &RunWatcher::stateReceived, this, &RunController::onWatchedState);
    connect(m_watcher, &RunWatcher::resultReceived, this, &RunController::onTaskFinished);
    connect(m_watcher, &RunWatcher::attemptReceived, this, &RunController::onAttemptFailed);
    connect(m_watcher, &RunWatcher::logReceived, this, &RunController::logLine);
    connect(m_watcher, &RunWatcher::resultsSkipped, this, [this](qint64 count) {
        Q_EMIT logLine(-1, QStringLiteral("%1 earlier results of this run are not shown: the run keeps only its newest "
                                          "for viewers; the journal has every one")
                               .arg(count));
    });
    connect(m_watcher, &RunWatcher::outputReceived, m_liveOutput,
            [this](int slot, qint64 taskId, OutputStream stream, const QByteArray &bytes) {
                m_liveOutput->append(slot, taskId, stream, bytes);
            });
    connect(m_watcher, &RunWatcher::ended, this, [this] { onWatchEnded(QString()); });
    connect(m_watcher, &RunWatcher::disconnected, this, &RunController::onWatchEnded);
    m_watcher->connectTo(socketPath);
    return true;
}

void RunController::stopWatching()
{
    if (!m_watcher)
        return;
    m_watcher->disconnect(this);
    m_watcher->close();
    m_watcher->deleteLater();
    m_watcher = nullptr;
    if (m_tunnel)
        m_tunnel->deleteLater();
    m_tunnel = nullptr;
}

QString RunController::watchedRunText() const
{
    if (!m_watcher)
        return {};
    const MonitorProtocol::Hello &hello = m_watcher->hello();
    const QString where = m_tunnel ? QStringLiteral("pid %1 on %2").arg(hello.pid).arg(m_tunnel->host())
                                   : QStringLiteral("pid %1").arg(hello.pid);
    return hello.journalRun >= 0 ? QStringLiteral("run %1 (%2)").arg(hello.journalRun).arg(where) : where;
}

void RunController::onWatchedHello()
{
    showNewRun(m_watcher->hello().spec);
    // The run's number in this journal; one on another host is not in ours.
    m_shownRun = m_tunnel ? -1 : m_watcher->hello().journalRun;
    m_watched.state = TaskPool::State::Running;
    Q_EMIT started();
    Q_EMIT stateChanged(m_watched.state);
}

void RunController::onWatchedState(const MonitorProtocol::LiveState &state)
{
    const TaskPool::State before = m_watched.state;
    m_watched = state;
    m_workers->update(state.slotSnapshots);
    m_timeline->setRunning(state.slotSnapshots, QDateTime::currentMSecsSinceEpoch());
    if (!state.usage.isEmpty())
        m_workers->setUsage(state.usage);
    if (state.state != before)
        Q_EMIT stateChanged(state.state);
    Q_EMIT refreshed(state.stats);
}

// The run ended (error empty) or its process went away first.
void RunController::onWatchEnded(const QString &error)
{
    if (m_watchedEnded)
        return;
    m_watchedEnded = true;
    m_watched.state = TaskPool::State::Finished;
    m_results->flush();
    if (!error.isEmpty())
        Q_EMIT watchLost(error);
    Q_EMIT stateChanged(TaskPool::State::Finished);
    Q_EMIT finished(m_watched.stats);
}
