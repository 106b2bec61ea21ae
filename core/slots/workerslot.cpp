#include "workerslot.h"

#include "protocol.h"
#include "sweep.h"

#include <QDateTime>

namespace {
constexpr int MaxWindow = 256;
constexpr double TargetQueuedMs = 5.0; // how much work to keep queued in a worker's pipe
constexpr qsizetype StderrLineMax = 64 * 1024;
} // namespace

WorkerSlot::WorkerSlot(int slot, const JobSpec &spec, const HostSpec &host, int hostIndex, QObject *parent)
    : Slot(slot, spec, host, hostIndex, parent)
    , m_stdout(qMax<qint64>(spec.maxOutputBytes, 64 * 1024))
    , m_stderr(StderrLineMax)
    , m_parameterNames(Sweep::jsonNames(spec.parameterNames()))
{
    connect(process(), &SlotProcess::started, this, &WorkerSlot::onStarted);
    connect(process(), &SlotProcess::stdoutData, this, &WorkerSlot::onStdout);
    connect(process(), &SlotProcess::stdoutClosed, this, &WorkerSlot::onStdoutClosed);
    connect(process(), &SlotProcess::stdinClosed, this, &WorkerSlot::onStdinClosed);
    connect(process(), &SlotProcess::stderrData, this, &WorkerSlot::onStderr);
    connect(process(), &SlotProcess::finished, this, &WorkerSlot::onFinished);
    if (SlotTransfer *files = transfer()) {
        connect(files, &SlotTransfer::slotDirectoryReady, this, &WorkerSlot::launchWorker);
        connect(files, &SlotTransfer::slotDirectoryFailed, this, &WorkerSlot::onSlotDirectoryFailed);
        connect(files, &SlotTransfer::slotDirectoryRemoved, this, &WorkerSlot::finishRetiring);
        connect(files, &SlotTransfer::staged, this, &WorkerSlot::sendStagedTask);
        connect(files, &SlotTransfer::stageFailed, this, &WorkerSlot::onStageFailed);
        connect(files, &SlotTransfer::taskFinished, this, &WorkerSlot::finishFilesTask);
    }
}

int WorkerSlot::window() const
{
    if (transfer())
        return 1; // a task's files are copied before its line goes out
    if (m_spec.window > 0)
        return m_spec.window;
    if (m_avgTaskMs < 0)
        return 1;
    return int(qBound(1.0, 1.0 + TargetQueuedMs / qMax(m_avgTaskMs, 0.001), double(MaxWindow)));
}

int WorkerSlot::freeCapacity() const
{
    if (isRetiring() || !m_recycleReason.isEmpty() || !process()->isActive() || process()->isEnding()
        || (state() != SlotState::Idle && state() != SlotState::Busy))
        return 0;
    int room = window() - inFlightCount();
    if (m_spec.maxTasksPerWorker > 0)
        room = qMin(room, int(m_spec.maxTasksPerWorker - m_finishedThisLife) - inFlightCount());
    return qMax(0, room);
}

void WorkerSlot::start()
{
    if (isRetiring()) {
        retireWhenDone();
        return;
    }
    if (isHostDown()) { // a new connection waits until the host is back
        waitForHost();
        setState(SlotState::Crashed);
        return;
    }
    setState(SlotState::Starting);
    m_stdout.reset();
    m_stderr.reset();
    m_finishedThisLife = 0;
    m_startingUp = true;
    m_lastLineTooLong = false;
    m_inputClosed = false;
    m_inputBytesSent = 0;
    m_recycleReason.clear();
    m_lastStderrLine.clear();
    if (transfer())
        transfer()->makeSlotDirectory(); // then launchWorker()
    else
        launchWorker();
}

void WorkerSlot::launchWorker()
{
    QList<QByteArray> argv;
    if (m_spec.shell) {
        argv = {QByteArrayLiteral("/bin/sh"), QByteArrayLiteral("-c"), m_spec.command.join(QLatin1Char(' ')).toUtf8()};
    } else {
        for (const QString &word : m_spec.command)
            argv.append(word.toUtf8());
    }
    launch(argv, transfer() ? transfer()->slotPath() : QString());
}

void WorkerSlot::onStarted()
{
    if (isRetiring())
        return;
    setState(SlotState::Idle);
    Q_EMIT capacityAvailable(this);
}

