#pragma once

#include "slot.h"

#include <optional>

// Per-task mode: one process per task, like `xargs -P`. The input goes into
// the command line, stdout is the task's output, the exit code decides ok or
// failed, and lines that match the progress pattern set the task's progress.
// With --transfer on a remote host the slot's SlotTransfer copies the input
// there before the command and brings the return files back after it.
class PerTaskSlot final : public Slot
{
    Q_OBJECT
public:
    PerTaskSlot(int slot, const JobSpec &spec, const HostSpec &host, int hostIndex, QObject *parent);

    int freeCapacity() const override;
    int inFlightCount() const override { return m_run ? 1 : 0; }
    void start() override;
    void assign(Task task) override;

protected:
    const Running *current() const override { return m_run ? &*m_run : nullptr; }
    void startTaskClock() override;
    void reportStartFailure(const QString &reason) override;
    QList<Task> releaseTasks() override;
    void drain() override;
    void abort() override;

private:
    void launchCommand(const QByteArray &input, const QString &remoteDirectory);
    void failTask(const QString &error);
    void endAttempt(TaskOutcome outcome);
    void onStaged();
    void onStdout(QByteArrayView data);
    void onStderr(QByteArrayView data);
    void onFinished(int exitCode, QProcess::ExitStatus status, const QString &exitText);
    void finishTask(TaskOutcome outcome);
    void requeueTask();
    void scanProgress(QByteArray &tail, QByteArrayView data);
    bool parseProgress(QByteArrayView line, double *progress) const;

    CommandTemplate m_command;
    QRegularExpression m_progressPattern;
    bool m_progressNeedsPercent = false;
    int m_doneGroup = -1;
    int m_totalGroup = -1;

    std::optional<Running> m_run;
    QByteArray m_output;
    bool m_outputTruncated = false;
    QByteArray m_stdoutTail; // unfinished line, for progress matching
    QByteArray m_stderrTail;
};
