#include "resulttablemodel.h"

#include "displayformat.h"
#include "statusstyle.h"
#include "sweepvalues.h"

#include <algorithm>

ResultTableModel::ResultTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_batchTimer.setSingleShot(true);
    m_batchTimer.setInterval(BatchIntervalMs);
    connect(&m_batchTimer, &QTimer::timeout, this, &ResultTableModel::flush);
}

int ResultTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_store.size());
}

int ResultTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount + int(m_parameters.size());
}

int ResultTableModel::parameterAt(int column) const
{
    const int parameter = column - ColumnCount;
    return parameter >= 0 && parameter < m_parameters.size() ? parameter : -1;
}

QStringList ResultTableModel::parameterNames() const
{
    QStringList names;
    for (const SweepParameter &p : m_parameters)
        names.append(p.name);
    return names;
}

void ResultTableModel::setParameters(const QList<SweepParameter> &parameters)
{
    bool same = parameters.size() == m_parameters.size();
    for (qsizetype i = 0; same && i < parameters.size(); ++i) {
        same = parameters[i].name == m_parameters[i].name && parameters[i].values == m_parameters[i].values
            && parameters[i].linked == m_parameters[i].linked;
    }
    if (same)
        return;
    flush(); // rows waiting in the batch land under the columns they came with
    beginResetModel();
    m_parameters = parameters;
    endResetModel();
    Q_EMIT parametersChanged();
}

QVariant ResultTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return {};
    if (const int parameter = parameterAt(section); parameter >= 0) {
        if (role == Qt::DisplayRole)
            return SweepValues::label(m_parameters[parameter].name);
        if (role == Qt::ToolTipRole)
            return QStringLiteral("Sweep parameter %1: the task's value of it").arg(SweepValues::label(m_parameters[parameter].name));
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (section) {
        case IdColumn: return QStringLiteral("Id");
        case InputColumn: return QStringLiteral("Input");
        case StatusColumn: return QStringLiteral("Status");
        case PreviewColumn: return m_mode == JobSpec::Mode::Worker ? QStringLiteral("Result") : QStringLiteral("Output");
        case ExitCodeColumn: return QStringLiteral("Exit");
        case AttemptsColumn: return QStringLiteral("Tries");
        case WorkerColumn: return QStringLiteral("Slot");
        case HostColumn: return QStringLiteral("Host");
        case DurationColumn: return QStringLiteral("Time");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case IdColumn: return QStringLiteral("Task id: the input's position, from 0");
        case InputColumn: return QStringLiteral("The task's input");
        case StatusColumn: return QStringLiteral("ok, failed, timed out, crashed, stalled (silent too long) or cancelled (never run)");
        case PreviewColumn: return QStringLiteral("First line of the result (worker mode), the output (per-task mode) or the error");
        case ExitCodeColumn: return QStringLiteral("Exit code of a per-task command");
        case AttemptsColumn: return QStringLiteral("Attempts: how many times the task ran, retries included");
        case WorkerColumn: return QStringLiteral("Worker: the slot of the worker that ran the last attempt");
        case HostColumn: return QStringLiteral("Host the last attempt ran on");
        case DurationColumn: return QStringLiteral("Duration: run time of the last attempt");
        }
    }
    return {};
}

QString ResultTableModel::preview(const ResultStorage::RowView &o)
{
    if (o.status() != TaskStatus::Ok && !o.errorUtf8().isEmpty())
        return DisplayFormat::firstLineOfUtf8(o.errorUtf8());
    if (!o.result().isEmpty())
        return DisplayFormat::firstLineOfUtf8(o.result());
    if (!o.output().isEmpty())
        return DisplayFormat::firstLineOfUtf8(o.output());
    return DisplayFormat::firstLineOfUtf8(o.errorOutput());
}

