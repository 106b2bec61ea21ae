#include "hostspec.h"

#include <QProcess>
#include <QThread>

namespace {
const QLatin1String HostPlaceholder("{host}");
} // namespace

QString HostSpec::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Local: return QStringLiteral("local");
    case Kind::Ssh: return QStringLiteral("ssh");
    case Kind::Srun: return QStringLiteral("srun");
    }
    return {};
}

bool HostSpec::kindFromName(const QString &name, Kind *kind)
{
    for (Kind k : {Kind::Local, Kind::Ssh, Kind::Srun}) {
        if (name == kindName(k)) {
            *kind = k;
            return true;
        }
    }
    return false;
}

QString HostSpec::defaultLauncher(Kind kind)
{
    switch (kind) {
    case Kind::Local: return {};
    // BatchMode: never stop at a password prompt nobody sees. ServerAlive: a host
    // that vanishes without closing the connection is noticed within a minute.
    case Kind::Ssh:
        return QStringLiteral("ssh -T -o BatchMode=yes -o ConnectTimeout=20 -o ServerAliveInterval=15 -o ServerAliveCountMax=4 {host} --");
    case Kind::Srun: return QStringLiteral("srun --ntasks=1 --nodes=1 --quiet");
    }
    return {};
}

bool HostSpec::parse(const QString &text, HostSpec *host, QString *error)
{
    HostSpec h;
    QString rest = text.trimmed();
    const qsizetype slash = rest.indexOf(QLatin1Char('/'));
    bool slotsGiven = false;
    if (slash > 0) {
        bool ok = false;
        h.slotCount = rest.left(slash).toInt(&ok);
        if (!ok || h.slotCount < 1) {
            *error = QStringLiteral("--host %1: the slot count before '/' must be a whole number of at least 1").arg(text);
            return false;
        }
        slotsGiven = true;
        rest = rest.mid(slash + 1);
    }
    if (rest == QLatin1String("localhost") || rest == QLatin1String("local") || rest == QLatin1String(":")) {
        h.kind = Kind::Local;
    } else if (rest == QLatin1String("srun") || rest.startsWith(QLatin1String("srun:"))) {
        h.kind = Kind::Srun;
        h.target = rest.mid(5);
    } else if (rest.startsWith(QLatin1String("ssh:"))) {
        h.kind = Kind::Ssh;
        h.target = rest.mid(4);
    } else if (rest.startsWith(QLatin1String("local:"))) {
        *error = QStringLiteral("--host %1: a local host takes no target").arg(text);
        return false;
    } else {
        h.kind = Kind::Ssh; // like GNU parallel's --sshlogin: a bare name is an ssh host
        h.target = rest;
    }
    if (!slotsGiven)
        h.slotCount = h.kind == Kind::Local ? qMax(1, QThread::idealThreadCount()) : 1;
    const QString problem = h.validate();
    if (!problem.isEmpty()) {
        *error = QStringLiteral("--host %1: %2").arg(text, problem);
        return false;
    }
    *host = h;
    return true;
}

QString HostSpec::name() const
{
    switch (kind) {
    case Kind::Local: return QStringLiteral("localhost");
    case Kind::Ssh: return target;
    case Kind::Srun: return target.isEmpty() ? QStringLiteral("srun") : QStringLiteral("srun:") + target;
    }
    return {};
}

QStringList HostSpec::launcherWords() const
{
    QStringList words = QProcess::splitCommand(launcherTemplate());
    for (QString &w : words)
        w.replace(HostPlaceholder, target);
    return words;
}

QString HostSpec::toString() const
{
    switch (kind) {
    case Kind::Local: return QStringLiteral("%1/localhost").arg(slotCount);
    case Kind::Ssh: return QStringLiteral("%1/ssh:%2").arg(slotCount).arg(target);
    case Kind::Srun: return target.isEmpty() ? QStringLiteral("%1/srun").arg(slotCount)
                                             : QStringLiteral("%1/srun:%2").arg(slotCount).arg(target);
    }
    return {};
}

QString HostSpec::validate() const
{
    if (slotCount < 1)
        return QStringLiteral("a host needs at least 1 slot");
    if (kind == Kind::Local)
        return launcher.isEmpty() ? QString() : QStringLiteral("a local host takes no launcher");
    if (kind == Kind::Ssh && target.isEmpty())
        return QStringLiteral("an ssh host needs a destination, such as ssh:user@node2");
    // The target becomes one argv word of the launcher: a leading '-' would be an option.
    if (target.startsWith(QLatin1Char('-')))
        return QStringLiteral("the host name \"%1\" must not start with '-'").arg(target);
    for (QChar c : target) {
        if (c.isSpace() || c.category() == QChar::Other_Control)
            return QStringLiteral("the host name \"%1\" must not contain spaces or control characters").arg(target);
    }
    const QStringList words = launcherWords();
    if (words.isEmpty() || words.first().isEmpty())
        return QStringLiteral("the %1 launcher template is empty").arg(kindName(kind));
    return {};
}

QJsonObject HostSpec::toJson() const
{
    QJsonObject json{{QStringLiteral("slots"), slotCount}, {QStringLiteral("kind"), kindName(kind)}};
    if (!target.isEmpty())
        json.insert(QStringLiteral("target"), target);
    if (!launcher.isEmpty())
        json.insert(QStringLiteral("launcher"), launcher);
    return json;
}

bool HostSpec::fromJson(const QJsonObject &json, HostSpec *host, QString *error)
{
    HostSpec h;
    h.slotCount = json.value(QStringLiteral("slots")).toInt(1);
    const QString kind = json.value(QStringLiteral("kind")).toString(QStringLiteral("local"));
    if (!kindFromName(kind, &h.kind)) {
        *error = QStringLiteral("unknown host kind \"%1\" (expected local, ssh or srun)").arg(kind);
        return false;
    }
    h.target = json.value(QStringLiteral("target")).toString();
    h.launcher = json.value(QStringLiteral("launcher")).toString();
    *host = h;
    return true;
}
