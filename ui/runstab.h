#pragma once

#include "jobspec.h"
#include "runjournal.h"
#include "runspanel.h"

#include <QObject>
#include <QTimer>

class Confirmation;
class LiveRunFinder;
class RunController;
class RunListModel;
class RunsPanel;

// The Runs tab's work: keeps the list of past runs in step with the journal
// (and with the live run's counts), and carries out what needs the journal
// before a run can start: resuming a job, retrying a past run's failures, and
// deleting runs once the user agrees. It turns the window onto a live run of
// another process (Watch, or one found by Find live runs) through the
// RunController. Showing a run's results, the status bar
// and the log stay with the window, which hears of everything through the
// signals.
class RunsTab : public QObject
{
    Q_OBJECT
public:
    static constexpr int LiveRefreshMs = 2000; // while the tab is in view

    RunsTab(RunController *controller, Confirmation *confirmation, QObject *parent = nullptr);

    RunsPanel *panel() const { return m_panel; } // the tab's page, for the window to place
    RunListModel *model() const { return m_model; }
    bool isStarting() const { return m_starting; } // a run waits on the journal before it can start

    void refresh(); // `taskpool run` may have recorded runs meanwhile
    // The job, minus the inputs that finished in earlier runs.
    void resume(const JobSpec &spec);
    // Finds the live runs on this machine ("") or on another host ("ssh:HOST")
    // and watches the one there is, or offers a choice.
    void findLiveRuns(const QString &target);

Q_SIGNALS:
    void startingChanged();
    void resumed(const QString &text);
    void retryStarted(const QString &text);
    void progress(const QString &text); // stands until something replaces it
    void notice(const QString &text);   // worth a moment in the status bar
    void failed(const QString &title, const QString &text);

private:
    void setStarting(bool starting);
    void onRunsListed(const QList<RunInfo> &runs, const QString &error);
    void onRunsDeleted(const QList<qint64> &deleted, const QString &error);
    void retryFailedOf(const RunInfo &run);
    void askToDelete(const QList<RunInfo> &runs);
    void watchRun(const RunInfo &run);
    void watchSocket(const QString &socketPath);
    void onLiveRunsFound(const QList<LiveRunChoice> &runs);

    RunController *m_controller;
    Confirmation *m_confirmation;
    RunListModel *m_model;
    RunsPanel *m_panel;
    LiveRunFinder *m_finder;
    QString m_findTarget;
    QTimer m_liveRefresh;
    bool m_starting = false;
};
