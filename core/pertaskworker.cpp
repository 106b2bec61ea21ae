#include "pertaskworker.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>

namespace {
constexpr qsizetype ProgressLineMax = 4096;
} // namespace

PerTaskWorker::PerTaskWorker(int slot, const JobSpec &spec, const HostSpec &host, int hostIndex, QObject *parent)
    : Worker(slot, spec, host, hostIndex, parent)
    , m_command(spec.command, spec.shell)
    // A pool fills the token in (JobSpec::forRun); a slot made without one still
    // gets a run directory of its own, so cleanup never removes the user's.
    , m_runToken(spec.transferRunToken.isEmpty()
                     ? QStringLiteral("run-%1").arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'))
                     : spec.transferRunToken)
{
    if (!spec.progressPattern.isEmpty()) {
        m_progressPattern.setPattern(spec.progressPattern);
        m_progressPattern.optimize();
        m_doneGroup = m_progressPattern.namedCaptureGroups().indexOf(QStringLiteral("done"));
        m_totalGroup = m_progressPattern.namedCaptureGroups().indexOf(QStringLiteral("total"));
        m_progressNeedsPercent = spec.progressPattern == JobSpec::defaultProgressPattern();
    }
}

int PerTaskWorker::freeCapacity() const
{
    // Each task is a new connection: none while the host is down.
    return !m_retiring && !m_hostDown && m_state == WorkerState::Idle ? 1 : 0;
}

void PerTaskWorker::start()
{
    setState(WorkerState::Idle);
    Q_EMIT capacityAvailable(this);
}

void PerTaskWorker::assign(Task task)
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
    setState(WorkerState::Busy);
    if (transfersFiles())
        stageInput();
    else
        launchCommand(m_run->task.input, QString());
}

void PerTaskWorker::launchCommand(const QByteArray &input, const QString &remoteDirectory)
{
    QString program, error;
    QStringList arguments;
    if (!m_command.expand(input, m_run->task.id + 1, &program, &arguments, &error)) {
        failTask(error);
        return;
    }
    launch(program, arguments, remoteDirectory);
}

void PerTaskWorker::failTask(const QString &error)
{
    TaskOutcome outcome = makeOutcome(*m_run, TaskStatus::Failed, nowMs());
    outcome.error = error;
    if (m_transfer)
        afterCommand(std::move(outcome)); // what reached the host is cleaned up too
    else
        finishTask(std::move(outcome));
}

// ---- file transfer ------------------------------------------------------------

void PerTaskWorker::stageInput()
{
    const QByteArray &raw = m_run->task.input;
    const QString text = QString::fromUtf8(raw);
    if (raw.contains('\0') || text.toUtf8() != raw) {
        failTask(QStringLiteral("the input is not valid UTF-8 text and cannot name a file to transfer"));
        return;
    }
    const QString localDir = m_spec.workingDirectory.isEmpty() ? QDir::currentPath()
                                                               : QDir::current().absoluteFilePath(m_spec.workingDirectory);
    Transfer t;
    t.localInput = QDir::cleanPath(QDir(localDir).absoluteFilePath(text));
    const QFileInfo info(t.localInput);
    if (text.isEmpty() || !info.isFile()) {
        failTask(QStringLiteral("cannot transfer \"%1\": %2")
                     .arg(text, info.exists() ? QStringLiteral("not a regular file") : QStringLiteral("no such file")));
        return;
    }
    t.input = RemoteTransfer::scratchPath(text, localDir);
    const qint64 number = m_run->task.id + 1;
    for (const QString &pattern : m_spec.returnFiles) {
        // The copy is looked up where its local path maps, as the input's is.
        const QString name = CommandTemplate::fill(pattern, text, number);
        const QString inside = name.isEmpty() ? QString() : RemoteTransfer::scratchPath(name, localDir);
        if (inside.isEmpty() || inside == QLatin1String(".")) {
            failTask(QStringLiteral("the return file %1 names no file for this input").arg(pattern));
            return;
        }
        t.returns.append({inside, QDir::cleanPath(QDir(localDir).absoluteFilePath(name))});
    }
    // A directory per attempt: tasks on one host never share copies, and files
    // an earlier attempt left never pass for this one's.
    t.directory = QStringLiteral("%1/%2/%3-%4")
                      .arg(m_spec.effectiveRemoteDirectory(), m_runToken)
                      .arg(number)
                      .arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
    m_transfer = std::move(t);
    RemoteTransfer *step = newTransfer();
    connect(step, &RemoteTransfer::finished, this, &PerTaskWorker::onInputStaged);
    step->upload(m_transfer->localInput, m_transfer->directory, m_transfer->input);
}

