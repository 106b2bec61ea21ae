#include "taskpool.h"

#include "clock.h"
#include "inputsource.h"
#include "orphanguard.h"

#include <QMetaMethod>
#include <QTimer>

#include <algorithm>

namespace {
constexpr int TickMs = 100;
constexpr qint64 ThroughputWindowMs = 5000;
constexpr int StartFailureLimit = 3;
constexpr size_t MedianSamples = 1001;
constexpr size_t MedianMinimumSamples = 5;
constexpr qint64 MinimumAdaptiveTimeoutMs = 1000;
constexpr qint64 HaltMinimumFinished = 10; // a percentage of 2 tasks says nothing
// After a task was ended for memory and its tree is gone, this long before the
// next: the memory it held shows as available, and the tasks left settle.
constexpr qint64 RequeuePauseMs = 2000;
} // namespace

TaskPool::TaskPool(const JobSpec &spec, InputSource *input, QObject *parent)
    : QObject(parent)
    , m_spec(JobSpec::forRun(spec))
    , m_input(input)
    , m_queue(input)
    , m_timeoutMs(qint64(spec.timeoutSeconds * 1000))
    , m_gate(m_spec)
{
    for (const HostSpec &spec : m_spec.effectiveHosts()) {
        Host host;
        host.spec = spec;
        host.name = spec.name();
        host.slotCount = spec.slotCount;
        m_hosts.push_back(host);
        m_reach.addHost(host.name);
    }
    connect(&m_reach, &HostReachability::hostUp, this, [this](int host) { setHostSlotsDown(host, false); });
    connect(&m_reach, &HostReachability::hostDown, this, [this](int host) { setHostSlotsDown(host, true); });
    connect(&m_reach, &HostReachability::retryDue, this, &TaskPool::probeHost);
    connect(&m_reach, &HostReachability::logLine, this, [this](const QString &line) { Q_EMIT logLine(-1, line); });
    connect(m_input, &InputSource::readyRead, this, [this] {
        if (m_ending == Ending::CancellingRest)
            cancelRemaining();
        else
            dispatch();
    });
}

TaskPool::~TaskPool()
{
    // Workers kill their process trees in their destructors.
    qDeleteAll(m_slots);
    if (m_guard)
        m_guard->close(); // whatever is still watched goes too (groups being reaped)
}

void TaskPool::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void TaskPool::start()
{
    if (m_state != State::Idle)
        return;
    m_startedMs = monotonicMs();
    auto guard = std::make_shared<OrphanGuard>(qMax(0, int(m_spec.killGraceSeconds * 1000)));
    QString guardError;
    if (guard->start(&guardError))
        m_guard = std::move(guard);
    else
        Q_EMIT logLine(-1, QStringLiteral("cannot start the guard that ends the workers' process trees should taskpool "
                                          "be killed (%1); running without it")
                               .arg(guardError));
    m_tick = new QTimer(this);
    m_tick->setInterval(TickMs);
    connect(m_tick, &QTimer::timeout, this, &TaskPool::tick);
    m_tick->start();
    if (m_gate.isSet()) {
        m_gateTimer = new QTimer(this);
        m_gateTimer->setSingleShot(true);
        connect(m_gateTimer, &QTimer::timeout, this, &TaskPool::onGateTimer);
        m_gate.sample(m_startedMs, true);
    }
    setState(State::Running);
    reconcileSlots();
    dispatch();
}

void TaskPool::pause()
{
    if (m_state == State::Running)
        setState(State::Paused);
}

void TaskPool::unpause()
{
    if (m_state != State::Paused)
        return;
    setState(State::Running);
    dispatch();
}

void TaskPool::holdNewTasks(bool held)
{
    if (m_queue.freshHeld() == held)
        return;
    m_queue.holdFresh(held);
    if (!held)
        dispatch();
}

void TaskPool::stop()
{
    if (!takesWork())
        return;
    setState(State::Stopping);
    Q_EMIT logLine(-1, QStringLiteral("stopping: no new tasks; running tasks finish"));
    checkCompletion();
}

