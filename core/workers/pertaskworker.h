#pragma once

#include "taskfiles.h"
#include "worker.h"

#include <optional>

// One process per task, like `xargs -P`: the input goes into the command line,
// stdout is the task's output, the exit code decides ok or failed, and lines
// that match the progress pattern set the task's progress.
class PerTaskWorker final : public Worker
{
    Q_OBJECT
public:
    PerTaskWorker(int slot, const JobSpec &spec, const HostSpec &host, int hostIndex, QObject *parent);

    int freeCapacity() const override;
    int inFlightCount() const override { return m_run ? 1 : 0; }
    void start() override;
    void assign(Task task) override;

protected:
    void handleStdout(QByteArrayView data) override;
    void handleStderr(QByteArrayView data) override;
    void handleExit(int exitCode, QProcess::ExitStatus status, const QString &exitText) override;
    void handleStartFailure(const QString &reason) override;
    const Running *current() const override { return m_run ? &*m_run : nullptr; }
    void onRetire() override;
    void onTerminate() override;
    void handleConnected() override;
    QList<Task> handleHostLost() override;
    void onHostUp() override;

private:
    // --transfer on a remote slot: copy the input there, run the command in a
    // scratch directory, copy the return files back, clean up; one step at a time.
    bool transfersFiles() const { return m_spec.transfer && isRemote(); }
    void stageInput();
    void launchCommand(const QByteArray &input, const QString &remoteDirectory);
    void afterCommand(TaskOutcome outcome);
    void cleanUpOrFinish();
    void dropFiles();
    void failTask(const QString &error);

    void finishTask(TaskOutcome outcome);
    void scanProgress(QByteArray &tail, QByteArrayView data);
    bool parseProgress(QByteArrayView line, double *progress) const;

    CommandTemplate m_command;
    const QString m_runToken;
    QRegularExpression m_progressPattern;
    bool m_progressNeedsPercent = false;
    int m_doneGroup = -1;
    int m_totalGroup = -1;

    std::optional<Running> m_run;
    QByteArray m_output;
    bool m_outputTruncated = false;
    QByteArray m_stdoutTail; // unfinished line, for progress matching
    QByteArray m_stderrTail;
    TaskFiles *m_files = nullptr;               // the task's files, with --transfer
    std::optional<TaskOutcome> m_filesOutcome;  // the command is done: waiting for returns and cleanup
};