QVariant ResultTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ResultStorage::RowView o = m_store.row(index.row());
    const int column = index.column();
    if (const int parameter = parameterAt(column); parameter >= 0) {
        const QByteArrayView value = SweepValues::value(o.input(), parameter);
        switch (role) {
        case Qt::DisplayRole:
        case Qt::ToolTipRole:
            return SweepValues::text(value);
        case Qt::TextAlignmentRole: {
            double number;
            return int((SweepValues::toNumber(value, &number) ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
        }
        case SortRole: {
            double number;
            return SweepValues::toNumber(value, &number) ? QVariant(number) : QVariant(SweepValues::text(value));
        }
        case StatusRole: return int(o.status());
        case IdRole: return o.id();
        }
        return {};
    }
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (column) {
        case IdColumn: return o.id();
        case InputColumn: return DisplayFormat::firstLineOfInput(o.input(), role == Qt::ToolTipRole ? 1000 : 200);
        case StatusColumn: return StatusStyle::label(o.status());
        case PreviewColumn: return preview(o);
        case ExitCodeColumn: return o.exitCode() >= 0 ? QVariant(o.exitCode()) : QVariant(QStringLiteral("—"));
        case AttemptsColumn: return o.attempts();
        case WorkerColumn: return o.worker() >= 0 ? QVariant(o.worker()) : QVariant(QStringLiteral("—"));
        case HostColumn: return o.host().isEmpty() ? QStringLiteral("—") : o.host();
        case DurationColumn: return o.startedAtMs() > 0 ? DisplayFormat::duration(o.durationMs()) : QStringLiteral("—");
        }
        return {};
    case Qt::DecorationRole:
        return column == StatusColumn ? QVariant(StatusStyle::icon(o.status())) : QVariant();
    case Qt::ForegroundRole:
        return column == StatusColumn ? QVariant(StatusStyle::color(o.status())) : QVariant();
    case Qt::TextAlignmentRole:
        if (column == InputColumn || column == PreviewColumn || column == StatusColumn || column == HostColumn)
            return int(Qt::AlignLeft | Qt::AlignVCenter);
        return int(Qt::AlignRight | Qt::AlignVCenter);
    case SortRole:
        switch (column) {
        case IdColumn: return o.id();
        case InputColumn: return DisplayFormat::inputText(o.input());
        case StatusColumn: return int(o.status());
        case PreviewColumn: return preview(o);
        case ExitCodeColumn: return o.exitCode();
        case AttemptsColumn: return o.attempts();
        case WorkerColumn: return o.worker();
        case HostColumn: return o.host();
        case DurationColumn: return o.durationMs();
        }
        return {};
    case StatusRole:
        return int(o.status());
    case IdRole:
        return o.id();
    }
    return {};
}

void ResultTableModel::setMode(JobSpec::Mode mode)
{
    if (m_mode == mode)
        return;
    m_mode = mode;
    Q_EMIT headerDataChanged(Qt::Horizontal, PreviewColumn, PreviewColumn);
}

void ResultTableModel::append(const TaskOutcome &outcome)
{
    m_pendingAppends.append(outcome);
    scheduleFlush();
}

void ResultTableModel::replace(int row, const TaskOutcome &retryOutcome)
{
    if (retryOutcome.status == TaskStatus::Cancelled && retryOutcome.attempts == 0)
        return; // the retry never ran: the row still tells what happened
    m_pendingReplacements.append({row, retryOutcome});
    scheduleFlush();
}

void ResultTableModel::scheduleFlush()
{
    if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

void ResultTableModel::flush()
{
    m_batchTimer.stop();
    if (m_pendingAppends.isEmpty() && m_pendingReplacements.isEmpty())
        return;
    applyReplacements();
    applyAppends();
    Q_EMIT countsChanged();
}

void ResultTableModel::applyAppends()
{
    if (m_pendingAppends.isEmpty())
        return;
    const int first = rowCount();
    beginInsertRows({}, first, first + int(m_pendingAppends.size()) - 1);
    for (const TaskOutcome &o : std::as_const(m_pendingAppends)) {
        ++m_counts[int(o.status)];
        m_store.append(o);
    }
    m_pendingAppends.clear(); // keeps its capacity: the next batch is likely as big
    endInsertRows();
}

void ResultTableModel::applyReplacements()
{
    if (m_pendingReplacements.isEmpty())
        return;
    QList<int> changed;
    for (auto &[row, retried] : m_pendingReplacements) {
        if (row < 0 || row >= rowCount())
            continue;
        const ResultStorage::RowView current = m_store.row(row);
        --m_counts[int(current.status())];
        ++m_counts[int(retried.status)];
        retried.id = current.id();
        retried.attempts += current.attempts();
        m_store.replace(row, retried);
        changed.append(row);
    }
    m_pendingReplacements.clear();
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    for (int i = 0; i < changed.size();) {
        int j = i;
        while (j + 1 < changed.size() && changed.at(j + 1) == changed.at(j) + 1)
            ++j;
        Q_EMIT dataChanged(index(changed.at(i), 0), index(changed.at(j), columnCount() - 1));
        i = j + 1;
    }
}

void ResultTableModel::clear()
{
    m_batchTimer.stop();
    m_pendingAppends.clear();
    m_pendingReplacements.clear();
    beginResetModel();
    m_store.clear();
    std::fill(std::begin(m_counts), std::end(m_counts), 0);
    endResetModel();
    Q_EMIT countsChanged();
}
