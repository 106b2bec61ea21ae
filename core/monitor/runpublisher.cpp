#include "runpublisher.h"

#include "jobrun.h"
#include "linesplitter.h"
#include "monitordirectory.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>
#include <QSysInfo>

#include <sys/stat.h>
#include <unistd.h>

namespace {
constexpr qsizetype CommandLineLimit = 4096;
constexpr int MaxWorkers = 4096; // a viewer asks; a typo must not fork a thousand workers more

} // namespace

struct RunPublisher::Viewer
{
    QLocalSocket *socket = nullptr;
    qint64 next = 0;           // the history entry it reads next
    qint64 skippedResults = 0; // dropped from the history before it read them; to be told
    bool endSent = false;
    LineSplitter commands{CommandLineLimit};
};

RunPublisher::RunPublisher(JobRun *run, QObject *parent)
    : QObject(parent)
    , m_run(run)
{
    m_hello.pid = QCoreApplication::applicationPid();
    m_hello.host = QSysInfo::machineHostName();
    m_hello.startedAtMs = QDateTime::currentMSecsSinceEpoch();
    m_hello.spec = run->spec();
    m_stateTimer.setInterval(StateIntervalMs);
    connect(&m_stateTimer, &QTimer::timeout, this, &RunPublisher::publishState);

    TaskPool *pool = run->pool();
    connect(pool, &TaskPool::taskFinished, this, [this](const TaskOutcome &outcome) {
        append(outcome, true);
    });
    connect(pool, &TaskPool::attemptFailed, this, [this](const TaskOutcome &outcome) {
        append(outcome, false);
    });
    connect(pool, &TaskPool::logLine, this, [this](int slot, const QString &text) {
        const QByteArray line = MonitorProtocol::logLine(slot, text);
        m_logLines.push_back(line);
        if (m_logLines.size() > LogLinesKept)
            m_logLines.pop_front();
        for (const auto &viewer : m_viewers) {
            if (!isBehind(viewer.get()))
                viewer->socket->write(line);
        }
    });
    connect(pool, &TaskPool::stateChanged, this, &RunPublisher::publishState);
    connect(pool, &TaskPool::taskOutput, this, &RunPublisher::publishOutput);
    connect(run, &JobRun::finished, this, [this] {
        publishState(); // the last one: nothing changes any more
        m_stateTimer.stop();
        const JobRun::End end = m_run->end();
        const PoolStats stats = m_run->stats();
        m_endLine = MonitorProtocol::endLine(end.state, end.message, JobRun::summaryText(stats, stats.elapsedSeconds));
        for (const auto &viewer : m_viewers)
            pump(viewer.get());
    });
}

RunPublisher::~RunPublisher()
{
    for (const auto &viewer : m_viewers) {
        viewer->socket->disconnect(this);
        viewer->socket->abort();
    }
    m_viewers.clear();
    if (m_server) {
        m_server->close(); // removes the socket file
        QFile::remove(m_socketPath);
    }
}

bool RunPublisher::listen(QString *error, const QString &socketPath)
{
    if (socketPath.isEmpty() && !MonitorDirectory::ensure(error))
        return false;
    m_socketPath = socketPath.isEmpty() ? MonitorDirectory::socketPath(m_hello.pid) : socketPath;
    // One run at a time per socket: a second window of the app in this
    // process goes unpublished rather than take the first one's socket.
    if (QFileInfo::exists(m_socketPath) && MonitorDirectory::isLive(m_socketPath)) {
        *error = QStringLiteral("another run of this process is published on %1").arg(m_socketPath);
        return false;
    }
    // A socket of this name is left from a dead process that had our pid.
    QLocalServer::removeServer(m_socketPath);
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption); // 0600
    if (!m_server->listen(m_socketPath)) {
        *error = QStringLiteral("cannot publish the run on %1: %2").arg(m_socketPath, m_server->errorString());
        delete m_server;
        m_server = nullptr;
        return false;
    }
    // Qt makes it 0700; a socket needs no x bit, and "0600" is what people check for.
    ::chmod(QFile::encodeName(m_socketPath).constData(), 0600);
    connect(m_server, &QLocalServer::newConnection, this, &RunPublisher::accept);
    return true;
}

