#pragma once

#include "linesplitter.h"
#include "monitorprotocol.h"

#include <QObject>
#include <QString>

class QLocalSocket;

// The viewer's end of a monitor socket: connects to a published run and turns
// its messages (MonitorProtocol) into signals, and commands into messages.
// Nothing here blocks; a run that goes away is reported by disconnected().
class RunWatcher : public QObject
{
    Q_OBJECT
public:
    explicit RunWatcher(QObject *parent = nullptr);
    ~RunWatcher() override;

    void connectTo(const QString &socketPath);
    void close();
    bool isConnected() const;
    QString socketPath() const { return m_socketPath; }
    // Valid once helloReceived() came.
    const MonitorProtocol::Hello &hello() const { return m_hello; }
    bool hasEnded() const { return m_ended; }

    void pause();
    void unpause();
    void stop();
    void terminate();
    void setWorkerCount(int count);

Q_SIGNALS:
    void helloReceived();
    void stateReceived(const MonitorProtocol::LiveState &state);
    void attemptReceived(const TaskOutcome &outcome); // an attempt that was retried
    void resultReceived(const TaskOutcome &outcome);
    void outputReceived(int slot, qint64 taskId, OutputStream stream, const QByteArray &bytes);
    void logReceived(int slot, const QString &line);
    void resultsSkipped(qint64 count); // earlier results the run no longer kept for this viewer
    void ended(const QString &state, const QString &message, const QString &summary);
    // The connection failed or closed; error says why (empty after close()).
    void disconnected(const QString &error);

private:
    void onReadyRead();
    void handle(QByteArrayView line);
    void send(const QByteArray &line);

    QLocalSocket *m_socket;
    QString m_socketPath;
    LineSplitter m_lines;
    MonitorProtocol::Hello m_hello;
    bool m_helloSeen = false;
    bool m_ended = false;
    bool m_closing = false;
};
