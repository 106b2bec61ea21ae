#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

// Where a group of worker slots runs: on this machine, or on another host
// reached through a launcher program (ssh, srun) whose stdin/stdout carry the
// worker's. No daemon runs on the far side; only a POSIX sh is needed there.
struct HostSpec
{
    enum class Kind { Local, Ssh, Srun };

    int slotCount = 1;
    Kind kind = Kind::Local;
    QString target;   // ssh: the destination ssh accepts (user@node2, a Host alias); srun: optional {host}
    QString launcher; // command template; empty = the default of the kind

    // "4/localhost", "8/ssh:user@node2", "8/node2" (ssh), "16/srun", "srun:node05".
    // Without "N/", a local host gets one slot per core and a remote one a single slot.
    static bool parse(const QString &text, HostSpec *host, QString *error);
    static QString kindName(Kind kind);
    static bool kindFromName(const QString &name, Kind *kind);
    static QString defaultLauncher(Kind kind);

    bool isRemote() const { return kind != Kind::Local; }
    // How results and the monitor name the host: "localhost", "user@node2", "srun".
    QString name() const;
    QString launcherTemplate() const { return launcher.isEmpty() ? defaultLauncher(kind) : launcher; }
    // The launcher's argv with {host} filled in; the remote command goes after it.
    QStringList launcherWords() const;
    QString toString() const; // the --host form
    QString validate() const;  // empty when usable

    QJsonObject toJson() const;
    static bool fromJson(const QJsonObject &json, HostSpec *host, QString *error);

    bool operator==(const HostSpec &o) const
    {
        return slotCount == o.slotCount && kind == o.kind && target == o.target && launcher == o.launcher;
    }
};
