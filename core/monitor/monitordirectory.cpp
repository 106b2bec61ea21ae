#include "monitordirectory.h"

#include <QDir>
#include <QFileInfo>

#include <cerrno>
#include <csignal>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

const QLatin1String SocketSuffix(".sock");

bool processExists(qint64 pid)
{
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
}

} // namespace

bool MonitorDirectory::isLive(const QString &socketPath)
{
    const QByteArray path = QFile::encodeName(socketPath);
    sockaddr_un address{};
    if (size_t(path.size()) >= sizeof(address.sun_path))
        return false;
    address.sun_family = AF_UNIX;
    memcpy(address.sun_path, path.constData(), size_t(path.size()));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return true; // cannot tell: keep it
    const int rc = ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address));
    const int why = errno;
    ::close(fd);
    return rc == 0 || (why != ECONNREFUSED && why != ENOENT);
}

QString MonitorDirectory::path()
{
    const QByteArray runtime = qgetenv("XDG_RUNTIME_DIR");
    if (!runtime.isEmpty())
        return QFile::decodeName(runtime) + QLatin1String("/taskpool");
    return QStringLiteral("/tmp/taskpool-%1").arg(::getuid());
}

bool MonitorDirectory::ensure(QString *error)
{
    const QString dir = path();
    const QByteArray native = QFile::encodeName(dir);
    if (::mkdir(native.constData(), 0700) != 0 && errno != EEXIST) {
        *error = QStringLiteral("cannot create %1: %2").arg(dir, QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    struct stat st{};
    if (::lstat(native.constData(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        *error = QStringLiteral("%1 is not a directory").arg(dir);
        return false;
    }
    if (st.st_uid != ::getuid()) {
        *error = QStringLiteral("%1 belongs to another user").arg(dir);
        return false;
    }
    if ((st.st_mode & 077) != 0 && ::chmod(native.constData(), 0700) != 0) {
        *error = QStringLiteral("%1 is open to other users and cannot be closed").arg(dir);
        return false;
    }
    return true;
}

QString MonitorDirectory::socketPath(qint64 pid)
{
    return path() + QLatin1Char('/') + QString::number(pid) + SocketSuffix;
}

qint64 MonitorDirectory::pidOf(const QString &socketPath)
{
    const QString name = QFileInfo(socketPath).fileName();
    if (!name.endsWith(SocketSuffix))
        return 0;
    bool ok = false;
    const qint64 pid = name.chopped(SocketSuffix.size()).toLongLong(&ok);
    return ok && pid > 0 ? pid : 0;
}

QStringList MonitorDirectory::liveSockets()
{
    QList<std::pair<qint64, QString>> found;
    const QDir dir(path());
    for (const QFileInfo &entry : dir.entryInfoList({QStringLiteral("*.sock")}, QDir::System | QDir::Files)) {
        const qint64 pid = pidOf(entry.fileName());
        if (pid <= 0)
            continue;
        const QString socket = entry.absoluteFilePath();
        if (isLive(socket)) {
            found.append({pid, socket});
            continue;
        }
        // Nothing listens. A run between bind() and listen() is alive: keep its socket.
        if (!processExists(pid))
            QFile::remove(socket);
    }
    std::sort(found.begin(), found.end());
    QStringList sockets;
    for (const auto &[pid, socket] : found)
        sockets.append(socket);
    return sockets;
}

bool MonitorDirectory::peerIsThisUser(qintptr socketDescriptor)
{
    ucred credentials{};
    socklen_t size = sizeof(credentials);
    if (::getsockopt(int(socketDescriptor), SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0)
        return false;
    return credentials.uid == ::getuid();
}