// The terminate chain, from here to the last record:
//  1. The pool: State::Terminating; no task is retried, no slot is added or
//     replaced (Ending::SlotsEnding), and every slot gets Slot::terminate().
//  2. The slot: a task whose command is done but whose files are still being
//     transferred ends now (its result stands if it failed or every file came
//     back; else it is cancelled). A slot without a process retires at once.
//  3. Its process group: SIGTERM to the whole group the slot's process leads
//     (ProcessTree::signalGroup), children and pipelines included; a process
//     not started yet is killed. A remote slot's group is its launcher (ssh,
//     srun): the sh guard on the host sees the connection go (srun forwards
//     the signal) and ends the command's tree there, SIGTERM then SIGKILL
//     after the grace.
//  4. The grace (--kill-grace), then SIGKILL to whatever is left of the group.
//     A leader that exits sooner while others of its group live on
//     (stragglers) waits for that same SIGKILL: the slot is done only when its
//     whole tree is. Then the OrphanGuard forgets the group (ids are reused).
//     A lost host's launcher let go earlier is reaped the same way in the
//     background (ProcessTree::reapGroup).
//  5. What is recorded: each task a slot held ends "cancelled", error
//     "terminated" (every task in a long-lived worker's window; even one that
//     exits 0 within the grace); each task read but never run, and each task a
//     lost host handed back, ends "cancelled", "not run: the pool was
//     terminated" (cancelRemaining(), which also stops the input). None is
//     retried; each has exactly one taskFinished().
//  6. Once every slot has retired: State::Finished, finished(), and the
//     OrphanGuard is closed: it ends what it still watches (groups being
//     reaped), after the grace, and exits.
// Should taskpool die on the way (kill -9, a crash), the OrphanGuard sees its
// socket close and does 3-4 itself for every group it watches; should the
// pool be destroyed first, each Slot's destructor SIGKILLs its group.
void TaskPool::terminate()
{
    if (m_state == State::Idle) {
        setState(State::Terminating);
        m_ending = Ending::SlotsEnding; // there are none yet
        cancelRemaining();
        return;
    }
    if (m_state == State::Terminating || m_state == State::Finished)
        return;
    setState(State::Terminating);
    Q_EMIT logLine(-1, QStringLiteral("terminating every worker's process tree"));
    endSlots(true);
    checkCompletion();
}

// Every slot goes, at once (terminate: its process tree is ended) or once its
// tasks are done (retire); from now on none is added or replaced.
void TaskPool::endSlots(bool now)
{
    m_ending = Ending::SlotsEnding;
    const QList<Slot *> workers = m_slots; // either may remove entries
    for (Slot *w : workers) {
        if (now)
            w->terminate();
        else
            w->retire();
    }
}

int TaskPool::workerCount() const
{
    int total = 0;
    for (const Host &host : m_hosts)
        total += host.slotCount;
    return total;
}

void TaskPool::setWorkerCount(int count)
{
    const auto local = std::find_if(m_hosts.cbegin(), m_hosts.cend(), [](const Host &h) { return !h.spec.isRemote(); });
    setHostSlots(local != m_hosts.cend() ? int(local - m_hosts.cbegin()) : 0, qMax(1, count));
}

void TaskPool::setHostSlots(int hostIndex, int slotCount)
{
    if (hostIndex < 0 || hostIndex >= int(m_hosts.size()))
        return;
    m_hosts[size_t(hostIndex)].slotCount = qMax(0, slotCount);
    if (!takesWork())
        return;
    // A slot beyond the tasks left to start would only start a worker to end
    // it: at most that many are added now. The wanted count is kept, so a
    // worker that dies is still replaced up to it.
    const qint64 left = m_queue.remaining(); // -1: unknown, no limit
    const int added = reconcileSlots(left);
    if (left >= 0 && added == left && liveSlots(hostIndex).size() < m_hosts[size_t(hostIndex)].slotCount) {
        auto count = [](qint64 n, const char *what) {
            return QStringLiteral("%1 %2%3").arg(n).arg(QLatin1String(what)).arg(n == 1 ? "" : "s");
        };
        Q_EMIT logLine(-1, left == 0 ? QStringLiteral("every task has started: no worker added")
                                     : QStringLiteral("only %1 left to start: %2 added")
                                           .arg(count(left, "task"), count(added, "worker")));
    }
    dispatch();
}

QList<Slot *> TaskPool::liveSlots(int hostIndex) const
{
    QList<Slot *> live;
    for (Slot *w : m_slots) {
        if (!w->isRetiring() && w->hostIndex() == hostIndex)
            live.append(w);
    }
    return live;
}

