#pragma once

#include "jobspec.h"
#include "runjournal.h"

#include <QObject>

class Confirmation;
class RunController;
class RunListModel;
class RunsPanel;

// The Runs tab's work: keeps the list of past runs in step with the journal
// (and with the live run's counts), and carries out what needs the journal
// before a run can start: resuming a job, retrying a past run's failures, and
// deleting runs once the user agrees. Showing a run's results, the status bar
// and the log stay with the window, which hears of everything through the
// signals.
class RunsTab : public QObject
{
    Q_OBJECT
public:
    RunsTab(RunController *controller, Confirmation *confirmation, QObject *parent = nullptr);

    RunsPanel *panel() const { return m_panel; } // the tab's page, for the window to place
    RunListModel *model() const { return m_model; }
    bool isStarting() const { return m_starting; } // a run waits on the journal before it can start

    void refresh(); // `taskpool run` may have recorded runs meanwhile
    // The job, minus the inputs that finished in earlier runs.
    void resume(const JobSpec &spec);

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

    RunController *m_controller;
    Confirmation *m_confirmation;
    RunListModel *m_model;
    RunsPanel *m_panel;
    bool m_starting = false;
};