void WorkerSlot::assign(Task task)
{
    if (transfer()) {
        stageTask(std::move(task));
        return;
    }
    const qint64 now = nowMs();
    Running run;
    run.task = std::move(task);
    Protocol::appendTaskLine(m_writeBuffer, run.task.id, run.task.input, m_parameterNames);
    run.inputEnd = m_inputBytesSent + m_writeBuffer.size();
    m_inFlight.push_back(std::move(run));
    if (m_inFlight.size() == 1)
        startHeadClock(now);
    setState(SlotState::Busy);
}

void WorkerSlot::flushAssigned()
{
    if (m_writeBuffer.isEmpty())
        return;
    m_inputBytesSent += m_writeBuffer.size();
    process()->write(m_writeBuffer);
    m_writeBuffer.resize(0); // keeps the capacity: no allocation per window
}

void WorkerSlot::startHeadClock(qint64 now)
{
    if (m_inFlight.empty())
        return;
    Running &head = m_inFlight.front();
    head.startedMs = now;
    head.startedAtEpochMs = QDateTime::currentMSecsSinceEpoch();
}

qint64 WorkerSlot::deadlineGraceMs() const
{
    return m_startingUp && m_finishedThisLife == 0 ? qint64(m_spec.startupSeconds * 1000) : 0;
}

void WorkerSlot::onStdout(QByteArrayView data)
{
    if (data.isEmpty())
        return;
    if (!m_inFlight.empty())
        m_inFlight.front().lastActivityMs = nowMs();
    m_stdout.feed(data, [this](QByteArrayView line, bool truncated) { takeLine(line, truncated); });
    emitStrayLines();
    if (freeCapacity() > 0)
        Q_EMIT capacityAvailable(this);
}

void WorkerSlot::takeLine(QByteArrayView line, bool truncated)
{
    if (truncated) {
        m_lastLineTooLong = true;
        log(QStringLiteral("worker sent a line longer than %1 bytes; it was dropped").arg(m_stdout.maxLineLength()));
        failAnsweredTask(line, QStringLiteral("the worker's answer was longer than %1 bytes").arg(m_stdout.maxLineLength()));
        return;
    }
    Protocol::WorkerMessage message;
    QString problem;
    if (!Protocol::parseWorkerLine(line, &message, &problem)) {
        keepStrayLine(line);
        if (line.trimmed().isEmpty())
            return;
        const QString snippet = QString::fromUtf8(line.first(qMin<qsizetype>(line.size(), 200)));
        log(QStringLiteral("not a protocol message (%1): %2").arg(problem, snippet));
        // A result or error without an "id" is an answer all the same, and
        // answers come in order: the head's, which would wait for ever.
        const bool answerWithoutId = message.id < 0 && (message.kind == Protocol::WorkerMessage::Kind::Result
                                                         || message.kind == Protocol::WorkerMessage::Kind::Error);
        failAnsweredTask(line, QStringLiteral("the worker's answer was not valid (%1): %2").arg(problem, snippet), answerWithoutId);
        return;
    }
    if (message.kind == Protocol::WorkerMessage::Kind::Ready) {
        // Start-up is over: the first task's time, timeout and stall clock
        // start now rather than when it was sent to a process still starting.
        if (m_startingUp && m_finishedThisLife == 0 && !m_inFlight.empty()) {
            const qint64 now = nowMs();
            startHeadClock(now);
            m_inFlight.front().lastActivityMs = now;
        }
        m_startingUp = false;
        return;
    }
    auto it = std::find_if(m_inFlight.begin(), m_inFlight.end(),
                           [&](const Running &r) { return r.task.id == message.id; });
    if (it == m_inFlight.end()) {
        if (message.kind == Protocol::WorkerMessage::Kind::Progress) {
            // Progress completes nothing, so no task waits on it: a stray one
            // (say, late after its task's result) is not worth failing the
            // head task for, which the worker may still answer.
            log(QStringLiteral("worker sent progress for task %1, which it was not given or had answered (ignored)").arg(message.id));
            return;
        }
        failHeadForStrayAnswer(message.id);
        return;
    }
    it->lastActivityMs = nowMs();
    if (message.kind == Protocol::WorkerMessage::Kind::Progress) {
        it->progress = message.progress;
        it->message = QString::fromUtf8(message.message);
        return;
    }
    const qint64 now = nowMs();
    // Tasks are answered in order: any task before this one got no answer.
    while (&m_inFlight.front() != &*it) {
        TaskOutcome skipped = makeOutcome(m_inFlight.front(), TaskStatus::Failed, now);
        skipped.error = m_lastLineTooLong ? QStringLiteral("the worker's answer was longer than the line limit")
                                          : QStringLiteral("the worker skipped this task (no result or error line)");
        m_lastLineTooLong = false;
        completeHead(std::move(skipped));
        it = m_inFlight.begin();
        while (it->task.id != message.id)
            ++it;
    }
    TaskOutcome outcome = makeOutcome(m_inFlight.front(), TaskStatus::Ok, now);
    if (message.kind == Protocol::WorkerMessage::Kind::Result) {
        outcome.result = message.result.toByteArray();
    } else {
        outcome.status = TaskStatus::Failed;
        outcome.error = QString::fromUtf8(message.error);
    }
    m_lastLineTooLong = false;
    ++m_finishedThisLife;
    const double serviceMs = double(outcome.durationMs);
    m_avgTaskMs = m_avgTaskMs < 0 ? serviceMs : 0.8 * m_avgTaskMs + 0.2 * serviceMs;
    completeHead(std::move(outcome));
    recycleIfSpent();
}