void RunPublisher::accept()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        if (!MonitorDirectory::peerIsThisUser(socket->socketDescriptor())) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        auto viewer = std::make_unique<Viewer>();
        viewer->socket = socket;
        viewer->next = m_firstEntry;
        viewer->skippedResults = m_droppedResults;
        Viewer *raw = viewer.get();
        m_viewers.push_back(std::move(viewer));
        connect(socket, &QLocalSocket::readyRead, this, [this, raw] { onReadyRead(raw); });
        connect(socket, &QLocalSocket::bytesWritten, this, [this, raw] { pump(raw); });
        connect(socket, &QLocalSocket::disconnected, this, [this, raw] { drop(raw); });

        socket->write(MonitorProtocol::helloLine(m_hello));
        for (const auto &[slot, tail] : m_tails) {
            tail.forEachPiece(0, [socket, slot = slot](qint64 taskId, OutputStream stream, QByteArrayView bytes) {
                socket->write(MonitorProtocol::outputLine(slot, taskId, stream, bytes));
            });
        }
        for (const QByteArray &line : m_logLines)
            socket->write(line);
        pump(raw);
        if (m_endLine.isEmpty() && !m_stateTimer.isActive())
            m_stateTimer.start();
        publishState();
        Q_EMIT viewerConnected();
    }
}

void RunPublisher::drop(Viewer *viewer)
{
    for (auto it = m_viewers.begin(); it != m_viewers.end(); ++it) {
        if (it->get() == viewer) {
            viewer->socket->disconnect(this);
            viewer->socket->deleteLater();
            m_viewers.erase(it);
            break;
        }
    }
    if (m_viewers.empty())
        m_stateTimer.stop();
}

void RunPublisher::onReadyRead(Viewer *viewer)
{
    const QByteArray bytes = viewer->socket->readAll();
    QList<QJsonObject> commands;
    viewer->commands.feed(bytes, [&commands](QByteArrayView line, bool truncated) {
        if (!truncated)
            commands.append(QJsonDocument::fromJson(line.toByteArray()).object());
    });
    for (const QJsonObject &command : commands)
        apply(command);
}

void RunPublisher::apply(const QJsonObject &json)
{
    const QString command = json.value(QLatin1String("command")).toString();
    if (command == QLatin1String("pause"))
        m_run->pause();
    else if (command == QLatin1String("unpause"))
        m_run->unpause();
    else if (command == QLatin1String("stop"))
        m_run->stop();
    else if (command == QLatin1String("terminate"))
        m_run->terminate();
    else if (command == QLatin1String("workers") && m_run->isActive())
        m_run->pool()->setWorkerCount(qBound(1, json.value(QLatin1String("count")).toInt(), MaxWorkers));
    else
        return;
    Q_EMIT commandReceived(command);
    publishState();
}

// Kept as it came (its bytes shared with the pool's copy, long outputs cut);
// turned into a line only for a viewer that reads it, so a run nobody
// watches pays a copy per result, not a JSON encoding.
void RunPublisher::append(const TaskOutcome &outcome, bool final)
{
    HistoryEntry entry{outcome, final};
    TaskOutcome &kept = entry.outcome;
    for (QByteArray *bytes : {&kept.output, &kept.errorOutput}) {
        if (bytes->size() > HistoryOutputBytes) {
            *bytes = bytes->left(HistoryOutputBytes);
            kept.outputTruncated = true;
        }
    }
    if (kept.result.size() > HistoryOutputBytes) { // JSON cut short is no JSON: it goes whole
        kept.result.clear();
        kept.outputTruncated = true;
    }
    m_historyBytes += entry.size();
    m_history.push_back(std::move(entry));
    while (m_historyBytes > m_historyLimit && m_history.size() > 1)
        dropOldest();
    for (const auto &viewer : m_viewers)
        pump(viewer.get());
}

