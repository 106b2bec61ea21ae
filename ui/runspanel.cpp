#include "runspanel.h"

#include "elidedtextdelegate.h"
#include "monitordirectory.h"
#include "runlistmodel.h"
#include "tablesetup.h"
#include "theme.h"

#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QHeaderView>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QCoreApplication>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSysInfo>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <memory>

namespace {
QAction *makeAction(const QString &text, const QString &name, const QString &tooltip, QObject *parent)
{
    auto *action = new QAction(text, parent);
    action->setObjectName(name);
    action->setToolTip(tooltip);
    action->setStatusTip(tooltip);
    return action;
}

QToolButton *buttonFor(QAction *action, QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setDefaultAction(action);
    button->setObjectName(action->objectName() + QStringLiteral("Button"));
    button->setAccessibleName(action->text().remove(QLatin1Char('&')).remove(QStringLiteral("…")));
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    return button;
}
} // namespace

RunsPanel::RunsPanel(RunListModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_view(new QTableView(this))
    , m_hint(new QLabel(this))
    , m_pathLabel(new QLabel(this))
    , m_problem(new QLabel(this))
{
    m_open = makeAction(QStringLiteral("Show results"), QStringLiteral("openRunAction"),
                        QStringLiteral("Show this run's results in the Results tab (Enter or double-click)"), this);
    m_openJob = makeAction(QStringLiteral("Show job results"), QStringLiteral("openJobAction"),
                           QStringLiteral("Show the latest result of every task of this run's job: all runs of its "
                                          "command, the interrupted run, its resumes and retries, one row per task"),
                           this);
    m_resume = makeAction(QStringLiteral("Resume"), QStringLiteral("resumeRunAction"),
                          QStringLiteral("Run this job's inputs that have not finished in any run yet"), this);
    m_retryFailed = makeAction(QStringLiteral("Retry failed"), QStringLiteral("retryRunFailedAction"),
                               QStringLiteral("A new run of this job over its failed, timed-out, crashed and stalled tasks"),
                               this);
    m_delete = makeAction(QStringLiteral("Delete…"), QStringLiteral("deleteRunAction"),
                          QStringLiteral("Remove the selected runs and their results from the journal"), this);
    m_watch = makeAction(QStringLiteral("Watch"), QStringLiteral("watchRunAction"),
                         QStringLiteral("Turn the window onto this run while another process runs it: its workers, "
                                        "results and output live; Pause, Stop and Terminate act on it"),
                         this);
    m_findLive = makeAction(QStringLiteral("Find live runs"), QStringLiteral("findLiveRunsAction"),
                            QStringLiteral("List the runs going now on this machine (any journal) or, with ssh:HOST, "
                                           "on another host, and watch one"),
                            this);
    m_delete->setShortcut(QKeySequence::Delete);
    m_delete->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_delete);

    m_pathLabel->setObjectName(QStringLiteral("journalPathLabel"));
    m_pathLabel->setForegroundRole(QPalette::PlaceholderText);
    m_pathLabel->setWordWrap(true);
    m_pathLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_pathLabel->setToolTip(QStringLiteral("Where runs are recorded; `taskpool runs` and `taskpool export` read the same file"));
    m_problem->setObjectName(QStringLiteral("journalProblem"));
    m_problem->setWordWrap(true);
    m_problem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    Theme::keepErrorColor(m_problem);
    m_problem->hide();
    m_hint->setObjectName(QStringLiteral("runsHint"));
    m_hint->setWordWrap(true);

    m_view->setObjectName(QStringLiteral("runsView"));
    m_view->setAccessibleName(QStringLiteral("Past runs"));
    m_view->setModel(model);
    TableSetup::pickList(m_view);
    m_view->horizontalHeader()->setStretchLastSection(false);
    m_view->setItemDelegate(new ElidedTextDelegate(m_view));
    // Run, started, job, state, tasks, ok, failed, cancelled, duration.
    TableSetup::fitColumns(m_view,
                           {QStringLiteral("0000"), RunListModel::startedText(QDateTime(QDate(2026, 12, 30), QTime(23, 59)).toMSecsSinceEpoch()),
                            QStringLiteral("0000000000000000000000"), QStringLiteral("Interrupted "), QStringLiteral("0 000 000"),
                            QStringLiteral("0 000 000"), QStringLiteral("000 000"), QStringLiteral("000 000"), QStringLiteral("59 m 59 s")},
                           RunListModel::JobColumn, {RunListModel::StateColumn});

    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    for (QAction *action : {m_open, m_openJob, m_resume, m_retryFailed, m_watch, m_delete})
        buttons->addWidget(buttonFor(action, this));

    m_watchHost = new QLineEdit(this);
    m_watchHost->setObjectName(QStringLiteral("watchHostEdit"));
    m_watchHost->setPlaceholderText(QStringLiteral("this machine, or ssh:HOST"));
    m_watchHost->setAccessibleName(QStringLiteral("Where to find live runs"));
    m_watchHost->setToolTip(m_findLive->toolTip());
    m_watchHost->setClearButtonEnabled(true);
    m_watchHost->setMinimumWidth(m_watchHost->fontMetrics().horizontalAdvance(m_watchHost->placeholderText()) + 40);
    auto *watchLabel = new QLabel(QStringLiteral("Live runs &on:"), this);
    watchLabel->setBuddy(m_watchHost);
    m_findLiveButton = buttonFor(m_findLive, this);
    auto *footer = new QHBoxLayout;
    footer->addWidget(m_pathLabel, 1);
    footer->addWidget(watchLabel);
    footer->addWidget(m_watchHost);
    footer->addWidget(m_findLiveButton);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_hint); // a line of its own: beside the buttons it would widen the window
    layout->addLayout(buttons);
    layout->addWidget(m_problem);
    layout->addWidget(m_view, 1);
    layout->addLayout(footer);

    connect(m_open, &QAction::triggered, this, [this] { trigger(&RunsPanel::openRequested); });
    connect(m_openJob, &QAction::triggered, this, [this] { trigger(&RunsPanel::openJobRequested); });
    connect(m_resume, &QAction::triggered, this, [this] { trigger(&RunsPanel::resumeRequested); });
    connect(m_retryFailed, &QAction::triggered, this, [this] { trigger(&RunsPanel::retryFailedRequested); });
    connect(m_watch, &QAction::triggered, this, [this] { trigger(&RunsPanel::watchRequested); });
    connect(m_findLive, &QAction::triggered, this,
            [this] { Q_EMIT findLiveRunsRequested(m_watchHost->text().trimmed()); });
    connect(m_watchHost, &QLineEdit::returnPressed, m_findLive, &QAction::trigger);
    connect(m_delete, &QAction::triggered, this, [this] {
        const QList<RunInfo> runs = selectedRuns();
        if (!runs.isEmpty() && m_delete->isEnabled())
            Q_EMIT deleteRequested(runs);
    });
    connect(m_view, &QTableView::activated, this, [this] {
        if (m_open->isEnabled())
            m_open->trigger();
    });
    connect(m_view, &QTableView::customContextMenuRequested, this, &RunsPanel::showContextMenu);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsPanel::updateActions);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(model, signal, this, &RunsPanel::updateActions);
    connect(model, &QAbstractItemModel::dataChanged, this, &RunsPanel::updateActions);
    connect(model, &QAbstractItemModel::modelReset, this, &RunsPanel::updateActions);
    updateActions();
}

