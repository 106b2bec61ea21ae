#include "slottransfer.h"

#include "taskfiles.h"

#include <QRandomGenerator>

namespace {
// A random suffix: names on one host never collide across slots, attempts or runs.
QString randomSuffix()
{
    return QStringLiteral("%1").arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
}
} // namespace

SlotTransfer::SlotTransfer(const JobSpec &spec, const HostSpec &host, int slot, QObject *parent)
    : QObject(parent)
    , m_spec(spec)
    , m_host(host)
    , m_directoryPerTask(spec.mode != JobSpec::Mode::Worker)
    , m_runDirectory(spec.effectiveRemoteDirectory() + QLatin1Char('/') + TaskFiles::runToken(spec))
    , m_slotDirectory(m_directoryPerTask ? QString()
                                         : QStringLiteral("%1/w%2-%3").arg(m_runDirectory, QString::number(slot), randomSuffix()))
{
}

SlotTransfer::~SlotTransfer() = default; // the steps are children: they end with it

// ---- the slot's directory ---------------------------------------------------------

RemoteTransfer *SlotTransfer::newDirectoryStep()
{
    cancelDirectoryStep();
    m_directoryStep = new RemoteTransfer(m_host, m_spec.killGraceSeconds, m_guard, this);
    return m_directoryStep;
}

void SlotTransfer::cancelDirectoryStep()
{
    RemoteTransfer::discard(m_directoryStep, this);
}

// The worker's working directory must exist before the remote guard enters it.
void SlotTransfer::makeSlotDirectory()
{
    RemoteTransfer *step = newDirectoryStep();
    connect(step, &RemoteTransfer::finished, this, [this, step](RemoteTransfer::Result result, const QString &message) {
        const QString where = step->reportedDirectory();
        cancelDirectoryStep();
        if (result == RemoteTransfer::Result::HostLost) {
            Q_EMIT hostLost(message);
            return;
        }
        if (result == RemoteTransfer::Result::Ok && !where.isEmpty()) {
            m_slotPath = where;
            Q_EMIT slotDirectoryReady();
            return;
        }
        Q_EMIT slotDirectoryFailed(QStringLiteral("cannot make the scratch directory %1 on %2: %3")
                                       .arg(m_slotDirectory, m_host.name(),
                                            message.isEmpty() ? QStringLiteral("the host did not report its directory") : message));
    });
    step->makeDirectory(m_slotDirectory);
}

bool SlotTransfer::removeSlotDirectory()
{
    if (!m_spec.cleanup || m_slotPath.isEmpty())
        return false;
    RemoteTransfer *step = newDirectoryStep();
    connect(step, &RemoteTransfer::finished, this, [this](RemoteTransfer::Result result, const QString &message) {
        cancelDirectoryStep();
        if (result != RemoteTransfer::Result::Ok)
            Q_EMIT this->message(QStringLiteral("cleanup on %1 failed: %2").arg(m_host.name(), message));
        Q_EMIT slotDirectoryRemoved();
    });
    step->remove(m_slotPath, {}, RemoteTransfer::Directory::RemoveIfEmpty);
    return true;
}

// ---- one task -------------------------------------------------------------------

bool SlotTransfer::beginTask(const QByteArray &input, qint64 number, QString *error)
{
    Q_ASSERT(!m_files);
    // Per-task, a directory per attempt: tasks on one host never share copies,
    // and files an earlier attempt left never pass for this one's.
    const QString directory = m_directoryPerTask
        ? QStringLiteral("%1/%2-%3").arg(m_runDirectory, QString::number(number), randomSuffix())
        : m_slotPath;
    m_outcome.reset();
    m_files = new TaskFiles(m_spec, m_host, m_directoryPerTask ? QStringLiteral("the command") : QStringLiteral("the worker"),
                            m_guard, this);
    if (!m_files->prepare(input, number, directory, error)) {
        dropTask();
        return false;
    }
    return true;
}

void SlotTransfer::stage()
{
    m_files->stage([this](TaskFiles::Result result, const QString &message) {
        switch (result) {
        case TaskFiles::Result::Ok:
            Q_EMIT staged();
            return;
        case TaskFiles::Result::Failed:
            Q_EMIT stageFailed(message);
            return;
        case TaskFiles::Result::HostLost:
            Q_EMIT hostLost(message);
            return;
        }
    });
}

QString SlotTransfer::taskInput() const
{
    return m_files ? m_files->input() : QString();
}

QString SlotTransfer::taskDirectory() const
{
    return m_files ? m_files->remoteDirectory() : QString();
}

bool SlotTransfer::isBusy() const
{
    return m_files && m_files->isBusy();
}

void SlotTransfer::finishTask(TaskOutcome outcome)
{
    m_outcome = std::move(outcome);
    if (m_outcome->status != TaskStatus::Ok) {
        cleanUp();
        return;
    }
    m_files->fetchReturns([this](TaskFiles::Result result, const QString &message) {
        if (result == TaskFiles::Result::HostLost) {
            Q_EMIT hostLost(message); // the result cannot come back: the task runs again elsewhere
            return;
        }
        if (result == TaskFiles::Result::Failed) {
            m_outcome->status = TaskStatus::Failed;
            m_outcome->error = message;
        }
        cleanUp();
    });
}

void SlotTransfer::cleanUp()
{
    if (!m_spec.cleanup) {
        completeTask();
        return;
    }
    // A long-lived worker runs in the slot's directory: only the task's files go.
    const auto directory = m_directoryPerTask ? RemoteTransfer::Directory::RemoveIfEmpty : RemoteTransfer::Directory::Keep;
    m_files->removeCopies(directory, [this](TaskFiles::Result result, const QString &message) {
        // The task's result stands; what is left over on the host is only logged.
        if (result != TaskFiles::Result::Ok)
            Q_EMIT this->message(message);
        completeTask();
    });
}

void SlotTransfer::completeTask()
{
    const TaskOutcome outcome = std::move(*m_outcome);
    dropTask();
    Q_EMIT taskFinished(outcome);
}

TaskOutcome SlotTransfer::stopTask(TaskOutcome cancelled)
{
    // A finished command's result stands unless its files did not all come back.
    const bool resultStands = m_outcome && (m_outcome->status != TaskStatus::Ok || (m_files && m_files->allReturned()));
    TaskOutcome outcome = resultStands ? std::move(*m_outcome) : std::move(cancelled);
    dropTask();
    return outcome;
}

void SlotTransfer::dropTask()
{
    m_outcome.reset();
    if (!m_files)
        return;
    m_files->abort();
    m_files->deleteLater();
    m_files = nullptr;
}
