#pragma once

#include "runspanel.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

class MonitorTunnel;
class RunWatcher;

// Finds the live runs to offer for watching: the monitor sockets on this
// machine (whatever journal their runs use), or on another host through an
// ssh tunnel, each asked who it is (its hello and first state) so the user
// sees what it runs and how far it is. One search at a time.
class LiveRunFinder : public QObject
{
    Q_OBJECT
public:
    static constexpr int ProbeTimeoutMs = 5000;

    explicit LiveRunFinder(QObject *parent = nullptr);
    ~LiveRunFinder() override;

    // target: "" for this machine, "ssh:HOST" for another host.
    void find(const QString &target);
    bool isSearching() const { return m_searching; }
    // The tunnel the found sockets go through (null for this machine); the
    // caller takes it for the run it watches, else it goes with the next search.
    MonitorTunnel *takeTunnel();
    static QString describe(const QString &target); // "this machine", "node2"

Q_SIGNALS:
    void found(const QList<LiveRunChoice> &runs);
    void failed(const QString &error);

private:
    // One socket asked who it is.
    struct Probe
    {
        RunWatcher *watcher;
        QString label;   // empty until it answered (or when it went away)
        bool answered;
    };

    void probe(const QStringList &sockets);
    Probe *probeOf(const RunWatcher *watcher);
    void finishProbes();

    QPointer<MonitorTunnel> m_tunnel;
    QList<Probe> m_probes;
    QTimer m_probeTimeout;
    bool m_searching = false;
};
