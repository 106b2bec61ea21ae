#include "remotefixtures.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace TestSupport {

namespace {

bool runTool(const QString &program, const QStringList &args, QString *error)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(20000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error = QStringLiteral("%1 %2 failed: %3").arg(program, args.join(' '), QString::fromLocal8Bit(p.readAll()).trimmed());
        return false;
    }
    return true;
}

QList<QByteArray> commandLine(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QByteArray all = f.readAll();
    if (all.endsWith('\0'))
        all.chop(1);
    return all.split('\0');
}

qint64 parentOf(qint64 pid)
{
    ProcStat stat;
    return ProcStat::read(pid, &stat) ? stat.ppid : 0;
}

// Live test workers and remote guards descended from this test (through sshd
// too, or re-parented to us as the subreaper): other suites running at the same
// time use the same test worker, so only our own descendants count.
QStringList leftoverProcesses()
{
    const qint64 self = ::getpid();
    QStringList found;
    ProcScan scan;
    for (ProcStat stat; scan.next(&stat);) {
        const qint64 pid = stat.pid;
        if (pid == self || stat.isDead())
            continue;
        const QList<QByteArray> args = commandLine(pid);
        const bool worker = !args.isEmpty() && args.first() == TESTWORKER_PATH;
        const bool guard = args.contains("taskpool-remote") || args.contains("taskpool-watch");
        if (!worker && !guard)
            continue;
        bool ours = false;
        for (qint64 p = stat.ppid, hops = 0; p > 1 && hops < 64; p = parentOf(p), ++hops) {
            if (p == self) {
                ours = true;
                break;
            }
        }
        if (ours)
            found.append(QStringLiteral("%1 %2").arg(pid).arg(QString::fromUtf8(args.join(' ').left(120))));
    }
    return found;
}

} // namespace

