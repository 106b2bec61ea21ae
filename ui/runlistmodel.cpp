#include "runlistmodel.h"

#include "commandline.h"
#include "displayformat.h"
#include "statusstyle.h"

#include <QDateTime>
#include <QFont>
#include <QDir>
#include <QFileInfo>
#include <QLocale>

#include <algorithm>

RunListModel::RunListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int RunListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size());
}

int RunListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case IdColumn: return QStringLiteral("Run");
        case StartedColumn: return QStringLiteral("Started");
        case JobColumn: return QStringLiteral("Job");
        case StateColumn: return QStringLiteral("State");
        case TasksColumn: return QStringLiteral("Tasks");
        case OkColumn: return QStringLiteral("OK");
        case FailedColumn: return QStringLiteral("Failed");
        case CancelledColumn: return QStringLiteral("Cut");
        case DurationColumn: return QStringLiteral("Time");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case IdColumn: return QStringLiteral("The run's number in the journal (taskpool export --run N)");
        case StartedColumn: return QStringLiteral("When the run started");
        case JobColumn: return QStringLiteral("The command the run ran");
        case StateColumn: return QStringLiteral("How the run ended; interrupted: the program running it was killed");
        case TasksColumn: return QStringLiteral("Tasks with a recorded result");
        case OkColumn: return QStringLiteral("Tasks that finished OK");
        case FailedColumn: return QStringLiteral("Tasks that failed, timed out, crashed or stalled");
        case CancelledColumn: return QStringLiteral("Cancelled: tasks never run (or cut off) because the run was stopped or terminated");
        case DurationColumn: return QStringLiteral("Duration: from start to end of the run");
        }
    }
    return {};
}

RunInfo RunListModel::shown(int row) const
{
    RunInfo info = m_runs.at(row);
    if (info.id != m_liveRun || m_liveRun < 0)
        return info;
    info.state = QStringLiteral("running"); // until the journal says how it ended
    info.counts = m_liveStats;
    info.counts.retried = 0; // a run's counts are of tasks, not attempts
    return info;
}

QVariant RunListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RunInfo r = shown(index.row());
    const int column = index.column();
    const QLocale locale;
    const bool live = r.id == m_liveRun;
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case IdColumn: return r.id;
        case StartedColumn: return startedText(r.startedAtMs);
        case JobColumn: return jobText(r.spec);
        case StateColumn: return stateLabel(r.state);
        case TasksColumn: return locale.toString(r.finished());
        case OkColumn: return locale.toString(r.counts.ok);
        case FailedColumn: return locale.toString(r.failures());
        case CancelledColumn: return locale.toString(r.counts.cancelled);
        case DurationColumn:
            if (live)
                return DisplayFormat::seconds(m_liveStats.elapsedSeconds);
            if (r.finishedAtMs > 0)
                return DisplayFormat::duration(qMax<qint64>(0, r.finishedAtMs - r.startedAtMs));
            return QStringLiteral("—");
        }
        return {};
    case Qt::ToolTipRole:
        switch (column) {
        case StartedColumn: return locale.toString(QDateTime::fromMSecsSinceEpoch(r.startedAtMs), QLocale::LongFormat);
        case JobColumn: {
            QString text = CommandLine::join(r.spec.command);
            text += QStringLiteral("\n%1, inputs: %2").arg(r.spec.mode == JobSpec::Mode::Worker
                                                               ? QStringLiteral("long-lived workers")
                                                               : QStringLiteral("one process per task"),
                                                           inputsText(r.spec));
            if (!r.spec.workingDirectory.isEmpty())
                text += QStringLiteral("\nin ") + QDir::toNativeSeparators(r.spec.workingDirectory);
            return text;
        }
        case StateColumn:
            if (!r.message.isEmpty())
                return r.message;
            if (r.state == QLatin1String("interrupted"))
                return QStringLiteral("The program running it was killed; every result recorded before that is kept. "
                                      "Resume runs the rest.");
            if (live)
                return QStringLiteral("Running in this window");
            return {};
        case FailedColumn:
            return QStringLiteral("%1 failed, %2 timed out, %3 crashed, %4 stalled")
                .arg(r.counts.failed)
                .arg(r.counts.timedOut)
                .arg(r.counts.crashed)
                .arg(r.counts.stalled);
        case DurationColumn:
            return r.finishedAtMs > 0 || live ? QVariant() : QVariant(QStringLiteral("The run did not record its end"));
        }
        return {};
    case Qt::ForegroundRole:
        if (column == StateColumn)
            return StatusStyle::runStateColor(r.state);
        if (column == FailedColumn && r.failures() > 0)
            return StatusStyle::color(TaskStatus::Failed);
        return {};
    case Qt::DecorationRole:
        return column == StateColumn ? QVariant(StatusStyle::runStateIcon(r.state)) : QVariant();
    case Qt::FontRole:
        if (live) { // the run going on in this window
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column == StartedColumn || column == JobColumn || column == StateColumn)
            return int(Qt::AlignLeft | Qt::AlignVCenter);
        return int(Qt::AlignRight | Qt::AlignVCenter);
    case RunIdRole:
        return r.id;
    case StateRole:
        return r.state;
    }
    return {};
}

