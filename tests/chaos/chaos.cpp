// The chaos suite: runs thousands of tasks while killing, freezing, flooding and
// confusing workers, then checks that nothing was lost, nothing ran twice and no
// process was left behind. Prints one table; exits 1 if any scenario misses the bar.
//
//   chaos [--tasks N] [--quick]      (--quick: 300 tasks per scenario, for ctest)

#include "../core/testsupport.h"
#include "runjournal.h"

#include <QCoreApplication>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <functional>

using namespace TestSupport;

namespace {

qint64 peakRssKb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

struct Row
{
    QString name;
    int events = 0; // kills and freezes done to the workers
    qint64 tasks = 0, ok = 0, failed = 0, crashed = 0, duplicates = 0, missing = 0, unexpected = 0;
    int leftovers = 0;
    qint64 peakKb = 0;
    double seconds = 0;
    bool passed() const { return duplicates == 0 && missing == 0 && leftovers == 0 && unexpected == 0; }
};

// What a task's input should end as, whatever chaos happened around it.
TaskStatus expectedStatus(const QByteArray &input)
{
    if (input == "hang")
        return TaskStatus::Timeout;
    if (input == "error" || input == "utf8-junk")
        return TaskStatus::Failed;
    return TaskStatus::Ok;
}

struct Scenario
{
    QString name;
    JobSpec spec;
    std::function<QByteArray(int)> input;             // the i-th input
    std::function<int(TaskPool &)> chaos;             // called every 40 ms; returns events caused
    bool terminateAndResume = false;
};

int runPool(TaskPool &pool, const std::function<int(TaskPool &)> &chaos, const std::function<bool()> &interruptWhen = {})
{
    int events = 0;
    QEventLoop loop;
    QObject::connect(&pool, &TaskPool::finished, &loop, &QEventLoop::quit);
    QTimer timer;
    QObject::connect(&timer, &QTimer::timeout, &pool, [&] {
        if (pool.state() != TaskPool::State::Running)
            return;
        if (chaos)
            events += chaos(pool);
        if (interruptWhen && interruptWhen())
            pool.terminate();
    });
    timer.start(40);
    pool.start();
    if (pool.state() != TaskPool::State::Finished)
        loop.exec();
    return events;
}

Row runScenario(const Scenario &sc, int tasks)
{
    Row row;
    row.name = sc.name;
    row.tasks = tasks;
    QElapsedTimer clock;
    clock.start();
    QList<QByteArray> inputs;
    for (int i = 0; i < tasks; ++i)
        inputs.append(sc.input(i));

    QList<TaskOutcome> outcomes;
    if (!sc.terminateAndResume) {
        ListInput in(inputs);
        TaskPool pool(sc.spec, &in);
        QObject::connect(&pool, &TaskPool::taskFinished, &pool, [&](const TaskOutcome &o) { outcomes.append(o); });
        row.events = runPool(pool, sc.chaos);
    } else {
        // Terminate a third of the way in, then resume from the journal.
        QTemporaryDir dir;
        RunJournal journal;
        QString error;
        journal.open(dir.filePath(QStringLiteral("journal.sqlite")), &error);
        for (int round = 0; round < 2; ++round) {
            ListInput all(inputs);
            const QSet<quint64> done = journal.finishedKeys(sc.spec, &error);
            const quint64 key = RunJournal::commandHash(RunJournal::commandKey(sc.spec));
            FilteredInput in(&all, [&](const QByteArray &i) { return !done.contains(RunJournal::taskKey(key, i)); }, done.size());
            TaskPool pool(sc.spec, &in);
            journal.beginRun(sc.spec, &error);
            QObject::connect(&pool, &TaskPool::taskFinished, &pool, [&](const TaskOutcome &o) {
                journal.recordResult(o);
                if (o.status != TaskStatus::Cancelled || round == 1)
                    outcomes.append(o);
            });
            if (round == 0)
                row.events += runPool(pool, sc.chaos, [&] { return outcomes.size() >= tasks / 3; }) + 1;
            else
                row.events += runPool(pool, sc.chaos);
            journal.endRun(QStringLiteral("finished"), {}, &error);
        }
    }

    QHash<QByteArray, int> seen; // by input: ids restart when a run is resumed
    for (const TaskOutcome &o : std::as_const(outcomes)) {
        const QByteArray key = o.input + '#' + (sc.terminateAndResume ? QByteArray() : QByteArray::number(o.id));
        if (++seen[key] > 1)
            ++row.duplicates;
        switch (o.status) {
        case TaskStatus::Ok: ++row.ok; break;
        case TaskStatus::Crashed: ++row.crashed; break;
        case TaskStatus::Cancelled: break;
        default: ++row.failed; break;
        }
        if (o.status != expectedStatus(o.input))
            ++row.unexpected;
    }
    for (int i = 0; i < tasks; ++i) {
        const QByteArray key = inputs[i] + '#' + (sc.terminateAndResume ? QByteArray() : QByteArray::number(i));
        if (!seen.contains(key))
            ++row.missing;
    }
    QElapsedTimer wait;
    wait.start();
    while (!liveChildren().isEmpty() && wait.elapsed() < 3000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    row.leftovers = int(liveChildren().size());
    row.peakKb = peakRssKb();
    row.seconds = clock.elapsed() / 1000.0;
    return row;
}

int killRandomWorker(TaskPool &pool, int signal)
{
    const QList<SlotSnapshot> workers = pool.slotSnapshots();
    if (workers.isEmpty())
        return 0;
    const SlotSnapshot &w = workers.at(QRandomGenerator::global()->bounded(int(workers.size())));
    return w.pid > 0 && w.taskId >= 0 && ::kill(pid_t(w.pid), signal) == 0 ? 1 : 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    becomeSubreaper();
    const QStringList args = app.arguments();
    int tasks = 3000;
    if (args.contains(QLatin1String("--quick")))
        tasks = 300;
    const qsizetype at = args.indexOf(QLatin1String("--tasks"));
    if (at > 0 && at + 1 < args.size())
        tasks = args.at(at + 1).toInt();

    // Inputs are unique: a task is its command plus its input, so resume would rightly skip repeats.
    auto plain = [](int i) { return i % 3 ? QByteArray::number(i) : "slow:10:" + QByteArray::number(i); };
    auto every = [](int n, QByteArray special, auto base) {
        return [=](int i) { return i % n == n / 2 ? special : base(i); };
    };
    QList<Scenario> scenarios;
    {
        Scenario s{QStringLiteral("worker: kill -9 random workers"), protocol(), plain, {}};
        s.spec.workers = 4;
        s.spec.retries = 10;
        s.chaos = [](TaskPool &p) { return QRandomGenerator::global()->bounded(2) == 0 ? killRandomWorker(p, SIGKILL) : 0; };
        scenarios.append(s);
    }
    {
        Scenario s{QStringLiteral("per-task: kill -9 random tasks"), perTask({QStringLiteral("task"), QStringLiteral("{}")}), plain, {}};
        s.spec.workers = 4;
        s.spec.retries = 10;
        s.chaos = [](TaskPool &p) { return QRandomGenerator::global()->bounded(2) == 0 ? killRandomWorker(p, SIGKILL) : 0; };
        scenarios.append(s);
    }
    {
        Scenario s{QStringLiteral("worker: SIGSTOP a worker"), protocol(), plain, {}};
        s.spec.workers = 3;
        s.spec.retries = 3;
        s.spec.stallSeconds = 1;
        s.chaos = [stopped = false](TaskPool &p) mutable {
            if (stopped)
                return 0;
            stopped = killRandomWorker(p, SIGSTOP) == 1;
            return stopped ? 1 : 0;
        };
        scenarios.append(s);
    }
    {
        Scenario s{QStringLiteral("worker: 1% of tasks hang"), protocol(), every(100, "hang", plain), {}};
        s.spec.workers = 4;
        s.spec.timeoutSeconds = 1;
        scenarios.append(s);
    }
    {
        Scenario s{QStringLiteral("per-task: 1% flood 5 MB"), perTask({QStringLiteral("task"), QStringLiteral("{}")}),
                   every(100, "flood:5000000", plain), {}};
        s.spec.workers = 4;
        s.spec.maxOutputBytes = 64 * 1024;
        scenarios.append(s);
    }
    {
        Scenario s{QStringLiteral("worker: garbage, bad JSON, bad UTF-8"), protocol(),
                   every(7, "garbage", every(11, "utf8-junk", every(13, "flood:200000", plain))), {}};
        s.spec.workers = 3;
        s.spec.maxOutputBytes = 64 * 1024;
        scenarios.append(s);
    }
    {
        Scenario s{QStringLiteral("per-task: 5% exit non-zero"), perTask({QStringLiteral("task"), QStringLiteral("{}")}),
                   every(20, "error", plain), {}};
        s.spec.workers = 4;
        scenarios.append(s);
    }
    {
        Scenario s{QStringLiteral("worker: terminate mid-run, resume"), protocol(), plain, {}};
        s.spec.workers = 4;
        s.terminateAndResume = true;
        scenarios.append(s);
    }

    std::printf("%-38s %6s %6s %6s %6s %7s %5s %7s %9s %8s %7s\n", "scenario", "tasks", "chaos", "ok", "failed",
                "crashed", "dups", "missing", "leftover", "peak MB", "time s");
    bool allPassed = true;
    for (const Scenario &sc : std::as_const(scenarios)) {
        const Row r = runScenario(sc, tasks);
        allPassed = allPassed && r.passed();
        std::printf("%-38s %6lld %6d %6lld %6lld %7lld %5lld %7lld %9d %8.1f %7.1f%s\n", qPrintable(r.name), r.tasks, r.events, r.ok,
                    r.failed, r.crashed, r.duplicates, r.missing, r.leftovers, r.peakKb / 1024.0, r.seconds,
                    r.unexpected ? qPrintable(QStringLiteral("  (%1 unexpected outcomes)").arg(r.unexpected)) : "");
        std::fflush(stdout);
    }
    std::printf("%s\n", allPassed ? "chaos: every scenario passed (no missing, no duplicates, no leftover processes)"
                                   : "chaos: FAILED");
    return allPassed ? 0 : 1;
}