void PerTaskWorker::onInputStaged(RemoteTransfer::Result result, const QString &message)
{
    // pwd's line is the last: a login script may have printed something before it.
    const QByteArray printed = m_transferStep ? m_transferStep->output().trimmed() : QByteArray();
    const QByteArray where = printed.mid(printed.lastIndexOf('\n') + 1);
    dropTransfer();
    if (!m_run || !m_transfer)
        return;
    switch (result) {
    case RemoteTransfer::Result::Ok:
        if (where.isEmpty()) {
            failTask(QStringLiteral("cannot transfer \"%1\" to %2: the host did not report its directory")
                         .arg(m_transfer->input, m_hostName));
            return;
        }
        m_transfer->remoteDirectory = QString::fromUtf8(where);
        launchCommand(m_transfer->input.toUtf8(), m_transfer->remoteDirectory);
        return;
    case RemoteTransfer::Result::Failed:
    case RemoteTransfer::Result::Missing:
        failTask(QStringLiteral("cannot transfer \"%1\" to %2: %3").arg(m_transfer->localInput, m_hostName, message));
        return;
    case RemoteTransfer::Result::HostLost:
        loseHost(message);
        return;
    }
}

void PerTaskWorker::afterCommand(TaskOutcome outcome)
{
    m_transfer->outcome = std::move(outcome);
    m_transfer->nextReturn = 0;
    if (m_transfer->outcome->status == TaskStatus::Ok)
        fetchNextReturn();
    else
        cleanUpOrFinish();
}

void PerTaskWorker::fetchNextReturn()
{
    if (m_transfer->nextReturn >= m_transfer->returns.size()) {
        cleanUpOrFinish();
        return;
    }
    RemoteTransfer *step = newTransfer();
    connect(step, &RemoteTransfer::finished, this, [this](RemoteTransfer::Result result, const QString &message) {
        dropTransfer();
        if (!m_run || !m_transfer)
            return;
        const QString inside = m_transfer->returns.at(m_transfer->nextReturn).first;
        TaskOutcome &outcome = *m_transfer->outcome;
        switch (result) {
        case RemoteTransfer::Result::Ok:
            ++m_transfer->nextReturn;
            fetchNextReturn();
            return;
        case RemoteTransfer::Result::Missing:
            outcome.status = TaskStatus::Failed;
            outcome.error = QStringLiteral("the command did not create the return file \"%1\" on %2").arg(inside, m_hostName);
            break;
        case RemoteTransfer::Result::Failed:
            outcome.status = TaskStatus::Failed;
            outcome.error = QStringLiteral("cannot return \"%1\" from %2: %3").arg(inside, m_hostName, message);
            break;
        case RemoteTransfer::Result::HostLost:
            loseHost(message); // the result cannot come back: the task runs again elsewhere
            return;
        }
        cleanUpOrFinish();
    });
    const auto &[inside, local] = m_transfer->returns.at(m_transfer->nextReturn);
    step->download(m_transfer->remoteDirectory, inside, local);
}

void PerTaskWorker::cleanUpOrFinish()
{
    if (!m_spec.cleanup) {
        finishTask(std::move(*m_transfer->outcome));
        return;
    }
    QStringList paths{m_transfer->input};
    for (const auto &entry : std::as_const(m_transfer->returns))
        paths.append(entry.first);
    RemoteTransfer *step = newTransfer();
    connect(step, &RemoteTransfer::finished, this, [this](RemoteTransfer::Result result, const QString &message) {
        dropTransfer();
        if (!m_run || !m_transfer)
            return;
        // The task's result stands; what is left over on the host is only logged.
        if (result != RemoteTransfer::Result::Ok)
            log(QStringLiteral("cleanup on %1 failed: %2").arg(m_hostName, message));
        finishTask(std::move(*m_transfer->outcome));
    });
    step->remove(m_transfer->remoteDirectory.isEmpty() ? m_transfer->directory : m_transfer->remoteDirectory, paths);
}

