#include "resultfilterproxy.h"

#include "displayformat.h"
#include "resulttablemodel.h"
#include "sweepvalues.h"

#include <QRegularExpression>

#include <cmath>

ResultFilterProxy::ResultFilterProxy(ResultTableModel *source, QObject *parent)
    : QSortFilterProxyModel(parent)
    , m_results(source)
{
    setSourceModel(source);
    setSortRole(ResultTableModel::SortRole);
    const auto dropKeys = [this] {
        m_sortKeys = {};
        m_sortKeysParameter = -1;
    };
    connect(source, &QAbstractItemModel::modelReset, this, dropKeys);
    connect(source, &QAbstractItemModel::dataChanged, this, dropKeys);
    connect(source, &ResultTableModel::parametersChanged, this, [this] {
        parseSearch();
        invalidateRowsFilter();
    });
}

// Splits the search into parameter words (lr=0.01) and the text to find.
void ResultFilterProxy::parseSearch()
{
    m_terms.clear();
    m_text = m_search;
    if (m_results->parameters().isEmpty() || m_search.isEmpty())
        return;
    static const QRegularExpression term(QStringLiteral("^([^<>=]+)(<=|>=|=|<|>)(.*)$"));
    const QStringList names = m_results->parameterNames();
    QStringList rest;
    for (const QString &word : m_search.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        const QRegularExpressionMatch m = term.match(word);
        int parameter = -1;
        if (m.hasMatch()) {
            QString name = m.captured(1);
            if (name.size() > 2 && name.startsWith(QLatin1Char('{')) && name.endsWith(QLatin1Char('}')))
                name = name.mid(1, name.size() - 2); // {1} names the first positional source
            parameter = int(names.indexOf(name));
        }
        if (parameter >= 0)
            m_terms.append({parameter, m.captured(2).toLatin1(), m.captured(3).toUtf8()});
        else
            rest.append(word);
    }
    m_text = rest.join(QLatin1Char(' '));
}

bool ResultFilterProxy::matches(const ParameterTerm &term, QByteArrayView value) const
{
    double a, b;
    const bool numbers = SweepValues::toNumber(value, &a) && SweepValues::toNumber(term.value, &b);
    const int c = numbers ? (a < b ? -1 : (b < a ? 1 : 0)) : value.compare(term.value);
    if (term.op == "=")
        return c == 0 || value == term.value;
    if (term.op == "<")
        return c < 0;
    if (term.op == "<=")
        return c <= 0;
    if (term.op == ">")
        return c > 0;
    return c >= 0;
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
    parseSearch();
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
    for (const ParameterTerm &term : m_terms) {
        if (!matches(term, SweepValues::value(o.input(), term.parameter)))
            return false;
    }
    if (m_text.isEmpty())
        return true;
    return QString::number(o.id()) == m_text
        || DisplayFormat::inputText(o.input()).contains(m_text, Qt::CaseInsensitive)
        || ResultTableModel::preview(o).contains(m_text, Qt::CaseInsensitive);
}

bool ResultFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    // Compare the rows in place: sorting a big table through QVariants
    // would stall the window each time a batch lands in sorted order.
    const ResultStorage::RowView a = m_results->row(left.row());
    const ResultStorage::RowView b = m_results->row(right.row());
    if (const int parameter = m_results->parameterAt(left.column()); parameter >= 0)
        return parameterLessThan(parameter, left.row(), right.row());
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

// Numbers by value (from keys made once per row), text after them by bytes.
bool ResultFilterProxy::parameterLessThan(int parameter, int left, int right) const
{
    if (m_sortKeysParameter != parameter) {
        m_sortKeys.clear();
        m_sortKeysParameter = parameter;
    }
    const int needed = std::max(left, right) + 1;
    if (qsizetype(m_sortKeys.size()) < needed) { // rows only ever come at the end
        const int rows = m_results->rowCount();
        m_sortKeys.reserve(size_t(rows));
        for (int row = int(m_sortKeys.size()); row < rows; ++row) {
            double number;
            const QByteArrayView value = SweepValues::value(m_results->row(row).input(), parameter);
            m_sortKeys.push_back(SweepValues::toNumber(value, &number) ? number : std::nan(""));
        }
    }
    const double a = m_sortKeys[size_t(left)], b = m_sortKeys[size_t(right)];
    if (!std::isnan(a) && !std::isnan(b))
        return a < b;
    if (std::isnan(a) != std::isnan(b))
        return std::isnan(b); // numbers first
    return SweepValues::value(m_results->row(left).input(), parameter)
               .compare(SweepValues::value(m_results->row(right).input(), parameter))
        < 0;
}
