#include "journalservice.h"

#include <QPointer>
#include <QThread>

// The thread's side: the journal connection is made, used and closed there,
// as QtSql requires.
struct JournalService::Backend
{
    QString path;
    std::unique_ptr<RunJournal> journal;
    int commitFailures = 0;
    std::function<void(const QString &)> onNotice; // called on the journal's thread

    RunJournal *open(QString *error)
    {
        if (journal && journal->isOpen())
            return journal.get();
        journal.reset(); // a failed journal cannot be opened twice; start afresh
        auto fresh = std::make_unique<RunJournal>();
        const bool opened = fresh->open(path, error);
        if (!fresh->notice().isEmpty() && onNotice)
            onNotice(fresh->notice());
        if (!opened)
            return nullptr;
        journal = std::move(fresh);
        return journal.get();
    }
};

JournalService::JournalService(const QString &path, QObject *parent)
    : QObject(parent)
    , m_path(path)
    , m_thread(new QThread)
    , m_context(new QObject)
    , m_backend(std::make_shared<Backend>())
    , m_loadGeneration(std::make_shared<std::atomic<int>>(0))
{
    m_backend->path = path;
    m_backend->onNotice = [this](const QString &message) { reply([this, message] { Q_EMIT notice(message); }); };
    m_thread->setObjectName(QStringLiteral("journal"));
    m_context->moveToThread(m_thread);
    m_thread->start();
    m_commitTimer.setInterval(CommitIntervalMs);
    connect(&m_commitTimer, &QTimer::timeout, this, &JournalService::shipBatch);
}

JournalService::~JournalService()
{
    if (m_recording)
        endRun(QStringLiteral("terminated"), QStringLiteral("the window was closed during the run"));
    cancelLoad();
    // The last job closes the journal in its own thread and ends the thread's loop,
    // after every job sent before it.
    post([thread = m_thread](Backend &backend) {
        backend.journal.reset();
        thread->quit();
    });
    m_thread->wait();
    delete m_context;
    delete m_thread;
}

void JournalService::post(std::function<void(Backend &)> job)
{
    QMetaObject::invokeMethod(m_context, [backend = m_backend, job = std::move(job)] { job(*backend); },
                              Qt::QueuedConnection);
}

void JournalService::reply(std::function<void()> onGuiThread)
{
    // Dropped when the service is gone: nobody is left to tell.
    QMetaObject::invokeMethod(this, std::move(onGuiThread), Qt::QueuedConnection);
}

void JournalService::setLastError(const QString &error)
{
    m_lastError = error;
    if (!error.isEmpty())
        Q_EMIT problem(error);
}

void JournalService::beginRun(const JobSpec &spec)
{
    if (m_recording)
        endRun(QStringLiteral("finished"), QString());
    m_recording = true;
    m_currentRun = -1;
    m_batch.clear();
    const int sequence = ++m_runSequence;
    post([this, spec, sequence](Backend &backend) {
        QString error;
        qint64 id = -1;
        backend.commitFailures = 0;
        if (RunJournal *journal = backend.open(&error))
            id = journal->beginRun(spec, &error);
        reply([this, id, error, sequence] {
            setLastError(id < 0 ? error : QString());
            if (!m_recording || sequence != m_runSequence)
                return; // ended before this answer came: runEnded() says the rest
            m_currentRun = id;
            Q_EMIT runBegun(id);
        });
    });
    m_commitTimer.start();
}

void JournalService::recordAttempt(const TaskOutcome &outcome)
{
    if (m_recording)
        m_batch.push_back(RunJournal::Entry{outcome, false});
}

void JournalService::recordResult(const TaskOutcome &outcome)
{
    if (m_recording)
        m_batch.push_back(RunJournal::Entry{outcome, true});
}

void JournalService::shipBatch()
{
    if (m_batch.empty())
        return;
    auto batch = std::make_shared<std::vector<RunJournal::Entry>>(std::move(m_batch));
    m_batch = {};
    post([this, batch](Backend &backend) {
        RunJournal *journal = backend.journal.get();
        if (!journal || journal->currentRun() < 0 || backend.commitFailures >= 3)
            return; // not recorded: the user was told when the run began
        journal->record(std::move(*batch));
        QString error;
        if (journal->commit(&error)) {
            backend.commitFailures = 0;
            return;
        }
        // Like `taskpool run`: a few failed commits in a row and the journal is given up on.
        if (++backend.commitFailures >= 3)
            error += QStringLiteral(" - no longer recording this run; the results stay in the window");
        reply([this, error] { setLastError(error); });
    });
}

void JournalService::endRun(const QString &state, const QString &message)
{
    if (!m_recording)
        return;
    shipBatch();
    m_commitTimer.stop();
    m_recording = false;
    m_currentRun = -1;
    post([this, state, message](Backend &backend) {
        RunJournal *journal = backend.journal.get();
        const qint64 id = journal ? journal->currentRun() : -1;
        QString error;
        if (id >= 0 && !journal->endRun(state, message, &error))
            reply([this, error] { setLastError(error); });
        reply([this, id] { Q_EMIT runEnded(id); });
    });
}