RemoteTransfer *PerTaskWorker::newTransfer()
{
    Q_ASSERT(!m_transferStep);
    m_transferStep = new RemoteTransfer(m_host, m_spec.killGraceSeconds, this);
    return m_transferStep;
}

void PerTaskWorker::dropTransfer()
{
    if (!m_transferStep)
        return;
    m_transferStep->disconnect(this);
    m_transferStep->abort(); // a no-op once it has finished
    m_transferStep->deleteLater();
    m_transferStep = nullptr;
}

void PerTaskWorker::onTerminate()
{
    if (!m_transferStep || !m_run)
        return; // a running command ends through its process
    dropTransfer();
    // A finished command's result stands unless its files did not all come back.
    if (m_transfer && m_transfer->outcome
        && (m_transfer->outcome->status != TaskStatus::Ok || m_transfer->nextReturn >= m_transfer->returns.size())) {
        finishTask(std::move(*m_transfer->outcome));
        return;
    }
    TaskOutcome outcome = makeOutcome(*m_run, TaskStatus::Cancelled, nowMs());
    outcome.error = QStringLiteral("terminated");
    finishTask(std::move(outcome));
}

void PerTaskWorker::handleStdout(QByteArrayView data)
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
}

void PerTaskWorker::handleStderr(QByteArrayView data)
{
    if (data.isEmpty() || !m_run)
        return;
    m_run->lastActivityMs = nowMs();
    appendErrorOutput(*m_run, data);
    scanProgress(m_stderrTail, data);
}

// Tools redraw progress with '\r', so both '\r' and '\n' end a line here.
// Only the newest matching line matters, so lines are tried from the end.
void PerTaskWorker::scanProgress(QByteArray &tail, QByteArrayView data)
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

bool PerTaskWorker::parseProgress(QByteArrayView line, double *progress) const
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

void PerTaskWorker::handleExit(int exitCode, QProcess::ExitStatus status, const QString &exitText)
{
    if (!m_run)
        return;
    TaskStatus taskStatus = TaskStatus::Failed;
    QString error;
    int code = -1;
    switch (endReason()) {
    case EndReason::Terminate:
        taskStatus = TaskStatus::Cancelled;
        error = QStringLiteral("terminated");
        break;
    case EndReason::Timeout:
    case EndReason::Stall:
        taskStatus = endReason() == EndReason::Timeout ? TaskStatus::Timeout : TaskStatus::Stalled;
        error = endReasonText();
        break;
    case EndReason::None:
    case EndReason::Stragglers:
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
    if (m_transfer && outcome.status != TaskStatus::Cancelled)
        afterCommand(std::move(outcome));
    else
        finishTask(std::move(outcome));
}

void PerTaskWorker::handleStartFailure(const QString &reason)
{
    if (!m_run)
        return;
    TaskOutcome outcome = makeOutcome(*m_run, TaskStatus::Failed, nowMs());
    outcome.error = reason;
    Q_EMIT startFailed(this, reason);
    finishTask(std::move(outcome));
}

void PerTaskWorker::finishTask(TaskOutcome outcome)
{
    const Task task = std::move(m_run->task);
    m_run.reset();
    m_output.clear();
    dropTransfer();
    m_transfer.reset();
    countOutcome(outcome.status);
    setState(m_retiring ? WorkerState::Stopping : WorkerState::Idle);
    Q_EMIT attemptFinished(this, task, outcome);
    if (m_retiring)
        finishRetiring();
    else
        Q_EMIT capacityAvailable(this);
}

// The task's clock starts when it runs on the host, not when ssh starts dialling.
void PerTaskWorker::handleConnected()
{
    if (m_run)
        m_run->startedMs = nowMs();
}

QList<Task> PerTaskWorker::handleHostLost()
{
    QList<Task> tasks;
    if (m_run) {
        tasks.append(std::move(m_run->task));
        m_run.reset();
    }
    m_output.clear();
    dropTransfer();
    m_transfer.reset();
    setState(m_retiring ? WorkerState::Stopping : WorkerState::Crashed);
    return tasks;
}

void PerTaskWorker::onHostUp()
{
    setState(WorkerState::Idle);
    Q_EMIT capacityAvailable(this);
}

void PerTaskWorker::onRetire()
{
    if (!m_run && !hasProcess())
        finishRetiring();
    else
        setState(WorkerState::Stopping);
}
