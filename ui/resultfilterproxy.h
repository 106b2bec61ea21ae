#pragma once

#include "task.h"

#include <QSortFilterProxyModel>

#include <optional>

class ResultTableModel;

// Sorting and filtering for the results table: one status (or all) and a text
// that must appear in the id, the input or the result/output preview.
class ResultFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit ResultFilterProxy(ResultTableModel *source, QObject *parent = nullptr);

    void setStatusFilter(std::optional<TaskStatus> status);
    std::optional<TaskStatus> statusFilter() const { return m_status; }
    void setSearchText(const QString &text);
    QString searchText() const { return m_search; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    ResultTableModel *m_results;
    std::optional<TaskStatus> m_status;
    QString m_search;
};