int TaskPool::reconcileSlots(qint64 newSlotBudget)
{
    int added = 0;
    for (int h = 0; h < int(m_hosts.size()); ++h) {
        const int target = m_hosts[size_t(h)].slotCount;
        QList<Slot *> live = liveSlots(h);
        while (live.size() < target && (newSlotBudget < 0 || added < newSlotBudget)) {
            live.append(addSlot(h));
            ++added;
        }
        if (live.size() > target) {
            // Idle workers go first, then those with the least work in hand.
            std::stable_sort(live.begin(), live.end(), [](Slot *a, Slot *b) {
                return a->inFlightCount() < b->inFlightCount();
            });
            const QList<Slot *> surplus = live.mid(target);
            for (Slot *w : surplus)
                w->retire();
        }
    }
    return added;
}

Slot *TaskPool::addSlot(int hostIndex)
{
    // Reuse the lowest free slot number so rows stay stable in the UI.
    int slot = 0;
    while (std::any_of(m_slots.cbegin(), m_slots.cend(), [slot](Slot *w) { return w->slot() == slot; }))
        ++slot;
    const Host &host = m_hosts[size_t(hostIndex)];
    Slot *w = Slot::create(slot, m_spec, host.spec, hostIndex, this);
    w->setTimeoutMs(m_timeoutMs);
    w->setOrphanGuard(m_guard);
    if (!m_reach.isUp(hostIndex))
        w->setHostDown(true); // waits for the host's retry like its siblings
    connect(w, &Slot::hostConnected, this, &TaskPool::onHostConnected);
    connect(w, &Slot::hostLost, this, &TaskPool::onHostLost);
    connect(w, &Slot::attemptFinished, this, &TaskPool::onAttemptFinished);
    connect(w, &Slot::tasksReturned, this, &TaskPool::onTasksReturned);
    connect(w, &Slot::capacityAvailable, this, &TaskPool::onCapacityAvailable);
    connect(w, &Slot::died, this, &TaskPool::onSlotDied);
    connect(w, &Slot::startFailed, this, &TaskPool::onStartFailed);
    connect(w, &Slot::retired, this, &TaskPool::onSlotRetired);
    connect(w, &Slot::logLine, this, &TaskPool::logLine);
    connect(w, &Slot::output, this, &TaskPool::onSlotOutput);
    const auto pos = std::lower_bound(m_slots.begin(), m_slots.end(), slot,
                                      [](Slot *a, int s) { return a->slot() < s; });
    m_slots.insert(pos, w);
    w->start();
    return w;
}

// ---- The dispatch loop -------------------------------------------------------
// Tasks go from the queue (retries first, then fresh inputs, read lazily) to
// the slots: dispatch() offers every slot its fill, feedSlot() hands one slot
// tasks while it has room. It runs on start, unpause, when a slot has room
// (onCapacityAvailable), when the input has more, and when tasks come back.

void TaskPool::dispatch()
{
    if (m_dispatchPass != Pass::None) {
        m_dispatchPass = Pass::Again;
        return;
    }
    do {
        m_dispatchPass = Pass::Running;
        if (m_state != State::Running)
            break;
        m_heldThisPass = false;
        m_waiting.clear(); // a gate that still holds says so again
        const QList<Slot *> workers = m_slots;
        for (Slot *w : workers) {
            if (m_state != State::Running)
                break;
            if (m_slots.contains(w))
                feedSlot(w);
        }
    } while (m_dispatchPass == Pass::Again);
    m_dispatchPass = Pass::None;
    checkCompletion();
}

void TaskPool::feedSlot(Slot *worker)
{
    Task task;
    while (m_state == State::Running && worker->freeCapacity() > 0) {
        const qint64 now = m_gate.isSet() ? monotonicMs() : 0;
        const StartGate::Hold hold = m_gate.isSet() ? startHold(worker, now) : StartGate::Hold::None;
        if (hold != StartGate::Hold::None && m_heldThisPass)
            break; // already held back (and said why) in this pass
        const TaskQueue::Take take = m_queue.take(&task);
        if (take != TaskQueue::Take::Task) {
            if (take == TaskQueue::Take::End && m_input->errorString().size() && m_fatalError.isEmpty())
                fail(QStringLiteral("cannot read the inputs: %1").arg(m_input->errorString()));
            break;
        }
        if (hold != StartGate::Hold::None) {
            m_queue.requeueFront(std::move(task)); // first in line when the gate opens
            task = Task();
            holdBack(hold, now);
            break;
        }
        if (m_gate.isSet()) {
            m_gate.started(monotonicMs()); // now, not before take(): a pipe's read may have taken a while
            m_waiting.clear();
        }
        ++m_running;
        worker->assign(std::move(task));
        task = Task();
    }
    worker->flushAssigned();
}

