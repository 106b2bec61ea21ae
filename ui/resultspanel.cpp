#include "resultspanel.h"

#include "elidedtextdelegate.h"
#include "resultdetailview.h"
#include "resultfilterproxy.h"
#include "resulttablemodel.h"
#include "statusstyle.h"
#include "tablesetup.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

namespace {
constexpr TaskStatus FilterStatuses[] = {TaskStatus::Ok,      TaskStatus::Failed,  TaskStatus::Timeout,
                                         TaskStatus::Crashed, TaskStatus::Stalled, TaskStatus::Cancelled};
constexpr int AllStatuses = -1;
} // namespace

ResultsPanel::ResultsPanel(ResultTableModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new ResultFilterProxy(model, this))
    , m_caption(new QLabel(this))
    , m_statusFilter(new QComboBox(this))
    , m_search(new QLineEdit(this))
    , m_view(new QTableView(this))
    , m_detail(new ResultDetailView(this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
{
    QHBoxLayout *filterBar = buildFilterBar();
    setUpTable();
    setUpSplitter();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(filterBar);
    layout->addWidget(m_splitter, 1);
    createActions();
    connectSignals();
    updateFilterCounts();
    updateActions();
}

// The row above the table: which run it shows, the status filter and the
// search field, whose text filters the rows once typing pauses.
QHBoxLayout *ResultsPanel::buildFilterBar()
{
    m_statusFilter->setObjectName(QStringLiteral("statusFilter"));
    m_statusFilter->setAccessibleName(QStringLiteral("Status filter"));
    m_statusFilter->setToolTip(QStringLiteral("Show only results with this status"));
    m_statusFilter->addItem(QString(), AllStatuses);
    for (TaskStatus status : FilterStatuses)
        m_statusFilter->addItem(StatusStyle::icon(status), QString(), int(status));
    m_statusFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);

    m_search->setObjectName(QStringLiteral("resultSearch"));
    m_search->setAccessibleName(QStringLiteral("Search results"));
    m_search->setToolTip(QStringLiteral("Show only results whose id, input or result/output contains this text (Ctrl+F);"
                                       " for a sweep, words like lr=0.01 or bs>=64 keep those parameter values"));
    m_search->setPlaceholderText(QStringLiteral("Search id, input, result…"));
    m_search->setClearButtonEnabled(true);
    m_searchDelay.setSingleShot(true);
    m_searchDelay.setInterval(250); // filtering many rows per keystroke would lag the typing

    auto *filterLabel = new QLabel(QStringLiteral("&Show:"), this);
    filterLabel->setBuddy(m_statusFilter);
    auto *searchLabel = new QLabel(QStringLiteral("Searc&h:"), this);
    searchLabel->setBuddy(m_search);
    m_caption->setObjectName(QStringLiteral("resultsCaption"));
    m_caption->setTextFormat(Qt::PlainText);
    QFont captionFont = m_caption->font();
    captionFont.setBold(true);
    m_caption->setFont(captionFont);
    m_caption->hide();
    auto *filterBar = new QHBoxLayout;
    filterBar->addWidget(m_caption);
    filterBar->addSpacing(8);
    filterBar->addWidget(filterLabel);
    filterBar->addWidget(m_statusFilter);
    filterBar->addSpacing(12);
    filterBar->addWidget(searchLabel);
    filterBar->addWidget(m_search, 1);
    return filterBar;
}

// The table: sorted by id at first, columns sized in digits, the preview
// taking the room that is left.
void ResultsPanel::setUpTable()
{
    m_view->setObjectName(QStringLiteral("resultsView"));
    m_view->setAccessibleName(QStringLiteral("Results"));
    m_view->setToolTip(QString());
    m_view->setModel(m_proxy);
    TableSetup::pickList(m_view);
    QHeaderView *header = m_view->horizontalHeader();
    header->setSortIndicatorClearable(true); // a third click shows the rows in arrival order
    header->setSortIndicator(ResultTableModel::IdColumn, Qt::AscendingOrder);
    m_view->setSortingEnabled(true);
    header->setStretchLastSection(false);
    m_view->setItemDelegate(new ElidedTextDelegate(m_view));
    // Id, input, status, preview, exit code, attempts, worker, host, duration.
    const QString status = StatusStyle::label(TaskStatus::Timeout);
    TableSetup::fitColumns(m_view,
                           {QStringLiteral("0000000"), QStringLiteral("00000000"), status,
                            QStringLiteral("0000000000000000000000"), QStringLiteral("255"), QStringLiteral("00"),
                            QStringLiteral("99"), QStringLiteral("node-12"), QStringLiteral("59 m 59 s")},
                           ResultTableModel::PreviewColumn, {ResultTableModel::StatusColumn});
}

// The table and, beside it, the detail pane of the current row.
void ResultsPanel::setUpSplitter()
{
    m_detail->setMinimumWidth(24 * m_view->fontMetrics().horizontalAdvance(QLatin1Char('0'))); // a short line of output
    m_splitter->setObjectName(QStringLiteral("resultsSplitter"));
    m_splitter->addWidget(m_view);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setChildrenCollapsible(false);
}

// The actions on results: the window puts them in its menus and toolbar, the
// table in its context menu.
void ResultsPanel::createActions()
{
    m_retrySelected = new QAction(QStringLiteral("&Retry selected tasks"), this);
    m_retrySelected->setObjectName(QStringLiteral("retrySelectedAction"));
    m_retrySelected->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    m_retrySelected->setToolTip(QStringLiteral("Run the selected tasks again; their rows show the new outcome"));
    m_retryFailed = new QAction(QStringLiteral("Retry all &failed tasks"), this);
    m_retryFailed->setObjectName(QStringLiteral("retryFailedAction"));
    m_retryFailed->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_R));
    m_retryFailed->setToolTip(QStringLiteral("Run every failed, timed-out, crashed and stalled task again"));
    m_copy = new QAction(QStringLiteral("&Copy"), this);
    m_copy->setObjectName(QStringLiteral("copyAction"));
    m_copy->setShortcut(QKeySequence::Copy);
    m_copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_copy->setToolTip(QStringLiteral("Copy the selected rows as tab-separated text"));
    m_find = new QAction(QStringLiteral("&Find…"), this);
    m_find->setObjectName(QStringLiteral("findAction"));
    m_find->setShortcut(QKeySequence::Find);
    m_find->setToolTip(QStringLiteral("Search the results"));
    m_view->addAction(m_copy);
}