QString SshServer::start()
{
    if (::geteuid() != 0)
        return QStringLiteral("sshd needs root (privilege separation) and this test runs as uid %1").arg(::geteuid());
    const QString sshd = QStringLiteral("/usr/sbin/sshd");
    if (!QFileInfo(sshd).isExecutable())
        return QStringLiteral("openssh-server is not installed (no /usr/sbin/sshd; scripts/deps.sh installs it)");
    const QString keygen = QStandardPaths::findExecutable(QStringLiteral("ssh-keygen"));
    m_ssh = QStandardPaths::findExecutable(QStringLiteral("ssh"));
    if (keygen.isEmpty() || m_ssh.isEmpty())
        return QStringLiteral("openssh-client is not installed (no ssh or ssh-keygen in PATH)");
    if (!m_dir.isValid())
        return QStringLiteral("cannot create a temporary directory");
    if (!QDir().mkpath(QStringLiteral("/run/sshd")))
        return QStringLiteral("cannot create /run/sshd (sshd's privilege separation directory)");
    const passwd *pw = ::getpwuid(::geteuid());
    m_user = pw ? QString::fromLocal8Bit(pw->pw_name) : QStringLiteral("root");
    QString error;
    if (!runTool(keygen, {"-q", "-t", "ed25519", "-N", "", "-f", path("host_key")}, &error)
        || !runTool(keygen, {"-q", "-t", "ed25519", "-N", "", "-f", path("user_key")}, &error))
        return error;
    if (!QFile::copy(path("user_key.pub"), path("authorized_keys")))
        return QStringLiteral("cannot write authorized_keys");
    for (int attempt = 0; attempt < 3; ++attempt) {
        m_port = freePort();
        QFile config(path("sshd_config"));
        if (!config.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return QStringLiteral("cannot write sshd_config");
        config.write(QStringLiteral("Port %1\nListenAddress 127.0.0.1\nHostKey %2\nAuthorizedKeysFile %3\n"
                                    "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
                                    "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPidFile none\n"
                                    "MaxStartups 100\nMaxSessions 100\nLogLevel INFO\n")
                         .arg(m_port)
                         .arg(path("host_key"), path("authorized_keys"))
                         .toUtf8());
        config.close();
        m_sshd.setProcessChannelMode(QProcess::MergedChannels);
        m_sshd.start(sshd, {"-D", "-e", "-f", path("sshd_config")});
        if (!m_sshd.waitForStarted(5000))
            return QStringLiteral("cannot start sshd: %1").arg(m_sshd.errorString());
        QByteArray log;
        for (int waited = 0; waited < 100 && !log.contains("Server listening on"); ++waited) {
            if (m_sshd.state() != QProcess::Running)
                break;
            m_sshd.waitForReadyRead(100);
            log += m_sshd.readAll();
        }
        if (log.contains("Server listening on"))
            return {};
        m_sshd.kill();
        m_sshd.waitForFinished(5000);
        error = QStringLiteral("sshd did not start: %1").arg(QString::fromLocal8Bit(log + m_sshd.readAll()).trimmed());
        if (!log.contains("Address already in use"))
            break; // only a lost race for the port is worth another try
    }
    return error;
}

void SshServer::stop()
{
    if (m_sshd.state() == QProcess::NotRunning)
        return;
    m_sshd.terminate();
    if (!m_sshd.waitForFinished(5000)) {
        m_sshd.kill();
        m_sshd.waitForFinished(5000);
    }
}

QString SshServer::launcher() const
{
    return QStringLiteral("%1 -F /dev/null -T -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
                          " -o LogLevel=ERROR -i %2 -p %3 {host} --")
        .arg(m_ssh, path("user_key"))
        .arg(m_port);
}

HostSpec SshServer::host(int slotCount) const
{
    HostSpec h;
    h.slotCount = slotCount;
    h.kind = HostSpec::Kind::Ssh;
    h.target = target();
    h.launcher = launcher();
    return h;
}

QString SshServer::check() const
{
    QStringList words = host(1).launcherWords();
    const QString program = words.takeFirst();
    QString error;
    runTool(program, words << QStringLiteral("true"), &error);
    return error;
}

QString SlurmCluster::start()
{
    if (::geteuid() != 0)
        return QStringLiteral("slurmd needs root and this test runs as uid %1").arg(::geteuid());
    const QString munged = QStringLiteral("/usr/sbin/munged");
    const QString slurmctld = QStringLiteral("/usr/sbin/slurmctld");
    const QString slurmd = QStringLiteral("/usr/sbin/slurmd");
    m_sinfo = QStandardPaths::findExecutable(QStringLiteral("sinfo"));
    if (!QFileInfo(munged).isExecutable() || !QFileInfo(slurmctld).isExecutable() || !QFileInfo(slurmd).isExecutable()
        || m_sinfo.isEmpty() || QStandardPaths::findExecutable(QStringLiteral("srun")).isEmpty())
        return QStringLiteral("Slurm is not installed (munge, slurmctld, slurmd, slurm-client; scripts/deps.sh installs them)");
    if (!m_dir.isValid())
        return QStringLiteral("cannot create a temporary directory");
    QFile key(path("munge.key"));
    if (!key.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write the munge key");
    for (int i = 0; i < 128; ++i) {
        const quint64 word = QRandomGenerator::system()->generate64();
        key.write(reinterpret_cast<const char *>(&word), sizeof word);
    }
    key.close();
    key.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QDir().mkpath(path("state"));
    QDir().mkpath(path("spool"));
    m_munged.setProcessChannelMode(QProcess::MergedChannels);
    m_munged.start(munged, {"-F", "-f", "--socket=" + path("munge.sock"), "--key-file=" + path("munge.key"),
                            "--pid-file=" + path("munged.pid"), "--seed-file=" + path("munged.seed"),
                            "--log-file=" + path("munged.log")});
    if (!m_munged.waitForStarted(5000))
        return QStringLiteral("cannot start munged: %1").arg(m_munged.errorString());
    for (int i = 0; i < 50 && !QFileInfo::exists(path("munge.sock")) && m_munged.state() == QProcess::Running; ++i)
        QTest::qWait(100);
    if (!QFileInfo::exists(path("munge.sock")))
        return QStringLiteral("munged did not start: %1").arg(lastLines(m_munged, "munged.log"));
    // slurmctld only runs on the host its configuration names.
    const QString host = QSysInfo::machineHostName().section(QLatin1Char('.'), 0, 0);
    QFile conf(path("slurm.conf"));
    if (!conf.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write slurm.conf");
    conf.write(QStringLiteral(
                   "ClusterName=taskpooltest\nSlurmctldHost=%1(127.0.0.1)\nSlurmctldPort=%2\nSlurmdPort=%3\n"
                   "SlurmUser=root\nSlurmdUser=root\nAuthType=auth/munge\nAuthInfo=socket=%4\nCredType=cred/munge\n"
                   "StateSaveLocation=%5\nSlurmdSpoolDir=%6\nSlurmctldPidFile=%7\nSlurmdPidFile=%8\n"
                   "SlurmctldLogFile=%9\nSlurmdLogFile=%10\n"
                   "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nJobAcctGatherType=jobacct_gather/none\n"
                   "AccountingStorageType=accounting_storage/none\nSwitchType=switch/none\nMpiDefault=none\n"
                   "ReturnToService=2\nSchedulerType=sched/builtin\nSelectType=select/cons_tres\n"
                   "SelectTypeParameters=CR_CPU\nSlurmdParameters=config_overrides\n"
                   "NodeName=%1 NodeAddr=127.0.0.1 CPUs=16 State=UNKNOWN\n"
                   "PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES\n")
                   .arg(host)
                   .arg(freePort())
                   .arg(freePort())
                   .arg(path("munge.sock"), path("state"), path("spool"), path("slurmctld.pid"), path("slurmd.pid"),
                        path("slurmctld.log"), path("slurmd.log"))
                   .toUtf8());
    conf.close();
    qputenv("SLURM_CONF", path("slurm.conf").toUtf8()); // srun and sinfo read it
    m_slurmctld.setProcessChannelMode(QProcess::MergedChannels);
    m_slurmctld.start(slurmctld, {"-D", "-f", path("slurm.conf")});
    m_slurmd.setProcessChannelMode(QProcess::MergedChannels);
    m_slurmd.start(slurmd, {"-D", "-f", path("slurm.conf"), "-N", host});
    if (!m_slurmctld.waitForStarted(5000) || !m_slurmd.waitForStarted(5000))
        return QStringLiteral("cannot start slurmctld or slurmd: %1 %2").arg(m_slurmctld.errorString(), m_slurmd.errorString());
    QString state;
    for (int i = 0; i < 100; ++i) {
        QProcess sinfo;
        sinfo.start(m_sinfo, {"-h", "-o", "%t"});
        sinfo.waitForFinished(5000);
        state = QString::fromLocal8Bit(sinfo.readAll()).trimmed();
        if (state == QLatin1String("idle"))
            return {};
        if (m_slurmctld.state() != QProcess::Running || m_slurmd.state() != QProcess::Running)
            break;
        QTest::qWait(200);
    }
    return QStringLiteral("the Slurm node did not come up (sinfo: \"%1\"): slurmctld: %2 slurmd: %3")
        .arg(state, lastLines(m_slurmctld, "slurmctld.log"), lastLines(m_slurmd, "slurmd.log"));
}

void SlurmCluster::stop()
{
    for (QProcess *p : {&m_slurmd, &m_slurmctld, &m_munged}) {
        if (p->state() == QProcess::NotRunning)
            continue;
        p->terminate();
        if (!p->waitForFinished(10000)) {
            p->kill();
            p->waitForFinished(5000);
        }
    }
}

QString SlurmCluster::lastLines(QProcess &p, const char *log) const
{
    QFile f(path(log));
    const QByteArray text = p.readAll() + (f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray());
    return QString::fromLocal8Bit(text.right(600)).trimmed();
}

void startSshd(SshServer &sshd, QString *problem)
{
    *problem = sshd.start();
    if (problem->isEmpty()) {
        const QString login = sshd.check();
        QVERIFY2(login.isEmpty(), qPrintable(login));
    } else {
        qWarning("ssh tests will be skipped: %s", qPrintable(*problem));
    }
}

void startSlurm(SlurmCluster &slurm, QString *problem)
{
    *problem = slurm.start();
    if (!problem->isEmpty())
        qWarning("srun tests will be skipped: %s", qPrintable(*problem));
}

void verifyNothingLeftRunning(const QList<qint64> &daemons, int timeoutMs)
{
    QTRY_VERIFY2_WITH_TIMEOUT(leftoverProcesses().isEmpty(), qPrintable(leftoverProcesses().join('\n')), timeoutMs);
    // slurmstepd double-forks: it is our child (the subreaper's) until its step is over.
    auto strays = [daemons] {
        QList<qint64> pids = liveChildren();
        for (qint64 d : daemons)
            pids.removeAll(d);
        return pids;
    };
    QTRY_VERIFY_WITH_TIMEOUT(strays().isEmpty(), timeoutMs);
}

int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0
        && ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

HostSpec localHost(int slotCount)
{
    HostSpec h;
    h.slotCount = slotCount;
    return h;
}

HostSpec shellHost(int slotCount)
{
    HostSpec h;
    h.slotCount = slotCount;
    h.kind = HostSpec::Kind::Ssh;
    h.target = QStringLiteral("shell");
    h.launcher = QStringLiteral("sh -c");
    return h;
}

HostSpec unreachableHost(int slotCount)
{
    HostSpec h = shellHost(slotCount);
    h.target = QStringLiteral("127.0.0.1");
    h.launcher = QStringLiteral("ssh -F /dev/null -T -o BatchMode=yes -o ConnectTimeout=5 -p %1 {host} --").arg(freePort());
    return h;
}

HostSpec srunHost(int slotCount)
{
    HostSpec h;
    h.slotCount = slotCount;
    h.kind = HostSpec::Kind::Srun;
    return h;
}

QList<QByteArray> hostileInputs()
{
    return {"a; rm -rf ~", "$(reboot)", "`id`", "'single' \"double\"", "-n", "--help", "  spaces  ",
            "back\\slash", "glob * ?", "h\xc3\xa9llo \xe2\x9c\x93", "new\nline", "|& > /dev/null", "",
            "'; exit 255; '", "\"$HOME\"", "~", "a'\\''b", QByteArray(20000, 'L')};
}

QSet<QString> hostsOf(const Run &run)
{
    QSet<QString> hosts;
    for (const TaskOutcome &o : run.outcomes)
        hosts.insert(o.host);
    return hosts;
}

} // namespace TestSupport
