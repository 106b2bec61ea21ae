// Worker slots on other hosts. A real sshd runs on 127.0.0.1 at a free port with
// keys made in a temporary directory; the "remote" host is this machine, so
// leftover processes on the far side are visible here. Tests that need no
// connection use "sh -c" as the launcher: it does what sshd and the remote
// login shell do with the command string.

#include "hostspec.h"
#include "commandtemplate.h"
#include "remotecommand.h"
#include "remotestderr.h"
#include "remotetransfer.h"
#include "runjournal.h"
#include "testsupport.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTemporaryDir>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace TestSupport;

// QSKIP returns from the function it is in: it has to be in the test itself.
#define SKIP_UNLESS_READY(problem)                                                  \
    do {                                                                            \
        if (!(problem).isEmpty())                                                   \
            QSKIP(qPrintable(problem));                                             \
    } while (0)

namespace {

// A port nothing listens on right now.
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
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &entry : entries) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        if (!ok || pid == self || !isAlive(pid))
            continue;
        const QList<QByteArray> args = commandLine(pid);
        const bool worker = !args.isEmpty() && args.first() == TESTWORKER_PATH;
        const bool guard = args.contains("taskpool-remote") || args.contains("taskpool-watch");
        if (!worker && !guard)
            continue;
        bool ours = false;
        for (qint64 p = parentOf(pid), hops = 0; p > 1 && hops < 64; p = parentOf(p), ++hops) {
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

// sshd on 127.0.0.1 with its own host key, accepting one generated user key.
class SshServer
{
public:
    ~SshServer() { stop(); }

    // Empty when sshd is up; else why it cannot run on this machine.
    QString start()
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

    void stop()
    {
        if (m_sshd.state() == QProcess::NotRunning)
            return;
        m_sshd.terminate();
        if (!m_sshd.waitForFinished(5000)) {
            m_sshd.kill();
            m_sshd.waitForFinished(5000);
        }
    }

    qint64 pid() const { return m_sshd.processId(); }
    QString target() const { return m_user + QStringLiteral("@127.0.0.1"); }
    QString launcher() const
    {
        return QStringLiteral("%1 -F /dev/null -T -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
                              " -o LogLevel=ERROR -i %2 -p %3 {host} --")
            .arg(m_ssh, path("user_key"))
            .arg(m_port);
    }
    HostSpec host(int slotCount) const
    {
        HostSpec h;
        h.slotCount = slotCount;
        h.kind = HostSpec::Kind::Ssh;
        h.target = target();
        h.launcher = launcher();
        return h;
    }
    // Logs in once: empty when it works.
    QString check() const
    {
        QStringList words = host(1).launcherWords();
        const QString program = words.takeFirst();
        QString error;
        runTool(program, words << QStringLiteral("true"), &error);
        return error;
    }

private:
    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }

    QTemporaryDir m_dir;
    QProcess m_sshd;
    QString m_ssh;
    QString m_user;
    int m_port = 0;
};

// A single-node Slurm cluster on 127.0.0.1: munged, slurmctld and slurmd as
// root, with settings that need no cgroups, all state in a temporary directory.
class SlurmCluster
{
public:
    ~SlurmCluster() { stop(); }

    QString start()
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

    void stop()
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

    QList<qint64> pids() const { return {m_munged.processId(), m_slurmctld.processId(), m_slurmd.processId()}; }

private:
    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }
    QString lastLines(QProcess &p, const char *log) const
    {
        QFile f(path(log));
        const QByteArray text = p.readAll() + (f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray());
        return QString::fromLocal8Bit(text.right(600)).trimmed();
    }

    QTemporaryDir m_dir;
    QProcess m_munged;
    QProcess m_slurmctld;
    QProcess m_slurmd;
    QString m_sinfo;
};

HostSpec localHost(int slotCount)
{
    HostSpec h;
    h.slotCount = slotCount;
    return h;
}

// An ssh-kind host whose "ssh" is `sh -c`: the remote guard runs, no network.
HostSpec shellHost(int slotCount)
{
    HostSpec h;
    h.slotCount = slotCount;
    h.kind = HostSpec::Kind::Ssh;
    h.target = QStringLiteral("shell");
    h.launcher = QStringLiteral("sh -c");
    return h;
}

// A real ssh to a port where nothing listens: "Connection refused".
HostSpec unreachableHost(int slotCount)
{
    HostSpec h;
    h.slotCount = slotCount;
    h.kind = HostSpec::Kind::Ssh;
    h.target = QStringLiteral("127.0.0.1");
    h.launcher = QStringLiteral("ssh -F /dev/null -T -o BatchMode=yes -o ConnectTimeout=5 -p %1 {host} --").arg(freePort());
    return h;
}

QSet<QString> hostsOf(const Run &run)
{
    QSet<QString> hosts;
    for (const TaskOutcome &o : run.outcomes)
        hosts.insert(o.host);
    return hosts;
}

QList<QByteArray> hostileInputs()
{
    return {"a; rm -rf ~", "$(reboot)", "`id`", "'single' \"double\"", "-n", "--help", "  spaces  ",
            "back\\slash", "glob * ?", "h\xc3\xa9llo \xe2\x9c\x93", "new\nline", "|& > /dev/null", "",
            "'; exit 255; '", "\"$HOME\"", "~", "a'\\''b", QByteArray(20000, 'L')};
}

// Files for transfer tests: name (relative to the source directory) -> content.
bool writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(content) == content.size();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}

// Every file and directory under dir, as paths relative to it.
QStringList treeOf(const QString &dir)
{
    QStringList entries;
    QDirIterator it(dir, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        entries.append(QDir(dir).relativeFilePath(it.next()));
    entries.sort();
    return entries;
}

// A one-slot "ssh" host whose launcher, a script at path, runs shell code
// instead of a file copy of the kind given ('put' or 'get'), and passes
// everything else to sh -c as shellHost() does. Empty host if it cannot be written.
HostSpec standInHost(const QString &path, const char *copyKind, const QString &instead)
{
    const QString script = QStringLiteral("#!/bin/sh\n"
                                          "case $1 in *\"'taskpool-transfer' '%1'\"*)\n%2\n;; esac\n"
                                          "exec sh -c \"$1\"\n")
                               .arg(QLatin1String(copyKind), instead);
    if (!writeFile(path, script.toUtf8())
        || !QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner))
        return {};
    HostSpec h = shellHost(1);
    h.launcher = QLatin1Char('"') + path + QLatin1Char('"'); // QProcess::splitCommand quoting
    return h;
}

// Input files for the transfer tests, absolute and relative, with names a shell
// would mangle if a word went unquoted; the tasks turn each into NAME.out in
// upper case. source holds them, remote is the --remote-dir.
struct TransferFiles
{
    QTemporaryDir source;
    QTemporaryDir remote;
    QStringList names;
    QList<QByteArray> items;

    bool write()
    {
        if (!source.isValid() || !remote.isValid())
            return false;
        names = QStringList{source.filePath(QStringLiteral("plain.txt")),
                            source.filePath(QStringLiteral("it's a \"file\" $HOME; `id` & more.txt")),
                            source.filePath(QStringLiteral("sub dir/nested $x.txt")),
                            QStringLiteral("rel one.txt"),
                            QStringLiteral("deeper/-rel two.txt"),
                            QStringLiteral("./deeper/../dots.txt")};
        for (int i = 0; i < names.size(); ++i) {
            if (!writeFile(local(i), QByteArray("content of file ") + QByteArray::number(i) + '\n'))
                return false;
            items.append(names[i].toUtf8());
        }
        return true;
    }
    QString local(qint64 id) const { return QDir::cleanPath(QDir(source.path()).absoluteFilePath(names[int(id)])); }
    // Where a copy goes inside a scratch directory.
    static QString inside(const QString &name)
    {
        const QString clean = QDir::cleanPath(name);
        return QDir::isAbsolutePath(clean) ? clean.mid(1) : clean;
    }

    // The output came back beside its input, which is untouched.
    void checkReturned(qint64 id) const
    {
        QCOMPARE(readFile(local(id) + QStringLiteral(".out")), QByteArray("CONTENT OF FILE ") + QByteArray::number(id) + '\n');
        QCOMPARE(readFile(local(id)), QByteArray("content of file ") + QByteArray::number(id) + '\n');
    }

    // With cleanup nothing is left on the host; without it, each copy and its
    // output stay in the scratch directories the commands ran in, under one
    // directory for the run. Nothing half-copied is left beside the outputs.
    void checkLeftovers(const QSet<QString> &scratchDirs, bool cleanup) const
    {
        for (const QString &entry : treeOf(source.path()))
            QVERIFY2(!entry.contains(QLatin1String("taskpool-part")), qPrintable(entry));
        const QStringList left = treeOf(remote.path());
        if (cleanup) {
            QVERIFY2(left.isEmpty(), qPrintable(left.join('\n')));
            return;
        }
        QStringList found;
        for (const QString &dir : scratchDirs) {
            QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
            while (it.hasNext())
                found.append(QDir(dir).relativeFilePath(it.next()));
        }
        found.sort();
        QStringList wanted;
        for (const QString &name : names)
            wanted << inside(name) << inside(name) + QStringLiteral(".out");
        wanted.sort();
        QCOMPARE(found, wanted);
        QCOMPARE(QDir(remote.path()).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(), 1);
    }
};

