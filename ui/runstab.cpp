#include "runstab.h"

#include "confirmation.h"
#include "journalservice.h"
#include "liverunfinder.h"
#include "monitordirectory.h"
#include "monitortunnel.h"
#include "runcontroller.h"
#include "runlistmodel.h"
#include "runspanel.h"

#include <QLocale>

RunsTab::RunsTab(RunController *controller, Confirmation *confirmation, QObject *parent)
    : QObject(parent)
    , m_controller(controller)
    , m_confirmation(confirmation)
    , m_model(new RunListModel(this))
    , m_panel(new RunsPanel(m_model))
    , m_finder(new LiveRunFinder(this))
{
    JournalService *journal = controller->journal();
    m_panel->setJournalPath(journal->path());
    connect(journal, &JournalService::problem, m_panel, &RunsPanel::setProblem);
    connect(journal, &JournalService::runsListed, this, &RunsTab::onRunsListed);
    connect(journal, &JournalService::runBegun, this, &RunsTab::refresh);
    connect(journal, &JournalService::runEnded, this, &RunsTab::refresh);
    connect(journal, &JournalService::runsDeleted, this, &RunsTab::onRunsDeleted);
    connect(controller, &RunController::refreshed, this, [this](const PoolStats &stats) {
        const qint64 run = m_controller->journal()->currentRun();
        if (run >= 0)
            m_model->setLiveRun(run, stats);
    });
    connect(m_panel, &RunsPanel::retryFailedRequested, this, &RunsTab::retryFailedOf);
    connect(m_panel, &RunsPanel::deleteRequested, this, &RunsTab::askToDelete);
    connect(m_panel, &RunsPanel::watchRequested, this, &RunsTab::watchRun);
    connect(m_panel, &RunsPanel::findLiveRunsRequested, this, &RunsTab::findLiveRuns);
    connect(m_panel, &RunsPanel::liveRunChosen, this, [this](const QString &socketPath) {
        if (socketPath.isEmpty())
            delete m_finder->takeTunnel(); // nothing picked: close the ssh connection
        else
            watchSocket(socketPath);
    });
    connect(m_finder, &LiveRunFinder::found, this, &RunsTab::onLiveRunsFound);
    connect(m_finder, &LiveRunFinder::failed, this,
            [this](const QString &error) { Q_EMIT failed(QStringLiteral("Cannot find live runs"), error); });
    // Runs of other processes (`taskpool run`) start, move and end on their
    // own; while the tab is in view it looks again now and then (one small
    // query on the journal's thread).
    m_liveRefresh.setInterval(LiveRefreshMs);
    connect(&m_liveRefresh, &QTimer::timeout, this, [this] {
        if (m_panel->isVisible())
            refresh();
    });
    m_liveRefresh.start();
    refresh();
}

void RunsTab::watchRun(const RunInfo &run)
{
    watchSocket(MonitorDirectory::socketPath(run.ownerPid));
}

void RunsTab::watchSocket(const QString &socketPath)
{
    MonitorTunnel *tunnel = m_finder->takeTunnel(); // the found run's, if it is on another host
    QString error;
    if (!m_controller->watch(socketPath, tunnel, &error))
        Q_EMIT failed(QStringLiteral("Cannot watch the run"), error);
}

void RunsTab::findLiveRuns(const QString &target)
{
    if (m_controller->isActive() || m_finder->isSearching())
        return;
    m_findTarget = target;
    Q_EMIT progress(QStringLiteral("Looking for live runs on %1…").arg(LiveRunFinder::describe(target)));
    m_finder->find(target);
}

void RunsTab::onLiveRunsFound(const QList<LiveRunChoice> &runs)
{
    const QString where = LiveRunFinder::describe(m_findTarget);
    if (runs.isEmpty()) {
        delete m_finder->takeTunnel();
        Q_EMIT notice(QStringLiteral("No live runs on %1").arg(where));
    } else if (runs.size() == 1) {
        Q_EMIT notice(QStringLiteral("Watching the run on %1").arg(where));
        watchSocket(runs.constFirst().socketPath);
    } else {
        Q_EMIT notice(QStringLiteral("%1 live runs on %2: pick one").arg(runs.size()).arg(where));
        m_panel->offerLiveRuns(runs);
    }
}

