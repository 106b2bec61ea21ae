#pragma once

#include "taskpool.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class ThroughputChart;

// The run at a glance: overall progress, counts, throughput, ETA and the
// throughput chart. Fed with the pool's stats on the UI refresh timer.
class SummaryPanel : public QWidget
{
    Q_OBJECT
public:
    explicit SummaryPanel(QWidget *parent = nullptr);

    void reset();
    void update(const PoolStats &stats, bool active);
    // One line per host of a job that lists hosts; an empty list hides them.
    void updateHosts(const QList<HostSnapshot> &hosts);

    QProgressBar *progressBar() const { return m_progress; }
    ThroughputChart *chart() const { return m_chart; }
    QLabel *hostCounts() const { return m_hosts; }
    // Why no task starts although one could (--memfree, --load, --delay); hidden when nothing holds them.
    QLabel *waitingNote() const { return m_waiting; }
    QString countText(const QString &name) const; // for tests: "queued", "running", ...

private:
    QLabel *addCount(const QString &name, const QString &caption, const QString &tooltip, int row, int column);

    QProgressBar *m_progress;
    ThroughputChart *m_chart;
    QLabel *m_queued = nullptr;
    QLabel *m_running = nullptr;
    QLabel *m_ok = nullptr;
    QLabel *m_failed = nullptr;
    QLabel *m_cancelled = nullptr;
    QLabel *m_retried = nullptr;
    QLabel *m_throughput = nullptr;
    QLabel *m_elapsed = nullptr;
    QLabel *m_eta = nullptr;
    QLabel *m_hosts;
    QLabel *m_waiting;
    class QGridLayout *m_counts = nullptr;
    // Chart samples: one per whole second of run time.
    qint64 m_lastSampleSecond = 0;
    double m_lastSampleElapsed = 0;
    qint64 m_lastSampleFinished = 0;
};
