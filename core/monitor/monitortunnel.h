#pragma once

#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTimer>

// Brings the live runs of another host here, over ssh: lists their monitor
// sockets there (a shell one-liner, so taskpool need not be on the host's
// PATH), then forwards each to a socket in a private folder here with one
// `ssh -N -L here:there` (OpenSSH forwards Unix sockets). Watchers connect to
// localSockets() as to local runs; the run checks the peer, which is the
// user's own sshd session. Ends the ssh connection when destroyed.
class MonitorTunnel : public QObject
{
    Q_OBJECT
public:
    static constexpr int OpenTimeoutMs = 30000;

    // host: what ssh logs in to ("node2", "user@node2"); launcher: an ssh
    // command line with {host}, as for --host (empty: the default one).
    explicit MonitorTunnel(const QString &host, const QString &launcher = QString(), QObject *parent = nullptr);
    ~MonitorTunnel() override;

    void open();
    QString host() const { return m_host; }
    QStringList localSockets() const { return m_localSockets; }
    // "ssh:HOST" (what `taskpool gui --attach` takes): the host, or empty.
    static QString hostOf(const QString &attachTarget);

Q_SIGNALS:
    void opened(const QStringList &localSockets); // may be empty: no runs there
    void failed(const QString &error);

private:
    QStringList sshArguments(const QStringList &beforeHost, bool withCommand) const;
    void onListed(int exitCode, QProcess::ExitStatus status);
    void checkForwarded();
    void fail(const QString &error);

    QString m_host;
    QString m_launcher;
    QProcess m_list;
    QProcess m_forward;
    QTemporaryDir m_dir;
    QStringList m_remoteSockets;
    QStringList m_localSockets;
    QTimer m_poll;
    int m_polls = 0;
    bool m_done = false;
};
