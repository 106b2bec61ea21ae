#pragma once

#include "linesplitter.h"
#include "slot.h"

#include <optional>

// Protocol mode: a long-lived worker speaking the JSON Lines protocol. It keeps
// a small window of tasks in flight so the pipes never run dry; the window
// adapts to the task duration (deep for microsecond tasks, one for slow ones,
// so that slow tasks are never stuck behind each other while another worker
// is idle). With --transfer on a remote host the window is one task, whose
// files the slot's SlotTransfer moves before its line goes out and after its
// answer comes back.
class WorkerSlot final : public Slot
{
    Q_OBJECT
public:
    WorkerSlot(int slot, const JobSpec &spec, const HostSpec &host, int hostIndex, QObject *parent);

    int freeCapacity() const override;
    int inFlightCount() const override { return int(m_inFlight.size()) + (m_filesRun ? 1 : 0); }
    void start() override;
    void assign(Task task) override;
    void flushAssigned() override;
    int window() const;
    void recycle(const QString &reason) override;

protected:
    const Running *current() const override { return m_inFlight.empty() ? nullptr : &m_inFlight.front(); }
    qint64 deadlineGraceMs() const override;
    void startTaskClock() override;
    void reportStartFailure(const QString &reason) override;
    QList<Task> releaseTasks() override;
    void drain() override;
    void abort() override;

private:
    void onStarted();
    void onStdout(QByteArrayView data);
    void onStdoutClosed();
    void onStdinClosed();
    void onStderr(QByteArrayView data);
    void onFinished(int exitCode, QProcess::ExitStatus status, const QString &exitText);
    void takeLine(QByteArrayView line, bool truncated);
    void takeStderrLine(QByteArrayView line);
    qint64 currentTaskId() const; // whose output the worker's output is now (-1: no task's)
    void keepStrayLine(QByteArrayView line);
    void emitStrayLines();
    void flushOutput();
    void completeHead(TaskOutcome outcome);
    void failAnsweredTask(QByteArrayView line, const QString &error, bool elseTheHead = false);
    void failHeadForStrayAnswer(qint64 id);
    void recycleIfSpent();
    void startHeadClock(qint64 now);
    void returnQueuedTasks();
    void recycleIfDue();
    void launchWorker();
    void onSlotDirectoryFailed(const QString &reason);
    void retireWhenDone();

    // --transfer on a remote slot, one task at a time: the worker runs in the
    // slot's scratch directory (SlotTransfer makes it before each start); a
    // task's input is copied there before its line is sent, and its return
    // files come back after the answer, before the task is reported. While
    // its files move the task is m_filesRun, not in m_inFlight.
    void stageTask(Task task);
    void sendStagedTask();
    void onStageFailed(const QString &message);
    void reportFilesTask(const TaskOutcome &outcome);
    void finishFilesTask(const TaskOutcome &outcome);

    std::deque<Running> m_inFlight;
    LineSplitter m_stdout;
    LineSplitter m_stderr;
    QByteArray m_writeBuffer;
    const QList<QByteArray> m_parameterNames; // a sweep's, as JSON strings: the task lines' "params"
    qint64 m_inputBytesSent = 0;   // handed to write() by the current process's flushes
    QString m_lastStderrLine;
    QByteArray m_strayLines;       // non-protocol stdout lines of the current read, for output()
    qint64 m_strayTaskId = -1;
    double m_avgTaskMs = -1;       // moving average of the service time
    qint64 m_finishedThisLife = 0; // tasks answered by the current process
    bool m_startingUp = true;      // no {"ready"} and no answer yet from the current process
    bool m_lastLineTooLong = false;
    bool m_inputClosed = false;
    QString m_recycleReason;       // set: finish what is in flight, then restart
    qint64 m_inputClosedAtMs = -1;

    std::optional<Running> m_filesRun;    // the task while its files move (not in m_inFlight)
    bool m_retireDeferred = false;        // retire() came while files moved
    bool m_losingHost = false;
};
