#pragma once

#include "jobspec.h"
#include "resultstore.h"
#include "sweep.h"
#include "task.h"

#include <QAbstractTableModel>
#include <QList>
#include <QTimer>

// One row per finished task. Outcomes arrive one signal at a time, possibly tens
// of thousands per second; the model buffers them and applies each 100 ms batch
// with a single beginInsertRows, so views never redraw per task.
//
// Rows are stored compactly (ResultStorage::Store: a 48-byte row plus the
// row's bytes), so a million results take ~150 MB, not ~360 MB; an export
// takes a snapshot that shares the storage instead of copying it.
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
        ColumnCount // a sweep's parameter columns follow, one per parameter
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

    // A sweep's parameters (JobSpec::parameters): a column each, after the
    // fixed ones, its value split from the row's input when asked for (no
    // row keeps its values). Setting other parameters resets the model;
    // parametersChanged() follows. Empty for any other job.
    void setParameters(const QList<SweepParameter> &parameters);
    const QList<SweepParameter> &parameters() const { return m_parameters; }
    QStringList parameterNames() const;
    // The parameter a column shows (-1: a fixed column), and the reverse.
    int parameterAt(int column) const;
    int parameterColumn(int parameter) const { return ColumnCount + parameter; }

    // A copy of the row's outcome, for the detail pane and a retry's inputs.
    TaskOutcome outcome(int row) const { return m_store.row(row).toOutcome(); }
    // The row read in place, for sweeps over every row (filter, sort, counts);
    // valid until the model next changes.
    ResultStorage::RowView row(int row) const { return m_store.row(row); }
    // Every row in order, sharing the storage (cheap, safe to hand to a thread).
    ResultStorage::Snapshot snapshot() const { return m_store.snapshot(); }
    const ResultStorage::Store &store() const { return m_store; }
    qint64 count(TaskStatus status) const { return m_counts[int(status)]; }
    qsizetype pendingCount() const { return m_pendingAppends.size() + m_pendingReplacements.size(); }

    static QString preview(const ResultStorage::RowView &row);

Q_SIGNALS:
    void countsChanged();
    void parametersChanged();

private:
    void scheduleFlush();
    void applyReplacements();
    void applyAppends();

    ResultStorage::Store m_store;
    QList<TaskOutcome> m_pendingAppends;
    QList<std::pair<int, TaskOutcome>> m_pendingReplacements;
    qint64 m_counts[TaskStatusCount] = {};
    JobSpec::Mode m_mode = JobSpec::Mode::PerTask;
    QList<SweepParameter> m_parameters;
    QTimer m_batchTimer;
};