// A per-task job that runs through sh -c (inputs reach the script as data).
JobSpec shellJob(const QStringList &words)
{
    JobSpec spec;
    spec.mode = JobSpec::Mode::PerTask;
    spec.command = words;
    spec.shell = true;
    spec.killGraceSeconds = 0.3;
    return spec;
}

} // namespace

class TestRemote : public QObject
{
    Q_OBJECT
    SshServer m_sshd;
    QString m_sshdProblem;
    SlurmCluster m_slurm;
    QString m_slurmProblem;
    QTemporaryDir m_dataHome;

    static JobSpec withHosts(JobSpec spec, const QList<HostSpec> &hosts)
    {
        spec.hosts = hosts;
        return spec;
    }

private Q_SLOTS:
    void initTestCase()
    {
        becomeSubreaper();
        qputenv("XDG_DATA_HOME", m_dataHome.path().toUtf8());
        m_sshdProblem = m_sshd.start();
        if (m_sshdProblem.isEmpty()) {
            // sshd is up: failing to log in is a bug here, not a missing tool.
            const QString login = m_sshd.check();
            QVERIFY2(login.isEmpty(), qPrintable(login));
        } else {
            qWarning("ssh tests will be skipped: %s", qPrintable(m_sshdProblem));
        }
        m_slurmProblem = m_slurm.start();
        if (!m_slurmProblem.isEmpty())
            qWarning("srun tests will be skipped: %s", qPrintable(m_slurmProblem));
    }
    void cleanupTestCase()
    {
        m_sshd.stop();
        m_slurm.stop();
    }
    void cleanup()
    {
        // No worker, guard or remote process may outlive a test; sshd itself stays.
        QTRY_VERIFY2_WITH_TIMEOUT(leftoverProcesses().isEmpty(), qPrintable(leftoverProcesses().join('\n')), 10000);
        // slurmstepd double-forks: it is our child (the subreaper's) until its step is over.
        const QList<qint64> daemons = QList<qint64>{m_sshd.pid()} + m_slurm.pids();
        auto strays = [daemons] {
            QList<qint64> pids = liveChildren();
            for (qint64 d : daemons)
                pids.removeAll(d);
            return pids;
        };
        QTRY_VERIFY_WITH_TIMEOUT(strays().isEmpty(), 10000);
    }

    // ---- host specs -------------------------------------------------------

