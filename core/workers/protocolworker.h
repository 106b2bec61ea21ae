#pragma once

#include "linesplitter.h"
#include "taskfiles.h"
#include "worker.h"

#include <optional>

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
    int inFlightCount() const override { return int(m_inFlight.size()) + (m_filesRun ? 1 : 0); }
    void start() override;
    void assign(Task task) override;
    void flushAssigned() override;
    int window() const;
    void recycle(const QString &reason) override;

protected:
    void handleStarted() override;
    void handleStdout(QByteArrayView data) override;
    void handleStdoutClosed() override;
    void handleStdinClosed() override;
    void handleStderr(QByteArrayView data) override;
    void handleExit(int exitCode, QProcess::ExitStatus status, const QString &exitText) override;
    void handleStartFailure(const QString &reason) override;
    const Running *current() const override { return m_inFlight.empty() ? nullptr : &m_inFlight.front(); }
    qint64 deadlineGraceMs() const override;
    void onRetire() override;
    void onTerminate() override;
    void handleConnected() override;
    QList<Task> handleHostLost() override;
    void onHostUp() override { start(); }

private:
    void handleLine(QByteArrayView line, bool truncated);
    void flushOutput();
    void completeHead(TaskOutcome outcome);
    void failAnsweredTask(QByteArrayView line, const QString &error, bool elseTheHead = false);
    void failHeadForStrayAnswer(qint64 id);
    void recycleIfSpent();
    void startHeadClock(qint64 now);
    void returnQueuedTasks();
    void recycleIfDue();
    void launchWorker();

    // --transfer on a remote slot, one task at a time: the worker runs in a
    // scratch directory of the slot's own; a task's input is copied there
    // before its line is sent, and its return files come back after the
    // answer, before the task is reported. None of this touches the path of
    // a slot without transfer beyond the m_transfersFiles checks.
    void makeSlotDirectory();
    void stageTask(Task task);
    void sendStagedTask();
    void afterAnswer(TaskOutcome outcome);
    void cleanUpTaskFiles();
    void reportFilesTask();
    void finishFilesTask();
    void dropFiles();
    void dropDirectoryStep();
    void retireWhenDone();
    RemoteTransfer *newDirectoryStep();

    std::deque<Running> m_inFlight;
    LineSplitter m_stdout;
    LineSplitter m_stderr;
    QByteArray m_writeBuffer;
    qint64 m_inputBytesSent = 0;   // handed to writeToProcess() by the current process's flushes
    QString m_lastStderrLine;
    double m_avgTaskMs = -1;       // moving average of the service time
    qint64 m_finishedThisLife = 0; // tasks answered by the current process
    bool m_startingUp = true;      // no {"ready"} and no answer yet from the current process
    bool m_lastLineTooLong = false;
    bool m_inputClosed = false;
    QString m_recycleReason;       // set: finish what is in flight, then restart
    qint64 m_inputClosedAtMs = -1;

    const bool m_transfersFiles;
    QString m_slotDirectory;              // as the host is told (relative = from its home)
    QString m_slotPath;                   // absolute there, once made
    RemoteTransfer *m_directoryStep = nullptr; // making or removing the slot's directory
    TaskFiles *m_files = nullptr;
    std::optional<Running> m_filesRun;    // the task while its files move (not in m_inFlight)
    std::optional<TaskOutcome> m_filesOutcome; // its answer, waiting for the returns and cleanup
    bool m_retireDeferred = false;        // retire() came while files moved
    bool m_losingHost = false;
};
