#include "resultfilterproxy.h"

#include "displayformat.h"
#include "resulttablemodel.h"

ResultFilterProxy::ResultFilterProxy(ResultTableModel *source, QObject *parent)
    : QSortFilterProxyModel(parent)
    , m_results(source)
{
    setSourceModel(source);
    setSortRole(ResultTableModel::SortRole);
}

void ResultFilterProxy::setStatusFilter(std::optional<TaskStatus> status)
{
    if (m_status == status)
        return;
    m_status = status;
    invalidateRowsFilter();
}

void ResultFilterProxy::setSearchText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (m_search == trimmed)
        return;
    m_search = trimmed;
    invalidateRowsFilter();
}

bool ResultFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid())
        return false;
    // Read the row in place: this runs for every new row of a fast run.
    const ResultStorage::RowView o = m_results->row(sourceRow);
    if (m_status && o.status() != *m_status)
        return false;
    if (m_search.isEmpty())
        return true;
    return QString::number(o.id()) == m_search
        || DisplayFormat::inputText(o.input()).contains(m_search, Qt::CaseInsensitive)
        || ResultTableModel::preview(o).contains(m_search, Qt::CaseInsensitive);
}

bool ResultFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    // Compare the rows in place: sorting a big table through QVariants
    // would stall the window each time a batch lands in sorted order.
    const ResultStorage::RowView a = m_results->row(left.row());
    const ResultStorage::RowView b = m_results->row(right.row());
    switch (left.column()) {
    case ResultTableModel::IdColumn: return a.id() < b.id();
    case ResultTableModel::InputColumn: return a.input().compare(b.input()) < 0;
    case ResultTableModel::StatusColumn: return a.status() < b.status();
    case ResultTableModel::ExitCodeColumn: return a.exitCode() < b.exitCode();
    case ResultTableModel::AttemptsColumn: return a.attempts() < b.attempts();
    case ResultTableModel::WorkerColumn: return a.worker() < b.worker();
    case ResultTableModel::HostColumn: return a.host() < b.host();
    case ResultTableModel::DurationColumn: return a.durationMs() < b.durationMs();
    }
    return QSortFilterProxyModel::lessThan(left, right);
}
