#include "workertablemodel.h"

#include "displayformat.h"
#include "statusstyle.h"
#include "theme.h"

#include <QGuiApplication>
#include <QSet>

#include <algorithm>

WorkerTableModel::WorkerTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int WorkerTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int WorkerTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WorkerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case SlotColumn: return QStringLiteral("Slot");
        case HostColumn: return QStringLiteral("Host");
        case PidColumn: return QStringLiteral("PID");
        case StateColumn: return QStringLiteral("State");
        case TaskColumn: return QStringLiteral("Task");
        case ProgressColumn: return QStringLiteral("Progress");
        case ElapsedColumn: return QStringLiteral("Time");
        case DoneColumn: return QStringLiteral("Done");
        case FailuresColumn: return QStringLiteral("Fails");
        case CpuColumn: return QStringLiteral("CPU");
        case MemoryColumn: return QStringLiteral("Mem");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case SlotColumn: return QStringLiteral("Worker slot number (the \"worker\" of each result)");
        case HostColumn: return QStringLiteral("Where the slot runs: local, or the ssh/srun host; \"(down)\" while it is unreachable");
        case PidColumn: return QStringLiteral("Process id of the worker; its whole process tree shares this group id");
        case StateColumn: return QStringLiteral("starting, idle, busy, stopping, exited or crashed");
        case TaskColumn: return QStringLiteral("Current task: the input of the task the worker is on");
        case ProgressColumn: return QStringLiteral("Progress the task reported");
        case ElapsedColumn: return QStringLiteral("Elapsed: time spent on the current task");
        case DoneColumn: return QStringLiteral("Tasks this worker finished");
        case FailuresColumn: return QStringLiteral("Failures: attempts that failed, timed out or crashed on this worker (retries count too)");
        case CpuColumn: return QStringLiteral("CPU use of the worker's whole process tree (100 % = one core)");
        case MemoryColumn: return QStringLiteral("Memory: resident memory of the worker's whole process tree");
        }
    } else if (role == Qt::TextAlignmentRole) {
        return section == TaskColumn || section == HostColumn ? int(Qt::AlignLeft | Qt::AlignVCenter) : int(Qt::AlignCenter);
    }
    return {};
}

QVariant WorkerTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const SlotSnapshot &w = row.worker;
    switch (role) {
    case Qt::DisplayRole:
        return display(row, index.column());
    case Qt::ToolTipRole:
        if (index.column() == TaskColumn || index.column() == ProgressColumn) {
            if (w.taskId < 0)
                return QStringLiteral("No task");
            QString tip = QStringLiteral("Task %1: %2").arg(w.taskId).arg(DisplayFormat::firstLineOfInput(w.input, 500));
            if (!w.message.isEmpty())
                tip += QLatin1Char('\n') + w.message;
            if (w.queued > 0)
                tip += QStringLiteral("\n%1 more task(s) queued on this worker").arg(w.queued);
            return tip;
        }
        return display(row, index.column());
    case Qt::ForegroundRole:
        if (index.column() == HostColumn && w.hostDown)
            return Theme::errorColor(QGuiApplication::palette()); // this host is not working
        if (index.column() == StateColumn) {
            const QColor c = StatusStyle::color(w.state);
            return c.isValid() ? QVariant(c) : QVariant();
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == TaskColumn || index.column() == HostColumn)
            return int(Qt::AlignLeft | Qt::AlignVCenter);
        if (index.column() == StateColumn || index.column() == ProgressColumn)
            return int(Qt::AlignCenter);
        return int(Qt::AlignRight | Qt::AlignVCenter);
    case ProgressRole:
        return w.taskId >= 0 ? w.progress : -1.0;
    case StateRole:
        return int(w.state);
    case PidRole:
        return w.pid;
    case SlotRole:
        return w.slot;
    case TaskIdRole:
        return w.taskId;
    }
    return {};
}

QVariant WorkerTableModel::display(const Row &row, int column) const
{
    const SlotSnapshot &w = row.worker;
    switch (column) {
    case SlotColumn: return w.slot;
    case HostColumn: return hostText(w);
    case PidColumn: return w.pid > 0 ? QVariant(w.pid) : QVariant(QStringLiteral("—"));
    case StateColumn: return slotStateName(w.state);
    case TaskColumn: return w.taskId >= 0 ? DisplayFormat::firstLineOfInput(w.input, 120) : QString();
    case ProgressColumn:
        if (w.taskId < 0)
            return QString();
        return w.progress >= 0 ? QStringLiteral("%1%").arg(int(w.progress * 100)) : QString();
    case ElapsedColumn: return w.taskId >= 0 ? DisplayFormat::duration(w.taskElapsedMs) : QString();
    case DoneColumn: return w.tasksDone;
    case FailuresColumn: return w.failures;
    case CpuColumn: return DisplayFormat::percent(row.usage.cpuPercent);
    case MemoryColumn: return DisplayFormat::bytes(row.usage.rssBytes);
    }
    return {};
}

QString WorkerTableModel::hostText(const SlotSnapshot &w)
{
    // The pool names local slots "localhost" (or nothing without hosts); "local" reads better.
    const QString name = w.host.isEmpty() || w.host == QLatin1String("localhost") ? QStringLiteral("local") : w.host;
    return w.hostDown ? QStringLiteral("%1 (down)").arg(name) : name;
}

