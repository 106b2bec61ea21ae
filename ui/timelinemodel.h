#pragma once

#include "slot.h"
#include "task.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <vector>

// Every attempt of a run on a time axis, one lane per worker slot, lanes
// grouped by host: the data behind TimelineView. It is fed plain data
// (finished attempts as TaskOutcome, running ones from slot snapshots), so
// a live run, a past run from the journal and a watched run look the same.
//
// Built for a million attempts: each lane keeps its attempts in start order in
// compact arrays (about 17 bytes plus the input's bytes per attempt), with a
// running sum of busy time, so what falls into one pixel column is summed in
// O(log n) by two binary searches, never by visiting its attempts. A view asks
// for W columns of a lane (columns()) or, when few attempts are in range, for
// the attempts themselves (attempts()); either way the cost follows the pixels,
// not the attempt count.
//
// Task ids are kept in 32 bits (a task's id is its place in the run's inputs).
//
// Attempts are buffered as they arrive and put in place at most every
// SettleIntervalMs; changed() follows, so a fast run costs one update per tick.
class TimelineModel : public QObject
{
    Q_OBJECT
public:
    static constexpr int SettleIntervalMs = 100;
    static constexpr int MaxInputBytes = 256; // kept per attempt, for the tooltip

    // One attempt as the view shows it. Times are ms after origin().
    struct Attempt
    {
        qint64 taskId = -1;
        QByteArray input;
        TaskStatus status = TaskStatus::Pending;
        bool retried = false; // another attempt of the task followed
        bool running = false; // still going: ends at now()
        qint64 startMs = 0;
        qint64 endMs = 0;
        int lane = -1;
    };

    // What one pixel column of a lane holds.
    struct Column
    {
        quint32 attempts = 0; // starting in the column, plus one begun before that reaches into it
        float busy = 0;       // fraction of the column's time some attempt ran (0..1)
        TaskStatus status = TaskStatus::Pending; // the worst status among them; Pending: none
        bool running = false;                  // the lane's running attempt covers part of it
    };

    struct LaneInfo
    {
        QString host;
        int slot = -1;
        int hostIndex = 0; // position of its host among hosts()
    };

    explicit TimelineModel(QObject *parent = nullptr);
    ~TimelineModel() override;

    // A finished attempt: retried = true for one that is being retried. Attempts
    // that never started (no start time or no slot) have no bar and are skipped.
    void addAttempt(const TaskOutcome &outcome, bool retried = false);
    // The attempts running now, from the pool's (or a watched run's) slot snapshots.
    void setRunning(const QList<SlotSnapshot> &snapshots, qint64 nowEpochMs);
    void clear();
    void flush(); // puts buffered attempts in place now (and signals), instead of at the next tick

    // Lanes in display order: hosts in the order they appeared, slots ascending.
    int laneCount() const { return int(m_order.size()); }
    LaneInfo lane(int lane) const;
    QStringList hosts() const { return m_hosts; }

    qint64 origin() const { return m_origin; } // epoch ms of time 0; 0 when empty
    qint64 startMs() const { return m_minStart; }
    qint64 endMs() const;                      // the last end, or now() while attempts run
    qint64 now() const { return m_now; }
    bool isEmpty() const { return m_attemptCount == 0 && m_runningCount == 0; }

    qint64 attemptCount() const { return m_attemptCount; } // finished attempts in place
    qint64 count(TaskStatus status) const { return m_statusCounts[int(status)]; }
    qint64 retriedCount() const { return m_retriedCount; }
    int runningCount() const { return m_runningCount; }

    // The lane's finished attempts over [fromMs, fromMs + columns * msPerColumn),
    // one entry per column, into out (resized to columns).
    void columns(int lane, double fromMs, double msPerColumn, int columns, std::vector<Column> *out) const;
    // Finished attempts of the lane overlapping [fromMs, toMs), at most max of
    // them; false (and out empty) when there are more: draw columns instead.
    bool attempts(int lane, qint64 fromMs, qint64 toMs, int max, QList<Attempt> *out) const;
    // The lane's running attempt, if any.
    bool runningAttempt(int lane, Attempt *out) const;
    // The attempt of the lane at this time (running included), or the nearest
    // one within toleranceMs of it.
    bool attemptAt(int lane, qint64 timeMs, qint64 toleranceMs, Attempt *out) const;

    // Memory held per finished attempt (the lanes' blocks, inputs included), for the benchmark.
    double bytesPerAttempt() const;

Q_SIGNALS:
    void changed(); // coalesced: at most once per SettleIntervalMs
    void cleared();

private:
    struct Lane;
    struct Pending;
    Lane &laneFor(const QString &host, int slot);
    void settle();
    void scheduleChanged();
    void rebuildOrder();
    qint64 relative(qint64 epochMs);

    std::vector<Lane *> m_lanes;  // in the order they appeared
    std::vector<int> m_order;     // display order: indexes into m_lanes
    QStringList m_hosts;
    qint64 m_origin = 0;
    qint64 m_minStart = 0;
    qint64 m_maxEnd = 0;
    qint64 m_now = 0;
    qint64 m_attemptCount = 0;
    qint64 m_retriedCount = 0;
    int m_runningCount = 0;
    qint64 m_statusCounts[TaskStatusCount] = {};
    bool m_hasPending = false;
    QTimer m_settleTimer;
};
