#pragma once

#include "hostspec.h"
#include "jobspec.h"
#include "remotetransfer.h"

#include <QObject>
#include <QPair>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

// The files of one task with --transfer on a remote slot: the input names a
// local file that is copied into a scratch directory on the host, the return
// files come back after the task, and the copies are removed. Per-task and
// long-lived workers both go through here; they only decide the order of the
// steps. One step at a time; its callback runs once, from the event loop.
class TaskFiles : public QObject
{
    Q_OBJECT
public:
    enum class Result { Ok, Failed, HostLost };
    using Done = std::function<void(Result result, const QString &message)>;

    // creator says in messages what should have made a return file ("the command").
    // guard: the run's (may be null), for the launchers of the copies.
    TaskFiles(const JobSpec &spec, const HostSpec &host, const QString &creator, std::shared_ptr<OrphanGuard> guard,
              QObject *parent);
    ~TaskFiles() override;

    // The name of this run's directory on the hosts (the pool sets one per run;
    // a slot made without one still gets a directory of its own, so cleanup never
    // removes the user's).
    static QString runToken(const JobSpec &spec);

    // Works out the paths for this task; false with *error when the input names
    // no local file. directory: where the copies go on the host (relative = from its home).
    bool prepare(const QByteArray &input, qint64 number, const QString &directory, QString *error);

    const QString &input() const { return m_input; }                     // the copy, inside the directory
    const QString &remoteDirectory() const { return m_remoteDirectory; } // absolute, once staged
    bool allReturned() const { return m_nextReturn >= m_returns.size(); }
    bool isBusy() const { return m_step != nullptr; }

    // Copies the input there (removing stale return files first).
    void stage(Done done);
    // Copies the return files back; Failed says which one is missing.
    void fetchReturns(Done done);
    // Removes the copies; Keep leaves the directory (a long-lived worker runs in it).
    void removeCopies(RemoteTransfer::Directory directory, Done done);
    // Ends the step under way; its callback does not run.
    void abort();

private:
    RemoteTransfer *newStep(void (TaskFiles::*handler)(RemoteTransfer::Result, const QString &));
    void dropStep();
    void onStaged(RemoteTransfer::Result result, const QString &message);
    void onReturned(RemoteTransfer::Result result, const QString &message);
    void onRemoved(RemoteTransfer::Result result, const QString &message);
    void fetchNext();
    void complete(Result result, const QString &message);

    const QString m_workingDirectory; // the job's, as given
    const QStringList m_returnPatterns;
    const double m_killGraceSeconds;
    const HostSpec m_host;
    const QString m_creator;
    const std::shared_ptr<OrphanGuard> m_guard;
    QString m_localDirectory;
    QString m_localInput;      // absolute
    QString m_input;           // inside the directory: what the task gets
    QString m_directory;       // as the host is told
    QString m_remoteDirectory; // absolute on the host, known once the input is there
    QList<QPair<QString, QString>> m_returns; // (inside the directory, absolute local path)
    int m_nextReturn = 0;
    RemoteTransfer *m_step = nullptr;
    Done m_done;
};