// The actions, the filters, and the model: counts, the current row's details.
void ResultsPanel::connectSignals()
{
    connect(m_retrySelected, &QAction::triggered, this, [this] {
        const QList<int> rows = selectedSourceRows();
        if (!rows.isEmpty())
            Q_EMIT retryRequested(rows);
    });
    connect(m_retryFailed, &QAction::triggered, this, &ResultsPanel::retryFailedRequested);
    connect(m_copy, &QAction::triggered, this, &ResultsPanel::copySelection);
    connect(m_find, &QAction::triggered, this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this, [this] {
        const int status = m_statusFilter->currentData().toInt();
        m_proxy->setStatusFilter(status == AllStatuses ? std::nullopt : std::optional(TaskStatus(status)));
    });
    connect(m_search, &QLineEdit::textChanged, &m_searchDelay, qOverload<>(&QTimer::start));
    connect(&m_searchDelay, &QTimer::timeout, this, [this] { m_proxy->setSearchText(m_search->text()); });
    connect(m_view, &QTableView::customContextMenuRequested, this, &ResultsPanel::showContextMenu);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &ResultsPanel::showCurrent);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ResultsPanel::updateActions);
    connect(m_model, &ResultTableModel::countsChanged, this, &ResultsPanel::updateFilterCounts);
    connect(m_model, &ResultTableModel::countsChanged, this, &ResultsPanel::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ResultsPanel::showCurrent);
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        QHeaderView *header = m_view->horizontalHeader();
        m_fixedColumns.clear();
        for (int column = 0; column < ResultTableModel::ColumnCount; ++column)
            m_fixedColumns.append({header->isSectionHidden(column), header->sectionSize(column)});
    });
    connect(m_model, &ResultTableModel::parametersChanged, this, &ResultsPanel::placeParameterColumns);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &from, const QModelIndex &to) {
        const QModelIndex current = m_proxy->mapToSource(m_view->currentIndex());
        if (current.isValid() && current.row() >= from.row() && current.row() <= to.row())
            showCurrent(); // a retry replaced the task on display
    });
}

// A sweep's parameter columns stand right after the input, which they split;
// the fixed columns keep their widths and hidden ones stay hidden.
void ResultsPanel::placeParameterColumns()
{
    QHeaderView *header = m_view->horizontalHeader();
    for (int column = 0; column < m_fixedColumns.size() && column < ResultTableModel::ColumnCount; ++column) {
        header->setSectionHidden(column, m_fixedColumns[column].first);
        if (column != ResultTableModel::PreviewColumn)
            header->resizeSection(column, m_fixedColumns[column].second);
    }
    header->setSectionResizeMode(ResultTableModel::PreviewColumn, QHeaderView::Stretch);
    for (int i = 0; i < m_model->parameters().size(); ++i) {
        const int column = m_model->parameterColumn(i);
        const QString name = m_model->headerData(column, Qt::Horizontal).toString();
        header->resizeSection(column, TableSetup::columnWidth(m_view, name, QStringLiteral("00000000")));
        header->moveSection(header->visualIndex(column), header->visualIndex(ResultTableModel::InputColumn) + 1 + i);
    }
}

