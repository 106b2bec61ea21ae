#pragma once

#include "runjournal.h"

#include <QWidget>

class QAction;
class QLabel;
class QLineEdit;
class QTableView;
class QToolButton;
class RunListModel;

// A live run found on a monitor socket, for the user to pick one to watch.
struct LiveRunChoice
{
    QString socketPath;
    QString label; // "pid 4711 · python3 sweep.py {} · 120 of 400 done"
};

// The Runs view: past runs from the journal and what can be done with one
// (open its results or its job's, resume its job, retry its failures, delete
// it, watch it while another process runs it), and finding live runs to watch
// on this machine or another host. It only asks; the window decides and does.
class RunsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit RunsPanel(RunListModel *model, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    QString hint() const;
    RunListModel *model() const { return m_model; }
    QAction *openAction() const { return m_open; }
    QAction *openJobAction() const { return m_openJob; }
    QAction *resumeAction() const { return m_resume; }
    QAction *retryFailedAction() const { return m_retryFailed; }
    QAction *deleteAction() const { return m_delete; }
    QAction *watchAction() const { return m_watch; }
    QLineEdit *watchHostEdit() const { return m_watchHost; }
    QAction *findLiveRunsAction() const { return m_findLive; }
    // Offers these runs (a menu at the Find button); liveRunChosen() follows a pick.
    void offerLiveRuns(const QList<LiveRunChoice> &choices);
    // A running run of another process on this machine that publishes itself.
    static bool isWatchable(const RunInfo &run);

    QList<RunInfo> selectedRuns() const; // newest first
    void selectRun(qint64 runId);
    void setJournalPath(const QString &path);
    void setProblem(const QString &message); // empty: the journal works
    void setRunActive(bool active);          // a run is going: nothing else may start or load

Q_SIGNALS:
    void openRequested(const RunInfo &run);
    void openJobRequested(const RunInfo &run);
    void resumeRequested(const RunInfo &run);
    void retryFailedRequested(const RunInfo &run);
    void deleteRequested(const QList<RunInfo> &runs);
    void watchRequested(const RunInfo &run);
    void findLiveRunsRequested(const QString &target); // "" for this machine, or "ssh:HOST"
    void liveRunChosen(const QString &socketPath);     // empty: none was

private:
    void updateActions();
    void showContextMenu(const QPoint &pos);
    void trigger(void (RunsPanel::*request)(const RunInfo &));

    RunListModel *m_model;
    QTableView *m_view;
    QLabel *m_hint;      // what to do next, or why the actions are off
    QLabel *m_pathLabel;
    QLabel *m_problem;
    QAction *m_open;
    QAction *m_openJob;
    QAction *m_resume;
    QAction *m_retryFailed;
    QAction *m_delete;
    QAction *m_watch;
    QAction *m_findLive;
    QLineEdit *m_watchHost;
    QToolButton *m_findLiveButton;
    bool m_runActive = false;
};
