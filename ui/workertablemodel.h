#pragma once

#include "processgroupusage.h"
#include "slot.h"

#include <QAbstractTableModel>
#include <QList>

// One row per worker slot of the running pool, fed from TaskPool::slotSnapshots()
// on a timer. Rows are inserted and removed as slots come and go; changed cells
// are announced as one dataChanged per block of adjacent changed rows.
class WorkerTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        SlotColumn,
        HostColumn,
        PidColumn,
        StateColumn,
        TaskColumn,
        ProgressColumn,
        ElapsedColumn,
        DoneColumn,
        FailuresColumn,
        CpuColumn,
        MemoryColumn,
        ColumnCount
    };
    enum Role
    {
        ProgressRole = Qt::UserRole + 1, // double 0..1, or -1 when the task reported none
        StateRole,                       // int(SlotState)
        PidRole,                         // qint64, 0 before the process started
        SlotRole,
        TaskIdRole,                      // qint64, -1 while the slot has no task
    };

    explicit WorkerTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Brings the rows in line with the pool's slots.
    void update(QList<SlotSnapshot> snapshots);
    // CPU and memory per process group (= worker pid).
    void setUsage(const QHash<qint64, GroupUsage> &usage);
    void clear();

    QList<qint64> pids() const;

private:
    struct Row
    {
        SlotSnapshot worker;
        GroupUsage usage;
    };

    void removeMissingSlots(const QList<SlotSnapshot> &snapshots);
    void insertNewSlots(const QList<SlotSnapshot> &snapshots);
    void emitChangedBlocks(const QList<int> &rows, int firstColumn, int lastColumn);
    static int firstDifference(const SlotSnapshot &a, const SlotSnapshot &b, int *lastColumn);
    QVariant display(const Row &row, int column) const;
    static QString hostText(const SlotSnapshot &w);

    QList<Row> m_rows; // in slot order
};
