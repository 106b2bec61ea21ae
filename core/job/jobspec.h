#pragma once

#include "hostspec.h"
#include "sweep.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

class InputSource;
class QObject;

// Everything that defines a job: what to run, on which inputs, with which limits.
// Saved as JSON by the desktop app; built from options by `taskpool run`.
struct JobSpec
{
    enum class Mode { PerTask, Worker };
    enum class InputKind { Range, File, List };

    Mode mode = Mode::PerTask;
    QStringList command;           // program and arguments, with {} replacement strings
    bool shell = false;            // run the words as an `sh -c` script (values quoted)
    QString workingDirectory;      // empty = current directory
    int workers = 0;               // 0 = one per core
    int retries = 0;               // extra attempts for a failed, timed-out or crashed task
    double timeoutSeconds = 0;     // 0 = no limit
    double timeoutPercent = 0;     // else: this % of the median task time so far (adaptive)
    double stallSeconds = 0;       // end a task silent (no output, no progress) this long; 0 = off
    double startupSeconds = 0;     // a long-lived worker's start-up: added to its first task's limits
    int haltAfterFailures = 0;     // stop the run after this many failed tasks; 0 = never
    double haltFailurePercent = 0; // ... or once this % of finished tasks failed
    bool haltTerminates = false;   // halting terminates running tasks instead of draining
    int maxTasksPerWorker = 0;     // recycle a long-lived worker after this many tasks
    qint64 maxWorkerMemoryMb = 0;  // recycle a long-lived worker whose tree uses more
    double killGraceSeconds = 2;   // SIGTERM -> SIGKILL delay when ending a process tree
    qint64 maxOutputBytes = 1 << 20; // stored stdout/stderr per task
    QString progressPattern = defaultProgressPattern();
    int window = 0;                // tasks in flight per long-lived worker; 0 = adaptive
    // Starts that respect the machine (GNU parallel's --memfree, --load, --delay);
    // 0 = off. The pool's start gates: TaskPool, "Start gates".
    qint64 memFreeBytes = 0;       // start a task only while MemAvailable is at least this
    double loadBelow = 0;          // ... only while the 1-minute load average is below this
    double startDelaySeconds = 0;  // at least this long between two task starts
    // Where the slots run. Empty: `workers` slots on this machine. Otherwise the
    // hosts' slots (workers is then not used); remote hosts assume a shared file
    // system: the remote command runs in the same directory path as it would here.
    QList<HostSpec> hosts;
    // File transfer for remote slots, like GNU parallel's --transfer/--return/
    // --cleanup: the input names a local file that is copied to a scratch
    // directory on the host, where the command (or long-lived worker) runs.
    bool transfer = false;
    QStringList returnFiles;       // templates ({.}.out) of files copied back after success
    bool cleanup = false;          // remove the copies on the host after each task
    QString remoteDirectory;       // where the scratch directories go; empty = defaultRemoteDirectory()
    QString transferRunToken;      // names this run's directory there; set by the pool, not saved

    InputKind inputKind = InputKind::Range;
    qint64 rangeCount = 0;
    QString inputFile;             // "-" = standard input
    QStringList inputList;
    bool nullSeparated = false;    // input records end with NUL instead of newline
    // A sweep: when not empty, the tasks are these parameters' tuples (sweep.h)
    // and inputKind and its fields are not used.
    QList<SweepParameter> parameters;
    bool isSweep() const { return !parameters.isEmpty(); }
    // The parameters' names in tuple order ("1", "2" … for positional sources).
    QStringList parameterNames() const;

    static QString defaultProgressPattern();
    static QString defaultRemoteDirectory(); // relative to the remote home
    QString effectiveRemoteDirectory() const;
    // The spec as one run uses it: a transfer job gets its run token.
    static JobSpec forRun(const JobSpec &spec);
    int effectiveWorkers() const;
    QList<HostSpec> effectiveHosts() const; // hosts, or one local host with effectiveWorkers() slots
    bool hasRemoteHosts() const;
    bool hasLocalHost() const;
    // Empty when the spec can run, else a message for the user.
    QString validate() const;

    QJsonObject toJson() const;
    static bool fromJson(const QJsonObject &json, JobSpec *spec, QString *error);
    bool save(const QString &path, QString *error) const;
    static bool load(const QString &path, JobSpec *spec, QString *error);

    // The built-in demo: the taskpool binary itself as a protocol worker.
    static JobSpec demo(const QString &taskpoolPath);
};
