#pragma once

#include "task.h"

#include <QSortFilterProxyModel>

#include <optional>
#include <vector>

class ResultTableModel;

// Sorting and filtering for the results table: one status (or all) and a text
// that must appear in the id, the input or the result/output preview.
//
// For a sweep, a word of the search like lr=0.01, bs>=64 or lr<0.1 naming a
// parameter keeps the rows whose value of it matches (by number when both
// are numbers, else as text; = also matches text exactly); the other words
// are searched as above. Parameter columns sort by number, then text.
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
    struct ParameterTerm
    {
        int parameter;
        QByteArray op; // "=", "<", "<=", ">", ">="
        QByteArray value;
    };
    void parseSearch();
    bool matches(const ParameterTerm &term, QByteArrayView value) const;
    bool parameterLessThan(int parameter, int left, int right) const;

    ResultTableModel *m_results;
    QList<ParameterTerm> m_terms; // the search's parameter words
    QString m_text;               // the rest of it
    // The sorted parameter's values as numbers (NaN: text), made once per
    // row rather than at each of a sort's ~20 comparisons a row.
    mutable std::vector<double> m_sortKeys;
    mutable int m_sortKeysParameter = -1;
    std::optional<TaskStatus> m_status;
    QString m_search;
};