void WorkerTableModel::update(QList<SlotSnapshot> snapshots)
{
    std::sort(snapshots.begin(), snapshots.end(),
              [](const SlotSnapshot &a, const SlotSnapshot &b) { return a.slot < b.slot; });
    removeMissingSlots(snapshots);
    insertNewSlots(snapshots);
    Q_ASSERT(m_rows.size() == snapshots.size());

    QList<int> changedRows;
    int firstColumn = ColumnCount;
    int lastColumn = -1;
    for (int i = 0; i < m_rows.size(); ++i) {
        Row &row = m_rows[i];
        int last = -1;
        const int first = firstDifference(row.worker, snapshots.at(i), &last);
        if (first < 0)
            continue;
        if (row.worker.pid != snapshots.at(i).pid) {
            row.usage = GroupUsage(); // a new process: the old figures are not its own
            last = qMax<int>(last, MemoryColumn);
        }
        row.worker = snapshots.at(i);
        changedRows.append(i);
        firstColumn = qMin(firstColumn, first);
        lastColumn = qMax(lastColumn, last);
    }
    emitChangedBlocks(changedRows, firstColumn, lastColumn);
}

void WorkerTableModel::removeMissingSlots(const QList<SlotSnapshot> &snapshots)
{
    QSet<int> liveSlots;
    for (const SlotSnapshot &w : snapshots)
        liveSlots.insert(w.slot);
    auto present = [&liveSlots](int slot) { return liveSlots.contains(slot); };
    // From the end, so earlier row numbers stay valid; adjacent rows go in one step.
    int row = int(m_rows.size()) - 1;
    while (row >= 0) {
        if (present(m_rows.at(row).worker.slot)) {
            --row;
            continue;
        }
        const int last = row;
        while (row > 0 && !present(m_rows.at(row - 1).worker.slot))
            --row;
        beginRemoveRows({}, row, last);
        m_rows.remove(row, last - row + 1);
        endRemoveRows();
        --row;
    }
}

void WorkerTableModel::insertNewSlots(const QList<SlotSnapshot> &snapshots)
{
    // Both lists are in slot order and every row's slot is in snapshots now.
    int row = 0;
    int i = 0;
    while (i < snapshots.size()) {
        if (row < m_rows.size() && m_rows.at(row).worker.slot == snapshots.at(i).slot) {
            ++row;
            ++i;
            continue;
        }
        int end = i;
        while (end < snapshots.size() && (row >= m_rows.size() || snapshots.at(end).slot < m_rows.at(row).worker.slot))
            ++end;
        const int count = end - i;
        beginInsertRows({}, row, row + count - 1);
        for (int k = i; k < end; ++k)
            m_rows.insert(row + (k - i), Row{snapshots.at(k), GroupUsage()});
        endInsertRows();
        row += count;
        i = end;
    }
}

int WorkerTableModel::firstDifference(const SlotSnapshot &a, const SlotSnapshot &b, int *lastColumn)
{
    const bool differs[ColumnCount] = {
        a.slot != b.slot,
        a.host != b.host || a.hostDown != b.hostDown,
        a.pid != b.pid,
        a.state != b.state,
        a.taskId != b.taskId || a.input != b.input || a.message != b.message || a.queued != b.queued,
        a.taskId != b.taskId || a.progress != b.progress || a.message != b.message,
        a.taskId != b.taskId || a.taskElapsedMs != b.taskElapsedMs,
        a.tasksDone != b.tasksDone,
        a.failures != b.failures,
        false,
        false,
    };
    int first = -1;
    for (int c = 0; c < ColumnCount; ++c) {
        if (!differs[c])
            continue;
        if (first < 0)
            first = c;
        *lastColumn = c;
    }
    return first;
}

void WorkerTableModel::emitChangedBlocks(const QList<int> &rows, int firstColumn, int lastColumn)
{
    int i = 0;
    while (i < rows.size()) {
        int j = i;
        while (j + 1 < rows.size() && rows.at(j + 1) == rows.at(j) + 1)
            ++j;
        Q_EMIT dataChanged(index(rows.at(i), firstColumn), index(rows.at(j), lastColumn));
        i = j + 1;
    }
}

void WorkerTableModel::setUsage(const QHash<qint64, GroupUsage> &usage)
{
    QList<int> changedRows;
    for (int i = 0; i < m_rows.size(); ++i) {
        Row &row = m_rows[i];
        const GroupUsage next = row.worker.pid > 0 ? usage.value(row.worker.pid) : GroupUsage();
        if (next.cpuPercent == row.usage.cpuPercent && next.rssBytes == row.usage.rssBytes)
            continue;
        row.usage = next;
        changedRows.append(i);
    }
    emitChangedBlocks(changedRows, CpuColumn, MemoryColumn);
}

void WorkerTableModel::clear()
{
    if (m_rows.isEmpty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

QList<qint64> WorkerTableModel::pids() const
{
    QList<qint64> list;
    for (const Row &row : m_rows) {
        if (row.worker.pid > 0)
            list.append(row.worker.pid);
    }
    return list;
}
