#pragma once

#include "resultwriter.h"
#include "runjournal.h"
#include "task.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

// Where a headless run's finished tasks go, off the pool's event loop: a
// journal thread commits each batch and hands it on to a writer thread, which
// writes it to the results output. So every result anyone has read is in the
// journal, and neither SQLite, a slow disk nor a reader that stopped reading
// stalls the pool -- or the journal: results keep being recorded while the
// output is stuck. isBehind() tells the caller to stop taking new tasks until
// the writer catches up.
//
// Calls are made from the thread that created the sink; signals arrive there.
class ResultSink : public QObject
{
    Q_OBJECT
public:
    static constexpr size_t BatchSize = 4096;                      // results handed over at once
    static constexpr qint64 DefaultBehindBytes = 32 * 1024 * 1024; // held in memory before isBehind()
    static constexpr int JournalAttempts = 3; // failed commits in a row before giving up on it

    // journal: null, or a journal with a run begun; the sink writes to it until finish().
    ResultSink(std::unique_ptr<ResultWriter> writer, RunJournal *journal, qint64 behindBytes = DefaultBehindBytes,
               QObject *parent = nullptr);
    ~ResultSink() override; // finishes, waiting for every write

    void recordAttempt(const TaskOutcome &outcome); // only the journal keeps retried attempts
    void recordResult(const TaskOutcome &outcome);
    void ship(); // hands what was recorded on now

    // Results recorded or waiting (for the journal, the writer, or in
    // --keep-order's queue) take more than behindBytes of memory.
    bool isBehind() const;
    qint64 heldBytes() const
    {
        return m_queuedBytes.load(std::memory_order_relaxed) + m_orderingBytes.load(std::memory_order_relaxed);
    }

    // Ships the rest and asks the threads to end; waitFinished() until they have.
    // A writer stuck on a reader that never reads can only be left behind by
    // exiting the process (_exit), so the caller decides how long to wait.
    void finish();
    bool waitFinished(int timeoutMs);
    // Every result shipped so far is committed (or the journal was given up on).
    bool waitJournaled(int timeoutMs);

    bool journaling() const { return m_journaling.load(); }
    bool writeFailed() const { return m_writeFailed.load(); }
    // After waitFinished(): the writer's state, for the exit code and messages.
    const ResultWriter &writer() const { return *m_writer; }

Q_SIGNALS:
    void problem(const QString &message);                     // the journal failed; say so
    void writeError(const QString &message, bool brokenPipe); // the results output failed; once
    void caughtUp(); // isBehind() said true; now it would say false

private:
    using Batch = std::vector<RunJournal::Entry>;

    // Batches from one thread to the next, in order.
    class Handoff
    {
    public:
        void push(Batch batch);
        void close();
        bool takeAll(std::deque<Batch> *out); // waits; false once closed and empty
        bool waitDrained(int timeoutMs);      // closed, empty, and the taker done with it
        void markDrained();

    private:
        std::mutex m_mutex;
        std::condition_variable m_changed;
        std::deque<Batch> m_batches;
        bool m_closed = false;
        bool m_drained = false;
    };

    void journalLoop();
    void writerLoop();
    void journal(const Batch &batch);
    void write(const Batch &batch);
    static qint64 weight(const TaskOutcome &outcome);

    std::unique_ptr<ResultWriter> m_writer; // the writer thread's until it ends
    RunJournal *m_journal;                  // the journal thread's until it ends
    const qint64 m_behindBytes;
    Batch m_batch; // the caller's
    qint64 m_batchBytes = 0;

    Handoff m_toJournal;
    Handoff m_toWriter;
    std::atomic<qint64> m_queuedBytes{0};          // recorded, not yet written
    std::atomic<qint64> m_orderingBytes{0};        // held back by --keep-order
    mutable std::atomic<bool> m_seenBehind{false}; // isBehind() said true since the last caughtUp()
    std::atomic<bool> m_journaling;
    std::atomic<bool> m_writeFailed{false};
    Batch m_unjournaled; // the journal thread's: rows whose commit failed, tried again with the next batch
    int m_journalFailures = 0;
    std::thread m_journalThread; // only with a journal
    std::thread m_writerThread;
};
