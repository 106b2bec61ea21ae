#pragma once

#include <QList>
#include <QObject>
#include <QString>

#include <vector>

class QTimer;

// Which hosts of a run can be reached, and when a lost one is tried again.
//
// A host is up until one of its slots cannot reach it or loses its
// connection. Then it is down: its slots open no new connections and its
// tasks go to the other hosts. After a wait of 1 s, 2 s, 4 s ... at most 60 s
// (doubling with each failure since a task last ran there) retryDue() asks
// for one slot to probe it. A slot that connects brings the host up, and
// with it every slot there; a probe that fails sets the next, longer wait; a
// probe that goes away before it knows is followed by another at once.
//
// It knows hosts by index (JobSpec::effectiveHosts() order) and nothing of
// slots: the pool reports what its slots saw and holds or releases them as
// the signals say.
class HostReachability : public QObject
{
    Q_OBJECT
public:
    enum class Reach { Up, Down, Probing };

    explicit HostReachability(QObject *parent = nullptr);

    // Hosts start up; the name is for messages.
    void addHost(const QString &name);

    Reach reach(int host) const { return m_hosts[size_t(host)].reach; }
    bool isUp(int host) const { return reach(host) == Reach::Up; }
    int failures(int host) const { return m_hosts[size_t(host)].failures; } // since a task last ran there
    QString lastError(int host) const { return m_hosts[size_t(host)].lastError; } // why it went down last
    qint64 retryInMs(int host, qint64 nowMs) const; // while down: time to the next try; else -1
    // With every host of `used` down after a few tries each, why (to end the
    // run); otherwise empty. A host that never comes up must not end a run
    // other hosts carry on, nor may a run with none wait forever.
    QString whyAllGivenUp(const QList<int> &used) const;

    // What the pool's slots saw.
    void slotConnected(int host);                   // up again, if it was not (hostUp)
    // Down unless it already is (hostDown, then the retry is set): true if it
    // went down now. One failure per try, however many slots report it.
    bool slotLost(int host, const QString &reason);
    void taskRan(int host);                         // the host works: the backoff starts over
    void probeGone(int host);                       // the slot let through left before it knew
    // The answer to retryDue(): a slot to probe with lets it through (true);
    // without one (no slots there) the host counts as up, for none can fail.
    bool startProbe(int host, bool haveSlot);

Q_SIGNALS:
    void hostUp(int host);   // let every slot there connect again
    void hostDown(int host); // hold every slot there: no new connections
    void retryDue(int host); // time for one slot to probe it: answer startProbe()
    void logLine(const QString &line);

private:
    struct Host
    {
        QString name;
        Reach reach = Reach::Up;
        int failures = 0;
        qint64 retryAtMs = 0;
        QString lastError;
        QTimer *retryTimer = nullptr;
    };
    std::vector<Host> m_hosts;
};
