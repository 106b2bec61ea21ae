#include "slot.h"

#include "clock.h"
#include "pertaskslot.h"
#include "workerslot.h"

namespace {
constexpr int LogBurst = 50;      // lines per second per worker before we summarize
constexpr int LogLineMax = 2000;  // characters kept of one log line
constexpr qint64 RetireExitMs = 5000; // time a worker gets to exit after its stdin closed
} // namespace

QString slotStateName(SlotState state)
{
    switch (state) {
    case SlotState::Starting: return QStringLiteral("starting");
    case SlotState::Idle: return QStringLiteral("idle");
    case SlotState::Busy: return QStringLiteral("busy");
    case SlotState::Stopping: return QStringLiteral("stopping");
    case SlotState::Exited: return QStringLiteral("exited");
    case SlotState::Crashed: return QStringLiteral("crashed");
    }
    return {};
}

Slot *Slot::create(int slot, const JobSpec &spec, QObject *parent)
{
    return create(slot, spec, HostSpec(), 0, parent);
}

Slot *Slot::create(int slot, const JobSpec &spec, const HostSpec &host, int hostIndex, QObject *parent)
{
    if (spec.mode == JobSpec::Mode::Worker)
        return new WorkerSlot(slot, spec, host, hostIndex, parent);
    return new PerTaskSlot(slot, spec, host, hostIndex, parent);
}

Slot::Slot(int slot, const JobSpec &spec, const HostSpec &host, int hostIndex, QObject *parent)
    : QObject(parent)
    , m_spec(spec)
    , m_slot(slot)
    , m_host(host)
    , m_hostIndex(hostIndex)
    , m_hostName(host.name())
    , m_process(new SlotProcess(spec, host, this))
    , m_transfer(SlotTransfer::isNeeded(spec, host) ? new SlotTransfer(spec, host, slot, this) : nullptr)
    , m_timeoutMs(qint64(spec.timeoutSeconds * 1000))
{
    connect(m_process, &SlotProcess::message, this, &Slot::log);
    connect(m_process, &SlotProcess::startFailed, this, &Slot::onProcessStartFailed);
    connect(m_process, &SlotProcess::hostLost, this, &Slot::onProcessHostLost);
    connect(m_process, &SlotProcess::hostReached, this, &Slot::onHostReached);
    if (m_transfer) {
        connect(m_transfer, &SlotTransfer::message, this, &Slot::log);
        connect(m_transfer, &SlotTransfer::hostLost, this, &Slot::loseHost);
    }
}

// The process goes first, as it did before the slot's other parts: its tree
// is SIGKILLed without waiting.
Slot::~Slot()
{
    delete m_process;
}

void Slot::setOrphanGuard(std::shared_ptr<OrphanGuard> guard)
{
    if (m_transfer)
        m_transfer->setOrphanGuard(guard);
    m_process->setOrphanGuard(std::move(guard));
}

qint64 Slot::nowMs()
{
    return monotonicMs();
}

SlotSnapshot Slot::snapshot(qint64 now) const
{
    SlotSnapshot s;
    s.slot = m_slot;
    s.pid = m_process->pid();
    s.state = m_state;
    s.tasksDone = m_tasksDone;
    s.failures = m_failures;
    s.queued = qMax(0, inFlightCount() - 1);
    s.host = m_hostName;
    s.hostDown = m_hostDown;
    if (const Running *run = current()) {
        s.taskId = run->task.id;
        s.input = run->task.input;
        s.progress = run->progress;
        s.message = run->message;
        s.taskElapsedMs = run->startedMs >= 0 ? now - run->startedMs : 0;
    }
    return s;
}

void Slot::launch(const QList<QByteArray> &argv, const QString &remoteDirectory)
{
    m_drainedSinceMs = -1;
    m_process->start(argv, remoteDirectory);
}

// A start failure that was queued (no pipe could be made) may arrive after
// terminate() retired the slot: by then nobody is to hear of it.
void Slot::onProcessStartFailed(const QString &reason)
{
    if (m_retiredEmitted)
        return;
    reportStartFailure(reason);
}

void Slot::onProcessHostLost(const QString &reason)
{
    if (m_retiredEmitted)
        return; // as in onProcessStartFailed()
    loseHost(reason);
}

void Slot::onHostReached()
{
    startTaskClock();
    Q_EMIT hostConnected(this);
}

// The slot's tasks go back to the queue (they are not the tasks' fault); the
// pool decides when the host is tried again.
void Slot::loseHost(const QString &reason)
{
    m_waitingForHost = true;
    m_hostDown = true;
    const QList<Task> tasks = releaseTasks();
    Q_EMIT hostLost(this, reason);
    if (!tasks.isEmpty())
        Q_EMIT tasksReturned(this, tasks);
    if (m_retiring)
        finishRetiring();
}

void Slot::setHostDown(bool down)
{
    if (m_hostDown == down)
        return;
    m_hostDown = down;
    if (!down && m_waitingForHost && !m_retiring) {
        m_waitingForHost = false;
        start();
    } else if (!down && !m_retiring && m_state == SlotState::Idle && freeCapacity() > 0) {
        Q_EMIT capacityAvailable(this);
    }
}

