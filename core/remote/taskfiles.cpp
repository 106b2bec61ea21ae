#include "taskfiles.h"

#include "commandtemplate.h"

#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>

TaskFiles::TaskFiles(const JobSpec &spec, const HostSpec &host, const QString &creator,
                     std::shared_ptr<OrphanGuard> guard, QObject *parent)
    : QObject(parent)
    , m_workingDirectory(spec.workingDirectory)
    , m_returnPatterns(spec.returnFiles)
    , m_killGraceSeconds(spec.killGraceSeconds)
    , m_host(host)
    , m_creator(creator)
    , m_guard(std::move(guard))
{
}

TaskFiles::~TaskFiles()
{
    abort();
}

QString TaskFiles::runToken(const JobSpec &spec)
{
    return spec.transferRunToken.isEmpty()
        ? QStringLiteral("run-%1").arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'))
        : spec.transferRunToken;
}

bool TaskFiles::prepare(const QByteArray &raw, qint64 number, const QString &directory, QString *error)
{
    const QString text = QString::fromUtf8(raw);
    if (raw.contains('\0') || text.toUtf8() != raw) {
        *error = QStringLiteral("the input is not valid UTF-8 text and cannot name a file to transfer");
        return false;
    }
    m_localDirectory = m_workingDirectory.isEmpty() ? QDir::currentPath() : QDir::current().absoluteFilePath(m_workingDirectory);
    m_localInput = QDir::cleanPath(QDir(m_localDirectory).absoluteFilePath(text));
    const QFileInfo info(m_localInput);
    if (text.isEmpty() || !info.isFile()) {
        *error = QStringLiteral("cannot transfer \"%1\": %2")
                     .arg(text, info.exists() ? QStringLiteral("not a regular file") : QStringLiteral("no such file"));
        return false;
    }
    m_input = RemoteTransfer::scratchPath(text, m_localDirectory);
    m_returns.clear();
    for (const QString &pattern : m_returnPatterns) {
        // The copy is looked up where its local path maps, as the input's is.
        const QString name = CommandTemplate::fill(pattern, text, number);
        const QString inside = name.isEmpty() ? QString() : RemoteTransfer::scratchPath(name, m_localDirectory);
        if (inside.isEmpty() || inside == QLatin1String(".")) {
            *error = QStringLiteral("the return file %1 names no file for this input").arg(pattern);
            return false;
        }
        m_returns.append({inside, QDir::cleanPath(QDir(m_localDirectory).absoluteFilePath(name))});
    }
    m_directory = directory;
    m_remoteDirectory.clear();
    m_nextReturn = 0;
    return true;
}

void TaskFiles::stage(Done done)
{
    m_done = std::move(done);
    QStringList stale;
    for (const auto &entry : std::as_const(m_returns))
        stale.append(entry.first);
    newStep(&TaskFiles::onStaged)->upload(m_localInput, m_directory, m_input, stale);
}

void TaskFiles::onStaged(RemoteTransfer::Result result, const QString &message)
{
    const QString where = m_step->reportedDirectory();
    dropStep();
    switch (result) {
    case RemoteTransfer::Result::Ok:
        if (where.isEmpty()) {
            complete(Result::Failed, QStringLiteral("cannot transfer \"%1\" to %2: the host did not report its directory")
                                         .arg(m_input, m_host.name()));
            return;
        }
        m_remoteDirectory = where;
        complete(Result::Ok, {});
        return;
    case RemoteTransfer::Result::Failed:
    case RemoteTransfer::Result::Missing:
        complete(Result::Failed, QStringLiteral("cannot transfer \"%1\" to %2: %3").arg(m_localInput, m_host.name(), message));
        return;
    case RemoteTransfer::Result::HostLost:
        complete(Result::HostLost, message);
        return;
    }
}

void TaskFiles::fetchReturns(Done done)
{
    m_done = std::move(done);
    m_nextReturn = 0;
    fetchNext();
}

void TaskFiles::fetchNext()
{
    if (allReturned()) {
        complete(Result::Ok, {});
        return;
    }
    const auto &[inside, local] = m_returns.at(m_nextReturn);
    newStep(&TaskFiles::onReturned)->download(m_remoteDirectory, inside, local);
}

void TaskFiles::onReturned(RemoteTransfer::Result result, const QString &message)
{
    dropStep();
    const QString inside = m_returns.at(m_nextReturn).first;
    switch (result) {
    case RemoteTransfer::Result::Ok:
        ++m_nextReturn;
        fetchNext();
        return;
    case RemoteTransfer::Result::Missing:
        complete(Result::Failed, QStringLiteral("%1 did not create the return file \"%2\" on %3").arg(m_creator, inside, m_host.name()));
        return;
    case RemoteTransfer::Result::Failed:
        complete(Result::Failed, QStringLiteral("cannot return \"%1\" from %2: %3").arg(inside, m_host.name(), message));
        return;
    case RemoteTransfer::Result::HostLost:
        complete(Result::HostLost, message); // the result cannot come back: the task runs again
        return;
    }
}

void TaskFiles::removeCopies(RemoteTransfer::Directory directory, Done done)
{
    m_done = std::move(done);
    QStringList paths{m_input};
    for (const auto &entry : std::as_const(m_returns))
        paths.append(entry.first);
    newStep(&TaskFiles::onRemoved)
        ->remove(m_remoteDirectory.isEmpty() ? m_directory : m_remoteDirectory, paths, directory);
}

void TaskFiles::onRemoved(RemoteTransfer::Result result, const QString &message)
{
    dropStep();
    if (result == RemoteTransfer::Result::Ok)
        complete(Result::Ok, {});
    else
        complete(result == RemoteTransfer::Result::HostLost ? Result::HostLost : Result::Failed,
                 QStringLiteral("cleanup on %1 failed: %2").arg(m_host.name(), message));
}

RemoteTransfer *TaskFiles::newStep(void (TaskFiles::*handler)(RemoteTransfer::Result, const QString &))
{
    Q_ASSERT(!m_step);
    m_step = new RemoteTransfer(m_host, m_killGraceSeconds, m_guard, this);
    connect(m_step, &RemoteTransfer::finished, this, handler);
    return m_step;
}

void TaskFiles::dropStep()
{
    RemoteTransfer::discard(m_step, this);
}

void TaskFiles::abort()
{
    dropStep();
    m_done = nullptr;
}

// Last thing a step does: the callback may start the next step or drop this object.
void TaskFiles::complete(Result result, const QString &message)
{
    Done done = std::move(m_done);
    m_done = nullptr;
    if (done)
        done(result, message);
}