void JournalService::listRuns()
{
    post([this](Backend &backend) {
        QString error;
        QList<RunInfo> runs;
        if (RunJournal *journal = backend.open(&error))
            runs = journal->runs(&error);
        reply([this, runs, error] {
            if (error.isEmpty() != isAvailable())
                setLastError(error);
            Q_EMIT runsListed(runs, error);
        });
    });
}

void JournalService::loadResults(qint64 runId)
{
    load(
        [runId](RunJournal &journal, const std::function<void(const TaskOutcome &)> &visit, QString *error) {
            return journal.forEachResult(runId, visit, error);
        },
        [this, runId](const QList<TaskOutcome> &outcomes) { Q_EMIT resultsArrived(runId, outcomes); },
        [this, runId](bool ok, const QString &error) { Q_EMIT resultsLoaded(runId, ok, error); });
}

void JournalService::loadJobResults(qint64 runId)
{
    // Filled on the journal's thread, read on the GUI thread once the last batch is out.
    auto job = std::make_shared<JobResultsInfo>();
    load(
        [runId, job](RunJournal &journal, const std::function<void(const TaskOutcome &)> &visit, QString *error) {
            job->runs = journal.jobRuns(runId, error);
            return !job->runs.isEmpty() && journal.forEachJobResult(runId, [&](const TaskOutcome &o, qint64) {
                job->counts.add(o.status);
                visit(o);
            }, error);
        },
        [this, runId](const QList<TaskOutcome> &outcomes) { Q_EMIT resultsArrived(runId, outcomes); },
        [this, runId, job](bool ok, const QString &error) { Q_EMIT jobResultsLoaded(runId, *job, ok, error); });
}

// Reads on the journal's thread and sends the outcomes in batches of LoadBatch;
// a newer load (or cancelLoad()) silences the rest of this one. A load that
// joins the last one (its attempts) is silenced with it.
void JournalService::load(Reader read, Arrived arrived, Loaded loaded, bool joinLast)
{
    const int generation = joinLast ? int(*m_loadGeneration) : ++*m_loadGeneration;
    post([this, generation, current = m_loadGeneration, read = std::move(read), arrived = std::move(arrived),
          loaded = std::move(loaded)](Backend &backend) {
        QString error;
        bool ok = false;
        if (RunJournal *journal = backend.open(&error)) {
            QList<TaskOutcome> batch;
            batch.reserve(LoadBatch);
            auto send = [&] {
                reply([generation, current, arrived, outcomes = std::move(batch)] {
                    if (*current == generation)
                        arrived(outcomes);
                });
                batch = {};
                batch.reserve(LoadBatch);
            };
            ok = read(*journal, [&](const TaskOutcome &o) {
                if (*current != generation)
                    return; // a newer load or a new run took over: skip the rest
                batch.append(o);
                if (batch.size() >= LoadBatch)
                    send();
            }, &error);
            if (!batch.isEmpty())
                send();
        }
        reply([generation, current, ok, error, loaded] {
            if (*current == generation)
                loaded(ok, error);
        });
    });
}

void JournalService::loadAttempts(qint64 runId)
{
    load(
        [runId](RunJournal &journal, const std::function<void(const TaskOutcome &)> &visit, QString *error) {
            return journal.forEachAttempt(runId, visit, error);
        },
        [this, runId](const QList<TaskOutcome> &attempts) { Q_EMIT attemptsArrived(runId, attempts); },
        [this, runId](bool ok, const QString &error) { Q_EMIT attemptsLoaded(runId, ok, error); }, true);
}

void JournalService::cancelLoad()
{
    ++*m_loadGeneration;
}

void JournalService::deleteRuns(const QList<qint64> &runIds)
{
    post([this, runIds](Backend &backend) {
        QString error;
        QList<qint64> deleted;
        if (RunJournal *journal = backend.open(&error)) {
            for (qint64 id : runIds) {
                QString why;
                if (journal->deleteRun(id, &why))
                    deleted.append(id);
                else if (error.isEmpty())
                    error = why;
            }
        }
        reply([this, deleted, error] { Q_EMIT runsDeleted(deleted, error); });
    });
}

void JournalService::finishedKeys(const JobSpec &spec, KeysReply answer)
{
    post([this, spec, answer = std::move(answer)](Backend &backend) {
        QString error;
        QSet<quint64> keys;
        if (RunJournal *journal = backend.open(&error))
            keys = journal->finishedKeys(spec, &error);
        reply([answer, keys = std::move(keys), error] { answer(keys, error); });
    });
}

void JournalService::failedInputs(qint64 runId, InputsReply answer)
{
    post([this, runId, answer = std::move(answer)](Backend &backend) {
        QString error;
        RunInfo run;
        QList<QByteArray> inputs;
        if (RunJournal *journal = backend.open(&error)) {
            if (journal->run(runId, &run, &error))
                inputs = journal->failedInputs(runId, &error);
        }
        reply([answer, run, inputs = std::move(inputs), error] { answer(run, inputs, error); });
    });
}
