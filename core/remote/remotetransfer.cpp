#include "remotetransfer.h"

#include "orphanguard.h"
#include "processtree.h"
#include "remotecommand.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QTimer>

namespace {

constexpr int MissingStatus = 66; // EX_NOINPUT: the file to fetch is not there
constexpr qsizetype MessageMax = 2000;

// $1 operation, $2 directory (relative = from $HOME), then the paths in it.
// put and dir: another task's cleanup may remove the shared run directory
// between mkdir's steps, so mkdir is tried a few times. put's further paths
// are removed first (stale return files of an earlier task in the directory).
// rmf removes the files only: a long-lived worker still runs in DIR.
const char *const Script = R"SH(op=$1 d=$2
shift 2
case $d in /*) ;; *) d=${HOME:-.}/$d ;; esac
mk() {
  i=0
  until mkdir -p -- "$1" 2>/dev/null; do
    i=$((i+1))
    if [ "$i" -ge 5 ]; then mkdir -p -- "$1" || exit 1; fi
  done
}
case $op in
put)
  p=$d/$1
  shift
  mk "${p%/*}"
  for f; do rm -f -- "$d/$f" || exit 1; done
  cat > "$p" || exit 1
  cd -- "$d" && pwd ;;
dir)
  mk "$d"
  cd -- "$d" && pwd ;;
get)
  [ -f "$d/$1" ] || exit 66
  exec cat -- "$d/$1" ;;
rm|rmf)
  cd -- "$d" 2>/dev/null || exit 0
  r=0
  for f; do
    rm -f -- "./$f" || r=1
    case $f in */*) rmdir -p -- "./${f%/*}" 2>/dev/null ;; esac
  done
  [ "$op" = rm ] || exit "$r"
  cd .. && rmdir -- "$d" 2>/dev/null && rmdir -- "${d%/*}" 2>/dev/null
  exit "$r" ;;
*)
  echo "taskpool: unknown transfer operation $op" >&2
  exit 2 ;;
esac)SH";

} // namespace

RemoteTransfer::RemoteTransfer(const HostSpec &host, double killGraceSeconds, std::shared_ptr<OrphanGuard> guard,
                               QObject *parent)
    : QObject(parent)
    , m_host(host)
    , m_graceMs(qMax(0, int(killGraceSeconds * 1000)))
    , m_guard(std::move(guard))
{
}

RemoteTransfer::~RemoteTransfer()
{
    abort();
}

QString RemoteTransfer::scratchPath(const QString &path, const QString &localDirectory)
{
    const QString clean = QDir::cleanPath(path);
    if (QDir::isRelativePath(clean) && clean != QLatin1String("..") && !clean.startsWith(QLatin1String("../")))
        return clean;
    return QDir::cleanPath(QDir(localDirectory).absoluteFilePath(path)).mid(1);
}

QString RemoteTransfer::launcherName() const
{
    const QStringList words = m_host.launcherWords();
    return words.isEmpty() ? QStringLiteral("launcher") : QFileInfo(words.first()).fileName();
}

void RemoteTransfer::upload(const QString &localFile, const QString &remoteDir, const QString &remotePath,
                            const QStringList &removeFirst)
{
    m_operation = QStringLiteral("put");
    // Checked here, because QProcess reports a stdin file it cannot open as a
    // launcher that failed to start, which would look like a host problem.
    QFile probe(localFile);
    if (!probe.open(QIODevice::ReadOnly)) {
        finishLater(Result::Failed, QStringLiteral("cannot read %1: %2").arg(localFile, probe.errorString()));
        return;
    }
    probe.close();
    run(m_operation, QStringList{remoteDir, remotePath} + removeFirst, true);
    if (m_process) {
        m_process->setStandardInputFile(localFile);
        startProcess();
    }
}