// An answer (a result or an error) for a task that is not in flight: never
// given, or answered already. Answers come in order, so it was most likely
// meant for the head of the window, which would otherwise wait for ever.
void WorkerSlot::failHeadForStrayAnswer(qint64 id)
{
    log(QStringLiteral("worker answered task %1, which it was not given or had answered").arg(id));
    if (m_inFlight.empty())
        return; // nothing waits for an answer
    TaskOutcome outcome = makeOutcome(m_inFlight.front(), TaskStatus::Failed, nowMs());
    outcome.error = QStringLiteral("the worker answered task %1, which it was not given or had already answered (protocol error)").arg(id);
    m_lastLineTooLong = false;
    ++m_finishedThisLife;
    completeHead(std::move(outcome));
    recycleIfSpent();
}

// Every answer, good or broken, counts toward --max-tasks-per-worker: a
// worker at its limit has no room left, so it must be recycled.
void WorkerSlot::recycleIfSpent()
{
    if (m_spec.maxTasksPerWorker > 0 && m_finishedThisLife >= m_spec.maxTasksPerWorker && m_recycleReason.isEmpty())
        recycle(QStringLiteral("it finished %1 tasks (--max-tasks-per-worker)").arg(m_finishedThisLife));
    recycleIfDue();
}

void WorkerSlot::recycle(const QString &reason)
{
    if (isRetiring() || !process()->isActive() || !m_recycleReason.isEmpty())
        return;
    m_recycleReason = reason;
    recycleIfDue();
}

// Once nothing is in flight, closing stdin lets the worker exit cleanly;
// onFinished() then starts a fresh process in the same slot.
void WorkerSlot::recycleIfDue()
{
    if (m_recycleReason.isEmpty() || inFlightCount() > 0 || m_inputClosed)
        return; // (inFlightCount: a task whose files move is not done either)
    setState(SlotState::Stopping);
    process()->finishInput();
    m_inputClosed = true;
}

// A broken line that still names a task in flight, such as {"id": 17, "result": <junk>,
// is that task's answer: fail the task now instead of waiting for an answer that
// will never come (with a window of one, that wait would never end).
// elseTheHead: the line is known to answer some task; if it names none in
// flight, it is the head's.
void WorkerSlot::failAnsweredTask(QByteArrayView line, const QString &error, bool elseTheHead)
{
    qint64 id = -1;
    const qsizetype key = line.indexOf("\"id\"");
    if (key >= 0) {
        qsizetype p = key + 4;
        while (p < line.size() && (line[p] == ' ' || line[p] == ':'))
            ++p;
        const qsizetype digits = p;
        qint64 value = 0;
        while (p < line.size() && line[p] >= '0' && line[p] <= '9' && p - digits < 18)
            value = value * 10 + (line[p++] - '0');
        if (p > digits)
            id = value;
    }
    const auto named = std::find_if(m_inFlight.cbegin(), m_inFlight.cend(), [id](const Running &r) { return r.task.id == id; });
    if (named == m_inFlight.cend()) {
        if (!elseTheHead || m_inFlight.empty())
            return;
        id = m_inFlight.front().task.id;
    }
    const qint64 now = nowMs();
    while (m_inFlight.front().task.id != id) {
        TaskOutcome skipped = makeOutcome(m_inFlight.front(), TaskStatus::Failed, now);
        skipped.error = QStringLiteral("the worker skipped this task (no result or error line)");
        completeHead(std::move(skipped));
    }
    TaskOutcome outcome = makeOutcome(m_inFlight.front(), TaskStatus::Failed, now);
    outcome.error = error;
    m_lastLineTooLong = false;
    ++m_finishedThisLife;
    completeHead(std::move(outcome));
    recycleIfSpent();
}

