#include "protocolworker.h"

#include "protocol.h"

#include <QDateTime>
#include <QRandomGenerator>

namespace {
constexpr int MaxWindow = 256;
constexpr double TargetQueuedMs = 5.0; // how much work to keep queued in a worker's pipe
constexpr qsizetype StderrLineMax = 64 * 1024;
} // namespace

ProtocolWorker::ProtocolWorker(int slot, const JobSpec &spec, const HostSpec &host, int hostIndex, QObject *parent)
    : Worker(slot, spec, host, hostIndex, parent)
    , m_stdout(qMax<qint64>(spec.maxOutputBytes, 64 * 1024))
    , m_stderr(StderrLineMax)
    , m_transfersFiles(spec.transfer && host.isRemote())
{
    if (m_transfersFiles) {
        m_slotDirectory = QStringLiteral("%1/%2/w%3-%4")
                              .arg(spec.effectiveRemoteDirectory(), TaskFiles::runToken(spec))
                              .arg(slot)
                              .arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
    }
}

int ProtocolWorker::window() const
{
    if (m_transfersFiles)
        return 1; // a task's files are copied before its line goes out
    if (m_spec.window > 0)
        return m_spec.window;
    if (m_avgTaskMs < 0)
        return 1;
    return int(qBound(1.0, 1.0 + TargetQueuedMs / qMax(m_avgTaskMs, 0.001), double(MaxWindow)));
}

int ProtocolWorker::freeCapacity() const
{
    if (m_retiring || !m_recycleReason.isEmpty() || !hasProcess() || isEnding()
        || (m_state != WorkerState::Idle && m_state != WorkerState::Busy))
        return 0;
    int room = window() - inFlightCount();
    if (m_spec.maxTasksPerWorker > 0)
        room = qMin(room, int(m_spec.maxTasksPerWorker - m_finishedThisLife) - inFlightCount());
    return qMax(0, room);
}

void ProtocolWorker::start()
{
    if (m_retiring) {
        retireWhenDone();
        return;
    }
    if (m_hostDown) { // a new connection waits until the host is back
        m_waitingForHost = true;
        setState(WorkerState::Crashed);
        return;
    }
    setState(WorkerState::Starting);
    m_stdout.reset();
    m_stderr.reset();
    m_finishedThisLife = 0;
    m_startingUp = true;
    m_lastLineTooLong = false;
    m_inputClosed = false;
    m_inputBytesSent = 0;
    m_recycleReason.clear();
    m_lastStderrLine.clear();
    if (m_transfersFiles)
        makeSlotDirectory(); // then launchWorker()
    else
        launchWorker();
}

void ProtocolWorker::launchWorker()
{
    QList<QByteArray> argv;
    if (m_spec.shell) {
        argv = {QByteArrayLiteral("/bin/sh"), QByteArrayLiteral("-c"), m_spec.command.join(QLatin1Char(' ')).toUtf8()};
    } else {
        for (const QString &word : m_spec.command)
            argv.append(word.toUtf8());
    }
    launch(argv, m_slotPath);
}

void ProtocolWorker::handleStarted()
{
    if (m_retiring)
        return;
    setState(WorkerState::Idle);
    Q_EMIT capacityAvailable(this);
}

void ProtocolWorker::assign(Task task)
{
    if (m_transfersFiles) {
        stageTask(std::move(task));
        return;
    }
    const qint64 now = nowMs();
    Running run;
    run.task = std::move(task);
    Protocol::appendTaskLine(m_writeBuffer, run.task.id, run.task.input);
    run.inputEnd = m_inputBytesSent + m_writeBuffer.size();
    m_inFlight.push_back(std::move(run));
    if (m_inFlight.size() == 1)
        startHeadClock(now);
    setState(WorkerState::Busy);
}

void ProtocolWorker::flushAssigned()
{
    if (m_writeBuffer.isEmpty())
        return;
    m_inputBytesSent += m_writeBuffer.size();
    writeToProcess(m_writeBuffer);
    m_writeBuffer.resize(0); // keeps the capacity: no allocation per window
}

void ProtocolWorker::startHeadClock(qint64 now)
{
    if (m_inFlight.empty())
        return;
    Running &head = m_inFlight.front();
    head.startedMs = now;
    head.startedAtEpochMs = QDateTime::currentMSecsSinceEpoch();
}