QList<RunInfo> RunsPanel::selectedRuns() const
{
    QList<int> rows;
    const QModelIndexList selected = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &index : selected)
        rows.append(index.row());
    std::sort(rows.begin(), rows.end());
    QList<RunInfo> runs;
    for (int row : rows)
        runs.append(m_model->run(row));
    return runs;
}

void RunsPanel::selectRun(qint64 runId)
{
    const int row = m_model->rowOfRun(runId);
    if (row < 0)
        return;
    m_view->setCurrentIndex(m_model->index(row, RunListModel::IdColumn));
    m_view->selectRow(row);
}

void RunsPanel::setJournalPath(const QString &path)
{
    m_pathLabel->setText(QStringLiteral("Recorded in %1, which taskpool runs and taskpool export read too")
                             .arg(QDir::toNativeSeparators(path)));
}

QString RunsPanel::hint() const
{
    return m_hint->text();
}

void RunsPanel::setProblem(const QString &message)
{
    m_problem->setText(message.isEmpty() ? QString()
                                         : QStringLiteral("The journal cannot be used: %1. Runs still go ahead, "
                                                          "but they are not recorded.").arg(message));
    m_problem->setVisible(!message.isEmpty());
}

void RunsPanel::setRunActive(bool active)
{
    m_runActive = active;
    updateActions();
}

