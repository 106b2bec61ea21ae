#pragma once

#include "linesplitter.h"
#include "worker.h"

// A long-lived worker speaking the JSON Lines protocol. It keeps a small window
// of tasks in flight so the pipes never run dry; the window adapts to the task
// duration (deep for microsecond tasks, one for slow ones, so that slow tasks
// are never stuck behind each other while another worker is idle).
class ProtocolWorker final : public Worker
{
    Q_OBJECT
public:
    ProtocolWorker(int slot, const JobSpec &spec, const HostSpec &host, int hostIndex, QObject *parent);

    int freeCapacity() const override;
    int inFlightCount() const override { return int(m_inFlight.size()); }
    void start() override;
    void assign(Task task) override;
    void flushAssigned() override;
    int window() const;
    void recycle(const QString &reason) override;

protected:
    void handleStarted() override;
    void handleStdout(QByteArrayView data) override;
    void handleStderr(QByteArrayView data) override;
    void handleExit(int exitCode, QProcess::ExitStatus status, const QString &exitText) override;
    void handleStartFailure(const QString &reason) override;
    const Running *current() const override { return m_inFlight.empty() ? nullptr : &m_inFlight.front(); }
    void onRetire() override;
    void onTerminate() override {}
    void handleConnected() override;
    QList<Task> handleHostLost() override;
    void onHostUp() override { start(); }

private:
    void handleLine(QByteArrayView line, bool truncated);
    void flushOutput();
    void completeHead(TaskOutcome outcome);
    void failAnsweredTask(QByteArrayView line, const QString &error);
    void startHeadClock(qint64 now);
    void returnQueuedTasks();
    void recycleIfDue();

    std::deque<Running> m_inFlight;
    LineSplitter m_stdout;
    LineSplitter m_stderr;
    QByteArray m_writeBuffer;
    QString m_lastStderrLine;
    double m_avgTaskMs = -1;       // moving average of the service time
    qint64 m_finishedThisLife = 0; // tasks answered by the current process
    bool m_lastLineTooLong = false;
    bool m_inputClosed = false;
    QString m_recycleReason;       // set: finish what is in flight, then restart
    qint64 m_inputClosedAtMs = -1;
};