qint64 ProtocolWorker::deadlineGraceMs() const
{
    return m_startingUp && m_finishedThisLife == 0 ? qint64(m_spec.startupSeconds * 1000) : 0;
}

void ProtocolWorker::handleStdout(QByteArrayView data)
{
    if (data.isEmpty())
        return;
    if (!m_inFlight.empty())
        m_inFlight.front().lastActivityMs = nowMs();
    m_stdout.feed(data, [this](QByteArrayView line, bool truncated) { handleLine(line, truncated); });
    if (freeCapacity() > 0)
        Q_EMIT capacityAvailable(this);
}

void ProtocolWorker::handleLine(QByteArrayView line, bool truncated)
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
void ProtocolWorker::failHeadForStrayAnswer(qint64 id)
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
void ProtocolWorker::recycleIfSpent()
{
    if (m_spec.maxTasksPerWorker > 0 && m_finishedThisLife >= m_spec.maxTasksPerWorker && m_recycleReason.isEmpty())
        recycle(QStringLiteral("it finished %1 tasks (--max-tasks-per-worker)").arg(m_finishedThisLife));
    recycleIfDue();
}

void ProtocolWorker::recycle(const QString &reason)
{
    if (m_retiring || !hasProcess() || !m_recycleReason.isEmpty())
        return;
    m_recycleReason = reason;
    recycleIfDue();
}

// Once nothing is in flight, closing stdin lets the worker exit cleanly;
// handleExit() then starts a fresh process in the same slot.
void ProtocolWorker::recycleIfDue()
{
    if (m_recycleReason.isEmpty() || inFlightCount() > 0 || m_inputClosed)
        return; // (inFlightCount: a task whose files move is not done either)
    setState(WorkerState::Stopping);
    closeProcessInput();
    m_inputClosed = true;
}

// A broken line that still names a task in flight, such as {"id": 17, "result": <junk>,
// is that task's answer: fail the task now instead of waiting for an answer that
// will never come (with a window of one, that wait would never end).
// elseTheHead: the line is known to answer some task; if it names none in
// flight, it is the head's.
void ProtocolWorker::failAnsweredTask(QByteArrayView line, const QString &error, bool elseTheHead)
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

void ProtocolWorker::completeHead(TaskOutcome outcome)
{
    if (m_transfersFiles) {
        m_filesRun = std::move(m_inFlight.front());
        m_inFlight.pop_front();
        afterAnswer(std::move(outcome));
        return;
    }
    const Task task = std::move(m_inFlight.front().task);
    m_inFlight.pop_front();
    countOutcome(outcome.status);
    startHeadClock(nowMs());
    if (m_inFlight.empty() && m_state == WorkerState::Busy)
        setState(WorkerState::Idle);
    Q_EMIT attemptFinished(this, task, outcome);
}

// Nothing the worker says can reach us any more. One whose stdin we closed
// with nothing left to answer is on its way out, as asked (Worker's
// RetireExitMs bounds the wait); any other is of no use: it is ended (unless
// it exits by itself at once) and handleExit() treats that as its death.
void ProtocolWorker::handleStdoutClosed()
{
    const bool onItsWayOut = m_inputClosed;
    const QString why = QStringLiteral("the worker closed its standard output but did not exit; ending it");
    if (!onItsWayOut)
        endProcessTreeUnlessItExits(EndReason::StdoutClosed, why); // first: no new task goes to it
    // An unterminated last line is still an answer.
    m_stdout.finish([this](QByteArrayView line, bool truncated) { handleLine(line, truncated); });
    if (onItsWayOut && inFlightCount() > 0)
        endProcessTreeUnlessItExits(EndReason::StdoutClosed, why);
}

// No task can reach the worker any more. The tasks whose lines never made it
// into the pipe were not started: they go back to the queue at once. It may
// still answer the others until it is ended.
void ProtocolWorker::handleStdinClosed()
{
    endProcessTreeUnlessItExits(EndReason::StdinClosed,
                                QStringLiteral("the worker closed its standard input but did not exit; ending it"));
    const qint64 delivered = inputBytesDelivered();
    QList<Task> notDelivered;
    while (!m_inFlight.empty() && m_inFlight.back().inputEnd > delivered) {
        notDelivered.prepend(std::move(m_inFlight.back().task));
        m_inFlight.pop_back();
    }
    if (m_inFlight.empty() && m_state == WorkerState::Busy)
        setState(WorkerState::Idle);
    if (!notDelivered.isEmpty())
        Q_EMIT tasksReturned(this, notDelivered);
}

