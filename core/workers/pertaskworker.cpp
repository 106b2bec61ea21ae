#include "pertaskworker.h"

#include "json.h"
#include "processtree.h"

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
    , m_runToken(TaskFiles::runToken(spec))
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
    if (isRemote() && !Json::isValidUtf8(m_run->task.input)) {
        failTask(QStringLiteral("the input is not valid UTF-8; such names run on local slots only (the remote "
                                "command line is text)"));
        return;
    }
    if (transfersFiles())
        stageInput();
    else
        launchCommand(m_run->task.input, QString());
}

void PerTaskWorker::launchCommand(const QByteArray &input, const QString &remoteDirectory)
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

void PerTaskWorker::failTask(const QString &error)
{
    TaskOutcome outcome = makeOutcome(*m_run, TaskStatus::Failed, nowMs());
    outcome.error = error;
    if (m_files)
        afterCommand(std::move(outcome)); // what reached the host is cleaned up too
    else
        finishTask(std::move(outcome));
}

// ---- file transfer ------------------------------------------------------------

void PerTaskWorker::stageInput()
{
    const qint64 number = m_run->task.id + 1;
    // A directory per attempt: tasks on one host never share copies, and files
    // an earlier attempt left never pass for this one's.
    const QString directory = QStringLiteral("%1/%2/%3-%4")
                                  .arg(m_spec.effectiveRemoteDirectory(), m_runToken)
                                  .arg(number)
                                  .arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
    m_files = new TaskFiles(m_spec, m_host, QStringLiteral("the command"), orphanGuard(), this);
    QString error;
    if (!m_files->prepare(m_run->task.input, number, directory, &error)) {
        dropFiles();
        failTask(error);
        return;
    }
    m_files->stage([this](TaskFiles::Result result, const QString &message) {
        switch (result) {
        case TaskFiles::Result::Ok:
            launchCommand(m_files->input().toUtf8(), m_files->remoteDirectory());
            return;
        case TaskFiles::Result::Failed:
            failTask(message);
            return;
        case TaskFiles::Result::HostLost:
            loseHost(message);
            return;
        }
    });
}

void PerTaskWorker::afterCommand(TaskOutcome outcome)
{
    m_filesOutcome = std::move(outcome);
    if (m_filesOutcome->status != TaskStatus::Ok) {
        cleanUpOrFinish();
        return;
    }
    m_files->fetchReturns([this](TaskFiles::Result result, const QString &message) {
        if (result == TaskFiles::Result::HostLost) {
            loseHost(message); // the result cannot come back: the task runs again elsewhere
            return;
        }
        if (result == TaskFiles::Result::Failed) {
            m_filesOutcome->status = TaskStatus::Failed;
            m_filesOutcome->error = message;
        }
        cleanUpOrFinish();
    });
}

void PerTaskWorker::cleanUpOrFinish()
{
    if (!m_spec.cleanup) {
        finishTask(std::move(*m_filesOutcome));
        return;
    }
    m_files->removeCopies(RemoteTransfer::Directory::RemoveIfEmpty, [this](TaskFiles::Result result, const QString &message) {
        // The task's result stands; what is left over on the host is only logged.
        if (result != TaskFiles::Result::Ok)
            log(message);
        finishTask(std::move(*m_filesOutcome));
    });
}

void PerTaskWorker::dropFiles()
{
    if (!m_files)
        return;
    m_files->abort();
    m_files->deleteLater();
    m_files = nullptr;
}

void PerTaskWorker::onTerminate()
{
    if (!m_files || !m_files->isBusy() || !m_run)
        return; // a running command ends through its process
    // A finished command's result stands unless its files did not all come back.
    const bool resultStands = m_filesOutcome && (m_filesOutcome->status != TaskStatus::Ok || m_files->allReturned());
    dropFiles();
    if (resultStands) {
        finishTask(std::move(*m_filesOutcome));
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
    case EndReason::StdoutClosed: // these three end long-lived workers only:
    case EndReason::StdinClosed:  // a command's own exit status is its result
    case EndReason::ExitOverdue:
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
    if (m_files && outcome.status != TaskStatus::Cancelled)
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
    // The pool's guard against a program that cannot start is for a fixed
    // program; a program named by the input, or a command line the input made
    // too long, fails this task only.
    const bool inputsFault = m_command.fixedProgram().isEmpty() || ProcessTree::isArgumentListTooLong(reason);
    if (!inputsFault)
        Q_EMIT startFailed(this, reason);
    finishTask(std::move(outcome));
}

void PerTaskWorker::finishTask(TaskOutcome outcome)
{
    const Task task = std::move(m_run->task);
    m_run.reset();
    m_output.clear();
    dropFiles();
    m_filesOutcome.reset();
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
    dropFiles();
    m_filesOutcome.reset();
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