void RunsTab::refresh()
{
    m_controller->journal()->listRuns();
}

void RunsTab::setStarting(bool starting)
{
    m_starting = starting;
    Q_EMIT startingChanged();
}

void RunsTab::onRunsListed(const QList<RunInfo> &runs, const QString &error)
{
    m_panel->setProblem(error);
    if (!error.isEmpty())
        return;
    m_model->setRuns(runs);
    // The live counts stand in for the journal's until it has the run's end.
    const qint64 live = m_model->liveRun();
    if (live >= 0 && live != m_controller->journal()->currentRun()) {
        const int row = m_model->rowOfRun(live);
        if (row < 0 || m_model->run(row).state != QLatin1String("running"))
            m_model->clearLiveRun();
    }
}

void RunsTab::onRunsDeleted(const QList<qint64> &deleted, const QString &error)
{
    if (!error.isEmpty())
        Q_EMIT failed(QStringLiteral("Cannot delete every run"), error);
    else
        Q_EMIT notice(QStringLiteral("Deleted %1 run(s) from the journal").arg(deleted.size()));
    refresh();
}

void RunsTab::resume(const JobSpec &spec)
{
    if (m_controller->isActive() || m_starting)
        return;
    const QString invalid = spec.validate();
    if (!invalid.isEmpty()) {
        Q_EMIT failed(QStringLiteral("Cannot resume the job"), invalid);
        return;
    }
    setStarting(true);
    Q_EMIT progress(QStringLiteral("Looking up what this job already finished…"));
    m_controller->journal()->finishedKeys(spec, [this, spec](const QSet<quint64> &finished, const QString &error) {
        setStarting(false);
        if (!error.isEmpty()) {
            Q_EMIT failed(QStringLiteral("Cannot resume the job"),
                          QStringLiteral("Resume needs the run journal, which cannot be read: %1").arg(error));
            return;
        }
        QString why;
        if (!m_controller->start(spec, RunInputs::unfinished(finished), &why)) {
            Q_EMIT failed(QStringLiteral("Cannot resume the job"), why);
            return;
        }
        Q_EMIT resumed(QStringLiteral("Resuming: %1 task(s) of this command finished in earlier runs and are skipped")
                           .arg(QLocale().toString(finished.size())));
    });
}

void RunsTab::retryFailedOf(const RunInfo &run)
{
    if (m_controller->isActive() || m_starting)
        return;
    setStarting(true);
    m_controller->journal()->failedInputs(run.id, [this, id = run.id](const RunInfo &info, const QList<QByteArray> &inputs,
                                                                      const QString &error) {
        setStarting(false);
        QString why = error;
        if (why.isEmpty() && inputs.isEmpty())
            why = QStringLiteral("run %1 has no failed tasks").arg(id);
        if (why.isEmpty() && m_controller->start(info.spec, RunInputs::exactly(inputs), &why)) {
            Q_EMIT retryStarted(QStringLiteral("Retrying the %1 failed task(s) of run %2").arg(inputs.size()).arg(id));
            return;
        }
        Q_EMIT failed(QStringLiteral("Cannot retry run %1").arg(id), why);
    });
}

void RunsTab::askToDelete(const QList<RunInfo> &runs)
{
    if (runs.isEmpty())
        return;
    qint64 results = 0;
    QList<qint64> ids;
    for (const RunInfo &run : runs) {
        results += run.finished();
        ids.append(run.id);
    }
    const QString what = runs.size() == 1 ? QStringLiteral("run %1").arg(runs.constFirst().id)
                                          : QStringLiteral("%1 runs").arg(runs.size());
    m_confirmation->ask(QMessageBox::Question, QStringLiteral("deleteRunsQuestion"), QStringLiteral("Delete %1?").arg(what),
                        QStringLiteral("Delete %1 and its %2 result(s) from the journal? This cannot be undone.")
                            .arg(what, QLocale().toString(results)),
                        {QStringLiteral("Delete"), QStringLiteral("confirmDelete")},
                        {QStringLiteral("Keep"), QStringLiteral("cancelDelete")},
                        [this, ids] { m_controller->journal()->deleteRuns(ids); });
}
