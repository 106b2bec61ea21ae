#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <functional>

// Reads the stderr of a launcher (ssh, srun) that runs the remote guard of
// RemoteCommand. Lines before the guard's "<token> up" are the launcher's own
// messages ("Connection refused"); after it, bytes are the command's stderr,
// except the guard's final "<token> exit N" line, which carries the command's
// exit status and is taken out of the stream.
class RemoteStderr
{
public:
    using LineSink = std::function<void(const QString &line)>;
    using DataSink = std::function<void(QByteArrayView data)>;

    void reset(const QByteArray &token);
    void feed(QByteArrayView data, const LineSink &launcherLine, const DataSink &commandData);
    void finish(const LineSink &launcherLine, const DataSink &commandData); // at the launcher's exit

    bool isUp() const { return m_state != State::Connecting; }
    bool hasExited() const { return m_state == State::Exited; }
    int exitStatus() const { return m_exitStatus; }
    QString lastLauncherLine() const { return m_lastLauncherLine; }

private:
    enum class State { Connecting, Up, Exited };
    void feedUp(QByteArrayView data, const DataSink &commandData);
    void launcherLineDone(QByteArrayView line, const LineSink &launcherLine);

    State m_state = State::Connecting;
    QByteArray m_token;
    QByteArray m_pending; // Connecting: an unfinished line; Up: bytes that may start the token
    QString m_lastLauncherLine;
    int m_exitStatus = -1;
};
