#include "tablesetup.h"

#include <QAbstractItemModel>
#include <QHeaderView>
#include <QTableView>

namespace TableSetup {

void rows(QTableView *view, int rowPadding)
{
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setTabKeyNavigation(false);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + rowPadding);
    view->horizontalHeader()->setHighlightSections(false);
}

void pickList(QTableView *view)
{
    rows(view, 6);
    view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    view->setAlternatingRowColors(true);
    view->setContextMenuPolicy(Qt::CustomContextMenu);
}

void columnWidths(QTableView *view, std::initializer_list<int> digits, int stretch)
{
    Q_ASSERT(view->model() && int(digits.size()) == view->model()->columnCount());
    QHeaderView *header = view->horizontalHeader();
    const int digit = view->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    int column = 0;
    for (int width : digits)
        header->resizeSection(column++, width * digit);
    header->setSectionResizeMode(stretch, QHeaderView::Stretch);
}

} // namespace TableSetup
