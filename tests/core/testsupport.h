#pragma once

// Shared helpers for the engine tests: jobs on the helper worker, a pool run
// to its end, a program run to its end, files written and read back, and
// processes that outlived a test.

#include "inputsource.h"
#include "jobspec.h"
#include "procstat.h"
#include "taskpool.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSignalSpy>
#include <QTest>

#include <memory>

#include <sys/prctl.h>
#include <unistd.h>

// Waits (event loop running) until the pool of a started LiveRun has finished, once.
#define WAIT_FOR_END(run, timeoutMs) QTRY_COMPARE_WITH_TIMEOUT((run).finished.count(), 1, (timeoutMs))

// Starts a LiveRun and waits until its pool has finished.
#define RUN_TO_END(run, timeoutMs)                                                  \
    do {                                                                            \
        (run).start();                                                              \
        WAIT_FOR_END(run, timeoutMs);                                               \
    } while (0)

namespace TestSupport {

inline QString testWorker() { return QStringLiteral(TESTWORKER_PATH); }

// Orphaned grandchildren are re-parented to us instead of init, so a leak
// check only has to look at our own children.
inline void becomeSubreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

// The process is there and not a zombie.
inline bool isAlive(qint64 pid)
{
    ProcStat stat;
    return ProcStat::read(pid, &stat) && !stat.isDead();
}

// Our children that are still running (zombies do not count: they are dead).
inline QList<qint64> liveChildren()
{
    QList<qint64> pids;
    ProcScan scan;
    for (ProcStat stat; scan.next(&stat);) {
        if (stat.ppid == ::getpid() && !stat.isDead())
            pids.append(stat.pid);
    }
    return pids;
}

inline JobSpec perTask(const QStringList &args)
{
    JobSpec spec;
    spec.mode = JobSpec::Mode::PerTask;
    spec.command = QStringList{testWorker()} + args;
    spec.killGraceSeconds = 0.3;
    return spec;
}

inline JobSpec protocol(const QStringList &args = {})
{
    JobSpec spec;
    spec.mode = JobSpec::Mode::Worker;
    spec.command = QStringList{testWorker(), QStringLiteral("proto")} + args;
    spec.killGraceSeconds = 0.3;
    return spec;
}

// The mode column of a test that runs in both modes.
inline void addModeRows()
{
    QTest::addColumn<JobSpec::Mode>("mode");
    QTest::newRow("per-task") << JobSpec::Mode::PerTask;
    QTest::newRow("worker") << JobSpec::Mode::Worker;
}

// A job whose tasks act out their input ("slow:MS", "crash", "hang", ...) in either mode.
inline JobSpec actingOut(JobSpec::Mode mode)
{
    return mode == JobSpec::Mode::PerTask ? perTask({QStringLiteral("task"), QStringLiteral("{}")}) : protocol();
}

inline QList<QByteArray> inputs(std::initializer_list<const char *> items)
{
    QList<QByteArray> list;
    for (const char *s : items)
        list.append(QByteArray(s));
    return list;
}

// Writes a file, and the directories it needs.
inline bool writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(content) == content.size();
}

inline QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}

