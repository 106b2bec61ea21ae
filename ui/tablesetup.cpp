#include "tablesetup.h"

#include <QAbstractItemModel>
#include <QHeaderView>
#include <QStyle>
#include <QTableView>

#include <algorithm>

namespace TableSetup {

void rows(QTableView *view, int rowPadding)
{
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setTabKeyNavigation(false);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + rowPadding);
    // Its header and a row or two: on a small screen the splitters decide
    // which table gets the room, not the tables' own minimums.
    view->setMinimumHeight(2 * view->verticalHeader()->defaultSectionSize() + 2 * view->frameWidth());
    view->horizontalHeader()->setHighlightSections(false);
}

void pickList(QTableView *view)
{
    rows(view, 6);
    view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    view->setAlternatingRowColors(true);
    view->setContextMenuPolicy(Qt::CustomContextMenu);
}

int columnWidth(const QTableView *view, const QString &header, const QString &sample)
{
    const QStyle *style = view->style();
    // A cell's text sits inside a focus-frame margin on each side; a header's
    // also leaves room for the sort arrow.
    const int cellMargin = 2 * (style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, view) + 1);
    const int headerMargin = 2 * style->pixelMetric(QStyle::PM_HeaderMargin, nullptr, view)
        + style->pixelMetric(QStyle::PM_HeaderMarkSize, nullptr, view) + 2 * cellMargin;
    const QHeaderView *headerView = view->horizontalHeader();
    return std::max(headerView->fontMetrics().horizontalAdvance(header) + headerMargin,
                    view->fontMetrics().horizontalAdvance(sample) + 2 * cellMargin);
}

void fitColumns(QTableView *view, const QStringList &samples, int stretch, const QList<int> &iconColumns)
{
    const int icon = view->style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, view) + 4;
    Q_ASSERT(view->model() && samples.size() == view->model()->columnCount());
    QHeaderView *header = view->horizontalHeader();
    for (int column = 0; column < samples.size(); ++column) {
        const QString title = view->model()->headerData(column, Qt::Horizontal).toString();
        const int width = columnWidth(view, title, samples.at(column)) + (iconColumns.contains(column) ? icon : 0);
        header->resizeSection(column, width);
    }
    header->setSectionResizeMode(stretch, QHeaderView::Stretch);
    view->setTextElideMode(Qt::ElideRight);
}

} // namespace TableSetup