void ProtocolWorker::handleStderr(QByteArrayView data)
{
    if (!m_inFlight.empty()) {
        appendErrorOutput(m_inFlight.front(), data);
        m_inFlight.front().lastActivityMs = nowMs();
    }
    m_stderr.feed(data, [this](QByteArrayView line, bool) {
        m_lastStderrLine = QString::fromUtf8(line.first(qMin<qsizetype>(line.size(), 500)));
        log(m_lastStderrLine);
    });
}

void ProtocolWorker::returnQueuedTasks()
{
    QList<Task> queued;
    for (Running &r : m_inFlight)
        queued.append(std::move(r.task));
    m_inFlight.clear();
    if (!queued.isEmpty())
        Q_EMIT tasksReturned(this, queued);
}

void ProtocolWorker::flushOutput()
{
    m_stdout.finish([this](QByteArrayView line, bool truncated) { handleLine(line, truncated); });
    m_stderr.finish([this](QByteArrayView line, bool) {
        m_lastStderrLine = QString::fromUtf8(line.first(qMin<qsizetype>(line.size(), 500)));
        log(m_lastStderrLine);
    });
}

void ProtocolWorker::handleConnected()
{
    if (!m_inFlight.empty())
        startHeadClock(nowMs());
}

// Answers that arrived before the connection dropped still count; the rest
// of the window goes back to the queue.
QList<Task> ProtocolWorker::handleHostLost()
{
    m_losingHost = true;
    flushOutput();
    m_losingHost = false;
    QList<Task> tasks;
    if (m_transfersFiles) {
        // A copy that failed loses the host while the worker may still run:
        // the result cannot come back, so the task runs again.
        if (m_filesRun) {
            tasks.append(std::move(m_filesRun->task));
            m_filesRun.reset();
            m_filesOutcome.reset();
        }
        dropFiles();
        dropDirectoryStep();
        abandonProcess();
        m_retireDeferred = false;
    }
    for (Running &r : m_inFlight)
        tasks.append(std::move(r.task));
    m_inFlight.clear();
    setState(m_retiring ? WorkerState::Stopping : WorkerState::Crashed);
    return tasks;
}

void ProtocolWorker::handleExit(int, QProcess::ExitStatus, const QString &exitText)
{
    flushOutput();
    if (m_transfersFiles && m_filesRun && !m_filesOutcome) {
        // Its input was on the way but its line never went out: it was not started.
        dropFiles();
        const Task task = std::move(m_filesRun->task);
        m_filesRun.reset();
        Q_EMIT tasksReturned(this, {task});
    }
    const qint64 now = nowMs();
    const EndReason reason = endReason();
    TaskStatus headStatus = TaskStatus::Crashed;
    QString headError = QStringLiteral("the worker %1 while working on this task").arg(exitText);
    QString death = QStringLiteral("worker %1").arg(exitText); // the slot's, for the log
    bool taskOverran = false;
    switch (reason) {
    case EndReason::Terminate:
        while (!m_inFlight.empty()) {
            TaskOutcome outcome = makeOutcome(m_inFlight.front(), TaskStatus::Cancelled, now);
            outcome.error = QStringLiteral("terminated");
            completeHead(std::move(outcome));
        }
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
    } else if (!m_recycleReason.isEmpty() && !m_retiring) {
        log(QStringLiteral("worker recycled: %1").arg(m_recycleReason));
        start();
        return;
    }
    if (m_retiring) {
        retireWhenDone();
        return;
    }
    if (taskOverran) {
        start(); // the task's fault, not the worker program's
        return;
    }
    setState(WorkerState::Crashed);
    if (!m_lastStderrLine.isEmpty())
        death += QStringLiteral(" (last stderr line: %1)").arg(m_lastStderrLine);
    Q_EMIT died(this, death, m_finishedThisLife > 0);
}

