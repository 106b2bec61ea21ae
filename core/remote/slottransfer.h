#pragma once

#include "hostspec.h"
#include "jobspec.h"
#include "remotetransfer.h"
#include "task.h"

#include <QObject>
#include <QString>

#include <memory>
#include <optional>

class OrphanGuard;
class TaskFiles;

// The --transfer side of one remote slot, for both modes: each slot mode only
// says when a step is due; every step, and what it means for the task's
// result, is written here once.
//
// For a task: its input (a local file) is copied into a scratch directory on
// the host (stage()); once the command or worker is done with it, the return
// files come back and, with --cleanup, the copies are removed (finishTask()).
// A task's result stands only if every return file came back; a missing one
// fails it, and a host lost on the way sends the task back to the queue.
//
// Where the copies go follows the job's mode. Per-task: every attempt gets a
// directory of its own, removed with its files when it is empty. Protocol: the
// worker runs in a directory of the slot's, made before each start
// (makeSlotDirectory()); a task's copies are removed from it, the directory
// itself when the slot retires (removeSlotDirectory()).
//
// One step at a time; its outcome comes as a signal, always from the event loop.
class SlotTransfer : public QObject
{
    Q_OBJECT
public:
    // The slot transfers files: --transfer on a remote host.
    static bool isNeeded(const JobSpec &spec, const HostSpec &host) { return spec.transfer && host.isRemote(); }

    SlotTransfer(const JobSpec &spec, const HostSpec &host, int slot, QObject *parent);
    ~SlotTransfer() override;

    // The run's guard (may be null), for the launchers of the copies.
    void setOrphanGuard(std::shared_ptr<OrphanGuard> guard) { m_guard = std::move(guard); }

    // ---- the slot's directory (protocol mode) ----
    // Makes it (a host that was lost may have lost it too): slotDirectoryReady()
    // or slotDirectoryFailed(), or hostLost().
    void makeSlotDirectory();
    const QString &slotPath() const { return m_slotPath; } // absolute on the host, once made
    // With --cleanup, once made: removes it if the worker left nothing else
    // there (and the run's directory when empty); slotDirectoryRemoved() follows,
    // a failure only logged. False when there is nothing to do.
    bool removeSlotDirectory();

    // ---- one task ----
    // Works out the task's paths; false with *error when its input names no
    // local file (then no task is in hand).
    bool beginTask(const QByteArray &input, qint64 number, QString *error);
    bool hasTask() const { return m_files != nullptr; }
    // Copies the input to the host: staged(), stageFailed() or hostLost().
    void stage();
    // What the command or worker is given in place of the input: the copy,
    // inside taskDirectory() (absolute on the host, once staged).
    QString taskInput() const;
    QString taskDirectory() const;
    // The command or worker is done with the task: the return files come back
    // (a missing one fails the task) and, with --cleanup, the copies go; then
    // taskFinished() with the outcome that stands, or hostLost() (the task
    // runs again). A failed outcome skips the returns.
    void finishTask(TaskOutcome outcome);
    bool hasOutcome() const { return m_outcome.has_value(); } // finishTask() was called
    bool isBusy() const;   // a step of the task's is under way
    // Terminate: the task's step ends now. Returns its outcome if that stands
    // (the command had finished and every return file is back, or it failed
    // anyway), else `cancelled`.
    TaskOutcome stopTask(TaskOutcome cancelled);
    void dropTask();       // ends the task's step; no signal follows
    void cancelDirectoryStep();
    void abort() { dropTask(); cancelDirectoryStep(); }

Q_SIGNALS:
    void slotDirectoryReady();
    void slotDirectoryFailed(const QString &reason);
    void slotDirectoryRemoved();
    void staged();
    void stageFailed(const QString &message);
    void taskFinished(const TaskOutcome &outcome);
    void hostLost(const QString &message);
    void message(const QString &line); // for the slot's log: what cleanup left behind

private:
    void cleanUp();
    void completeTask();
    RemoteTransfer *newDirectoryStep();

    const JobSpec m_spec;
    const HostSpec m_host;
    const bool m_directoryPerTask;     // per-task mode; else the slot's directory
    const QString m_runDirectory;      // as the host is told (relative = from its home)
    const QString m_slotDirectory;     // protocol mode, as the host is told
    QString m_slotPath;                // absolute there, once made
    std::shared_ptr<OrphanGuard> m_guard;
    RemoteTransfer *m_directoryStep = nullptr; // making or removing the slot's directory
    TaskFiles *m_files = nullptr;              // the task in hand
    std::optional<TaskOutcome> m_outcome;      // its result, waiting for the returns and cleanup
};