int RunListModel::rowOfRun(qint64 runId) const
{
    for (int row = 0; row < m_runs.size(); ++row) {
        if (m_runs.at(row).id == runId)
            return row;
    }
    return -1;
}

bool RunListModel::sameContent(const RunInfo &a, const RunInfo &b)
{
    return a.state == b.state && a.finishedAtMs == b.finishedAtMs && a.message == b.message
        && a.counts == b.counts;
}

void RunListModel::setRuns(const QList<RunInfo> &runs)
{
    // Both lists are newest first. Drop the rows that are gone, bottom up, in blocks...
    QSet<qint64> incoming;
    for (const RunInfo &r : runs)
        incoming.insert(r.id);
    for (int row = int(m_runs.size()) - 1; row >= 0;) {
        if (incoming.contains(m_runs.at(row).id)) {
            --row;
            continue;
        }
        int first = row;
        while (first > 0 && !incoming.contains(m_runs.at(first - 1).id))
            --first;
        beginRemoveRows({}, first, row);
        m_runs.remove(first, row - first + 1);
        endRemoveRows();
        row = first - 1;
    }
    // ...then what is left is a subsequence of the new list: insert the new ones, update the rest.
    int firstChanged = -1;
    int lastChanged = -1;
    for (int i = 0; i < runs.size(); ++i) {
        if (i >= m_runs.size() || m_runs.at(i).id != runs.at(i).id) {
            beginInsertRows({}, i, i);
            m_runs.insert(i, runs.at(i));
            endInsertRows();
            continue;
        }
        if (!sameContent(m_runs.at(i), runs.at(i))) {
            m_runs[i] = runs.at(i);
            firstChanged = firstChanged < 0 ? i : firstChanged;
            lastChanged = i;
        }
    }
    if (firstChanged >= 0)
        Q_EMIT dataChanged(index(firstChanged, 0), index(lastChanged, ColumnCount - 1));
}

void RunListModel::setLiveRun(qint64 runId, const PoolStats &stats)
{
    const qint64 previous = m_liveRun;
    m_liveRun = runId;
    m_liveStats = stats;
    for (qint64 id : {previous, runId}) {
        const int row = id >= 0 ? rowOfRun(id) : -1;
        if (row >= 0)
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        if (previous == runId)
            break;
    }
}

void RunListModel::clearLiveRun()
{
    const int row = m_liveRun >= 0 ? rowOfRun(m_liveRun) : -1;
    m_liveRun = -1;
    m_liveStats = PoolStats();
    if (row >= 0)
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

QString RunListModel::stateLabel(const QString &state)
{
    return state.isEmpty() ? state : state.at(0).toUpper() + state.mid(1);
}

QString RunListModel::jobText(const JobSpec &spec)
{
    if (spec.command.isEmpty())
        return QStringLiteral("(no command)");
    // Quoted as in a shell, so the words can be told apart; the full path is in the tooltip.
    return CommandLine::join(QStringList{QFileInfo(spec.command.first()).fileName()} + spec.command.mid(1));
}

QString RunListModel::inputsText(const JobSpec &spec)
{
    const QLocale locale;
    switch (spec.inputKind) {
    case JobSpec::InputKind::Range:
        return spec.rangeCount > 0 ? QStringLiteral("numbers 0 … %1").arg(locale.toString(spec.rangeCount - 1))
                                   : QStringLiteral("none");
    case JobSpec::InputKind::File: return QStringLiteral("lines of %1").arg(QDir::toNativeSeparators(spec.inputFile));
    case JobSpec::InputKind::List: return QStringLiteral("a list of %1").arg(locale.toString(spec.inputList.size()));
    }
    return {};
}

QString RunListModel::startedText(qint64 msSinceEpoch)
{
    const QDateTime when = QDateTime::fromMSecsSinceEpoch(msSinceEpoch);
    const QDate today = QDate::currentDate();
    if (when.date() == today)
        return when.toString(QStringLiteral("HH:mm:ss"));
    if (when.date().daysTo(today) < 7 && when.date() < today)
        return when.toString(QStringLiteral("ddd HH:mm"));
    return when.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}