// Every file and directory under dir, as paths relative to it.
inline QStringList treeOf(const QString &dir)
{
    QStringList entries;
    QDirIterator it(dir, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        entries.append(QDir(dir).relativeFilePath(it.next()));
    entries.sort();
    return entries;
}

// Collects every final outcome of a pool.
struct Run
{
    QList<TaskOutcome> outcomes;
    QStringList log;

    QMap<qint64, TaskOutcome> byId() const
    {
        QMap<qint64, TaskOutcome> map;
        for (const TaskOutcome &o : outcomes)
            map.insert(o.id, o);
        return map;
    }
    int count(TaskStatus status) const
    {
        return int(std::count_if(outcomes.cbegin(), outcomes.cend(), [status](const TaskOutcome &o) { return o.status == status; }));
    }
    bool eachIdOnce(qint64 total) const
    {
        if (outcomes.size() != total)
            return false;
        QList<bool> seen(total, false);
        for (const TaskOutcome &o : outcomes) {
            if (o.id < 0 || o.id >= total || seen[o.id])
                return false;
            seen[o.id] = true;
        }
        return true;
    }
};

inline void attach(TaskPool *pool, Run *run)
{
    QObject::connect(pool, &TaskPool::taskFinished, pool, [run](const TaskOutcome &o) { run->outcomes.append(o); });
    QObject::connect(pool, &TaskPool::logLine, pool, [run](int slot, const QString &line) {
        run->log.append(QStringLiteral("%1: %2").arg(slot).arg(line));
    });
}

// A run a test acts on while it goes (terminate, pause, resize, kill a worker,
// poll its snapshots) or asks about at the end: it owns the input and the
// pool, and collects what the pool reports. For the outcome alone, runToEnd().
//     LiveRun run(spec, inputs({"a", "hang"}));
//     run.start();
//     ... run.pool.terminate();
//     WAIT_FOR_END(run, 10000);
struct LiveRun : Run
{
    LiveRun(const JobSpec &spec, const QList<QByteArray> &items)
        : LiveRun(spec, std::make_unique<ListInput>(items))
    {
    }
    LiveRun(const JobSpec &spec, std::unique_ptr<InputSource> source)
        : input(std::move(source))
        , pool(spec, input.get())
        , finished(&pool, &TaskPool::finished)
    {
        attach(&pool, this);
    }
    void start() { pool.start(); }

    std::unique_ptr<InputSource> input; // before the pool, which reads it to the end
    TaskPool pool;
    QSignalSpy finished;
};

// The inputs 0, 1, ... count-1, for a LiveRun.
inline std::unique_ptr<InputSource> range(qint64 count) { return std::make_unique<RangeInput>(count); }

// A run left alone from start to end: what Run collects, and how the pool ended.
struct EndedRun : Run
{
    bool ended = false; // the pool finished (once) within the timeout
    PoolStats stats;
    QString fatalError;
    QList<SlotSnapshot> workers;
};

// Runs `spec` on `input` and waits (event loop running) until the pool has
// finished. For tests that only look at the outcome; a test that acts on the
// pool mid-run builds its own. Check `ended` first.
inline EndedRun runToEnd(const JobSpec &spec, InputSource &&input, int timeoutMs = 20000)
{
    EndedRun run;
    {
        TaskPool pool(spec, &input);
        attach(&pool, &run);
        QSignalSpy finished(&pool, &TaskPool::finished);
        pool.start();
        run.ended = (finished.count() > 0 || finished.wait(timeoutMs)) && finished.count() == 1;
        run.stats = pool.stats();
        run.fatalError = pool.fatalError();
        run.workers = pool.slotSnapshots();
    } // the pool goes before `run` is handed back: nothing more can arrive
    return run;
}

// A program run to its end: its exit code (-1 if it crashed or was killed
// for running past the timeout), stdout and stderr.
struct ProgramRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    // stdout's JSON lines (`taskpool run`'s results).
    QList<QJsonObject> results() const
    {
        QList<QJsonObject> list;
        for (const QByteArray &line : out.split('\n'))
            if (!line.isEmpty())
                list.append(QJsonDocument::fromJson(line).object());
        return list;
    }
    // The tasks' outputs, in result order (--keep-order: input order).
    QByteArray outputs() const
    {
        QByteArray all;
        for (const QJsonObject &o : results())
            all += o.value(QLatin1String("output")).toString().toUtf8();
        return all;
    }
};

inline ProgramRun runProgram(const QString &program, const QStringList &args, const QByteArray &stdinData = {},
                             int timeoutMs = 60000,
                             const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    p.waitForStarted();
    p.write(stdinData);
    p.closeWriteChannel();
    ProgramRun r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

#ifdef TASKPOOL_PATH
// The taskpool binary the tests were built with.
inline ProgramRun runCli(const QStringList &args, const QByteArray &stdinData = {}, int timeoutMs = 60000,
                         const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    return runProgram(QStringLiteral(TASKPOOL_PATH), args, stdinData, timeoutMs, env);
}
#endif

} // namespace TestSupport