    void hostSpecParses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("slotCount");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("name");
        QTest::newRow("localhost") << "4/localhost" << 4 << int(HostSpec::Kind::Local) << "" << "localhost";
        QTest::newRow("ssh") << "8/ssh:user@node2" << 8 << int(HostSpec::Kind::Ssh) << "user@node2" << "user@node2";
        QTest::newRow("bare name is ssh") << "2/node2" << 2 << int(HostSpec::Kind::Ssh) << "node2" << "node2";
        QTest::newRow("srun") << "16/srun" << 16 << int(HostSpec::Kind::Srun) << "" << "srun";
        QTest::newRow("srun node") << "3/srun:node05" << 3 << int(HostSpec::Kind::Srun) << "node05" << "srun:node05";
        QTest::newRow("no count, remote") << "ssh:alias" << 1 << int(HostSpec::Kind::Ssh) << "alias" << "alias";
    }
    void hostSpecParses()
    {
        QFETCH(QString, text);
        QFETCH(int, slotCount);
        QFETCH(int, kind);
        QFETCH(QString, target);
        QFETCH(QString, name);
        HostSpec h;
        QString error;
        QVERIFY2(HostSpec::parse(text, &h, &error), qPrintable(error));
        QCOMPARE(h.slotCount, slotCount);
        QCOMPARE(int(h.kind), kind);
        QCOMPARE(h.target, target);
        QCOMPARE(h.name(), name);
        HostSpec again;
        QVERIFY(HostSpec::parse(h.toString(), &again, &error));
        QVERIFY(again == h);
    }

    void hostSpecRejects_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("zero slots") << "0/localhost" << "at least 1";
        QTest::newRow("bad count") << "x/node2" << "whole number";
        QTest::newRow("empty ssh") << "4/ssh:" << "destination";
        QTest::newRow("option as host") << "4/ssh:-oProxyCommand=touch /tmp/x" << "must not";
        QTest::newRow("space in host") << "4/ssh:a b" << "spaces";
        QTest::newRow("local target") << "local:x" << "no target";
    }
    void hostSpecRejects()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        HostSpec h;
        QString error;
        QVERIFY(!HostSpec::parse(text, &h, &error));
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void jobSpecKeepsHostsInJson()
    {
        JobSpec spec = perTask({QStringLiteral("echo")});
        spec.hosts = {localHost(2), shellHost(3), unreachableHost(1)};
        spec.hosts[2].kind = HostSpec::Kind::Srun;
        // The saved form users may write by hand.
        const QJsonObject first = spec.toJson().value("hosts").toArray().at(1).toObject();
        QCOMPARE(first.value("slots").toInt(), 3);
        QCOMPARE(first.value("kind").toString(), QStringLiteral("ssh"));
        QCOMPARE(first.value("target").toString(), QStringLiteral("shell"));
        QCOMPARE(first.value("launcher").toString(), QStringLiteral("sh -c"));
        JobSpec back;
        QString error;
        QVERIFY2(JobSpec::fromJson(spec.toJson(), &back, &error), qPrintable(error));
        QCOMPARE(back.hosts.size(), 3);
        for (int i = 0; i < 3; ++i)
            QVERIFY(back.hosts[i] == spec.hosts[i]);
        QVERIFY(back.hasRemoteHosts() && back.hasLocalHost());
        QVERIFY(!back.transfer && back.returnFiles.isEmpty() && !back.cleanup);

        spec.transfer = true;
        spec.returnFiles = {QStringLiteral("{.}.out"), QStringLiteral("log/{/}.txt")};
        spec.cleanup = true;
        spec.remoteDirectory = QStringLiteral("/scratch/me");
        spec.transferRunToken = QStringLiteral("not-saved");
        QVERIFY2(JobSpec::fromJson(spec.toJson(), &back, &error), qPrintable(error));
        QVERIFY(back.transfer && back.cleanup);
        QCOMPARE(back.returnFiles, spec.returnFiles);
        QCOMPARE(back.remoteDirectory, QStringLiteral("/scratch/me"));
        QVERIFY(back.transferRunToken.isEmpty()); // each run makes its own
        QVERIFY(!JobSpec::forRun(back).transferRunToken.isEmpty());
        QVERIFY(JobSpec::forRun(back).transferRunToken != JobSpec::forRun(back).transferRunToken);

        JobSpec plain = perTask({QStringLiteral("echo")});
        plain.workers = 5;
        QVERIFY(JobSpec::fromJson(plain.toJson(), &back, &error));
        QVERIFY(back.hosts.isEmpty());
        QCOMPARE(back.effectiveHosts().size(), 1);
        QCOMPARE(back.effectiveHosts().first().slotCount, 5);
        QVERIFY(!back.effectiveHosts().first().isRemote());
    }

    // ---- the remote command and its stderr --------------------------------

    void remoteStderrSplitsLauncherGuardAndCommand()
    {
        const QByteArray token = "taskpool-0123456789abcdef";
        const QByteArray stream = "Warning: added host key\r\n" + token + " up\n" + "err one\ntaskpool-not-it\npartial"
            + token + " exit 3\n";
        // Byte by byte: the worst chunking a pipe can produce.
        RemoteStderr filter;
        filter.reset(token);
        QStringList launcherLines;
        QByteArray command;
        for (char c : stream)
            filter.feed(QByteArrayView(&c, 1), [&](const QString &l) { launcherLines.append(l); },
                        [&](QByteArrayView d) { command.append(d); });
        filter.finish([&](const QString &l) { launcherLines.append(l); }, [&](QByteArrayView d) { command.append(d); });
        QCOMPARE(launcherLines, QStringList{QStringLiteral("Warning: added host key")});
        QCOMPARE(command, QByteArray("err one\ntaskpool-not-it\npartial"));
        QVERIFY(filter.isUp());
        QVERIFY(filter.hasExited());
        QCOMPARE(filter.exitStatus(), 3);

        RemoteStderr refused;
        refused.reset(token);
        refused.feed("ssh: connect to host node2 port 22: Connection refused\r\n", {}, {});
        refused.finish({}, {});
        QVERIFY(!refused.isUp());
        QCOMPARE(refused.lastLauncherLine(), QStringLiteral("ssh: connect to host node2 port 22: Connection refused"));
    }

    // What sshd does with the string: the login shell runs it. Every word must
    // arrive as the exact same bytes, whatever the shell.
    void remoteCommandKeepsEveryWordPlain_data()
    {
        QTest::addColumn<QString>("shell");
        QTest::newRow("sh") << "sh";
        QTest::newRow("bash") << "bash";
    }
    void remoteCommandKeepsEveryWordPlain()
    {
        QFETCH(QString, shell);
        if (QStandardPaths::findExecutable(shell).isEmpty())
            QSKIP("shell not installed");
        QStringList words;
        for (const QByteArray &w : hostileInputs())
            words.append(QString::fromUtf8(w));
        QTemporaryDir dir(QDir::tempPath() + QStringLiteral("/it's a \"dir\" $HOME `id`-XXXXXX"));
        QVERIFY(dir.isValid());
        RemoteCommand::Options options;
        options.token = QStringLiteral("taskpool-feedfacefeedface");
        options.directory = dir.path();
        options.graceMs = 300;
        const QString command = RemoteCommand::shellCommand(options, QStringLiteral(TESTWORKER_PATH), QStringList{"argv"} + words);
        QProcess p;
        p.start(shell, {QStringLiteral("-c"), command});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        QList<QByteArray> got = p.readAllStandardOutput().split('\0');
        QCOMPARE(got.takeLast(), QByteArray());
        QCOMPARE(got, hostileInputs());
        QCOMPARE(p.readAllStandardError(), QByteArray("taskpool-feedfacefeedface up\ntaskpool-feedfacefeedface exit 0\n"));

        // The directory is entered exactly; one that is not there is refused up front.
        const QString pwd = RemoteCommand::shellCommand(options, QStringLiteral("pwd"), {});
        p.start(shell, {QStringLiteral("-c"), pwd});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(QString::fromUtf8(p.readAllStandardOutput()), dir.path() + QLatin1Char('\n'));
        options.directory = dir.path() + QStringLiteral("/missing");
        p.start(shell, {QStringLiteral("-c"), RemoteCommand::shellCommand(options, QStringLiteral("pwd"), {})});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 1);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("cannot enter the directory") && !err.contains(" up\n"), err.constData());
    }

    void srunGetsTheGuardAsArguments()
    {
        HostSpec srun;
        srun.kind = HostSpec::Kind::Srun;
        RemoteCommand::Options options;
        options.token = QStringLiteral("taskpool-1");
        const QStringList argv = RemoteCommand::build(srun, options, QStringLiteral("prog"), {QStringLiteral("a b")});
        QCOMPARE(argv.mid(0, 4), QStringList({"srun", "--ntasks=1", "--nodes=1", "--quiet"}));
        QCOMPARE(argv.at(4), QStringLiteral("sh"));
        QCOMPARE(argv.at(5), QStringLiteral("-c"));
        QCOMPARE(argv.mid(argv.size() - 2), QStringList({"prog", "a b"})); // no quoting: srun runs argv
        HostSpec ssh = shellHost(1);
        ssh.launcher = QStringLiteral("ssh -p 2222 {host} --");
        ssh.target = QStringLiteral("user@node2");
        const QStringList viaSsh = RemoteCommand::build(ssh, options, QStringLiteral("prog"), {QStringLiteral("a b")});
        QCOMPARE(viaSsh.mid(0, 5), QStringList({"ssh", "-p", "2222", "user@node2", "--"}));
        QCOMPARE(viaSsh.size(), 6); // one string for the remote shell
        QVERIFY(viaSsh.last().startsWith(QStringLiteral("exec 'sh' '-c' ")));
        QVERIFY(viaSsh.last().endsWith(QStringLiteral(" 'prog' 'a b'")));
    }

    // ---- the pool with a stand-in launcher --------------------------------

    void shellHostPassesInputsExactly_data()
    {
        QTest::addColumn<bool>("shell");
        QTest::newRow("argv") << false;
        QTest::newRow("shell") << true;
    }
    void shellHostPassesInputsExactly()
    {
        QFETCH(bool, shell);
        JobSpec spec = withHosts(perTask({QStringLiteral("argv"), QStringLiteral("{}")}), {shellHost(3)});
        spec.shell = shell;
        const QList<QByteArray> hostile = hostileInputs();
        ListInput in(hostile);
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        RUN_POOL(pool, 30000);
        QVERIFY(run.eachIdOnce(hostile.size()));
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.status, TaskStatus::Ok);
            QCOMPARE(o.output, hostile[o.id] + QByteArray(1, '\0'));
            QCOMPARE(o.host, QStringLiteral("shell"));
            QVERIFY2(o.errorOutput.isEmpty(), o.errorOutput.constData()); // the guard's lines are taken out
        }
    }

    void shellHostReportsExitStatusesExactly_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<TaskStatus>("status");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("error");
        QTest::newRow("ok") << QStringList{"echo"} << TaskStatus::Ok << 0 << QString();
        QTest::newRow("exit 3") << QStringList{"exit", "3"} << TaskStatus::Failed << 3 << "exited with code 3 on shell";
        // ssh's own failure code: still the command's status, not a lost host.
        QTest::newRow("exit 255") << QStringList{"exit", "255"} << TaskStatus::Failed << 255 << "exited with code 255 on shell";
        QTest::newRow("segfault") << QStringList{"crash"} << TaskStatus::Crashed << -1 << "SIGSEGV";
    }
    void shellHostReportsExitStatusesExactly()
    {
        QFETCH(QStringList, args);
        QFETCH(TaskStatus, status);
        QFETCH(int, exitCode);
        QFETCH(QString, error);
        JobSpec spec = withHosts(perTask(args), {shellHost(2)});
        RangeInput in(4);
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        RUN_POOL(pool, 30000);
        QVERIFY(run.eachIdOnce(4));
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.status, status);
            QCOMPARE(o.exitCode, exitCode);
            QVERIFY2(o.error.contains(error), qPrintable(o.error));
            QCOMPARE(o.attempts, 1);
        }
        QVERIFY(pool.fatalError().isEmpty());
    }

    void shellHostKeepsStderrWhole()
    {
        JobSpec spec = withHosts(perTask({QStringLiteral("flood"), QStringLiteral("300000")}), {shellHost(2)});
        RangeInput in(3);
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        RUN_POOL(pool, 30000);
        QVERIFY(run.eachIdOnce(3));
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.status, TaskStatus::Ok);
            QCOMPARE(o.output, QByteArray(300000, 'x'));
            QCOMPARE(o.errorOutput, QByteArray(300000, 'x'));
        }
    }

    void missingDirectoryIsAHostProblem()
    {
        JobSpec spec = withHosts(perTask({QStringLiteral("echo")}), {shellHost(1)});
        spec.workingDirectory = QStringLiteral("/nonexistent/taskpool-test-dir");
        RangeInput in(2);
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        RUN_POOL(pool, 30000);
        QVERIFY(run.eachIdOnce(2));
        QCOMPARE(run.count(TaskStatus::Cancelled), 2);
        QVERIFY2(pool.fatalError().contains(QLatin1String("no host can run workers"))
                     && pool.fatalError().contains(QLatin1String("cannot enter the directory /nonexistent/taskpool-test-dir"))
                     && pool.fatalError().contains(QLatin1String("shared file system")),
                 qPrintable(pool.fatalError()));
    }

    void unreachableHostLeavesTheWorkToTheOthers_data()
    {
        addModeRows();
    }
    void unreachableHostLeavesTheWorkToTheOthers()
    {
        QFETCH(bool, protocol);
        JobSpec spec = actingOutJob(protocol);
        spec.hosts = {localHost(2), unreachableHost(3)};
        const QList<QByteArray> items(30, "slow:60");
        ListInput in(items);
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        RUN_POOL(pool, 60000);
        QVERIFY(run.eachIdOnce(30));
        QCOMPARE(run.count(TaskStatus::Ok), 30);
        QCOMPARE(hostsOf(run), QSet<QString>{QStringLiteral("localhost")});
        for (const TaskOutcome &o : run.outcomes)
            QCOMPARE(o.attempts, 1); // a host that never came up cost no task an attempt
        QVERIFY2(pool.fatalError().isEmpty(), qPrintable(pool.fatalError()));
        const QString log = run.log.join('\n');
        QVERIFY2(log.contains(QLatin1String("cannot reach 127.0.0.1")) && log.contains(QLatin1String("Connection refused"))
                     && log.contains(QLatin1String("host 127.0.0.1 is down")),
                 qPrintable(log));
        const QList<HostSnapshot> hosts = pool.hostSnapshots();
        QCOMPARE(hosts.size(), 2);
        QCOMPARE(hosts[0].tasksOk, 30);
        // It went down (the log says so); by the end it may be down or being tried again.
        QCOMPARE(hosts[1].tasksOk, 0);
        QVERIFY(hosts[1].failures >= 1);
        QVERIFY2(hosts[1].lastError.contains(QLatin1String("Connection refused")), qPrintable(hosts[1].lastError));
    }

    void allHostsDownEndTheRunClearly_data()
    {
        addModeRows();
    }
    void allHostsDownEndTheRunClearly()
    {
        QFETCH(bool, protocol);
        JobSpec spec = protocol ? protocol_({}) : perTask({QStringLiteral("echo")});
        spec.hosts = {unreachableHost(2)};
        RangeInput in(5);
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        QElapsedTimer clock;
        clock.start();
        RUN_POOL(pool, 60000);
        QVERIFY(run.eachIdOnce(5));
        QCOMPARE(run.count(TaskStatus::Cancelled), 5);
        QVERIFY2(pool.fatalError().contains(QLatin1String("no host can run workers"))
                     && pool.fatalError().contains(QLatin1String("Connection refused"))
                     && pool.fatalError().contains(QLatin1String("4 tries")),
                 qPrintable(pool.fatalError()));
        QVERIFY2(clock.elapsed() < 30000, "bounded: 1 + 2 + 4 s of backoff");
        // A dead host is not a crash loop of the worker program.
        QVERIFY(!pool.fatalError().contains(QLatin1String("keeps exiting")));
    }

    // ---- a real sshd --------------------------------------------------------

    void sshHostTakesItsShare_data()
    {
        addModeRows();
    }
    void sshHostTakesItsShare()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QFETCH(bool, protocol);
        JobSpec spec = actingOutJob(protocol);
        spec.hosts = {localHost(1), m_sshd.host(2)};
        const QList<QByteArray> items(30, "slow:100");
        ListInput in(items);
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        RUN_POOL(pool, 60000);
        QVERIFY(run.eachIdOnce(30));
        QCOMPARE(run.count(TaskStatus::Ok), 30);
        QCOMPARE(hostsOf(run), (QSet<QString>{QStringLiteral("localhost"), m_sshd.target()}));
        const QList<HostSnapshot> hosts = pool.hostSnapshots();
        QCOMPARE(hosts.size(), 2);
        QCOMPARE(hosts[1].name, m_sshd.target());
        QVERIFY(hosts[1].tasksOk > 0 && !hosts[1].down);
        QCOMPARE(hosts[0].tasksOk + hosts[1].tasksOk, 30);
        QVERIFY2(pool.fatalError().isEmpty(), qPrintable(pool.fatalError()));
    }

    void hostileInputsOverSsh()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        JobSpec spec = withHosts(perTask({QStringLiteral("argv"), QStringLiteral("{}")}), {m_sshd.host(3)});
        const QList<QByteArray> hostile = hostileInputs();
        ListInput in(hostile);
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        RUN_POOL(pool, 60000);
        QVERIFY(run.eachIdOnce(hostile.size()));
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.status, TaskStatus::Ok);
            QCOMPARE(o.output, hostile[o.id] + QByteArray(1, '\0'));
            QCOMPARE(o.host, m_sshd.target());
        }
    }

    // The ssh client dies mid-run (as when the network or the node goes):
    // its tasks run again elsewhere, no task fails or runs twice to the end,
    // and the guard on the far side ends the orphaned remote processes.
    void killedConnectionLosesNothing_data()
    {
        addModeRows();
    }
    void killedConnectionLosesNothing()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QFETCH(bool, protocol);
        JobSpec spec = actingOutJob(protocol);
        spec.hosts = {localHost(1), m_sshd.host(2)};
        const QList<QByteArray> items(24, "slow:400");
        ListInput in(items);
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        QSignalSpy finished(&pool, &TaskPool::finished);
        pool.start();
        // Wait for a remote slot that is running a task on the host, then cut it off.
        qint64 victim = 0;
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     for (const WorkerSnapshot &w : pool.workerSnapshots()) {
                                         if (w.host == m_sshd.target() && w.taskId >= 0 && w.progress > 0 && w.pid > 0) {
                                             victim = w.pid;
                                             return true;
                                         }
                                     }
                                     return false;
                                 }()),
                                 20000);
        QVERIFY(::kill(pid_t(victim), SIGKILL) == 0);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QVERIFY(run.eachIdOnce(24));
        QCOMPARE(run.count(TaskStatus::Ok), 24);
        for (const TaskOutcome &o : run.outcomes)
            QCOMPARE(o.attempts, 1); // returned, not failed
        const QString log = run.log.join('\n');
        QVERIFY2(log.contains(QLatin1String("lost the connection to ") + m_sshd.target())
                     && log.contains(QLatin1String("killed by signal 9")),
                 qPrintable(log));
        QVERIFY2(pool.fatalError().isEmpty(), qPrintable(pool.fatalError()));
        // cleanup() checks that nothing is left running, on either side.
    }

    void terminateReachesRemoteProcessTrees_data()
    {
        addModeRows();
    }
    void terminateReachesRemoteProcessTrees()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QFETCH(bool, protocol);
        QTemporaryDir dir;
        const QString pidFile = dir.filePath(QStringLiteral("grandchild.pid"));
        JobSpec spec = protocol ? protocol_({}) : perTask({QStringLiteral("grandchild"), pidFile});
        spec.hosts = {m_sshd.host(1)};
        ListInput in(QList<QByteArray>{protocol ? ("grandchild:" + pidFile.toUtf8()) : QByteArray("x"), "y"});
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        QSignalSpy finished(&pool, &TaskPool::finished);
        pool.start();
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(pidFile) && QFile(pidFile).size() > 0, 20000);
        QFile f(pidFile);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const qint64 grandchild = f.readAll().trimmed().toLongLong();
        QVERIFY(isAlive(grandchild)); // ignores SIGTERM, in the remote command's session
        pool.terminate();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QVERIFY(run.eachIdOnce(2));
        QCOMPARE(run.count(TaskStatus::Cancelled), 2);
        QTRY_VERIFY_WITH_TIMEOUT(!isAlive(grandchild), 10000); // SIGKILL from the guard after the grace
    }

    // ---- file transfer (--transfer, --return, --cleanup) -------------------

    void transferPathsMapIntoTheScratchDirectory_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("inside");
        QTest::newRow("relative") << "a b/c.txt" << "a b/c.txt";
        QTest::newRow("cleaned") << "./a//b/../c.txt" << "a/c.txt";
        QTest::newRow("absolute") << "/data/x.txt" << "data/x.txt";
        QTest::newRow("climbs out") << "../up.txt" << "home/up.txt";
        QTest::newRow("option-like") << "-n" << "-n";
    }
    void transferPathsMapIntoTheScratchDirectory()
    {
        QFETCH(QString, path);
        QFETCH(QString, inside);
        QCOMPARE(RemoteTransfer::scratchPath(path, QStringLiteral("/home/me")), inside);
        JobSpec spec;
        QCOMPARE(spec.effectiveRemoteDirectory(), QStringLiteral(".taskpool/transfer"));
        spec.remoteDirectory = QStringLiteral("~/scratch");
        QCOMPARE(spec.effectiveRemoteDirectory(), QStringLiteral("scratch"));
        spec.remoteDirectory = QStringLiteral("/tmp/x");
        QCOMPARE(spec.effectiveRemoteDirectory(), QStringLiteral("/tmp/x"));
    }

    // A relative remote directory is taken from the home on the host (here the
    // stand-in launcher's), and cleanup removes the run's directory inside it.
    void transferUsesTheRemoteHome()
    {
        QTemporaryDir source;
        QVERIFY(writeFile(source.filePath(QStringLiteral("in.txt")), "x"));
        const QString base = QStringLiteral("taskpool-test-%1").arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
        const QString home = QDir::homePath();
        JobSpec spec = shellJob({QStringLiteral("pwd;"), QStringLiteral("cp"), QStringLiteral("{}"), QStringLiteral("{}.copy")});
        spec.hosts = {shellHost(1)};
        spec.transfer = true;
        spec.returnFiles = {QStringLiteral("{}.copy")};
        spec.cleanup = true;
        spec.remoteDirectory = QStringLiteral("~/") + base;
        ListInput in(QList<QByteArray>{source.filePath(QStringLiteral("in.txt")).toUtf8()});
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        RUN_POOL(pool, 30000);
        const QStringList left = treeOf(home + QLatin1Char('/') + base);
        QDir(home + QLatin1Char('/') + base).removeRecursively();
        QVERIFY(run.eachIdOnce(1));
        const TaskOutcome o = run.outcomes.first();
        QVERIFY2(o.status == TaskStatus::Ok, qPrintable(o.error));
        QVERIFY2(QString::fromUtf8(o.output).startsWith(home + QLatin1Char('/') + base + QLatin1Char('/')), o.output.constData());
        QCOMPARE(readFile(source.filePath(QStringLiteral("in.txt.copy"))), QByteArray("x"));
        QVERIFY2(left.isEmpty(), qPrintable(left.join('\n')));
    }

    // Each input names a local file; the command reads the copy in a scratch
    // directory on the host and writes an output next to it, which comes back.
    void transferRunsOnCopiesAndReturnsOutputs_data()
    {
        QTest::addColumn<bool>("cleanup");
        QTest::newRow("cleanup") << true;
        QTest::newRow("keep the copies") << false;
    }
    void transferRunsOnCopiesAndReturnsOutputs()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QFETCH(bool, cleanup);
        TransferFiles files;
        QVERIFY(files.write());
        const QTemporaryDir &source = files.source;
        const QTemporaryDir &remote = files.remote;
        const QStringList &names = files.names;
        const QList<QByteArray> &items = files.items;
        JobSpec spec = shellJob({QStringLiteral("pwd;"), QStringLiteral("tr"), QStringLiteral("a-z"), QStringLiteral("A-Z"),
                                 QStringLiteral("<"), QStringLiteral("{}"), QStringLiteral(">"), QStringLiteral("{}.out")});
        spec.hosts = {m_sshd.host(3)};
        spec.workingDirectory = source.path();
        spec.transfer = true;
        spec.returnFiles = {QStringLiteral("{}.out")};
        spec.cleanup = cleanup;
        spec.remoteDirectory = remote.path();
        ListInput in(items);
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        RUN_POOL(pool, 60000);
        QVERIFY(run.eachIdOnce(names.size()));
        QVERIFY2(pool.fatalError().isEmpty(), qPrintable(pool.fatalError()));
        QSet<QString> taskDirs;
        for (const TaskOutcome &o : run.outcomes) {
            QVERIFY2(o.status == TaskStatus::Ok, qPrintable(o.error + QString::fromUtf8(o.errorOutput)));
            QCOMPARE(o.host, m_sshd.target());
            // The command ran in a scratch directory under the remote directory, not beside the sources.
            const QString cwd = QString::fromUtf8(o.output).trimmed();
            QVERIFY2(cwd.startsWith(remote.path() + QLatin1Char('/')), qPrintable(cwd));
            taskDirs.insert(cwd);
            files.checkReturned(o.id);
        }
        QCOMPARE(taskDirs.size(), names.size()); // one scratch directory per task
        files.checkLeftovers(taskDirs, cleanup);
    }

    // A missing return file fails the task; a missing input fails it before
    // anything runs; both say why, and cleanup still leaves nothing behind.
    void transferFailuresAreClear()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QTemporaryDir source;
        QTemporaryDir remote;
        QVERIFY(writeFile(source.filePath(QStringLiteral("data.txt")), "some data\n"));
        JobSpec spec = perTask({QStringLiteral("echo"), QStringLiteral("{}")});
        spec.command = {QStringLiteral("cat"), QStringLiteral("{}")};
        spec.hosts = {m_sshd.host(1)};
        spec.workingDirectory = source.path();
        spec.transfer = true;
        spec.returnFiles = {QStringLiteral("{.}.result")};
        spec.cleanup = true;
        spec.remoteDirectory = remote.path();
        ListInput in(QList<QByteArray>{"data.txt", "no such file.txt", ""});
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        RUN_POOL(pool, 60000);
        QVERIFY(run.eachIdOnce(3));
        const QMap<qint64, TaskOutcome> byId = run.byId();
        QCOMPARE(byId[0].status, TaskStatus::Failed);
        QCOMPARE(byId[0].output, QByteArray("some data\n")); // cat read the copy by its relative name
        QVERIFY2(byId[0].error.contains(QLatin1String("did not create the return file \"data.result\"")), qPrintable(byId[0].error));
        QVERIFY(!QFile::exists(source.filePath(QStringLiteral("data.result"))));
        QCOMPARE(byId[1].status, TaskStatus::Failed);
        QVERIFY2(byId[1].error.contains(QLatin1String("cannot transfer \"no such file.txt\": no such file")), qPrintable(byId[1].error));
        QCOMPARE(byId[2].status, TaskStatus::Failed);
        QVERIFY2(byId[2].error.contains(QLatin1String("cannot transfer")), qPrintable(byId[2].error));
        QVERIFY2(pool.fatalError().isEmpty(), qPrintable(pool.fatalError())); // the task's fault, not the host's
        QVERIFY2(treeOf(remote.path()).isEmpty(), qPrintable(treeOf(remote.path()).join('\n')));
        QCOMPARE(readFile(source.filePath(QStringLiteral("data.txt"))), QByteArray("some data\n"));
    }

    // A host that cannot be reached for the transfer is a lost host: the tasks
    // go to the local slot (which reads the files in place), none fails.
    void transferToAnUnreachableHostRequeues()
    {
        QTemporaryDir source;
        QList<QByteArray> items;
        for (int i = 0; i < 6; ++i) {
            const QString path = source.filePath(QStringLiteral("in %1.txt").arg(i));
            QVERIFY(writeFile(path, QByteArray::number(i)));
            items.append(path.toUtf8());
        }
        JobSpec spec = perTask({});
        spec.command = {QStringLiteral("cat"), QStringLiteral("{}")};
        spec.hosts = {localHost(1), unreachableHost(2)};
        spec.transfer = true;
        spec.returnFiles = {QStringLiteral("{}.out")};
        ListInput in(items);
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        RUN_POOL(pool, 60000);
        QVERIFY(run.eachIdOnce(6));
        QCOMPARE(run.count(TaskStatus::Ok), 6);
        for (const TaskOutcome &o : run.outcomes) {
            QCOMPARE(o.host, QStringLiteral("localhost"));
            QCOMPARE(o.attempts, 1);
            QCOMPARE(o.output, QByteArray::number(o.id));
        }
        const QString log = run.log.join('\n');
        QVERIFY2(log.contains(QLatin1String("cannot reach 127.0.0.1")) && log.contains(QLatin1String("host 127.0.0.1 is down")),
                 qPrintable(log));
        QVERIFY2(pool.fatalError().isEmpty(), qPrintable(pool.fatalError()));
    }

    // The connection drops while a return file is copied back (a stand-in
    // launcher fails the first copy as ssh does): the task is not failed but
    // goes back to the queue and runs again once the host is back.
    void connectionLostWhileReturningRequeues_data()
    {
        QTest::addColumn<bool>("worker");
        QTest::newRow("per-task") << false;
        QTest::newRow("long-lived worker") << true; // its worker is let go with the host, as on any host loss
    }
    void connectionLostWhileReturningRequeues()
    {
        QFETCH(bool, worker);
        QTemporaryDir dir;
        const QString mark = dir.filePath(QStringLiteral("dropped-once"));
        // The first copy back fails as a dropped ssh connection does.
        const HostSpec flaky = standInHost(dir.filePath(QStringLiteral("flaky-ssh")), "get",
                                           QStringLiteral("if [ ! -e %1 ]; then : > %1; echo 'flaky-ssh: connection reset' >&2; exit 255; fi")
                                               .arg(CommandTemplate::shellQuote(mark)));
        QVERIFY(!flaky.launcher.isEmpty());
        QVERIFY(writeFile(dir.filePath(QStringLiteral("in.txt")), "payload"));
        // The per-task command counts its runs in a file of its own; the worker upper-cases.
        JobSpec spec = worker ? protocol({QStringLiteral("--files")})
                              : shellJob({QStringLiteral("echo"), QStringLiteral("ran"), QStringLiteral(">>"), QStringLiteral("{}.runs;"),
                                          QStringLiteral("cp"), QStringLiteral("{}"), QStringLiteral("{}.out")});
        spec.hosts = {flaky};
        spec.workingDirectory = dir.path();
        spec.transfer = true;
        spec.returnFiles = {QStringLiteral("{}.out")};
        spec.cleanup = true;
        spec.remoteDirectory = dir.filePath(QStringLiteral("remote"));
        ListInput in(QList<QByteArray>{"in.txt"});
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        RUN_POOL(pool, 30000);
        QVERIFY(run.eachIdOnce(1));
        const TaskOutcome o = run.outcomes.first();
        QVERIFY2(o.status == TaskStatus::Ok, qPrintable(o.error + QLatin1Char('\n') + pool.fatalError() + QLatin1Char('\n') + run.log.join('\n')));
        QCOMPARE(o.attempts, 1); // returned to the queue, not failed
        QCOMPARE(o.input, QByteArray("in.txt"));
        QVERIFY(QFile::exists(mark));
        QCOMPARE(readFile(dir.filePath(QStringLiteral("in.txt.out"))), worker ? QByteArray("PAYLOAD") : QByteArray("payload"));
        const QString log = run.log.join('\n');
        QVERIFY2(log.contains(QLatin1String("flaky-ssh: connection reset")) && log.contains(QLatin1String("is down"))
                     && log.contains(QLatin1String("is up again")),
                 qPrintable(log));
        QVERIFY2(pool.fatalError().isEmpty(), qPrintable(pool.fatalError()));
        const QStringList left = treeOf(spec.remoteDirectory);
        if (worker) {
            // The slot's directory is kept across the loss (the same slot comes back to it) and goes at the end.
            QVERIFY2(left.isEmpty(), qPrintable(left.join('\n')));
            return;
        }
        // The command ran twice, each time in a scratch directory of its own; the first one's copies
        // stayed (the host was gone), the second one's were cleaned up (its own .runs file is not ours).
        QCOMPARE(left.filter(QRegularExpression(QStringLiteral("/in\\.txt\\.runs$"))).size(), 2);
        QCOMPARE(left.filter(QRegularExpression(QStringLiteral("/in\\.txt$"))).size(), 1);
        QCOMPARE(left.filter(QRegularExpression(QStringLiteral("/in\\.txt\\.out$"))).size(), 1);
    }

    // Terminate while an input is being copied: the task is cancelled at once
    // and the copy's launcher is ended (cleanup() checks nothing is left).
    void terminateDuringTransferCancels_data()
    {
        QTest::addColumn<bool>("worker");
        QTest::newRow("per-task") << false;
        QTest::newRow("long-lived worker") << true;
    }
    void terminateDuringTransferCancels()
    {
        QFETCH(bool, worker);
        QTemporaryDir dir;
        const QString mark = dir.filePath(QStringLiteral("copying"));
        // Copies to the host never end.
        const HostSpec slow = standInHost(dir.filePath(QStringLiteral("slow-ssh")), "put",
                                          QStringLiteral(": > %1; exec sleep 30").arg(CommandTemplate::shellQuote(mark)));
        QVERIFY(!slow.launcher.isEmpty());
        QVERIFY(writeFile(dir.filePath(QStringLiteral("in.txt")), "payload"));
        JobSpec spec = worker ? protocol({QStringLiteral("--files")}) : perTask({});
        if (!worker)
            spec.command = {QStringLiteral("cat"), QStringLiteral("{}")};
        spec.hosts = {slow};
        spec.workingDirectory = dir.path();
        spec.transfer = true;
        spec.remoteDirectory = dir.filePath(QStringLiteral("remote"));
        ListInput in(QList<QByteArray>{"in.txt", "in.txt"});
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        QSignalSpy finished(&pool, &TaskPool::finished);
        pool.start();
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(mark), 10000);
        QElapsedTimer clock;
        clock.start();
        pool.terminate();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QVERIFY2(clock.elapsed() < 5000, "a copy under way must not hold up terminate");
        QVERIFY(run.eachIdOnce(2));
        QCOMPARE(run.count(TaskStatus::Cancelled), 2);
    }

    // ---- file transfer with long-lived workers -----------------------------

    // Long-lived workers (testworker proto --files) on real ssh: each task's input
    // is copied into the slot's scratch directory, the worker (running there)
    // reads the copy by the path the line names and writes INPUT.out, which
    // comes back; results keep the input as given.
    void workerTransferRunsOnCopiesAndReturnsOutputs_data()
    {
        QTest::addColumn<bool>("cleanup");
        QTest::newRow("cleanup") << true;
        QTest::newRow("keep the copies") << false;
    }
    void workerTransferRunsOnCopiesAndReturnsOutputs()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QFETCH(bool, cleanup);
        TransferFiles files;
        QVERIFY(files.write());
        const QTemporaryDir &source = files.source;
        const QTemporaryDir &remote = files.remote;
        const QStringList &names = files.names;
        const QList<QByteArray> &items = files.items;
        JobSpec spec = protocol({QStringLiteral("--files")});
        spec.hosts = {m_sshd.host(2)};
        spec.workingDirectory = source.path();
        spec.transfer = true;
        spec.returnFiles = {QStringLiteral("{}.out")};
        spec.cleanup = cleanup;
        spec.remoteDirectory = remote.path();
        ListInput in(items);
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        RUN_POOL(pool, 60000);
        QVERIFY(run.eachIdOnce(names.size()));
        QVERIFY2(pool.fatalError().isEmpty(), qPrintable(pool.fatalError()));
        const QRegularExpression slotDir(QStringLiteral("^%1/[^/]+/w\\d+-[0-9a-f]{8}$").arg(QRegularExpression::escape(remote.path())));
        QSet<QString> workerDirs;
        for (const TaskOutcome &o : run.outcomes) {
            QVERIFY2(o.status == TaskStatus::Ok, qPrintable(o.error + QString::fromUtf8(o.errorOutput) + run.log.join('\n')));
            QCOMPARE(o.host, m_sshd.target());
            QCOMPARE(o.input, items[int(o.id)]); // the input as given, not the copy's path
            const QJsonObject answer = QJsonDocument::fromJson("{\"r\":" + o.result + "}").object().value("r").toObject();
            // The worker ran in its slot's scratch directory and was given the copy, by a path relative to it.
            const QString cwd = answer.value("cwd").toString();
            QVERIFY2(slotDir.match(cwd).hasMatch(), qPrintable(cwd));
            workerDirs.insert(cwd);
            QCOMPARE(answer.value("input").toString(), TransferFiles::inside(names[int(o.id)]));
            files.checkReturned(o.id);
        }
        QVERIFY2(workerDirs.size() <= 2, qPrintable(QStringList(workerDirs.cbegin(), workerDirs.cend()).join('\n'))); // one per slot
        files.checkLeftovers(workerDirs, cleanup);
    }

    // One worker, one task at a time: a missing return file fails only its
    // task, a missing input fails its task before any line is sent, and the
    // worker goes on with the next ones; cleanup still leaves nothing.
    void workerTransferFailuresAreClear()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QTemporaryDir source;
        QTemporaryDir remote;
        QVERIFY(writeFile(source.filePath(QStringLiteral("first.txt")), "first\n"));
        QVERIFY(writeFile(source.filePath(QStringLiteral("quiet.txt")), "no output here\n"));
        QVERIFY(writeFile(source.filePath(QStringLiteral("last.txt")), "last\n"));
        QVERIFY(writeFile(source.filePath(QStringLiteral("quiet.txt.out")), "stale\n"));
        JobSpec spec = protocol({QStringLiteral("--files")});
        spec.hosts = {m_sshd.host(1)};
        spec.workingDirectory = source.path();
        spec.transfer = true;
        spec.returnFiles = {QStringLiteral("{}.out")};
        spec.cleanup = true;
        spec.remoteDirectory = remote.path();
        ListInput in(QList<QByteArray>{"first.txt", "quiet.txt", "no such file.txt", "last.txt"});
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        RUN_POOL(pool, 60000);
        QVERIFY(run.eachIdOnce(4));
        const QMap<qint64, TaskOutcome> byId = run.byId();
        QVERIFY2(byId[0].status == TaskStatus::Ok, qPrintable(byId[0].error));
        QCOMPARE(readFile(source.filePath(QStringLiteral("first.txt.out"))), QByteArray("FIRST\n"));
        QCOMPARE(byId[1].status, TaskStatus::Failed);
        QVERIFY2(byId[1].error.contains(QLatin1String("the worker did not create the return file \"quiet.txt.out\"")), qPrintable(byId[1].error));
        QCOMPARE(readFile(source.filePath(QStringLiteral("quiet.txt.out"))), QByteArray("stale\n")); // not overwritten
        QCOMPARE(byId[2].status, TaskStatus::Failed);
        QVERIFY2(byId[2].error.contains(QLatin1String("cannot transfer \"no such file.txt\": no such file")), qPrintable(byId[2].error));
        QVERIFY2(byId[3].status == TaskStatus::Ok, qPrintable(byId[3].error));
        QCOMPARE(readFile(source.filePath(QStringLiteral("last.txt.out"))), QByteArray("LAST\n"));
        for (const TaskOutcome &o : run.outcomes)
            QCOMPARE(o.attempts, 1);
        QVERIFY2(pool.fatalError().isEmpty(), qPrintable(pool.fatalError()));
        QVERIFY2(treeOf(remote.path()).isEmpty(), qPrintable(treeOf(remote.path()).join('\n')));
    }

    // A return file an earlier task left in the slot's directory (no --cleanup)
    // never passes for a later task of the same name that did not write one.
    void workerTransferIgnoresStaleReturnFiles()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath(QStringLiteral("in.txt"));
        QVERIFY(writeFile(input, "first\n"));
        JobSpec spec = protocol({QStringLiteral("--files")});
        spec.hosts = {shellHost(1)};
        spec.workingDirectory = dir.path();
        spec.transfer = true;
        spec.returnFiles = {QStringLiteral("{}.out")};
        spec.remoteDirectory = dir.filePath(QStringLiteral("remote"));
        ListInput in(QList<QByteArray>{"in.txt", "in.txt"});
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        // Before the second task's input is copied (one slot, one task at a time), the
        // file changes so that the worker writes no output for it.
        QObject::connect(&pool, &TaskPool::taskFinished, &pool, [input](const TaskOutcome &) {
            writeFile(input, "no output now\n");
            QFile::remove(input + QStringLiteral(".out"));
        });
        RUN_POOL(pool, 30000);
        QVERIFY(run.eachIdOnce(2));
        const QMap<qint64, TaskOutcome> byId = run.byId();
        QVERIFY2(byId[0].status == TaskStatus::Ok, qPrintable(byId[0].error + run.log.join('\n')));
        QCOMPARE(byId[1].status, TaskStatus::Failed);
        QVERIFY2(byId[1].error.contains(QLatin1String("did not create the return file \"in.txt.out\"")), qPrintable(byId[1].error));
        QVERIFY(!QFile::exists(input + QStringLiteral(".out")));
    }

    // A worker recycled after every task (--max-tasks-per-worker 1) starts again
    // in the same slot directory; its files still come and go.
    void workerTransferSurvivesRecycling()
    {
        QTemporaryDir dir;
        QList<QByteArray> items;
        for (int i = 0; i < 4; ++i) {
            QVERIFY(writeFile(dir.filePath(QStringLiteral("in%1.txt").arg(i)), QByteArray("x") + QByteArray::number(i)));
            items.append(QStringLiteral("in%1.txt").arg(i).toUtf8());
        }
        JobSpec spec = protocol({QStringLiteral("--files")});
        spec.hosts = {shellHost(1)};
        spec.workingDirectory = dir.path();
        spec.transfer = true;
        spec.returnFiles = {QStringLiteral("{}.out")};
        spec.cleanup = true;
        spec.maxTasksPerWorker = 1;
        spec.remoteDirectory = dir.filePath(QStringLiteral("remote"));
        ListInput in(items);
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        RUN_POOL(pool, 30000);
        QVERIFY(run.eachIdOnce(4));
        QSet<QString> dirs;
        for (const TaskOutcome &o : run.outcomes) {
            QVERIFY2(o.status == TaskStatus::Ok, qPrintable(o.error + run.log.join('\n')));
            QCOMPARE(readFile(dir.filePath(QStringLiteral("in%1.txt.out").arg(o.id))), QByteArray("X") + QByteArray::number(o.id));
            dirs.insert(QJsonDocument::fromJson("{\"r\":" + o.result + "}").object().value("r").toObject().value("cwd").toString());
        }
        QCOMPARE(dirs.size(), 1);
        QVERIFY2(run.log.join('\n').contains(QLatin1String("worker recycled")), qPrintable(run.log.join('\n')));
        QVERIFY2(treeOf(spec.remoteDirectory).isEmpty(), qPrintable(treeOf(spec.remoteDirectory).join('\n')));
    }

    void cliTransfersFilesToWorkers()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QTemporaryDir source;
        QTemporaryDir remote;
        QStringList lines;
        for (int i = 0; i < 4; ++i) {
            const QString name = QStringLiteral("case $%1 'q' \"d\".txt").arg(i);
            QVERIFY(writeFile(source.filePath(name), QByteArray("abc") + QByteArray::number(i)));
            lines.append(name);
        }
        QVERIFY(writeFile(source.filePath(QStringLiteral("inputs.txt")), lines.join('\n').toUtf8() + '\n'));
        QProcess p;
        p.setWorkingDirectory(source.path());
        p.start(QStringLiteral(TASKPOOL_PATH),
                {"run", "--no-journal", "--worker", "--host", "2/ssh:" + m_sshd.target(), "--launcher", "ssh=" + m_sshd.launcher(),
                 "--transfer", "--return", "{}.out", "--cleanup", "--remote-dir", remote.path(), "--inputs", "inputs.txt",
                 "--", TESTWORKER_PATH, "proto", "--files"});
        QVERIFY(p.waitForFinished(60000));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(p.exitCode() == 0, err.constData());
        QStringList recorded;
        for (const QByteArray &line : p.readAllStandardOutput().split('\n')) {
            if (!line.trimmed().isEmpty())
                recorded.append(QJsonDocument::fromJson(line).object().value("input").toString());
        }
        recorded.sort();
        QStringList given = lines;
        given.sort();
        QCOMPARE(recorded, given); // the inputs as given, not the copies' paths
        for (int i = 0; i < 4; ++i)
            QCOMPARE(readFile(source.filePath(QStringLiteral("case $%1 'q' \"d\".txt.out").arg(i))), QByteArray("ABC") + QByteArray::number(i));
        QVERIFY2(treeOf(remote.path()).isEmpty(), qPrintable(treeOf(remote.path()).join('\n')));
    }

    void cliTransfersFiles()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QTemporaryDir source;
        QTemporaryDir remote;
        QStringList lines;
        for (int i = 0; i < 4; ++i) {
            const QString name = QStringLiteral("case $%1 'q'.txt").arg(i);
            QVERIFY(writeFile(source.filePath(name), QByteArray("abc") + QByteArray::number(i)));
            lines.append(name);
        }
        QVERIFY(writeFile(source.filePath(QStringLiteral("inputs.txt")), lines.join('\n').toUtf8() + '\n'));
        QProcess p;
        p.setWorkingDirectory(source.path());
        p.start(QStringLiteral(TASKPOOL_PATH),
                {"run", "--no-journal", "--host", "2/ssh:" + m_sshd.target(), "--launcher", "ssh=" + m_sshd.launcher(),
                 "--transfer", "--return", "{.}.up", "--cleanup", "--remote-dir", remote.path(), "--inputs", "inputs.txt",
                 "--shell", "--", "tr", "a-z", "A-Z", "<", "{}", ">", "{.}.up"});
        QVERIFY(p.waitForFinished(60000));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(p.exitCode() == 0, err.constData());
        for (int i = 0; i < 4; ++i)
            QCOMPARE(readFile(source.filePath(QStringLiteral("case $%1 'q'.up").arg(i))), QByteArray("ABC") + QByteArray::number(i));
        QVERIFY2(treeOf(remote.path()).isEmpty(), qPrintable(treeOf(remote.path()).join('\n')));
    }

    // ---- a real Slurm cluster (one node) -------------------------------------

    void srunHostRunsTasks_data()
    {
        addModeRows();
    }
    void srunHostRunsTasks()
    {
        SKIP_UNLESS_READY(m_slurmProblem);
        QFETCH(bool, protocol);
        JobSpec spec = actingOutJob(protocol);
        HostSpec srun;
        srun.kind = HostSpec::Kind::Srun;
        srun.slotCount = 2;
        spec.hosts = {localHost(1), srun};
        QList<QByteArray> items(16, "slow:200");
        items.append("error");
        ListInput in(items);
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        RUN_POOL(pool, 90000);
        QVERIFY(run.eachIdOnce(17));
        QCOMPARE(run.count(TaskStatus::Ok), 16);
        QCOMPARE(run.count(TaskStatus::Failed), 1); // the command's own failure, not a lost host
        QCOMPARE(hostsOf(run), (QSet<QString>{QStringLiteral("localhost"), QStringLiteral("srun")}));
        QVERIFY2(pool.fatalError().isEmpty(), qPrintable(pool.fatalError()));
    }

    void srunTerminateReachesTheStep()
    {
        SKIP_UNLESS_READY(m_slurmProblem);
        QTemporaryDir dir;
        const QString pidFile = dir.filePath(QStringLiteral("grandchild.pid"));
        JobSpec spec = perTask({QStringLiteral("grandchild"), pidFile});
        HostSpec srun;
        srun.kind = HostSpec::Kind::Srun;
        spec.hosts = {srun};
        RangeInput in(2);
        TaskPool pool(spec, &in);
        Run run;
        attach(&pool, &run);
        QSignalSpy finished(&pool, &TaskPool::finished);
        pool.start();
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(pidFile) && QFile(pidFile).size() > 0, 30000);
        QFile f(pidFile);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const qint64 grandchild = f.readAll().trimmed().toLongLong();
        QVERIFY(isAlive(grandchild));
        pool.terminate();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QVERIFY(run.eachIdOnce(2));
        QCOMPARE(run.count(TaskStatus::Cancelled), 2);
        QTRY_VERIFY_WITH_TIMEOUT(!isAlive(grandchild), 15000);
    }

    // ---- the command line and the journal ----------------------------------

    void cliRunsOnHostsAndRecordsThem()
    {
        SKIP_UNLESS_READY(m_sshdProblem);
        QTemporaryDir dir;
        const QString journalPath = dir.filePath(QStringLiteral("journal.sqlite"));
        QProcess p;
        p.start(QStringLiteral(TASKPOOL_PATH),
                {"run", "--journal", journalPath, "--host", "1/localhost", "--host", "2/ssh:" + m_sshd.target(),
                 "--launcher", "ssh=" + m_sshd.launcher(), "--range", "12", "--", TESTWORKER_PATH, "task", "slow:100"});
        QVERIFY(p.waitForFinished(60000));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(p.exitCode() == 0, err.constData());
        QMap<qint64, QString> hostOf;
        for (const QByteArray &line : p.readAllStandardOutput().split('\n')) {
            if (line.isEmpty())
                continue;
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            QCOMPARE(o.value("status").toString(), QStringLiteral("ok"));
            hostOf.insert(o.value("id").toInteger(), o.value("host").toString());
        }
        QCOMPARE(hostOf.size(), 12);
        QVERIFY(hostOf.values().contains(m_sshd.target()));
        QVERIFY(hostOf.values().contains(QStringLiteral("localhost")));

        RunJournal journal;
        QString error;
        QVERIFY2(journal.open(journalPath, &error), qPrintable(error));
        RunInfo info;
        QVERIFY(journal.run(journal.latestRun(), &info, &error));
        QCOMPARE(info.spec.hosts.size(), 2);
        QCOMPARE(info.spec.hosts[1].launcher, m_sshd.launcher());
        int seen = 0;
        QVERIFY(journal.forEachResult(
            info.id, [&](const TaskOutcome &o) {
                QCOMPARE(o.host, hostOf.value(o.id));
                ++seen;
            },
            &error));
        QCOMPARE(seen, 12);
    }

    void cliRejectsBadHostOptions_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QStringList tail{"--range", "1", "--", "true"};
        QTest::newRow("-j with --host") << (QStringList{"run", "-j", "2", "--host", "2/localhost"} + tail) << "--host N/localhost";
        QTest::newRow("bad host") << (QStringList{"run", "--host", "0/localhost"} + tail) << "at least 1";
        QTest::newRow("launcher without host") << (QStringList{"run", "--launcher", "srun=srun -N1"} + tail) << "no --host of that kind";
        QTest::newRow("bad launcher kind") << (QStringList{"run", "--host", "ssh:x", "--launcher", "rsh=rsh"} + tail) << "ssh=TEMPLATE";
        QTest::newRow("missing launcher") << (QStringList{"run", "--host", "ssh:x", "--launcher", "ssh=no-such-ssh-here {host}"} + tail)
                                          << "not installed here";
    }
    void cliRejectsBadHostOptions()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QProcess p;
        p.start(QStringLiteral(TASKPOOL_PATH), args << QStringLiteral("--no-journal"));
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitCode(), 2);
        const QString err = QString::fromLocal8Bit(p.readAllStandardError());
        QVERIFY2(err.contains(message), qPrintable(err));
    }

    void cliRejectsBadTransferOptions_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QStringList tail{"--range", "1", "--", "true"};
        const QStringList ssh{"run", "--host", "2/ssh:node2"};
        QTest::newRow("return without transfer") << (ssh + QStringList{"--return", "{}.out"} + tail) << "need the input files transferred";
        QTest::newRow("cleanup without transfer") << (ssh + QStringList{"--cleanup"} + tail) << "need the input files transferred";
        QTest::newRow("transfer without a remote host") << (QStringList{"run", "--transfer"} + tail) << "needs a remote host";
        QTest::newRow("transfer to unpinned srun") << (QStringList{"run", "--host", "2/srun", "--transfer"} + tail) << "pinned node";
        QTest::newRow("empty return name") << (ssh + QStringList{"--transfer", "--return", " "} + tail) << "needs a name";
    }
    // --transfer with --worker used to be refused; now only what is wrong for
    // any mode is (no remote host, a return file without a name).
    void workerTransferIsAccepted()
    {
        JobSpec spec = protocol({QStringLiteral("--files")});
        spec.hosts = {shellHost(2)};
        spec.transfer = true;
        spec.returnFiles = {QStringLiteral("{}.out")};
        spec.cleanup = true;
        QVERIFY2(spec.validate().isEmpty(), qPrintable(spec.validate()));
        spec.hosts = {localHost(2)};
        QVERIFY(spec.validate().contains(QLatin1String("needs a remote host")));
        // The CLI runs it (a stand-in "ssh" that is sh -c: no sshd needed).
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath(QStringLiteral("in.txt")), "abc"));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("inputs.txt")), "in.txt\n"));
        QProcess p;
        p.setWorkingDirectory(dir.path());
        p.start(QStringLiteral(TASKPOOL_PATH),
                {"run", "--no-journal", "--worker", "--host", "1/ssh:shell", "--launcher", "ssh=sh -c", "--transfer", "--return",
                 "{}.out", "--cleanup", "--remote-dir", dir.filePath(QStringLiteral("remote")), "--inputs", "inputs.txt", "--",
                 TESTWORKER_PATH, "proto", "--files"});
        QVERIFY(p.waitForFinished(30000));
        const QString err = QString::fromLocal8Bit(p.readAllStandardError());
        QVERIFY2(p.exitCode() == 0, qPrintable(err));
        QCOMPARE(readFile(dir.filePath(QStringLiteral("in.txt.out"))), QByteArray("ABC"));
        QVERIFY2(treeOf(dir.filePath(QStringLiteral("remote"))).isEmpty(), qPrintable(treeOf(dir.filePath(QStringLiteral("remote"))).join('\n')));
    }

    void cliRejectsBadTransferOptions()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QProcess p;
        p.start(QStringLiteral(TASKPOOL_PATH), args << QStringLiteral("--no-journal"));
        QVERIFY(p.waitForFinished(20000));
        const QString err = QString::fromLocal8Bit(p.readAllStandardError());
        QCOMPARE(p.exitCode(), 2);
        QVERIFY2(err.contains(message), qPrintable(err));
    }

    void cliTakesHostsFromAJobFile()
    {
        QTemporaryDir dir;
        JobSpec spec = perTask({QStringLiteral("echo"), QStringLiteral("{}")});
        spec.hosts = {localHost(2), shellHost(2)};
        spec.inputKind = JobSpec::InputKind::Range;
        spec.rangeCount = 8;
        const QString job = dir.filePath(QStringLiteral("job.json"));
        QString error;
        QVERIFY2(spec.save(job, &error), qPrintable(error));
        QProcess p;
        p.start(QStringLiteral(TASKPOOL_PATH), {"run", "--no-journal", "--job", job});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        QSet<QString> hosts;
        for (const QByteArray &line : p.readAllStandardOutput().split('\n'))
            if (!line.isEmpty())
                hosts.insert(QJsonDocument::fromJson(line).object().value("host").toString());
        QCOMPARE(hosts, (QSet<QString>{QStringLiteral("localhost"), QStringLiteral("shell")}));
        // -j would be ignored next to hosts: refused instead.
        p.start(QStringLiteral(TASKPOOL_PATH), {"run", "--no-journal", "--job", job, "-j", "3"});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("--host N/localhost"));
    }

    void helpDescribesHosts()
    {
        QProcess p;
        p.start(QStringLiteral(TASKPOOL_PATH), {"run", "--help"});
        QVERIFY(p.waitForFinished(20000));
        const QByteArray out = p.readAllStandardOutput();
        for (const char *word : {"--host N/HOST", "--launcher KIND=TEMPLATE", "ssh:DEST", "srun", "shared file system", "host,",
                                 "--transfer", "--return PATTERN", "--cleanup", "--remote-dir DIR"})
            QVERIFY2(out.contains(word), word);
    }

    // Journals from before remote hosts gain the column and keep working.
    void journalGainsTheHostColumn()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("old.sqlite"));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("old"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec("CREATE TABLE tasks(run_id INTEGER NOT NULL, task_id INTEGER NOT NULL, task_key INTEGER NOT NULL,"
                           " input BLOB, status TEXT NOT NULL, exit_code INTEGER, output BLOB, stderr BLOB, result TEXT,"
                           " error TEXT, truncated INTEGER, attempts INTEGER, worker INTEGER, started_at INTEGER,"
                           " duration_ms INTEGER, PRIMARY KEY(run_id, task_id))"));
            QVERIFY(q.exec("CREATE TABLE attempts(run_id INTEGER NOT NULL, task_id INTEGER NOT NULL, attempt INTEGER NOT NULL,"
                           " status TEXT NOT NULL, exit_code INTEGER, error TEXT, worker INTEGER, started_at INTEGER,"
                           " duration_ms INTEGER, PRIMARY KEY(run_id, task_id, attempt))"));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("old"));
        RunJournal journal;
        QString error;
        QVERIFY2(journal.open(path, &error), qPrintable(error));
        const qint64 runId = journal.beginRun(perTask({QStringLiteral("echo")}), &error);
        QVERIFY2(runId >= 0, qPrintable(error));
        TaskOutcome retried;
        retried.id = 0;
        retried.input = "a";
        retried.status = TaskStatus::Failed;
        retried.attempts = 1;
        retried.host = QStringLiteral("user@node2");
        journal.recordAttempt(retried);
        TaskOutcome done = retried;
        done.status = TaskStatus::Ok;
        done.attempts = 2;
        done.host = QStringLiteral("localhost");
        journal.recordResult(done);
        QVERIFY2(journal.endRun(QStringLiteral("finished"), {}, &error), qPrintable(error));
        QString host;
        QVERIFY(journal.forEachResult(runId, [&](const TaskOutcome &o) { host = o.host; }, &error));
        QCOMPARE(host, QStringLiteral("localhost"));
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        {
            QSqlQuery q(db);
            QVERIFY(q.exec("SELECT host FROM attempts WHERE task_id=0 AND attempt=1") && q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("user@node2"));
        }
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("check"));
    }

private:
    static JobSpec protocol_(const QStringList &args) { return TestSupport::protocol(args); }
    // The mode column of the tests that run in both modes.
    static void addModeRows()
    {
        QTest::addColumn<bool>("protocol");
        QTest::newRow("per-task") << false;
        QTest::newRow("protocol") << true;
    }
    // A job whose tasks act out their input ("slow:MS", "crash", ...) in either mode.
    static JobSpec actingOutJob(bool protocol)
    {
        return protocol ? protocol_({}) : perTask({QStringLiteral("task"), QStringLiteral("{}")});
    }
};

QTEST_GUILESS_MAIN(TestRemote)
#include "tst_remote.moc"
