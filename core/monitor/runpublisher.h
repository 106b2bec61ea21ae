#pragma once

#include "monitorprotocol.h"
#include "outputtail.h"
#include "processgroupusage.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <deque>
#include <map>
#include <memory>
#include <vector>

class JobRun;
class QLocalServer;
class QLocalSocket;

// Publishes one live run on a monitor socket (MonitorDirectory) for viewers:
// the app's Watch, another app over ssh. See MonitorProtocol for what a viewer
// receives and may send.
//
// It never slows the run. Writes are queued in each viewer's socket buffer;
// a viewer with more than HighWaterBytes unsent gets nothing more until it
// drains: state messages are coalesced (only the latest is sent), live output
// and log lines are dropped for it, and results wait in the history, which
// every viewer reads from its own position. So a slow viewer falls behind and
// catches up; a viewer that connects mid-run replays the history (and the
// newest 64 KB of each slot's output). The history keeps each result and
// retried attempt with at most HistoryOutputBytes of its output (the journal
// and the results file have all of it), about 150 bytes a task plus the
// output kept, up to historyLimit(): beyond it the oldest go, and a viewer
// that had not read them is told how many results it missed ("skipped").
class RunPublisher : public QObject
{
    Q_OBJECT
public:
    static constexpr qsizetype HighWaterBytes = 1 << 20;
    static constexpr qsizetype HistoryOutputBytes = 4096;
    static constexpr int LogLinesKept = 200;
    static constexpr int StateIntervalMs = 100;
    static constexpr int UsageIntervalMs = 1000;
    static constexpr qsizetype DefaultHistoryLimitBytes = 24 << 20; // about 100,000 short results

    explicit RunPublisher(JobRun *run, QObject *parent = nullptr);
    ~RunPublisher() override; // closes every viewer and removes the socket

    // Listens on this process's socket in MonitorDirectory (or on socketPath).
    bool listen(QString *error, const QString &socketPath = QString());
    QString socketPath() const { return m_socketPath; }
    void setJournalRun(qint64 runId) { m_hello.journalRun = runId; }
    int viewerCount() const { return int(m_viewers.size()); }
    void setHistoryLimit(qsizetype bytes) { m_historyLimit = bytes; }
    qsizetype historyLimit() const { return m_historyLimit; }

    // After the run: gives viewers up to timeoutMs to receive the end, then returns.
    void linger(int timeoutMs);

Q_SIGNALS:
    void viewerConnected();
    void commandReceived(const QString &command);

private:
    struct Viewer;
    struct HistoryEntry
    {
        TaskOutcome outcome;
        bool final; // the task's result, not an attempt that was retried
        qsizetype size() const; // what it holds, about
    };

    void accept();
    void onReadyRead(Viewer *viewer);
    void drop(Viewer *viewer);
    void apply(const QJsonObject &command);
    void append(const TaskOutcome &outcome, bool final); // to the history, then to every viewer that keeps up
    void pump(Viewer *viewer);
    void dropOldest();
    qint64 historyEnd() const { return m_firstEntry + qint64(m_history.size()); } // one past the newest entry
    void publishState();
    void publishOutput(int slot, qint64 taskId, OutputStream stream, const QByteArray &bytes);
    bool isBehind(const Viewer *viewer) const;
    bool isDrained() const;

    JobRun *m_run;
    QLocalServer *m_server = nullptr;
    QString m_socketPath;
    MonitorProtocol::Hello m_hello;
    std::vector<std::unique_ptr<Viewer>> m_viewers;
    std::deque<HistoryEntry> m_history; // oldest first
    qint64 m_firstEntry = 0;            // the number of the oldest entry kept
    qsizetype m_historyBytes = 0;
    qsizetype m_historyLimit = DefaultHistoryLimitBytes;
    qint64 m_droppedResults = 0;      // results in the blocks no longer kept
    std::deque<QByteArray> m_logLines;
    std::map<int, OutputTail> m_tails; // by slot
    QTimer m_stateTimer;
    ProcessGroupUsage m_usage;
    QHash<qint64, GroupUsage> m_lastUsage;
    QElapsedTimer m_sinceUsage;
    QByteArray m_endLine; // once the run has ended
};