void WorkerSlot::completeHead(TaskOutcome outcome)
{
    if (transfer()) {
        m_filesRun = std::move(m_inFlight.front());
        m_inFlight.pop_front();
        if (m_losingHost)
            return; // releaseTasks() sends it back: its result cannot come back
        if (outcome.status == TaskStatus::Cancelled || !transfer()->hasTask())
            reportFilesTask(outcome); // terminate: at once
        else
            transfer()->finishTask(std::move(outcome)); // then finishFilesTask()
        return;
    }
    const Task task = std::move(m_inFlight.front().task);
    m_inFlight.pop_front();
    countOutcome(outcome.status);
    startHeadClock(nowMs());
    if (m_inFlight.empty() && state() == SlotState::Busy)
        setState(SlotState::Idle);
    Q_EMIT attemptFinished(this, task, outcome);
}

// Nothing the worker says can reach us any more. One whose stdin we closed
// with nothing left to answer is on its way out, as asked (Slot's
// RetireExitMs bounds the wait); any other is of no use: it is ended (unless
// it exits by itself at once) and onFinished() treats that as its death.
void WorkerSlot::onStdoutClosed()
{
    const bool onItsWayOut = m_inputClosed;
    const QString why = QStringLiteral("the worker closed its standard output but did not exit; ending it");
    if (!onItsWayOut)
        process()->endTreeUnlessItExits(EndReason::StdoutClosed, why); // first: no new task goes to it
    // An unterminated last line is still an answer.
    m_stdout.finish([this](QByteArrayView line, bool truncated) { takeLine(line, truncated); });
    emitStrayLines();
    if (onItsWayOut && inFlightCount() > 0)
        process()->endTreeUnlessItExits(EndReason::StdoutClosed, why);
}

// No task can reach the worker any more. The tasks whose lines never made it
// into the pipe were not started: they go back to the queue at once. It may
// still answer the others until it is ended.
void WorkerSlot::onStdinClosed()
{
    process()->endTreeUnlessItExits(EndReason::StdinClosed,
                                QStringLiteral("the worker closed its standard input but did not exit; ending it"));
    const qint64 delivered = process()->inputBytesDelivered();
    QList<Task> notDelivered;
    while (!m_inFlight.empty() && m_inFlight.back().inputEnd > delivered) {
        notDelivered.prepend(std::move(m_inFlight.back().task));
        m_inFlight.pop_back();
    }
    if (m_inFlight.empty() && state() == SlotState::Busy)
        setState(SlotState::Idle);
    if (!notDelivered.isEmpty())
        Q_EMIT tasksReturned(this, notDelivered);
}

void WorkerSlot::onStderr(QByteArrayView data)
{
    if (!m_inFlight.empty()) {
        appendErrorOutput(m_inFlight.front(), data);
        m_inFlight.front().lastActivityMs = nowMs();
    }
    Q_EMIT output(m_slot, currentTaskId(), OutputStream::Stderr, data);
    m_stderr.feed(data, [this](QByteArrayView line, bool) { takeStderrLine(line); });
}

qint64 WorkerSlot::currentTaskId() const
{
    if (!m_inFlight.empty())
        return m_inFlight.front().task.id;
    return m_filesRun ? m_filesRun->task.id : -1;
}

// A stdout line that is no protocol message is the worker's own output (a
// print() left in, a library's chatter): it is shown live. Such lines are
// gathered over one read and emitted together; an answer in between changes
// the task they belong to, so the ones before it go out first.
void WorkerSlot::keepStrayLine(QByteArrayView line)
{
    const qint64 taskId = currentTaskId();
    if (!m_strayLines.isEmpty() && taskId != m_strayTaskId)
        emitStrayLines();
    m_strayTaskId = taskId;
    m_strayLines.append(line);
    m_strayLines.append('\n');
}

void WorkerSlot::emitStrayLines()
{
    if (m_strayLines.isEmpty())
        return;
    Q_EMIT output(m_slot, m_strayTaskId, OutputStream::Stdout, m_strayLines);
    m_strayLines.clear();
}

void WorkerSlot::takeStderrLine(QByteArrayView line)
{
    m_lastStderrLine = QString::fromUtf8(line.first(qMin<qsizetype>(line.size(), 500)));
    log(m_lastStderrLine);
}