void ResultsPanel::setCaption(const QString &text, const QString &tooltip)
{
    m_caption->setText(text);
    m_caption->setToolTip(tooltip);
    m_caption->setVisible(!text.isEmpty());
}

void ResultsPanel::updateFilterCounts()
{
    const QLocale locale;
    qint64 all = 0;
    for (int i = 0; i < TaskStatusCount; ++i)
        all += m_model->count(TaskStatus(i));
    m_statusFilter->setItemText(0, QStringLiteral("All (%1)").arg(locale.toString(all)));
    for (int i = 0; i < int(std::size(FilterStatuses)); ++i) {
        const TaskStatus status = FilterStatuses[i];
        m_statusFilter->setItemText(i + 1, QStringLiteral("%1 (%2)").arg(StatusStyle::label(status),
                                                                         locale.toString(m_model->count(status))));
    }
}

QList<int> ResultsPanel::selectedSourceRows() const
{
    QList<int> rows;
    const QModelIndexList selected = m_view->selectionModel()->selectedRows();
    rows.reserve(selected.size());
    for (const QModelIndex &index : selected)
        rows.append(m_proxy->mapToSource(index).row());
    std::sort(rows.begin(), rows.end());
    return rows;
}

bool ResultsPanel::selectTask(qint64 id)
{
    m_model->flush(); // a task that just finished may still wait in the model's batch
    int row = -1;
    for (int r = 0; r < m_model->rowCount() && row < 0; ++r) {
        if (m_model->outcome(r).id == id)
            row = r;
    }
    if (row < 0)
        return false;
    QModelIndex index = m_proxy->mapFromSource(m_model->index(row, ResultTableModel::IdColumn));
    if (!index.isValid()) { // filtered out: the user asked for this task, so show it
        m_statusFilter->setCurrentIndex(0);
        m_search->clear();
        m_searchDelay.stop();
        m_proxy->setSearchText(QString());
        index = m_proxy->mapFromSource(m_model->index(row, ResultTableModel::IdColumn));
    }
    m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(index, QAbstractItemView::PositionAtCenter);
    return true;
}

void ResultsPanel::setRetryEnabled(bool enabled)
{
    m_retryEnabled = enabled;
    updateActions();
}

void ResultsPanel::updateActions()
{
    const bool hasSelection = m_view->selectionModel()->hasSelection();
    bool hasFailures = false;
    for (int s = 0; s < TaskStatusCount; ++s)
        hasFailures = hasFailures || (isFailure(TaskStatus(s)) && m_model->count(TaskStatus(s)) > 0);
    m_retrySelected->setEnabled(m_retryEnabled && hasSelection);
    m_retryFailed->setEnabled(m_retryEnabled && hasFailures);
    m_copy->setEnabled(hasSelection);
}

void ResultsPanel::showCurrent()
{
    const QModelIndex current = m_proxy->mapToSource(m_view->currentIndex());
    if (current.isValid())
        m_detail->showOutcome(m_model->outcome(current.row()));
    else
        m_detail->showNothing();
}

void ResultsPanel::showContextMenu(const QPoint &pos)
{
    QMenu menu(this);
    menu.addAction(m_retrySelected);
    menu.addAction(m_retryFailed);
    menu.addSeparator();
    menu.addAction(m_copy);
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

QString ResultsPanel::selectionAsText() const
{
    QStringList lines;
    QStringList header;
    for (int column = 0; column < m_model->columnCount(); ++column)
        header.append(m_model->headerData(column, Qt::Horizontal).toString());
    lines.append(header.join(QLatin1Char('\t')));
    const QModelIndexList selected = m_view->selectionModel()->selectedRows();
    QList<QModelIndex> ordered(selected.cbegin(), selected.cend());
    std::sort(ordered.begin(), ordered.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    for (const QModelIndex &index : ordered) {
        QStringList cells;
        for (int column = 0; column < m_model->columnCount(); ++column)
            cells.append(m_proxy->index(index.row(), column).data().toString());
        lines.append(cells.join(QLatin1Char('\t')));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

void ResultsPanel::copySelection()
{
    if (m_view->selectionModel()->hasSelection())
        QApplication::clipboard()->setText(selectionAsText());
}
