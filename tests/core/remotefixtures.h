#pragma once

// Fixtures for the suites that run slots on other hosts (tst_remotehosts,
// tst_transfer, tst_slurm, and tst_cli's --host runs): a real sshd on
// 127.0.0.1 and a one-node Slurm cluster, both as root with all their state
// in a temporary directory; host specs for them and for stand-in launchers;
// and the check that nothing was left running on either side. The "remote"
// host is this machine, so what runs over there is visible here.

#include "hostspec.h"
#include "testsupport.h"

#include <QList>
#include <QProcess>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

// QSKIP returns from the function it is in: it has to be in the test itself.
#define SKIP_UNLESS_READY(problem)                                                  \
    do {                                                                            \
        if (!(problem).isEmpty())                                                   \
            QSKIP(qPrintable(problem));                                             \
    } while (0)

namespace TestSupport {

// How long a run over ssh or srun may take before a test gives up: an upper
// bound for a loaded CI machine (every connection is a real ssh handshake),
// never a figure the test relies on.
constexpr int RemoteRunTimeoutMs = 240000;

// sshd on 127.0.0.1 at a free port, with its own host key, accepting one
// generated user key.
class SshServer
{
public:
    ~SshServer() { stop(); }

    // Empty when sshd is up; else why it cannot run on this machine.
    QString start();
    void stop();

    qint64 pid() const { return m_sshd.processId(); }
    QString target() const { return m_user + QStringLiteral("@127.0.0.1"); }
    // An ssh command line (a --launcher template) that logs in to it.
    QString launcher() const;
    HostSpec host(int slotCount) const;
    // Logs in once: empty when it works.
    QString check() const;

private:
    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }

    QTemporaryDir m_dir;
    QProcess m_sshd;
    QString m_ssh;
    QString m_user;
    int m_port = 0;
};

// A single-node Slurm cluster on 127.0.0.1: munged, slurmctld and slurmd as
// root, with settings that need no cgroups. It sets SLURM_CONF for srun.
class SlurmCluster
{
public:
    ~SlurmCluster() { stop(); }

    // Empty when the node is up and idle; else why it cannot run here.
    QString start();
    void stop();

    QList<qint64> pids() const { return {m_munged.processId(), m_slurmctld.processId(), m_slurmd.processId()}; }

private:
    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }
    QString lastLines(QProcess &p, const char *log) const;

    QTemporaryDir m_dir;
    QProcess m_munged;
    QProcess m_slurmctld;
    QProcess m_slurmd;
    QString m_sinfo;
};

// For initTestCase(): start the fixture, or warn that its tests will be
// skipped and say why (*problem, for SKIP_UNLESS_READY). Once sshd is up,
// failing to log in is a bug here, not a missing tool: that fails.
void startSshd(SshServer &sshd, QString *problem);
void startSlurm(SlurmCluster &slurm, QString *problem);

// For cleanup(): no test worker or remote guard descended from this test
// (through sshd too) may outlive it, nor any child but the fixtures' daemons.
void verifyNothingLeftRunning(const QList<qint64> &daemons, int timeoutMs = 10000);

// A port nothing listens on right now.
int freePort();

HostSpec localHost(int slotCount);
// An ssh-kind host whose "ssh" is `sh -c`: it does what sshd and the remote
// login shell do with the command string, so the remote guard runs, no network.
HostSpec shellHost(int slotCount);
// A real ssh to a port where nothing listens: "Connection refused".
HostSpec unreachableHost(int slotCount);
// srun in the allocation it finds (SlurmCluster's node here).
HostSpec srunHost(int slotCount);

// Inputs a remote shell would mangle if a word went unquoted.
QList<QByteArray> hostileInputs();

// Every host that ran one of the run's tasks.
QSet<QString> hostsOf(const Run &run);

} // namespace TestSupport
