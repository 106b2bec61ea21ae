#include "resultsink.h"

#include <chrono>

void ResultSink::Handoff::push(Batch batch)
{
    {
        std::lock_guard lock(m_mutex);
        m_batches.push_back(std::move(batch));
    }
    m_changed.notify_all();
}

void ResultSink::Handoff::close()
{
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
    }
    m_changed.notify_all();
}

bool ResultSink::Handoff::takeAll(std::deque<Batch> *out)
{
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return !m_batches.empty() || m_closed; });
    if (m_batches.empty())
        return false;
    out->swap(m_batches);
    return true;
}

void ResultSink::Handoff::markDrained()
{
    {
        std::lock_guard lock(m_mutex);
        m_drained = true;
    }
    m_changed.notify_all();
}

bool ResultSink::Handoff::waitDrained(int timeoutMs)
{
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, std::chrono::milliseconds(timeoutMs), [this] { return m_drained; });
}

ResultSink::ResultSink(std::unique_ptr<ResultWriter> writer, RunJournal *journal, qint64 behindBytes, QObject *parent)
    : QObject(parent)
    , m_writer(std::move(writer))
    , m_journal(journal)
    , m_behindBytes(behindBytes)
    , m_journaling(journal != nullptr)
{
    if (m_journal)
        m_journalThread = std::thread([this] { journalLoop(); });
    m_writerThread = std::thread([this] { writerLoop(); });
}

ResultSink::~ResultSink()
{
    finish();
    if (m_journalThread.joinable())
        m_journalThread.join();
    if (m_writerThread.joinable())
        m_writerThread.join();
}

// What an outcome costs in memory, roughly: the record and its allocations.
qint64 ResultSink::weight(const TaskOutcome &o)
{
    constexpr qint64 Allocation = 32; // header and rounding of each non-empty QByteArray/QString
    auto bytes = [](qsizetype size) { return size > 0 ? size + Allocation : 0; };
    return qint64(sizeof(RunJournal::Entry)) + bytes(o.input.size()) + bytes(o.output.size())
        + bytes(o.errorOutput.size()) + bytes(o.result.size()) + bytes(o.error.size() * 2);
}

void ResultSink::recordAttempt(const TaskOutcome &outcome)
{
    if (!m_journal)
        return;
    m_batch.push_back(RunJournal::Entry{outcome, false});
    m_batchBytes += weight(outcome);
    if (m_batch.size() >= BatchSize)
        ship();
}

void ResultSink::recordResult(const TaskOutcome &outcome)
{
    m_batch.push_back(RunJournal::Entry{outcome, true});
    m_batchBytes += weight(outcome);
    if (m_batch.size() >= BatchSize)
        ship();
}

void ResultSink::ship()
{
    if (m_batch.empty())
        return;
    m_queuedBytes.fetch_add(m_batchBytes, std::memory_order_relaxed);
    m_batchBytes = 0;
    const size_t shipped = m_batch.size();
    (m_journal ? m_toJournal : m_toWriter).push(std::move(m_batch));
    m_batch = {};
    m_batch.reserve(shipped); // the next batch is likely as big: no regrowth, and no waste in a slow run
}

bool ResultSink::isBehind() const
{
    if (heldBytes() <= m_behindBytes)
        return false;
    m_seenBehind.store(true);
    return true;
}

void ResultSink::finish()
{
    ship();
    (m_journal ? m_toJournal : m_toWriter).close();
}

bool ResultSink::waitJournaled(int timeoutMs)
{
    return !m_journal || m_toJournal.waitDrained(timeoutMs);
}

bool ResultSink::waitFinished(int timeoutMs)
{
    if (!m_toWriter.waitDrained(timeoutMs))
        return false;
    if (m_journalThread.joinable())
        m_journalThread.join();
    if (m_writerThread.joinable())
        m_writerThread.join();
    return true;
}

void ResultSink::journalLoop()
{
    std::deque<Batch> work;
    while (m_toJournal.takeAll(&work)) {
        for (Batch &batch : work) {
            journal(batch);
            m_toWriter.push(std::move(batch));
        }
        work.clear();
    }
    m_toJournal.markDrained();
    m_toWriter.close();
}

void ResultSink::journal(const Batch &batch)
{
    if (!m_journaling.load(std::memory_order_relaxed))
        return;
    Batch merged;
    const Batch *rows = &batch;
    if (!m_unjournaled.empty()) {
        merged = std::move(m_unjournaled);
        m_unjournaled.clear();
        merged.insert(merged.end(), batch.begin(), batch.end());
        rows = &merged;
    }
    QString error;
    if (m_journal->write(*rows, &error)) {
        m_journalFailures = 0;
    } else if (++m_journalFailures >= JournalAttempts) {
        m_journaling = false;
        Q_EMIT problem(error + QStringLiteral(" - giving up on the journal; results still go to the results output"));
    } else {
        // The results still go out (a journal problem must not hold up the
        // work); the rows are tried again with the next batch.
        Q_EMIT problem(error);
        m_unjournaled = rows == &merged ? std::move(merged) : batch;
    }
}

void ResultSink::writerLoop()
{
    std::deque<Batch> work;
    while (m_toWriter.takeAll(&work)) {
        for (const Batch &batch : work)
            write(batch);
        work.clear(); // outcomes are freed here, not while the caller waits
        if (heldBytes() <= m_behindBytes && m_seenBehind.exchange(false))
            Q_EMIT caughtUp();
    }
    m_writer->finish();
    m_orderingBytes.store(0);
    if (m_writer->hasError() && !m_writeFailed.exchange(true))
        Q_EMIT writeError(m_writer->errorString(), m_writer->brokenPipe());
    m_toWriter.markDrained();
}

void ResultSink::write(const Batch &batch)
{
    qint64 bytes = 0;
    for (const RunJournal::Entry &entry : batch) {
        bytes += weight(entry.outcome);
        if (entry.final)
            m_writer->write(entry.outcome);
    }
    m_writer->flush();
    m_orderingBytes.store(m_writer->heldBytes(), std::memory_order_relaxed);
    m_queuedBytes.fetch_sub(bytes, std::memory_order_relaxed);
    if (m_writer->hasError() && !m_writeFailed.exchange(true))
        Q_EMIT writeError(m_writer->errorString(), m_writer->brokenPipe());
}