void RemoteTransfer::download(const QString &remoteDir, const QString &remotePath, const QString &localFile)
{
    m_operation = QStringLiteral("get");
    m_localFile = localFile;
    const QFileInfo info(localFile);
    m_partialFile = info.dir().filePath(QStringLiteral(".%1.taskpool-part").arg(info.fileName()));
    QFile probe(m_partialFile);
    if (!QDir().mkpath(info.absolutePath()) || !probe.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        finishLater(Result::Failed, QStringLiteral("cannot write %1: %2").arg(localFile, probe.errorString()));
        return;
    }
    probe.close();
    run(m_operation, {remoteDir, remotePath}, false);
    if (m_process) {
        m_process->setStandardOutputFile(m_partialFile, QIODevice::Truncate);
        startProcess();
    }
}

void RemoteTransfer::makeDirectory(const QString &remoteDir)
{
    m_operation = QStringLiteral("dir");
    run(m_operation, {remoteDir}, false);
    if (m_process)
        startProcess();
}

void RemoteTransfer::remove(const QString &remoteDir, const QStringList &remotePaths, Directory directory)
{
    m_operation = directory == Directory::RemoveIfEmpty ? QStringLiteral("rm") : QStringLiteral("rmf");
    run(m_operation, QStringList{remoteDir} + remotePaths, false);
    if (m_process)
        startProcess();
}

void RemoteTransfer::discard(RemoteTransfer *&step, QObject *owner)
{
    if (!step)
        return;
    step->disconnect(owner);
    step->abort(); // a no-op once it has finished
    step->deleteLater();
    step = nullptr;
}

QString RemoteTransfer::reportedDirectory() const
{
    const QByteArray printed = m_output.trimmed();
    return QString::fromUtf8(printed.mid(printed.lastIndexOf('\n') + 1));
}

void RemoteTransfer::run(const QString &operation, const QStringList &arguments, bool passStdin)
{
    Q_ASSERT(!m_process);
    RemoteCommand::Options options;
    options.token = RemoteCommand::newToken();
    options.graceMs = m_graceMs;
    options.passStdin = passStdin;
    const QStringList argv = RemoteCommand::build(
        m_host, options, QStringLiteral("sh"),
        QStringList{QStringLiteral("-c"), QString::fromLatin1(Script), QStringLiteral("taskpool-transfer"), operation} + arguments);
    if (argv.isEmpty()) {
        finishLater(Result::HostLost, QStringLiteral("the %1 launcher template is empty").arg(HostSpec::kindName(m_host.kind)));
        return;
    }
    m_stderr.reset(options.token.toLatin1());
    m_process = new QProcess(this);
    ProcessTree::ChildSetup setup;
    setup.guard = m_guard.get();
    ProcessTree::prepare(m_process, setup); // its own group: abort() reaches the launcher's children too
    if (!passStdin)
        m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->setProgram(argv.first());
    m_process->setArguments(argv.mid(1));
    QProcess *p = m_process;
    connect(p, &QProcess::readyReadStandardOutput, this, [this, p] { m_output += p->readAllStandardOutput(); });
    connect(p, &QProcess::readyReadStandardError, this, [this, p] {
        m_stderr.feed(p->readAllStandardError(), {}, [this](QByteArrayView d) {
            if (m_commandStderr.size() < MessageMax)
                m_commandStderr.append(d.first(qMin(d.size(), MessageMax - m_commandStderr.size())));
        });
    });
    connect(p, &QProcess::finished, this, &RemoteTransfer::onFinished);
    connect(p, &QProcess::errorOccurred, this, &RemoteTransfer::onError);
}

// Right after run() and the stdin or stdout set-up: the guard is watching from here on.
void RemoteTransfer::startProcess()
{
    m_process->start();
    if (m_process)
        m_pid = m_process->processId();
}

void RemoteTransfer::onError(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart || !m_process)
        return; // other errors are followed by finished()
    const QString reason = QStringLiteral("cannot reach %1: cannot start %2: %3")
                               .arg(m_host.name(), m_process->program(), m_process->errorString());
    m_process->disconnect(this);
    m_process->deleteLater();
    m_process = nullptr;
    if (m_guard && m_pid > 0)
        m_guard->forget(m_pid); // its exec failed: gone, and it never forked
    m_pid = 0;
    complete(Result::HostLost, reason);
}