void WorkerSlot::returnQueuedTasks()
{
    QList<Task> queued;
    for (Running &r : m_inFlight)
        queued.append(std::move(r.task));
    m_inFlight.clear();
    if (!queued.isEmpty())
        Q_EMIT tasksReturned(this, queued);
}

void WorkerSlot::flushOutput()
{
    m_stdout.finish([this](QByteArrayView line, bool truncated) { takeLine(line, truncated); });
    emitStrayLines();
    m_stderr.finish([this](QByteArrayView line, bool) { takeStderrLine(line); });
}

void WorkerSlot::startTaskClock()
{
    if (!m_inFlight.empty())
        startHeadClock(nowMs());
}

// Answers that arrived before the connection dropped still count; the rest
// of the window goes back to the queue.
QList<Task> WorkerSlot::releaseTasks()
{
    m_losingHost = true;
    flushOutput();
    m_losingHost = false;
    QList<Task> tasks;
    if (transfer()) {
        // A copy that failed loses the host while the worker may still run:
        // the result cannot come back, so the task runs again.
        if (m_filesRun) {
            tasks.append(std::move(m_filesRun->task));
            m_filesRun.reset();
        }
        transfer()->abort();
        process()->abandon();
        m_retireDeferred = false;
    }
    for (Running &r : m_inFlight)
        tasks.append(std::move(r.task));
    m_inFlight.clear();
    setState(isRetiring() ? SlotState::Stopping : SlotState::Crashed);
    return tasks;
}

void WorkerSlot::onFinished(int, QProcess::ExitStatus, const QString &exitText)
{
    flushOutput();
    if (transfer() && m_filesRun && !transfer()->hasOutcome()) {
        // Its input was on the way but its line never went out: it was not started.
        transfer()->dropTask();
        const Task task = std::move(m_filesRun->task);
        m_filesRun.reset();
        Q_EMIT tasksReturned(this, {task});
    }
    const qint64 now = nowMs();
    const EndReason reason = process()->endReason();
    if (reason == EndReason::Requeue) {
        // Ended to make room: what it answered before it went stands, the
        // rest of its window goes back as never started, and a new worker
        // takes its place (the pool holds tasks back while memory is short).
        // tasksReturned() comes even when none is left: the pool waits for it.
        QList<Task> queued;
        for (Running &r : m_inFlight)
            queued.append(std::move(r.task));
        m_inFlight.clear();
        Q_EMIT tasksReturned(this, queued);
        if (isRetiring()) {
            retireWhenDone();
            return;
        }
        start();
        return;
    }
    TaskStatus headStatus = TaskStatus::Crashed;
    QString headError = QStringLiteral("the worker %1 while working on this task").arg(exitText);
    QString death = QStringLiteral("worker %1").arg(exitText); // the slot's, for the log
    bool taskOverran = false;
    switch (reason) {
    case EndReason::Terminate:
        while (!m_inFlight.empty())
            completeHead(makeCancelledOutcome(m_inFlight.front(), now));
        finishRetiring();
        return;
    case EndReason::Timeout:
    case EndReason::Stall:
        taskOverran = true;
        headStatus = reason == EndReason::Timeout ? TaskStatus::Timeout : TaskStatus::Stalled;
        headError = endReasonText();
        break;
    case EndReason::StdoutClosed:
        headError = QStringLiteral("the worker closed its standard output while working on this task");
        death = QStringLiteral("worker closed its standard output");
        break;
    case EndReason::StdinClosed:
        // It may never have read this task: the line can have died in the pipe.
        headError = QStringLiteral("the worker closed its standard input and never answered this task");
        death = QStringLiteral("worker closed its standard input");
        break;
    case EndReason::ExitOverdue: // nothing was in flight: a retire or a recycle goes on below
    case EndReason::Requeue:     // (handled above)
    case EndReason::None:
    case EndReason::Stragglers:
        break;
    }
    if (!m_inFlight.empty()) {
        // Only the task being worked on is to blame; the ones queued behind it go back.
        TaskOutcome outcome = makeOutcome(m_inFlight.front(), headStatus, now);
        outcome.error = headError;
        completeHead(std::move(outcome));
        returnQueuedTasks();
    } else if (!m_recycleReason.isEmpty() && !isRetiring()) {
        log(QStringLiteral("worker recycled: %1").arg(m_recycleReason));
        start();
        return;
    }
    if (isRetiring()) {
        retireWhenDone();
        return;
    }
    if (taskOverran) {
        start(); // the task's fault, not the worker program's
        return;
    }
    setState(SlotState::Crashed);
    if (!m_lastStderrLine.isEmpty())
        death += QStringLiteral(" (last stderr line: %1)").arg(m_lastStderrLine);
    Q_EMIT died(this, death, m_finishedThisLife > 0);
}

