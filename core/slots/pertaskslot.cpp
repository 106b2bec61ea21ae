#include "pertaskslot.h"

#include "json.h"
#include "processtree.h"

#include <QDateTime>

namespace {
constexpr qsizetype ProgressLineMax = 4096;
} // namespace

PerTaskSlot::PerTaskSlot(int slot, const JobSpec &spec, const HostSpec &host, int hostIndex, QObject *parent)
    : Slot(slot, spec, host, hostIndex, parent)
    , m_command(spec.command, spec.shell, spec.parameterNames())
{
    connect(process(), &SlotProcess::stdoutData, this, &PerTaskSlot::onStdout);
    connect(process(), &SlotProcess::stderrData, this, &PerTaskSlot::onStderr);
    connect(process(), &SlotProcess::finished, this, &PerTaskSlot::onFinished);
    if (SlotTransfer *files = transfer()) {
        connect(files, &SlotTransfer::staged, this, &PerTaskSlot::onStaged);
        connect(files, &SlotTransfer::stageFailed, this, &PerTaskSlot::failTask);
        connect(files, &SlotTransfer::taskFinished, this, &PerTaskSlot::finishTask);
    }
    if (!spec.progressPattern.isEmpty()) {
        m_progressPattern.setPattern(spec.progressPattern);
        m_progressPattern.optimize();
        m_doneGroup = m_progressPattern.namedCaptureGroups().indexOf(QStringLiteral("done"));
        m_totalGroup = m_progressPattern.namedCaptureGroups().indexOf(QStringLiteral("total"));
        m_progressNeedsPercent = spec.progressPattern == JobSpec::defaultProgressPattern();
    }
}

int PerTaskSlot::freeCapacity() const
{
    // Each task is a new connection: none while the host is down.
    return !isRetiring() && !isHostDown() && state() == SlotState::Idle ? 1 : 0;
}

void PerTaskSlot::start()
{
    setState(SlotState::Idle);
    Q_EMIT capacityAvailable(this);
}

void PerTaskSlot::assign(Task task)
{
    Q_ASSERT(!m_run);
    m_run.emplace();
    m_run->task = std::move(task);
    m_run->startedMs = nowMs();
    m_run->startedAtEpochMs = QDateTime::currentMSecsSinceEpoch();
    m_output.clear();
    m_outputTruncated = false;
    m_stdoutTail.clear();
    m_stderrTail.clear();
    setState(SlotState::Busy);
    if (isRemote() && !Json::isValidUtf8(m_run->task.input)) {
        failTask(QStringLiteral("the input is not valid UTF-8; such names run on local slots only (the remote "
                                "command line is text)"));
        return;
    }
    if (!transfer()) {
        launchCommand(m_run->task.input, QString());
        return;
    }
    QString error;
    if (!transfer()->beginTask(m_run->task.input, m_run->task.id + 1, &error)) {
        failTask(error);
        return;
    }
    transfer()->stage();
}

void PerTaskSlot::onStaged()
{
    launchCommand(transfer()->taskInput().toUtf8(), transfer()->taskDirectory());
}

void PerTaskSlot::launchCommand(const QByteArray &input, const QString &remoteDirectory)
{
    QList<QByteArray> argv;
    QString error;
    if (!m_command.expand(input, m_run->task.id + 1, &argv, &error)) {
        failTask(error);
        return;
    }
    if (!isRemote()) {
        error = ProcessTree::argumentListProblem(argv);
        if (!error.isEmpty()) {
            failTask(error);
            return;
        }
    }
    launch(argv, remoteDirectory);
}

void PerTaskSlot::failTask(const QString &error)
{
    TaskOutcome outcome = makeOutcome(*m_run, TaskStatus::Failed, nowMs());
    outcome.error = error;
    endAttempt(std::move(outcome));
}

// The command is done, or will never run. What reached the host comes back
// (or is cleaned up) first; a cancelled task is reported at once.
void PerTaskSlot::endAttempt(TaskOutcome outcome)
{
    if (transfer() && transfer()->hasTask() && outcome.status != TaskStatus::Cancelled)
        transfer()->finishTask(std::move(outcome)); // then finishTask()
    else
        finishTask(std::move(outcome));
}

