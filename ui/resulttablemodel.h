#pragma once

#include "jobspec.h"
#include "task.h"

#include <QAbstractTableModel>
#include <QList>
#include <QTimer>

// One row per finished task. Outcomes arrive one signal at a time, possibly tens
// of thousands per second; the model buffers them and applies each 100 ms batch
// with a single beginInsertRows, so views never redraw per task.
//
// Rows are stored in chunks, one batch (or several small ones) per chunk, so a
// batch is added without copying or reallocating the rows already there, and
// an export can share the chunks instead of copying a million outcomes.
//
// A retried task keeps its row: when the retry ran, its outcome replaces the old
// one (same id, attempts added up); a retry that never ran (cancelled) leaves the
// row as it was.
class ResultTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        IdColumn,
        InputColumn,
        StatusColumn,
        PreviewColumn,
        ExitCodeColumn,
        AttemptsColumn,
        WorkerColumn,
        HostColumn,     // hidden by the window unless the job runs on other hosts
        DurationColumn,
        ColumnCount
    };
    enum Role
    {
        SortRole = Qt::UserRole + 1, // raw value for sorting
        StatusRole,                  // int(TaskStatus)
        IdRole,                      // qint64 task id
    };
    static constexpr int BatchIntervalMs = 100;

    explicit ResultTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void append(const TaskOutcome &outcome);
    void replace(int row, const TaskOutcome &retryOutcome);
    void flush();          // applies what is buffered now, instead of at the next batch
    void clear();          // also drops what is buffered

    // The job mode decides the export format (output vs result), as in `taskpool run`,
    // and the preview column's title.
    void setMode(JobSpec::Mode mode);
    JobSpec::Mode mode() const { return m_mode; }

    using Chunk = QList<TaskOutcome>;
    const TaskOutcome &outcome(int row) const;
    // Every row in order, sharing the storage (cheap to copy, safe to hand to a thread).
    QList<Chunk> chunks() const { return m_chunks; }
    qint64 count(TaskStatus status) const { return m_counts[int(status)]; }
    qsizetype pendingCount() const { return m_pendingAppends.size() + m_pendingReplacements.size(); }

    static QString preview(const TaskOutcome &outcome);

Q_SIGNALS:
    void countsChanged();

private:
    void scheduleFlush();
    void applyReplacements();
    void applyAppends();
    std::pair<int, int> locate(int row) const; // chunk and position in it

    static constexpr qsizetype SmallChunk = 4096; // below this, a batch joins the last chunk

    QList<Chunk> m_chunks;
    QList<int> m_chunkStarts;  // first row of each chunk
    int m_rowCount = 0;
    mutable int m_lastChunk = 0; // views and filters read rows in order: start looking here
    Chunk m_pendingAppends;
    QList<std::pair<int, TaskOutcome>> m_pendingReplacements;
    qint64 m_counts[TaskStatusCount] = {};
    JobSpec::Mode m_mode = JobSpec::Mode::PerTask;
    QTimer m_batchTimer;
};
