#include "runcontroller.h"

#include "commandtemplate.h"
#include "inputsource.h"
#include "journalservice.h"
#include "resulttablemodel.h"
#include "workertablemodel.h"

#include <QFileInfo>
#include <QStandardPaths>

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
}

RunController::~RunController()
{
    // The pool's workers kill their process trees when it is deleted.
    if (m_pool && m_pool->isActive())
        m_journal->endRun(QStringLiteral("terminated"), QStringLiteral("the window was closed during the run"));
    delete m_pool;
}

QString RunController::checkProgram(const JobSpec &spec)
{
    const QString program = CommandTemplate(spec.command, spec.shell).fixedProgram();
    if (program.isEmpty() || spec.shell)
        return {}; // chosen per input, or up to the shell
    if (program.contains(QLatin1Char('/'))) {
        QFileInfo info(program);
        if (info.isRelative() && !spec.workingDirectory.isEmpty())
            info.setFile(spec.workingDirectory + QLatin1Char('/') + program);
        if (!info.exists())
            return QStringLiteral("cannot run \"%1\": no such file").arg(program);
        if (!info.isFile() || !info.isExecutable())
            return QStringLiteral("cannot run \"%1\": it is not an executable file").arg(program);
        return {};
    }
    if (QStandardPaths::findExecutable(program).isEmpty())
        return QStringLiteral("cannot run \"%1\": no such program in PATH").arg(program);
    return {};
}

bool RunController::prepare(const JobSpec &jobSpec, JobSpec *spec, QString *error) const
{
    if (isActive()) {
        *error = QStringLiteral("a run is already going");
        return false;
    }
    *spec = jobSpec;
    if (m_workerCount > 0)
        spec->workers = m_workerCount;
    *error = spec->validate();
    if (error->isEmpty())
        *error = checkProgram(*spec);
    return error->isEmpty();
}

void RunController::showNewRun(const JobSpec &spec)
{
    m_results->clear();
    m_results->setMode(spec.mode);
    m_resultsSpec = spec;
    m_retrying = false;
    m_retryRows.clear();
}

bool RunController::start(const JobSpec &jobSpec, QString *error)
{
    JobSpec spec;
    if (!prepare(jobSpec, &spec, error))
        return false;
    InputSource *input = InputSource::create(spec, nullptr, error);
    if (!input)
        return false;
    showNewRun(spec);
    launch(spec, input);
    return true;
}

bool RunController::resume(const JobSpec &jobSpec, const QSet<quint64> &finishedKeys, QString *error)
{
    JobSpec spec;
    if (!prepare(jobSpec, &spec, error))
        return false;
    InputSource *inner = InputSource::create(spec, nullptr, error);
    if (!inner)
        return false;
    // As `taskpool run --resume`: a task is its command and input, wherever the input now sits.
    const quint64 command = RunJournal::commandHash(RunJournal::commandKey(spec));
    auto *input = new FilteredInput(
        inner, [finishedKeys, command](const QByteArray &in) {
            return !finishedKeys.contains(RunJournal::taskKey(command, in));
        },
        finishedKeys.size());
    inner->setParent(input);
    showNewRun(spec);
    launch(spec, input);
    return true;
}

bool RunController::startOn(const JobSpec &jobSpec, QList<QByteArray> inputs, QString *error)
{
    JobSpec spec;
    if (!prepare(jobSpec, &spec, error))
        return false;
    if (inputs.isEmpty()) {
        *error = QStringLiteral("no tasks to run");
        return false;
    }
    // The journal records the inputs as a list; they run as the exact bytes.
    spec.inputKind = JobSpec::InputKind::List;
    spec.inputList.clear();
    for (const QByteArray &input : std::as_const(inputs))
        spec.inputList.append(QString::fromUtf8(input));
    showNewRun(spec);
    launch(spec, new ListInput(std::move(inputs)));
    return true;
}

