#include "runwatcher.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>

namespace {
constexpr qsizetype MaxMessageBytes = 64 << 20; // a state of thousands of slots, a result with its output
}

RunWatcher::RunWatcher(QObject *parent)
    : QObject(parent)
    , m_socket(new QLocalSocket(this))
    , m_lines(MaxMessageBytes)
{
    connect(m_socket, &QLocalSocket::readyRead, this, &RunWatcher::onReadyRead);
    connect(m_socket, &QLocalSocket::disconnected, this, [this] {
        if (!m_closing)
            Q_EMIT disconnected(m_ended ? QString() : QStringLiteral("the run's process went away"));
    });
    connect(m_socket, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError error) {
        if (m_closing || error == QLocalSocket::PeerClosedError)
            return;
        if (m_socket->state() != QLocalSocket::ConnectedState)
            Q_EMIT disconnected(QStringLiteral("cannot watch %1: %2").arg(m_socketPath, m_socket->errorString()));
    });
}

RunWatcher::~RunWatcher()
{
    m_closing = true;
}

void RunWatcher::connectTo(const QString &socketPath)
{
    m_socketPath = socketPath;
    m_closing = false;
    m_helloSeen = false;
    m_ended = false;
    m_lines = LineSplitter(MaxMessageBytes);
    m_socket->connectToServer(socketPath);
}

void RunWatcher::close()
{
    m_closing = true;
    m_socket->abort();
}

bool RunWatcher::isConnected() const
{
    return m_socket->state() == QLocalSocket::ConnectedState;
}

void RunWatcher::onReadyRead()
{
    const QByteArray bytes = m_socket->readAll();
    m_lines.feed(bytes, [this](QByteArrayView line, bool truncated) {
        if (!truncated)
            handle(line);
    });
}

void RunWatcher::handle(QByteArrayView line)
{
    const QJsonObject json = QJsonDocument::fromJson(line.toByteArray()).object();
    const QString type = json.value(QLatin1String("type")).toString();
    if (!m_helloSeen) {
        QString error;
        if (type != QLatin1String("hello") || !MonitorProtocol::parseHello(json, &m_hello, &error)) {
            close();
            Q_EMIT disconnected(error.isEmpty() ? QStringLiteral("%1 is not a taskpool run").arg(m_socketPath) : error);
            return;
        }
        m_helloSeen = true;
        Q_EMIT helloReceived();
    } else if (type == QLatin1String("state")) {
        Q_EMIT stateReceived(MonitorProtocol::parseState(json));
    } else if (type == QLatin1String("result")) {
        Q_EMIT resultReceived(MonitorProtocol::parseOutcome(json));
    } else if (type == QLatin1String("attempt")) {
        Q_EMIT attemptReceived(MonitorProtocol::parseOutcome(json));
    } else if (type == QLatin1String("output")) {
        Q_EMIT outputReceived(json.value(QLatin1String("slot")).toInt(-1), json.value(QLatin1String("task")).toInteger(-1),
                              json.value(QLatin1String("stream")).toString() == QLatin1String("stderr") ? OutputStream::Stderr
                                                                                                   : OutputStream::Stdout,
                              QByteArray::fromBase64(json.value(QLatin1String("data")).toString().toLatin1()));
    } else if (type == QLatin1String("log")) {
        Q_EMIT logReceived(json.value(QLatin1String("slot")).toInt(-1), json.value(QLatin1String("line")).toString());
    } else if (type == QLatin1String("skipped")) {
        Q_EMIT resultsSkipped(json.value(QLatin1String("results")).toInteger());
    } else if (type == QLatin1String("end")) {
        m_ended = true;
        Q_EMIT ended(json.value(QLatin1String("state")).toString(), json.value(QLatin1String("message")).toString(),
                     json.value(QLatin1String("summary")).toString());
    }
}

void RunWatcher::send(const QByteArray &line)
{
    if (isConnected())
        m_socket->write(line);
}

void RunWatcher::pause()
{
    send(MonitorProtocol::commandLine(QStringLiteral("pause")));
}

void RunWatcher::unpause()
{
    send(MonitorProtocol::commandLine(QStringLiteral("unpause")));
}

void RunWatcher::stop()
{
    send(MonitorProtocol::commandLine(QStringLiteral("stop")));
}

void RunWatcher::terminate()
{
    send(MonitorProtocol::commandLine(QStringLiteral("terminate")));
}

void RunWatcher::setWorkerCount(int count)
{
    send(MonitorProtocol::commandLine(QStringLiteral("workers"), count));
}