// Terminate while the task's files move: the task is reported now.
void PerTaskSlot::abort()
{
    if (!transfer() || !transfer()->isBusy() || !m_run)
        return; // a running command ends through its process
    finishTask(transfer()->stopTask(makeCancelledOutcome(*m_run, nowMs())));
}

void PerTaskSlot::onStdout(QByteArrayView data)
{
    if (data.isEmpty() || !m_run)
        return;
    m_run->lastActivityMs = nowMs();
    const qsizetype room = m_spec.maxOutputBytes - m_output.size();
    if (data.size() <= room) {
        m_output.append(data);
    } else {
        if (room > 0)
            m_output.append(data.first(room));
        m_outputTruncated = true; // keep draining the pipe, store no more
    }
    scanProgress(m_stdoutTail, data);
    Q_EMIT output(m_slot, m_run->task.id, OutputStream::Stdout, data);
}

void PerTaskSlot::onStderr(QByteArrayView data)
{
    if (data.isEmpty() || !m_run)
        return;
    m_run->lastActivityMs = nowMs();
    appendErrorOutput(*m_run, data);
    scanProgress(m_stderrTail, data);
    Q_EMIT output(m_slot, m_run->task.id, OutputStream::Stderr, data);
}

// Tools redraw progress with '\r', so both '\r' and '\n' end a line here.
// Only the newest matching line matters, so lines are tried from the end.
void PerTaskSlot::scanProgress(QByteArray &tail, QByteArrayView data)
{
    if (!m_progressPattern.isValid() || m_progressPattern.pattern().isEmpty())
        return;
    qsizetype end = data.size();
    qsizetype lastBreak = -1;
    for (qsizetype i = end - 1; i >= 0; --i) {
        if (data[i] == '\n' || data[i] == '\r') {
            lastBreak = i;
            break;
        }
    }
    if (lastBreak < 0) {
        if (tail.size() < ProgressLineMax)
            tail.append(data.first(qMin(data.size(), ProgressLineMax - tail.size())));
        return;
    }
    // Complete lines: tail + data[0..lastBreak). Walk them newest first.
    double progress;
    bool found = false;
    qsizetype lineEnd = lastBreak;
    while (lineEnd >= 0 && !found) {
        qsizetype lineStart = lineEnd - 1;
        while (lineStart >= 0 && data[lineStart] != '\n' && data[lineStart] != '\r')
            --lineStart;
        const QByteArrayView line = data.sliced(lineStart + 1, lineEnd - lineStart - 1);
        if (lineStart < 0) {
            QByteArray joined = tail + line.toByteArray();
            found = parseProgress(joined, &progress);
            break;
        }
        found = parseProgress(line, &progress);
        lineEnd = lineStart;
    }
    tail = data.sliced(lastBreak + 1).first(qMin(data.size() - lastBreak - 1, ProgressLineMax)).toByteArray();
    if (found && m_run)
        m_run->progress = progress;
}

bool PerTaskSlot::parseProgress(QByteArrayView line, double *progress) const
{
    if (line.isEmpty() || line.size() > ProgressLineMax)
        return false;
    if (m_progressNeedsPercent && !line.contains('%'))
        return false;
    const QString text = QString::fromUtf8(line);
    QRegularExpressionMatchIterator it = m_progressPattern.globalMatch(text);
    QRegularExpressionMatch match;
    while (it.hasNext())
        match = it.next(); // the last match on the line is the newest figure
    if (!match.hasMatch())
        return false;
    bool ok = false;
    double value;
    if (m_doneGroup > 0 && m_totalGroup > 0) {
        const double done = match.captured(m_doneGroup).toDouble(&ok);
        bool okTotal = false;
        const double total = match.captured(m_totalGroup).toDouble(&okTotal);
        if (!ok || !okTotal || total <= 0)
            return false;
        value = done / total;
    } else {
        value = match.captured(1).toDouble(&ok) / 100.0;
        if (!ok)
            return false;
    }
    *progress = qBound(0.0, value, 1.0);
    return true;
}

