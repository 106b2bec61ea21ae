#pragma once

#include "hostspec.h"
#include "remotestderr.h"

#include <QByteArray>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <memory>

class OrphanGuard;

// One file operation on a remote host: copy a local file there, copy a file
// back, or remove copies. It goes through the host's launcher (ssh, srun) and
// the RemoteCommand guard like a task does, so nothing but sh, mkdir, cat, rm
// and rmdir is needed on the far side; the file travels as the launcher's
// stdin or stdout. Every path is an argument word, never part of a script.
// One operation per object; finished() comes once, always from the event loop.
class RemoteTransfer : public QObject
{
    Q_OBJECT
public:
    enum class Result { Ok, Failed, Missing, HostLost };

    // guard: the run's (may be null); the launcher's group is watched there.
    RemoteTransfer(const HostSpec &host, double killGraceSeconds, std::shared_ptr<OrphanGuard> guard,
                   QObject *parent = nullptr);
    ~RemoteTransfer() override;

    enum class Directory { RemoveIfEmpty, Keep };

    // Writes localFile to DIR/PATH on the host, creating the directories, after
    // removing DIR/removeFirst (stale files); a relative DIR is taken from the
    // remote home. output() is then DIR as an absolute path there.
    void upload(const QString &localFile, const QString &remoteDir, const QString &remotePath,
                const QStringList &removeFirst = {});
    // Creates DIR (and its parents); output() is then DIR as an absolute path.
    void makeDirectory(const QString &remoteDir);
    // Copies DIR/PATH back to localFile (through a temporary name beside it).
    // Result::Missing when the host has no such file.
    void download(const QString &remoteDir, const QString &remotePath, const QString &localFile);
    // Removes DIR/PATHs, the directories that leaves empty below DIR, then
    // (RemoveIfEmpty) DIR and its parent (the run's directory) if they are empty.
    void remove(const QString &remoteDir, const QStringList &remotePaths,
                Directory directory = Directory::RemoveIfEmpty);
    // Ends the operation now; finished() is not emitted.
    void abort();
    // Lets step go (null is fine): owner hears nothing more of it, the
    // operation is aborted if still under way, and step is set to null.
    static void discard(RemoteTransfer *&step, QObject *owner);

    QByteArray output() const { return m_output; }
    // upload(), makeDirectory(): DIR as an absolute path on the host, or empty
    // if the host did not say. pwd's line is the last of the output: a login
    // script may have printed something before it.
    QString reportedDirectory() const;

    // Where a local path goes inside a scratch directory: a relative path that
    // stays below localDirectory keeps its (cleaned) form; an absolute one, or
    // one that climbs out with "..", goes under it by its absolute path.
    static QString scratchPath(const QString &path, const QString &localDirectory);

Q_SIGNALS:
    void finished(RemoteTransfer::Result result, const QString &message);

private:
    void run(const QString &operation, const QStringList &arguments, bool passStdin);
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onError(QProcess::ProcessError error);
    void finishLater(Result result, const QString &message);
    void complete(Result result, const QString &message);
    void startProcess();
    QString launcherName() const;

    const HostSpec m_host;
    const int m_graceMs;
    const std::shared_ptr<OrphanGuard> m_guard;
    QProcess *m_process = nullptr;
    qint64 m_pid = 0;
    RemoteStderr m_stderr;
    QByteArray m_commandStderr;
    QByteArray m_output;
    QString m_operation;
    QString m_localFile;   // download: the final name
    QString m_partialFile; // download: where the bytes land first
    bool m_done = false;
};