qsizetype RunPublisher::HistoryEntry::size() const
{
    // The deque's slot, and each byte array's own allocation (its header: about 32 bytes).
    qsizetype bytes = qsizetype(sizeof(HistoryEntry));
    for (const QByteArray *data : {&outcome.input, &outcome.output, &outcome.errorOutput, &outcome.result})
        bytes += data->isEmpty() ? 0 : 32 + data->size();
    for (const QString *text : {&outcome.error, &outcome.host})
        bytes += text->isEmpty() ? 0 : 32 + 2 * text->size();
    return bytes;
}

// The history is full: its oldest entry goes, and a viewer that had not read
// it is told later how many results it missed.
void RunPublisher::dropOldest()
{
    const HistoryEntry &oldest = m_history.front();
    for (const auto &viewer : m_viewers) {
        if (viewer->next == m_firstEntry) {
            viewer->skippedResults += oldest.final ? 1 : 0;
            ++viewer->next;
        }
    }
    m_droppedResults += oldest.final ? 1 : 0;
    m_historyBytes -= oldest.size();
    m_history.pop_front();
    ++m_firstEntry;
}

// Sends the viewer what it has not read of the history, then the end, while it keeps up.
void RunPublisher::pump(Viewer *viewer)
{
    if (viewer->skippedResults > 0 && !isBehind(viewer)) {
        viewer->socket->write(MonitorProtocol::skippedLine(viewer->skippedResults));
        viewer->skippedResults = 0;
    }
    while (!isBehind(viewer) && viewer->next < historyEnd()) {
        const HistoryEntry &entry = m_history.at(size_t(viewer->next - m_firstEntry));
        viewer->socket->write(MonitorProtocol::outcomeLine(entry.final, entry.outcome));
        ++viewer->next;
    }
    if (!m_endLine.isEmpty() && !viewer->endSent && viewer->next == historyEnd() && !isBehind(viewer)) {
        viewer->socket->write(m_endLine);
        viewer->endSent = true;
    }
}

bool RunPublisher::isBehind(const Viewer *viewer) const
{
    return viewer->socket->bytesToWrite() > HighWaterBytes;
}

void RunPublisher::publishState()
{
    if (m_viewers.empty())
        return;
    MonitorProtocol::LiveState state;
    TaskPool *pool = m_run->pool();
    state.state = pool->state();
    state.stats = pool->stats();
    state.wantedWorkers = pool->workerCount();
    state.slotSnapshots = pool->slotSnapshots();
    if (!m_run->spec().hosts.isEmpty())
        state.hosts = pool->hostSnapshots();
    state.haltReason = pool->haltReason();
    state.fatalError = pool->fatalError();
    if (ProcessGroupUsage::isAvailable() && (!m_sinceUsage.isValid() || m_sinceUsage.elapsed() >= UsageIntervalMs)) {
        m_sinceUsage.start();
        QList<qint64> pids;
        for (const SlotSnapshot &slot : state.slotSnapshots) {
            if (slot.pid > 0)
                pids.append(slot.pid);
        }
        m_lastUsage = m_usage.sample(pids);
    }
    state.usage = m_lastUsage;
    const QByteArray line = MonitorProtocol::stateLine(state);
    for (const auto &viewer : m_viewers) {
        if (!isBehind(viewer.get()))
            viewer->socket->write(line);
    }
}

void RunPublisher::publishOutput(int slot, qint64 taskId, OutputStream stream, const QByteArray &bytes)
{
    if (slot < 0 || bytes.isEmpty())
        return;
    m_tails[slot].append(taskId, stream, bytes);
    if (m_viewers.empty())
        return;
    const QByteArray line = MonitorProtocol::outputLine(slot, taskId, stream, bytes);
    for (const auto &viewer : m_viewers) {
        if (!isBehind(viewer.get()))
            viewer->socket->write(line);
    }
}

bool RunPublisher::isDrained() const
{
    for (const auto &viewer : m_viewers) {
        const bool allSent = viewer->next == historyEnd() && (m_endLine.isEmpty() || viewer->endSent);
        if (!allSent || viewer->socket->bytesToWrite() > 0)
            return false;
    }
    return true;
}

void RunPublisher::linger(int timeoutMs)
{
    QElapsedTimer waited;
    waited.start();
    while (!isDrained() && waited.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    for (const auto &viewer : m_viewers)
        viewer->socket->flush();
}
