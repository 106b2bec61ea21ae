#include "tablesetup.h"

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

} // namespace TableSetup