void WorkerSlot::reportStartFailure(const QString &reason)
{
    returnQueuedTasks();
    setState(SlotState::Crashed);
    Q_EMIT startFailed(this, reason);
}

void WorkerSlot::drain()
{
    setState(SlotState::Stopping);
    if (transfer()) {
        transfer()->cancelDirectoryStep(); // a worker that has not started yet need not start
        if (m_filesRun) {
            m_retireDeferred = true; // finishFilesTask() comes back here
            return;
        }
    }
    if (!process()->isActive()) {
        retireWhenDone();
        return;
    }
    process()->finishInput(); // stdin closed = finish the queued tasks and exit
    m_inputClosed = true;
    m_inputClosedAtMs = nowMs();
}

// The process is gone and the slot goes: with --cleanup its directory goes
// too (if the worker left nothing else there), and the run's when empty.
void WorkerSlot::retireWhenDone()
{
    if (!transfer()) {
        finishRetiring();
        return;
    }
    if (m_filesRun) {
        m_retireDeferred = true; // finishFilesTask() -> drain() comes back here
        return;
    }
    if (isHostDown() || !transfer()->removeSlotDirectory())
        finishRetiring(); // else once it is removed
}

// ---- file transfer ------------------------------------------------------------

void WorkerSlot::onSlotDirectoryFailed(const QString &reason)
{
    setState(SlotState::Crashed);
    Q_EMIT startFailed(this, reason);
}

void WorkerSlot::stageTask(Task task)
{
    Running run;
    run.task = std::move(task);
    run.startedMs = nowMs();
    run.startedAtEpochMs = QDateTime::currentMSecsSinceEpoch();
    m_filesRun = std::move(run);
    setState(SlotState::Busy);
    QString error;
    if (!transfer()->beginTask(m_filesRun->task.input, m_filesRun->task.id + 1, &error)) {
        // No line is sent; the pool's dispatch loop sees the free room itself.
        TaskOutcome outcome = makeOutcome(*m_filesRun, TaskStatus::Failed, nowMs());
        outcome.error = error;
        reportFilesTask(outcome);
        return;
    }
    transfer()->stage(); // then sendStagedTask()
}

// The line names the copy, relative to the worker's directory; the task keeps
// its own input, so results and the journal show what the user gave.
void WorkerSlot::sendStagedTask()
{
    Protocol::appendTaskLine(m_writeBuffer, m_filesRun->task.id, transfer()->taskInput().toUtf8());
    m_filesRun->inputEnd = m_inputBytesSent + m_writeBuffer.size();
    // emplace_back() + assignment, not push_back(Running&&): a second use of
    // that instantiation made GCC stop inlining it into assign()'s hot path.
    m_inFlight.emplace_back() = std::move(*m_filesRun);
    m_filesRun.reset();
    startHeadClock(nowMs());
    flushAssigned();
}

// A partial copy is cleaned up too.
void WorkerSlot::onStageFailed(const QString &message)
{
    TaskOutcome outcome = makeOutcome(*m_filesRun, TaskStatus::Failed, nowMs());
    outcome.error = message;
    transfer()->finishTask(std::move(outcome)); // then finishFilesTask()
}

void WorkerSlot::reportFilesTask(const TaskOutcome &outcome)
{
    const Task task = std::move(m_filesRun->task);
    m_filesRun.reset();
    transfer()->dropTask();
    countOutcome(outcome.status);
    if (state() == SlotState::Busy)
        setState(SlotState::Idle);
    Q_EMIT attemptFinished(this, task, outcome);
}

void WorkerSlot::finishFilesTask(const TaskOutcome &outcome)
{
    reportFilesTask(outcome);
    if (m_retireDeferred) {
        m_retireDeferred = false;
        drain();
        return;
    }
    recycleIfDue();
    if (freeCapacity() > 0)
        Q_EMIT capacityAvailable(this);
}

// Terminate during a copy: the task is cancelled at once, unless the worker
// had answered and every return file is back.
void WorkerSlot::abort()
{
    if (!transfer())
        return;
    transfer()->cancelDirectoryStep();
    m_retireDeferred = false;
    if (!m_filesRun)
        return;
    reportFilesTask(transfer()->stopTask(makeCancelledOutcome(*m_filesRun, nowMs())));
}