void Slot::retire()
{
    if (m_retiring)
        return;
    m_retiring = true;
    drain();
}

void Slot::terminate()
{
    m_retiring = true;
    abort();
    if (m_process->isActive())
        m_process->endTree(EndReason::Terminate);
    else
        finishRetiring();
}

void Slot::checkDeadlines(qint64 now)
{
    if (!m_process->isActive() || m_process->endReason() != EndReason::None)
        return;
    // A worker that closed its stdin while we had nothing to write: a write
    // would fail with EPIPE, but with a full window none may come.
    m_process->pollInput();
    // A worker whose stdin we closed (retiring, or recycled) with nothing left
    // to do gets a few seconds to exit on its own, then its tree is ended.
    if ((m_retiring || m_process->isInputFinished()) && inFlightCount() == 0) {
        if (m_drainedSinceMs < 0) {
            m_drainedSinceMs = now;
        } else if (now - m_drainedSinceMs > RetireExitMs + qint64(m_spec.killGraceSeconds * 1000)) {
            log(QStringLiteral("the worker did not exit within %1 s after its input closed; ending it").arg(RetireExitMs / 1000));
            m_process->endTree(EndReason::ExitOverdue);
        }
        return;
    }
    const Running *run = current();
    if (!run || run->startedMs < 0)
        return;
    const qint64 grace = deadlineGraceMs();
    if (m_timeoutMs > 0 && now - run->startedMs > m_timeoutMs + grace) {
        m_endedAfterMs = now - run->startedMs;
        m_process->endTree(EndReason::Timeout);
        return;
    }
    const qint64 lastSign = qMax(run->startedMs, run->lastActivityMs);
    if (m_spec.stallSeconds > 0 && now - lastSign > qint64(m_spec.stallSeconds * 1000) + grace) {
        m_endedAfterMs = now - lastSign;
        m_process->endTree(EndReason::Stall);
    }
}

qint64 Slot::currentStartedMs() const
{
    const Running *run = current();
    return run && run->startedMs >= 0 ? run->startedMs : -1;
}

bool Slot::isRequeueable() const
{
    return m_process->isActive() && !m_process->isEnding() && !m_retiring;
}

void Slot::requeueTasks(const QString &why)
{
    if (!isRequeueable())
        return;
    log(why);
    m_process->endTree(EndReason::Requeue);
}

QString Slot::endReasonText() const
{
    if (m_process->endReason() == EndReason::Stall)
        return QStringLiteral("stalled: no output and no progress for %1 s").arg(m_endedAfterMs / 1000.0, 0, 'f', 1);
    return QStringLiteral("timed out after %1 s").arg(m_endedAfterMs / 1000.0, 0, 'f', 1);
}

void Slot::setState(SlotState state)
{
    m_state = state;
}

void Slot::finishRetiring()
{
    if (m_retiredEmitted)
        return;
    m_retiredEmitted = true;
    setState(SlotState::Exited);
    Q_EMIT retired(this);
}

void Slot::log(const QString &line)
{
    const qint64 now = nowMs();
    if (now - m_logWindowStartMs >= 1000) {
        if (m_logSuppressed > 0)
            Q_EMIT logLine(m_slot, QStringLiteral("(%1 more lines from this worker were not logged)").arg(m_logSuppressed));
        m_logWindowStartMs = now;
        m_logLinesInWindow = 0;
        m_logSuppressed = 0;
    }
    if (++m_logLinesInWindow > LogBurst) {
        ++m_logSuppressed;
        return;
    }
    Q_EMIT logLine(m_slot, line.size() > LogLineMax ? line.left(LogLineMax) + QStringLiteral("…") : line);
}

TaskOutcome Slot::makeOutcome(const Running &run, TaskStatus status, qint64 now) const
{
    TaskOutcome o;
    o.id = run.task.id;
    o.input = run.task.input;
    o.status = status;
    o.attempts = run.task.attempts + 1;
    o.worker = m_slot;
    o.host = m_hostName;
    o.startedAtMs = run.startedAtEpochMs;
    o.durationMs = run.startedMs >= 0 ? now - run.startedMs : 0;
    o.errorOutput = run.errorOutput;
    o.outputTruncated = run.errorTruncated;
    return o;
}

TaskOutcome Slot::makeCancelledOutcome(const Running &run, qint64 now) const
{
    TaskOutcome o = makeOutcome(run, TaskStatus::Cancelled, now);
    o.error = QStringLiteral("terminated");
    return o;
}

void Slot::appendErrorOutput(Running &run, QByteArrayView data) const
{
    const qsizetype room = m_spec.maxOutputBytes - run.errorOutput.size();
    if (data.size() <= room) {
        run.errorOutput.append(data);
    } else {
        if (room > 0)
            run.errorOutput.append(data.first(room));
        run.errorTruncated = true;
    }
}

void Slot::countOutcome(TaskStatus status)
{
    if (status == TaskStatus::Ok)
        ++m_tasksDone;
    else if (isFailure(status))
        ++m_failures;
}