void RemoteTransfer::onFinished(int exitCode, QProcess::ExitStatus status)
{
    if (!m_process)
        return;
    m_output += m_process->readAllStandardOutput();
    const auto keep = [this](QByteArrayView d) {
        if (m_commandStderr.size() < MessageMax)
            m_commandStderr.append(d.first(qMin(d.size(), MessageMax - m_commandStderr.size())));
    };
    m_stderr.feed(m_process->readAllStandardError(), {}, keep);
    m_stderr.finish({}, keep);
    const qint64 pid = m_pid; // processId() is 0 once the process has finished
    m_pid = 0;
    m_process->disconnect(this);
    m_process->deleteLater();
    m_process = nullptr;
    if (pid > 0)
        ProcessTree::reapGroup(pid, m_graceMs, m_guard); // forgets it at once if nothing is left

    if (!m_stderr.hasExited()) {
        // The guard never reported the script's status: the launcher or the connection failed.
        const QString launcherText = status == QProcess::NormalExit
            ? QStringLiteral("%1 exited with code %2").arg(launcherName()).arg(exitCode)
            : QStringLiteral("%1 was killed by %2").arg(launcherName(), ProcessTree::describeSignal(exitCode));
        const QString detail = m_stderr.lastLauncherLine();
        if (!m_stderr.isUp())
            complete(Result::HostLost, QStringLiteral("cannot reach %1: %2").arg(m_host.name(), detail.isEmpty() ? launcherText : detail));
        else
            complete(Result::HostLost, QStringLiteral("lost the connection to %1 during a file transfer (%2)").arg(m_host.name(), launcherText));
        return;
    }
    const int remoteStatus = m_stderr.exitStatus();
    if (remoteStatus == 0) {
        complete(Result::Ok, {});
        return;
    }
    if (m_operation == QLatin1String("get") && remoteStatus == MissingStatus) {
        complete(Result::Missing, {});
        return;
    }
    QString message = QString::fromUtf8(m_commandStderr).trimmed();
    if (message.isEmpty())
        message = QStringLiteral("exited with code %1").arg(remoteStatus);
    complete(Result::Failed, QStringLiteral("%1 on %2").arg(message, m_host.name()));
}

void RemoteTransfer::complete(Result result, const QString &message)
{
    if (m_done)
        return;
    m_done = true;
    if (m_operation == QLatin1String("get")) {
        if (result == Result::Ok) {
            QFile::remove(m_localFile);
            if (!QFile::rename(m_partialFile, m_localFile)) {
                QFile::remove(m_partialFile);
                Q_EMIT finished(Result::Failed, QStringLiteral("cannot write %1").arg(m_localFile));
                return;
            }
        } else {
            QFile::remove(m_partialFile);
        }
    }
    Q_EMIT finished(result, message);
}

void RemoteTransfer::finishLater(Result result, const QString &message)
{
    QTimer::singleShot(0, this, [this, result, message] { complete(result, message); });
}

void RemoteTransfer::abort()
{
    m_done = true;
    if (!m_process)
        return;
    // As Slot does: never wait. SIGTERM lets the launcher close the
    // connection, so the guard on the far side ends the remote part.
    const qint64 pid = m_pid;
    m_pid = 0;
    m_process->disconnect(this);
    m_process->setParent(nullptr);
    if (pid > 0) {
        ProcessTree::reapGroup(pid, m_graceMs, m_guard); // SIGTERM now, SIGKILL after the grace
    } else {
        m_process->kill();
    }
    QProcess *p = m_process;
    m_process = nullptr;
    if (p->state() == QProcess::NotRunning)
        p->deleteLater();
    else
        QObject::connect(p, &QProcess::finished, p, &QObject::deleteLater);
    if (!m_partialFile.isEmpty())
        QFile::remove(m_partialFile);
}