void ProtocolWorker::handleStartFailure(const QString &reason)
{
    returnQueuedTasks();
    setState(WorkerState::Crashed);
    Q_EMIT startFailed(this, reason);
}

void ProtocolWorker::onRetire()
{
    setState(WorkerState::Stopping);
    if (m_transfersFiles) {
        dropDirectoryStep(); // a worker that has not started yet need not start
        if (m_filesRun) {
            m_retireDeferred = true; // finishFilesTask() comes back here
            return;
        }
    }
    if (!hasProcess()) {
        retireWhenDone();
        return;
    }
    closeProcessInput(); // stdin closed = finish the queued tasks and exit
    m_inputClosed = true;
    m_inputClosedAtMs = nowMs();
}

// ---- file transfer ------------------------------------------------------------

RemoteTransfer *ProtocolWorker::newDirectoryStep()
{
    dropDirectoryStep();
    m_directoryStep = new RemoteTransfer(m_host, m_spec.killGraceSeconds, orphanGuard(), this);
    return m_directoryStep;
}

void ProtocolWorker::dropDirectoryStep()
{
    if (!m_directoryStep)
        return;
    m_directoryStep->disconnect(this);
    m_directoryStep->abort(); // a no-op once it has finished
    m_directoryStep->deleteLater();
    m_directoryStep = nullptr;
}

// The worker's working directory must exist before the remote guard enters it;
// made on every start, since a host that was lost may have lost it too.
void ProtocolWorker::makeSlotDirectory()
{
    RemoteTransfer *step = newDirectoryStep();
    connect(step, &RemoteTransfer::finished, this, [this, step](RemoteTransfer::Result result, const QString &message) {
        // pwd's line is the last: a login script may have printed something before it.
        const QByteArray printed = step->output().trimmed();
        const QByteArray where = printed.mid(printed.lastIndexOf('\n') + 1);
        dropDirectoryStep();
        if (result == RemoteTransfer::Result::HostLost) {
            loseHost(message);
            return;
        }
        if (result == RemoteTransfer::Result::Ok && !where.isEmpty()) {
            m_slotPath = QString::fromUtf8(where);
            launchWorker();
            return;
        }
        const QString reason = QStringLiteral("cannot make the scratch directory %1 on %2: %3")
                                   .arg(m_slotDirectory, m_hostName,
                                        message.isEmpty() ? QStringLiteral("the host did not report its directory") : message);
        setState(WorkerState::Crashed);
        Q_EMIT startFailed(this, reason);
    });
    step->makeDirectory(m_slotDirectory);
}

void ProtocolWorker::stageTask(Task task)
{
    Running run;
    run.task = std::move(task);
    run.startedMs = nowMs();
    run.startedAtEpochMs = QDateTime::currentMSecsSinceEpoch();
    m_filesRun = std::move(run);
    setState(WorkerState::Busy);
    m_files = new TaskFiles(m_spec, m_host, QStringLiteral("the worker"), orphanGuard(), this);
    QString error;
    if (!m_files->prepare(m_filesRun->task.input, m_filesRun->task.id + 1, m_slotPath, &error)) {
        // No line is sent; the pool's dispatch loop sees the free room itself.
        m_filesOutcome = makeOutcome(*m_filesRun, TaskStatus::Failed, nowMs());
        m_filesOutcome->error = error;
        reportFilesTask();
        return;
    }
    m_files->stage([this](TaskFiles::Result result, const QString &message) {
        switch (result) {
        case TaskFiles::Result::Ok:
            sendStagedTask();
            return;
        case TaskFiles::Result::Failed: {
            TaskOutcome outcome = makeOutcome(*m_filesRun, TaskStatus::Failed, nowMs());
            outcome.error = message;
            afterAnswer(std::move(outcome)); // a partial copy is cleaned up too
            return;
        }
        case TaskFiles::Result::HostLost:
            loseHost(message);
            return;
        }
    });
}

// The line names the copy, relative to the worker's directory; the task keeps
// its own input, so results and the journal show what the user gave.
void ProtocolWorker::sendStagedTask()
{
    Protocol::appendTaskLine(m_writeBuffer, m_filesRun->task.id, m_files->input().toUtf8());
    m_filesRun->inputEnd = m_inputBytesSent + m_writeBuffer.size();
    // emplace_back() + assignment, not push_back(Running&&): a second use of
    // that instantiation made GCC stop inlining it into assign()'s hot path.
    m_inFlight.emplace_back() = std::move(*m_filesRun);
    m_filesRun.reset();
    startHeadClock(nowMs());
    flushAssigned();
}