// ---- Start gates ---------------------------------------------------------------
// --memfree, --load and --delay (StartGate): every start, a retry's too, asks
// startHold() first. A task the gate holds back goes back to the head of the
// queue, the pool says why (waitingReason(), stats().waiting) and looks again
// on m_gateTimer: after the delay, or every StartGate::SampleMs for memory and
// load. Nothing polls when no gate is set, and nothing blocks.
//
// Below half of --memfree the youngest running task on a local slot is ended
// (its whole tree, as terminate does) and its tasks requeued: not a failure,
// not a retry, no attempt used (relieveMemoryPressure()).

StartGate::Hold TaskPool::startHold(Slot *worker, qint64 now)
{
    m_gate.sample(now);
    const QString readError = m_gate.takeReadError();
    if (!readError.isEmpty())
        Q_EMIT logLine(-1, readError);
    return m_gate.holds(now, !worker->isRemote());
}

void TaskPool::holdBack(StartGate::Hold hold, qint64 now)
{
    m_heldThisPass = true;
    m_waiting = m_gate.why(hold, now);
    const qint64 in = m_gate.retryInMs(hold, now);
    if (m_gateTimer && (!m_gateTimer->isActive() || m_gateTimer->remainingTime() > in))
        m_gateTimer->start(int(qMin<qint64>(in, 60'000)));
}

void TaskPool::onGateTimer()
{
    m_gate.sample(monotonicMs(), true);
    dispatch();
}

// The machine is short of memory (under half of --memfree): end the youngest
// task on a local slot, the one that loses the least work, and requeue it.
// One at a time: the next only once that tree is gone and RequeuePauseMs has
// passed, so the memory it held shows before anything else is ended. The last
// running task is never ended: with nothing running nothing progresses, and
// memory that stays short with one task left is not that task's doing alone.
// With long-lived workers the youngest task's worker process is ended: its
// answered tasks stand, the rest of its window goes back, and a new worker
// starts in its place (idle until the gate opens).
void TaskPool::relieveMemoryPressure(qint64 now)
{
    if (m_state != State::Running && m_state != State::Paused)
        return;
    m_gate.sample(now);
    if (!m_gate.underMemoryPressure()) {
        m_lastTaskNoted = false;
        return;
    }
    if (m_requeueing || now < m_nextRequeueMs)
        return;
    Slot *youngest = nullptr;
    qint64 youngestStartedMs = -1;
    int busy = 0;
    for (Slot *w : std::as_const(m_slots)) {
        const qint64 started = w->currentStartedMs();
        if (w->isRemote() || started < 0 || !w->isRequeueable())
            continue;
        ++busy;
        if (started >= youngestStartedMs) {
            youngest = w;
            youngestStartedMs = started;
        }
    }
    const QString memory = QStringLiteral("%1 available, under half of --memfree %2")
                               .arg(MachineLoad::formatSize(m_gate.memAvailable()), MachineLoad::formatSize(m_gate.memFree()));
    if (busy < 2) {
        if (busy == 1 && !m_lastTaskNoted)
            Q_EMIT logLine(-1, QStringLiteral("memory is short (%1), but only one task runs: it is left to finish").arg(memory));
        m_lastTaskNoted = busy == 1;
        return;
    }
    m_lastTaskNoted = false;
    const SlotSnapshot slot = youngest->snapshot(now);
    const QString what = m_spec.mode == JobSpec::Mode::Worker
        ? QStringLiteral("ending the worker of task %1 to free memory (%2); its %3 unanswered task(s) go back to the "
                         "queue, not counted as attempts")
              .arg(slot.taskId)
              .arg(memory)
              .arg(youngest->inFlightCount())
        : QStringLiteral("ending task %1 to free memory (%2); it goes back to the queue, not counted as an attempt")
              .arg(slot.taskId)
              .arg(memory);
    m_requeueing = youngest;
    youngest->requeueTasks(what);
}

// A copy per chunk only while someone listens: a headless run without
// --follow pays nothing for output it would not show.
void TaskPool::onSlotOutput(int slot, qint64 taskId, OutputStream stream, QByteArrayView bytes)
{
    static const QMetaMethod signal = QMetaMethod::fromSignal(&TaskPool::taskOutput);
    if (isSignalConnected(signal))
        Q_EMIT taskOutput(slot, taskId, stream, bytes.toByteArray());
}

void TaskPool::onCapacityAvailable(Slot *worker)
{
    if (m_dispatchPass != Pass::None) {
        m_dispatchPass = Pass::Again; // the loop that is running picks it up
        return;
    }
    m_dispatchPass = Pass::Running;
    m_heldThisPass = false;
    feedSlot(worker);
    const bool again = m_dispatchPass == Pass::Again;
    m_dispatchPass = Pass::None;
    if (again)
        dispatch();
    else
        checkCompletion();
}

void TaskPool::onAttemptFinished(Slot *worker, const Task &task, const TaskOutcome &outcome)
{
    --m_running;
    Host &host = m_hosts[size_t(worker->hostIndex())];
    if (outcome.status == TaskStatus::Ok)
        ++host.tasksOk;
    else if (isFailure(outcome.status))
        ++host.tasksFailed;
    if (outcome.startedAtMs > 0)
        m_reach.taskRan(worker->hostIndex());
    if (outcome.exitCode >= 0 || outcome.status != TaskStatus::Failed)
        m_anyProcessRan = true; // a start failure is "failed" without an exit code
    if (outcome.status == TaskStatus::Ok)
        m_consecutiveDeaths = 0;
    const bool retryable = isFailure(outcome.status) && task.attempts < m_spec.retries && takesWork();
    if (retryable) {
        Task again = task;
        again.attempts = outcome.attempts;
        ++m_counts.retried;
        m_queue.requeue(std::move(again));
        Q_EMIT attemptFailed(outcome);
        Q_EMIT logLine(outcome.worker, QStringLiteral("task %1 %2 (%3); trying again (attempt %4 of %5)")
                                           .arg(task.id)
                                           .arg(taskStatusName(outcome.status), outcome.error)
                                           .arg(outcome.attempts + 1)
                                           .arg(m_spec.retries + 1));
        return;
    }
    emitFinal(outcome);
    if (m_dispatchPass == Pass::None)
        checkCompletion();
}

void TaskPool::emitFinal(const TaskOutcome &outcome)
{
    m_counts.add(outcome.status);
    if (outcome.status == TaskStatus::Ok && m_spec.timeoutPercent > 0) {
        m_okDurations.push_back(outcome.durationMs);
        if (m_okDurations.size() > MedianSamples)
            m_okDurations.pop_front();
    }
    Q_EMIT taskFinished(outcome);
    if (isFailure(outcome.status))
        applyHaltPolicy();
}

void TaskPool::applyHaltPolicy()
{
    if (!m_haltReason.isEmpty() || !takesWork())
        return;
    const qint64 failures = m_counts.failures();
    const qint64 finished = failures + m_counts.ok; // cancelled tasks say nothing of the failure rate
    if (m_spec.haltAfterFailures > 0 && failures >= m_spec.haltAfterFailures) {
        m_haltReason = QStringLiteral("halting: %1 tasks failed (limit %2)").arg(failures).arg(m_spec.haltAfterFailures);
    } else if (m_spec.haltFailurePercent > 0 && finished >= HaltMinimumFinished
               && failures * 100.0 >= m_spec.haltFailurePercent * double(finished)) {
        m_haltReason = QStringLiteral("halting: %1 of %2 finished tasks failed (%3%, limit %4%)")
                           .arg(failures)
                           .arg(finished)
                           .arg(failures * 100.0 / double(finished), 0, 'f', 1)
                           .arg(m_spec.haltFailurePercent);
    } else {
        return;
    }
    m_haltReason += m_spec.haltTerminates ? QStringLiteral("; terminating running tasks")
                                          : QStringLiteral("; letting running tasks finish");
    Q_EMIT logLine(-1, m_haltReason);
    // Not from inside a worker's callback: let the current event finish first.
    QMetaObject::invokeMethod(this, m_spec.haltTerminates ? &TaskPool::terminate : &TaskPool::stop, Qt::QueuedConnection);
}

// A long-lived worker whose process tree grew past the limit is replaced once
// its current tasks are done, so a leak cannot take the machine down.
void TaskPool::checkWorkerMemory()
{
    if (m_spec.maxWorkerMemoryMb <= 0 || m_spec.mode != JobSpec::Mode::Worker || m_state != State::Running)
        return;
    if (!m_usage)
        m_usage = std::make_unique<ProcessGroupUsage>();
    QList<qint64> groups;
    for (Slot *w : std::as_const(m_slots))
        if (w->pid() > 0 && !w->isRemote()) // a remote slot's local process is only its launcher
            groups.append(w->pid());
    const QHash<qint64, GroupUsage> usage = m_usage->sample(groups);
    const qint64 limit = m_spec.maxWorkerMemoryMb * 1024 * 1024;
    for (Slot *w : std::as_const(m_slots)) {
        if (w->isRemote())
            continue;
        const qint64 rss = usage.value(w->pid()).rssBytes;
        if (rss > limit)
            w->recycle(QStringLiteral("its processes used %1 MB (limit %2 MB)").arg(rss / (1024 * 1024)).arg(m_spec.maxWorkerMemoryMb));
    }
}

// With a relative timeout, a task may take this many percent of the median
// ok task so far (never less than a second), once a few tasks have finished.
void TaskPool::adaptTimeout()
{
    if (m_spec.timeoutPercent <= 0 || m_okDurations.size() < MedianMinimumSamples)
        return;
    std::vector<qint64> sorted(m_okDurations.cbegin(), m_okDurations.cend());
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const qint64 median = sorted[sorted.size() / 2];
    m_timeoutMs = qMax<qint64>(MinimumAdaptiveTimeoutMs, qint64(double(median) * m_spec.timeoutPercent / 100.0));
    for (Slot *w : std::as_const(m_slots))
        w->setTimeoutMs(m_timeoutMs);
}

void TaskPool::onTasksReturned(Slot *worker, const QList<Task> &tasks)
{
    m_running -= tasks.size();
    if (worker == m_requeueing) {
        m_requeueing = nullptr;
        m_nextRequeueMs = monotonicMs() + RequeuePauseMs;
    }
    if (m_ending == Ending::RestCancelled) {
        // The queue was already emptied into "cancelled" records (the run ended
        // while a lost host handed these back): record them the same way.
        for (const Task &task : tasks)
            emitCancelled(task);
        checkCompletion();
        return;
    }
    // They never started: they keep their place at the head of the line.
    for (auto it = tasks.crbegin(); it != tasks.crend(); ++it)
        m_queue.requeueFront(*it);
    if (m_state == State::Stopping || m_state == State::Terminating)
        checkCompletion();
    else
        dispatch();
}

void TaskPool::onSlotDied(Slot *worker, const QString &reason, bool finishedAnyTask)
{
    Q_EMIT logLine(worker->slot(), reason);
    if (!takesWork()) {
        worker->terminate(); // no process left: retires at once
        return;
    }
    if (!finishedAnyTask)
        ++m_consecutiveDeaths;
    const int limit = qMax(5, 2 * workerCount());
    if (m_consecutiveDeaths >= limit) {
        fail(QStringLiteral("the worker program keeps exiting before it finishes a task (%1 times in a row); last: %2")
                 .arg(m_consecutiveDeaths)
                 .arg(reason));
        return;
    }
    // Back off when deaths pile up, so a broken worker cannot spin the CPU.
    const int delay = m_consecutiveDeaths <= 1 ? 0 : qMin(2000, 50 << qMin(m_consecutiveDeaths, 6));
    QTimer::singleShot(delay, worker, [worker] { worker->start(); });
}

void TaskPool::onStartFailed(Slot *worker, const QString &reason)
{
    if (m_spec.mode == JobSpec::Mode::Worker) {
        worker->terminate();
        fail(reason);
        return;
    }
    ++m_startFailures;
    if (!m_anyProcessRan && m_startFailures >= StartFailureLimit)
        fail(reason);
}

void TaskPool::onSlotRetired(Slot *worker)
{
    if (m_ending != Ending::NotYet) {
        // The run is ending: keep each slot's final figures for whoever looks next.
        SlotSnapshot last = worker->snapshot(monotonicMs());
        last.state = SlotState::Exited;
        last.taskId = -1;
        last.input.clear();
        last.progress = -1;
        last.message.clear();
        last.taskElapsedMs = 0;
        last.queued = 0;
        m_endedSlots.append(last);
    }
    m_slots.removeOne(worker);
    worker->deleteLater();
    if (!worker->isHostDown())
        m_reach.probeGone(worker->hostIndex()); // if it was the probe: probe again
    if (takesWork() && m_ending == Ending::NotYet)
        reconcileSlots(); // a slot that died for good is replaced
    checkCompletion();
}

void TaskPool::onHostConnected(Slot *worker)
{
    m_reach.slotConnected(worker->hostIndex());
}

// A slot could not reach its host or lost the connection. Its tasks come back
// right after through tasksReturned (not failures, no attempt used), once the
// host is marked down so they go to other hosts; m_reach says when it is
// tried again.
void TaskPool::onHostLost(Slot *worker, const QString &reason)
{
    Q_EMIT logLine(worker->slot(), reason);
    if (!takesWork()) {
        worker->terminate(); // no process left: retires at once
        return;
    }
    if (m_reach.slotLost(worker->hostIndex(), reason))
        checkAllHostsDown();
}

// Held (down), a host's slots open no new connections; released, those that
// lost theirs connect again.
void TaskPool::setHostSlotsDown(int hostIndex, bool down)
{
    const QList<Slot *> workers = m_slots;
    for (Slot *w : workers) {
        if (m_slots.contains(w) && w->hostIndex() == hostIndex)
            w->setHostDown(down);
    }
}

// Time to try a down host again: one slot probes it; the others follow once
// it connects.
void TaskPool::probeHost(int hostIndex)
{
    if (!takesWork())
        return; // the run is ending: the host stays down
    Slot *probe = liveSlots(hostIndex).value(0);
    if (m_reach.startProbe(hostIndex, probe != nullptr))
        probe->setHostDown(false);
}

void TaskPool::checkAllHostsDown()
{
    QList<int> used;
    for (int h = 0; h < int(m_hosts.size()); ++h) {
        if (m_hosts[size_t(h)].slotCount > 0)
            used.append(h);
    }
    const QString why = m_reach.whyAllGivenUp(used);
    if (!why.isEmpty())
        fail(QStringLiteral("no host can run workers: %1").arg(why));
}

void TaskPool::fail(const QString &message)
{
    if (m_fatalError.isEmpty()) {
        m_fatalError = message;
        Q_EMIT logLine(-1, message);
    }
    terminate();
}

void TaskPool::checkCompletion()
{
    // Retiring workers and cancelling inputs call back in here; run the steps
    // one at a time instead of nesting them.
    if (m_completionPass != Pass::None) {
        m_completionPass = Pass::Again;
        return;
    }
    do {
        m_completionPass = Pass::Running;
        advanceTowardsEnd();
    } while (m_completionPass == Pass::Again && m_state != State::Finished);
    m_completionPass = Pass::None;
}

// Moves the run towards its end once nothing more can happen in the current state.
void TaskPool::advanceTowardsEnd()
{
    if (m_dispatchPass != Pass::None)
        return;
    switch (m_state) {
    case State::Idle:
    case State::Paused:
    case State::Finished:
        return;
    case State::Running:
        if (m_running > 0 || m_queue.retryCount() > 0 || !m_queue.inputExhausted())
            return;
        break; // everything ran
    case State::Stopping:
        if (m_running > 0)
            return;
        break;
    case State::Terminating:
        break;
    }
    if (m_ending == Ending::NotYet)
        endSlots(false);
    if (m_ending != Ending::RestCancelled) {
        cancelRemaining(); // comes back here when done (it may wait for the input)
        return;
    }
    if (!m_slots.isEmpty() || m_running > 0)
        return;
    m_endedMs = monotonicMs();
    if (m_tick)
        m_tick->stop();
    if (m_gateTimer)
        m_gateTimer->stop();
    if (m_guard) {
        // Every slot is gone with its groups, so the guard exits at once (after the
        // grace if a lost host's launcher is still being reaped: it ends that too).
        m_guard->close();
        m_guard.reset();
    }
    setState(State::Finished);
    Q_EMIT finished();
}

void TaskPool::emitCancelled(const Task &task)
{
    TaskOutcome outcome;
    outcome.id = task.id;
    outcome.input = task.input;
    outcome.status = TaskStatus::Cancelled;
    outcome.attempts = task.attempts;
    outcome.error = m_state == State::Terminating ? QStringLiteral("not run: the pool was terminated")
                                                  : QStringLiteral("not run: the pool was stopped");
    emitFinal(outcome);
}

// Every task read from the input but never finished gets a "cancelled" record:
// the whole rest of a file or list, and of a pipe what was read from it before
// it was told to stop (a pipe may never end), so each input has one result.
void TaskPool::cancelRemaining()
{
    if (m_ending != Ending::CancellingRest)
        m_input->stopReading();
    m_ending = Ending::CancellingRest;
    m_queue.holdFresh(false); // what is never run is recorded as cancelled, held or not
    Task task;
    for (;;) {
        const TaskQueue::Take take = m_queue.take(&task);
        if (take == TaskQueue::Take::Wait)
            return; // the reader hands over the rest; readyRead() comes back here
        if (take == TaskQueue::Take::End)
            break;
        emitCancelled(task);
    }
    m_ending = Ending::RestCancelled;
    checkCompletion();
}

void TaskPool::tick()
{
    const qint64 now = monotonicMs();
    adaptTimeout();
    if (now - m_lastMemoryCheckMs >= 1000) {
        m_lastMemoryCheckMs = now;
        checkWorkerMemory();
    }
    if (m_gate.watchesMemory())
        relieveMemoryPressure(now);
    const QList<Slot *> workers = m_slots;
    for (Slot *w : workers) {
        if (m_slots.contains(w))
            w->checkDeadlines(now);
    }
    const PoolStats s = stats();
    m_samples.push_back({now, s.finished()});
    while (m_samples.size() > 1 && now - m_samples.front().ms > ThroughputWindowMs)
        m_samples.pop_front();
}

PoolStats TaskPool::stats() const
{
    PoolStats s;
    s.total = m_input->total();
    s.issued = m_queue.issued();
    if (m_queue.inputExhausted() && s.total < 0)
        s.total = s.issued;
    s.running = m_running;
    s.waiting = waitingReason();
    const qint64 remaining = m_queue.remaining();
    s.queued = m_state == State::Finished ? 0 : remaining;
    static_cast<TaskCounts &>(s) = m_counts;
    s.workers = int(std::count_if(m_slots.cbegin(), m_slots.cend(), [](Slot *w) { return !w->isRetiring(); }));
    const qint64 end = m_endedMs >= 0 ? m_endedMs : monotonicMs();
    s.elapsedSeconds = m_state == State::Idle ? 0 : (end - m_startedMs) / 1000.0;
    const qint64 finished = s.finished();
    if (m_state == State::Finished) {
        s.tasksPerSecond = s.elapsedSeconds > 0 ? finished / s.elapsedSeconds : 0;
    } else if (!m_samples.empty() && end - m_samples.front().ms >= 500) {
        s.tasksPerSecond = (finished - m_samples.front().finished) * 1000.0 / double(end - m_samples.front().ms);
    } else if (s.elapsedSeconds > 0.2) {
        s.tasksPerSecond = finished / s.elapsedSeconds;
    }
    if (s.total >= 0 && s.tasksPerSecond > 0 && m_state != State::Finished)
        s.etaSeconds = qMax<qint64>(0, s.total - finished) / s.tasksPerSecond;
    return s;
}

QList<SlotSnapshot> TaskPool::slotSnapshots() const
{
    QList<SlotSnapshot> list;
    list.reserve(m_slots.size());
    const qint64 now = monotonicMs();
    for (Slot *w : m_slots)
        list.append(w->snapshot(now));
    for (const SlotSnapshot &ended : m_endedSlots) {
        if (std::none_of(list.cbegin(), list.cend(), [&](const SlotSnapshot &s) { return s.slot == ended.slot; }))
            list.append(ended);
    }
    std::sort(list.begin(), list.end(), [](const SlotSnapshot &a, const SlotSnapshot &b) { return a.slot < b.slot; });
    return list;
}

QList<HostSnapshot> TaskPool::hostSnapshots() const
{
    QList<HostSnapshot> list;
    const qint64 now = monotonicMs();
    for (int h = 0; h < int(m_hosts.size()); ++h) {
        const Host &host = m_hosts[size_t(h)];
        HostSnapshot s;
        s.name = host.name;
        s.kind = host.spec.kind;
        s.slotCount = host.slotCount;
        s.down = !m_reach.isUp(h);
        s.failures = m_reach.failures(h);
        s.retryInMs = m_reach.retryInMs(h, now);
        s.lastError = m_reach.lastError(h);
        s.tasksOk = host.tasksOk;
        s.tasksFailed = host.tasksFailed;
        const QList<Slot *> live = liveSlots(h);
        s.liveSlots = int(live.size());
        s.busySlots = int(std::count_if(live.cbegin(), live.cend(), [](const Slot *w) { return w->inFlightCount() > 0; }));
        list.append(s);
    }
    return list;
}
