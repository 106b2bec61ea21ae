#pragma once

#include "jobspec.h"
#include "runjournal.h"
#include "runrecorder.h"
#include "task.h"

#include <QList>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

class QThread;

// What a job's results were read from: its runs, oldest first, and the
// counts of the one record per task that was read.
struct JobResultsInfo
{
    QList<RunInfo> runs;
    TaskCounts counts;
};

// The app's run journal, on a thread of its own: SQLite waits on locks (up to
// seconds) and fsyncs every commit, neither of which may stall the window.
// Every call returns at once; answers come back as signals or callbacks on the
// GUI thread, in the order the calls were made. When the journal cannot be
// opened, problem() says why and runs go ahead unrecorded.
class JournalService : public QObject, public RunRecorder
{
    Q_OBJECT
public:
    static constexpr int CommitIntervalMs = 150; // results reach the disk this often
    static constexpr int LoadBatch = 2000;       // outcomes per batch when reading a run back

    explicit JournalService(const QString &path, QObject *parent = nullptr);
    ~JournalService() override; // finishes what was sent, then ends the thread

    QString path() const { return m_path; }
    // False after the last attempt to open the journal failed (lastError() says why).
    bool isAvailable() const { return m_lastError.isEmpty(); }
    QString lastError() const { return m_lastError; }

    // Writing one run at a time: outcomes are batched and committed every CommitIntervalMs.
    void beginRun(const JobSpec &spec) override;
    void recordAttempt(const TaskOutcome &outcome) override;
    void recordResult(const TaskOutcome &outcome) override;
    void endRun(const QString &state, const QString &message) override;
    bool isRecording() const { return m_recording; }
    qint64 currentRun() const { return m_currentRun; } // -1 until runBegun(), or when unrecorded

    // Reading.
    void listRuns();                                    // runsListed()
    void loadResults(qint64 runId);                     // resultsArrived()..., then resultsLoaded()
    // The latest result of every task of the job of this run (RunJournal::forEachJobResult):
    // resultsArrived(runId, ...)..., then jobResultsLoaded().
    void loadJobResults(qint64 runId);
    void cancelLoad();                                  // no more resultsArrived() for the last load
    // The retried attempts of the run of the last loadResults(), for the timeline:
    // attemptsArrived()..., then attemptsLoaded(); cancelLoad() stops them too.
    void loadAttempts(qint64 runId);
    void deleteRuns(const QList<qint64> &runIds);       // runsDeleted()
    using KeysReply = std::function<void(const QSet<quint64> &keys, const QString &error)>;
    void finishedKeys(const JobSpec &spec, KeysReply reply);
    using InputsReply = std::function<void(const RunInfo &run, const QList<QByteArray> &inputs, const QString &error)>;
    void failedInputs(qint64 runId, InputsReply reply);

Q_SIGNALS:
    void runBegun(qint64 runId);  // -1: this run is not recorded (problem() said why)
    void runEnded(qint64 runId);
    void problem(const QString &message);
    void notice(const QString &message); // worth knowing, not a failure (a journal made private again)
    void runsListed(const QList<RunInfo> &runs, const QString &error);
    void resultsArrived(qint64 runId, const QList<TaskOutcome> &outcomes);
    void resultsLoaded(qint64 runId, bool ok, const QString &error);
    void attemptsArrived(qint64 runId, const QList<TaskOutcome> &attempts);
    void attemptsLoaded(qint64 runId, bool ok, const QString &error);
    void jobResultsLoaded(qint64 runId, const JobResultsInfo &job, bool ok, const QString &error);
    void runsDeleted(const QList<qint64> &deleted, const QString &error);

private:
    struct Backend;
    void post(std::function<void(Backend &)> job);
    void reply(std::function<void()> onGuiThread);
    void shipBatch();
    using Reader = std::function<bool(RunJournal &journal, const std::function<void(const TaskOutcome &)> &visit,
                                      QString *error)>;
    using Arrived = std::function<void(const QList<TaskOutcome> &batch)>;
    using Loaded = std::function<void(bool ok, const QString &error)>;
    void load(Reader read, Arrived arrived, Loaded loaded, bool joinLast = false);
    void setLastError(const QString &error);

    QString m_path;
    QThread *m_thread;
    QObject *m_context;                 // lives in m_thread: queued jobs run there
    std::shared_ptr<Backend> m_backend; // touched only by jobs
    std::shared_ptr<std::atomic<int>> m_loadGeneration;
    QTimer m_commitTimer;
    std::vector<RunJournal::Entry> m_batch;
    bool m_recording = false;
    int m_runSequence = 0;
    qint64 m_currentRun = -1;
    QString m_lastError;
};