void PerTaskSlot::onFinished(int exitCode, QProcess::ExitStatus status, const QString &exitText)
{
    if (!m_run)
        return;
    const EndReason reason = process()->endReason();
    if (reason == EndReason::Requeue) {
        requeueTask();
        return;
    }
    TaskStatus taskStatus = TaskStatus::Failed;
    QString error;
    int code = -1;
    switch (reason) {
    case EndReason::Terminate:
        taskStatus = TaskStatus::Cancelled;
        error = QStringLiteral("terminated");
        break;
    case EndReason::Timeout:
    case EndReason::Stall:
        taskStatus = reason == EndReason::Timeout ? TaskStatus::Timeout : TaskStatus::Stalled;
        error = endReasonText();
        break;
    case EndReason::None:
    case EndReason::Stragglers:
    case EndReason::StdoutClosed: // these three end long-lived workers only:
    case EndReason::StdinClosed:  // a command's own exit status is its result
    case EndReason::ExitOverdue:
    case EndReason::Requeue:      // (handled above)
        if (status == QProcess::NormalExit) {
            code = exitCode;
            taskStatus = exitCode == 0 ? TaskStatus::Ok : TaskStatus::Failed;
            if (exitCode != 0)
                error = exitText;
        } else {
            taskStatus = TaskStatus::Crashed;
            error = exitText;
        }
        break;
    }
    TaskOutcome outcome = makeOutcome(*m_run, taskStatus, nowMs());
    outcome.exitCode = code;
    outcome.error = error;
    outcome.output = std::move(m_output);
    outcome.outputTruncated = outcome.outputTruncated || m_outputTruncated;
    endAttempt(std::move(outcome));
}

// Ended to make room: the task goes back as though it never ran, and the slot
// takes tasks again (the pool holds them back while memory is short).
void PerTaskSlot::requeueTask()
{
    const QList<Task> tasks = releaseTasks();
    setState(isRetiring() ? SlotState::Stopping : SlotState::Idle);
    Q_EMIT tasksReturned(this, tasks); // even none: the pool waits for it
    if (isRetiring())
        finishRetiring();
    else
        Q_EMIT capacityAvailable(this);
}

void PerTaskSlot::reportStartFailure(const QString &reason)
{
    if (!m_run)
        return;
    TaskOutcome outcome = makeOutcome(*m_run, TaskStatus::Failed, nowMs());
    outcome.error = reason;
    // The pool's guard against a program that cannot start is for a fixed
    // program; a program named by the input, or a command line the input made
    // too long, fails this task only.
    const bool inputsFault = m_command.fixedProgram().isEmpty() || ProcessTree::isArgumentListTooLong(reason);
    if (!inputsFault)
        Q_EMIT startFailed(this, reason);
    finishTask(std::move(outcome));
}

void PerTaskSlot::finishTask(TaskOutcome outcome)
{
    const Task task = std::move(m_run->task);
    m_run.reset();
    m_output.clear();
    if (transfer())
        transfer()->dropTask();
    countOutcome(outcome.status);
    setState(isRetiring() ? SlotState::Stopping : SlotState::Idle);
    Q_EMIT attemptFinished(this, task, outcome);
    if (isRetiring())
        finishRetiring();
    else
        Q_EMIT capacityAvailable(this);
}

// The task's clock starts when it runs on the host, not when ssh starts dialling.
void PerTaskSlot::startTaskClock()
{
    if (m_run)
        m_run->startedMs = nowMs();
}

QList<Task> PerTaskSlot::releaseTasks()
{
    QList<Task> tasks;
    if (m_run) {
        tasks.append(std::move(m_run->task));
        m_run.reset();
    }
    m_output.clear();
    if (transfer())
        transfer()->dropTask();
    setState(isRetiring() ? SlotState::Stopping : SlotState::Crashed);
    return tasks;
}

void PerTaskSlot::drain()
{
    if (!m_run && !process()->isActive())
        finishRetiring();
    else
        setState(SlotState::Stopping);
}