bool RunController::showRun(const RunInfo &run, QString *error)
{
    if (isActive()) {
        *error = QStringLiteral("wait until the current run has finished");
        return false;
    }
    discardPool();
    m_workers->clear();
    showNewRun(run.spec);
    m_shownRun = run.id;
    m_loadingRun = true;
    m_journal->loadResults(run.id);
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
    spec.inputKind = JobSpec::InputKind::List;
    spec.inputList.clear();
    for (const QByteArray &input : std::as_const(inputs))
        spec.inputList.append(QString::fromUtf8(input));
    *error = checkProgram(spec);
    if (!error->isEmpty())
        return false;
    m_retrying = true;
    m_retryRows = valid;
    // The inputs go in as bytes, exactly as they were first run.
    launch(spec, new ListInput(std::move(inputs)));
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

void RunController::launch(const JobSpec &spec, InputSource *input)
{
    discardPool();
    m_workers->clear();
    m_loadingRun = false;
    m_journal->cancelLoad();
    m_shownRun = -1; // until the journal numbers the run
    m_endRequest = EndRequest::None;
    m_finishedPool = nullptr; // a new pool may reuse a deleted one's address
    m_journal->beginRun(spec);
    auto *pool = new TaskPool(spec, input, this);
    input->setParent(pool); // lives exactly as long as the pool that reads it
    m_pool = pool;
    connect(pool, &TaskPool::taskFinished, m_journal, &JournalService::recordResult);
    connect(pool, &TaskPool::attemptFailed, m_journal, &JournalService::recordAttempt);
    connect(pool, &TaskPool::taskFinished, this, &RunController::onTaskFinished);
    connect(pool, &TaskPool::logLine, this, &RunController::logLine);
    connect(pool, &TaskPool::stateChanged, this, &RunController::stateChanged);
    connect(pool, &TaskPool::finished, this, &RunController::onPoolFinished);
    m_sinceUsageSample.start();
    m_refreshTimer.start();
    Q_EMIT started();
    pool->start();
}

void RunController::discardPool()
{
    if (!m_pool)
        return;
    m_pool->disconnect(this);
    m_pool->deleteLater();
    m_pool = nullptr;
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
    if (!m_pool)
        return;
    m_workers->update(m_pool->workerSnapshots());
    if (m_sinceUsageSample.elapsed() >= UsageIntervalMs && ProcessGroupUsage::isAvailable()) {
        m_sinceUsageSample.restart();
        m_workers->setUsage(m_usage.sample(m_workers->pids()));
    }
    Q_EMIT refreshed(m_pool->stats());
}

void RunController::onPoolFinished()
{
    if (m_finishedPool == m_pool)
        return; // told once per run is enough
    m_finishedPool = m_pool;
    m_refreshTimer.stop();
    m_results->flush();
    refresh();
    QString message;
    const QString state = endState(&message);
    m_journal->endRun(state, message);
    Q_EMIT finished(m_pool->stats());
}

// How the run ended, in the journal's words.
QString RunController::endState(QString *message) const
{
    *message = m_pool->fatalError();
    if (!message->isEmpty())
        return QStringLiteral("failed");
    *message = m_pool->haltReason();
    if (!message->isEmpty())
        return m_pool->spec().haltTerminates ? QStringLiteral("terminated") : QStringLiteral("stopped");
    if (m_endRequest == EndRequest::Terminate)
        return QStringLiteral("terminated");
    if (m_endRequest == EndRequest::Stop)
        return QStringLiteral("stopped");
    return QStringLiteral("finished");
}

void RunController::pause()
{
    if (m_pool)
        m_pool->pause();
}

void RunController::resume()
{
    if (m_pool)
        m_pool->resume();
}

void RunController::stop()
{
    if (!m_pool)
        return;
    if (m_pool->isActive() && m_endRequest == EndRequest::None)
        m_endRequest = EndRequest::Stop;
    m_pool->stop();
}

void RunController::terminate()
{
    if (!m_pool)
        return;
    if (m_pool->isActive())
        m_endRequest = EndRequest::Terminate;
    m_pool->terminate();
}

void RunController::setWorkerCount(int count)
{
    m_workerCount = count;
    if (m_pool && m_pool->isActive())
        m_pool->setWorkerCount(count);
}