void RunsPanel::updateActions()
{
    const QList<RunInfo> runs = selectedRuns();
    const bool one = runs.size() == 1;
    const RunInfo run = one ? runs.constFirst() : RunInfo();
    m_open->setEnabled(one && !m_runActive);
    m_openJob->setEnabled(one && !m_runActive);
    m_resume->setEnabled(one && !m_runActive && run.state != QLatin1String("running"));
    m_retryFailed->setEnabled(one && !m_runActive && run.failures() > 0);
    bool deletable = !runs.isEmpty();
    for (const RunInfo &r : runs)
        deletable = deletable && r.id != m_model->liveRun() && r.state != QLatin1String("running");
    m_delete->setEnabled(deletable);
    const bool watchable = one && isWatchable(run);
    m_watch->setEnabled(watchable && !m_runActive);
    m_findLive->setEnabled(!m_runActive);

    // Say why the buttons are off rather than leave the user guessing.
    QString hint;
    if (watchable && !m_runActive)
        hint = QStringLiteral("This run is going in another process: Watch shows it here, live.");
    else if (m_runActive)
        hint = QStringLiteral("A run is going: showing, resuming and retrying past runs wait until it ends.");
    else if (m_model->rowCount() == 0)
        hint = QStringLiteral("No runs yet. Every run you start is recorded here, with its results.");
    else if (runs.isEmpty())
        hint = QStringLiteral("Select a run to show its results, resume its job or retry its failures.");
    m_hint->setText(hint);
}

bool RunsPanel::isWatchable(const RunInfo &run)
{
    return run.state == QLatin1String("running") && run.ownerPid > 0
        && run.ownerPid != QCoreApplication::applicationPid() && run.ownerHost == QSysInfo::machineHostName()
        && QFileInfo::exists(MonitorDirectory::socketPath(run.ownerPid));
}

void RunsPanel::offerLiveRuns(const QList<LiveRunChoice> &choices)
{
    auto *menu = new QMenu(this);
    menu->setObjectName(QStringLiteral("liveRunsMenu"));
    menu->setAccessibleName(QStringLiteral("Live runs"));
    menu->setAttribute(Qt::WA_DeleteOnClose);
    auto picked = std::make_shared<bool>(false);
    for (const LiveRunChoice &choice : choices) {
        QAction *action = menu->addAction(choice.label);
        connect(action, &QAction::triggered, this, [this, picked, path = choice.socketPath] {
            *picked = true;
            Q_EMIT liveRunChosen(path);
        });
    }
    // Closed without a pick (a pick is triggered right after the menu hides):
    // the caller lets go of what it held for the choice.
    connect(menu, &QMenu::aboutToHide, this, [this, picked] {
        QTimer::singleShot(0, this, [this, picked] {
            if (!*picked)
                Q_EMIT liveRunChosen(QString());
        });
    });
    menu->popup(m_findLiveButton->mapToGlobal(QPoint(0, m_findLiveButton->height())));
}

void RunsPanel::trigger(void (RunsPanel::*request)(const RunInfo &))
{
    const QList<RunInfo> runs = selectedRuns();
    if (runs.size() == 1)
        (this->*request)(runs.constFirst());
}

void RunsPanel::showContextMenu(const QPoint &pos)
{
    QMenu menu(this);
    menu.addAction(m_open);
    menu.addAction(m_openJob);
    menu.addAction(m_resume);
    menu.addAction(m_retryFailed);
    menu.addAction(m_watch);
    menu.addSeparator();
    menu.addAction(m_delete);
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}