// m_filesRun holds the answered (or failed) task.
void ProtocolWorker::afterAnswer(TaskOutcome outcome)
{
    m_filesOutcome = std::move(outcome);
    if (m_losingHost)
        return; // handleHostLost() sends it back
    if (m_filesOutcome->status == TaskStatus::Cancelled || !m_files) {
        reportFilesTask(); // terminate: at once
        return;
    }
    if (m_filesOutcome->status != TaskStatus::Ok) {
        cleanUpTaskFiles();
        return;
    }
    m_files->fetchReturns([this](TaskFiles::Result result, const QString &message) {
        if (result == TaskFiles::Result::HostLost) {
            loseHost(message); // the result cannot come back: the task runs again
            return;
        }
        if (result == TaskFiles::Result::Failed) {
            m_filesOutcome->status = TaskStatus::Failed;
            m_filesOutcome->error = message;
        }
        cleanUpTaskFiles();
    });
}

void ProtocolWorker::cleanUpTaskFiles()
{
    if (!m_spec.cleanup) {
        finishFilesTask();
        return;
    }
    // The worker runs in the directory: only the task's files go.
    m_files->removeCopies(RemoteTransfer::Directory::Keep, [this](TaskFiles::Result result, const QString &message) {
        if (result != TaskFiles::Result::Ok)
            log(message); // the task's result stands
        finishFilesTask();
    });
}

void ProtocolWorker::reportFilesTask()
{
    const TaskOutcome outcome = std::move(*m_filesOutcome);
    const Task task = std::move(m_filesRun->task);
    m_filesOutcome.reset();
    m_filesRun.reset();
    dropFiles();
    countOutcome(outcome.status);
    if (m_state == WorkerState::Busy)
        setState(WorkerState::Idle);
    Q_EMIT attemptFinished(this, task, outcome);
}

void ProtocolWorker::finishFilesTask()
{
    reportFilesTask();
    if (m_retireDeferred) {
        m_retireDeferred = false;
        onRetire();
        return;
    }
    recycleIfDue();
    if (freeCapacity() > 0)
        Q_EMIT capacityAvailable(this);
}

void ProtocolWorker::dropFiles()
{
    if (!m_files)
        return;
    m_files->abort();
    m_files->deleteLater();
    m_files = nullptr;
}

// Terminate during a copy: the task is cancelled at once, unless the worker
// had answered and every return file is back.
void ProtocolWorker::onTerminate()
{
    if (!m_transfersFiles)
        return;
    dropDirectoryStep();
    m_retireDeferred = false;
    if (!m_filesRun)
        return;
    const bool resultStands = m_filesOutcome && (m_filesOutcome->status != TaskStatus::Ok || (m_files && m_files->allReturned()));
    dropFiles();
    if (!resultStands) {
        m_filesOutcome = makeOutcome(*m_filesRun, TaskStatus::Cancelled, nowMs());
        m_filesOutcome->error = QStringLiteral("terminated");
    }
    reportFilesTask();
}

// The process is gone and the slot goes: with --cleanup its directory goes
// too (if the worker left nothing else there), and the run's when empty.
void ProtocolWorker::retireWhenDone()
{
    if (!m_transfersFiles) {
        finishRetiring();
        return;
    }
    if (m_filesRun) {
        m_retireDeferred = true; // finishFilesTask() -> onRetire() comes back here
        return;
    }
    if (!m_spec.cleanup || m_slotPath.isEmpty() || m_hostDown) {
        finishRetiring();
        return;
    }
    RemoteTransfer *step = newDirectoryStep();
    connect(step, &RemoteTransfer::finished, this, [this](RemoteTransfer::Result result, const QString &message) {
        dropDirectoryStep();
        if (result != RemoteTransfer::Result::Ok)
            log(QStringLiteral("cleanup on %1 failed: %2").arg(m_hostName, message));
        finishRetiring();
    });
    step->remove(m_slotPath, {}, RemoteTransfer::Directory::RemoveIfEmpty);
}
