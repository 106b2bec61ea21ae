#include "jobspec.h"

#include "commandtemplate.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSaveFile>
#include <QThread>

#include <algorithm>

namespace {
QString modeName(JobSpec::Mode mode)
{
    return mode == JobSpec::Mode::Worker ? QStringLiteral("worker") : QStringLiteral("per-task");
}
QString inputKindName(JobSpec::InputKind kind)
{
    switch (kind) {
    case JobSpec::InputKind::Range: return QStringLiteral("range");
    case JobSpec::InputKind::File: return QStringLiteral("file");
    case JobSpec::InputKind::List: return QStringLiteral("list");
    }
    return {};
}
} // namespace

QStringList JobSpec::parameterNames() const
{
    QStringList names;
    for (const SweepParameter &p : parameters)
        names.append(p.name);
    return names;
}

QString JobSpec::defaultProgressPattern()
{
    // "45%", "45.5 %": the last percentage on a line wins.
    return QStringLiteral("(\\d+(?:\\.\\d+)?)\\s*%");
}

QString JobSpec::defaultRemoteDirectory()
{
    return QStringLiteral(".taskpool/transfer");
}

QString JobSpec::effectiveRemoteDirectory() const
{
    const QString dir = remoteDirectory.trimmed();
    if (dir.isEmpty())
        return defaultRemoteDirectory();
    // "~/x" given where no shell expanded it: relative paths are already the remote home's.
    if (dir == QLatin1String("~") || dir == QLatin1String("~/"))
        return QStringLiteral(".");
    return dir.startsWith(QLatin1String("~/")) ? dir.mid(2) : dir;
}

JobSpec JobSpec::forRun(const JobSpec &spec)
{
    JobSpec s = spec;
    if (s.transfer && s.transferRunToken.isEmpty()) {
        s.transferRunToken = QStringLiteral("%1-%2")
                                 .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")))
                                 .arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
    }
    return s;
}

int JobSpec::effectiveWorkers() const
{
    return workers > 0 ? workers : qMax(1, QThread::idealThreadCount());
}

QList<HostSpec> JobSpec::effectiveHosts() const
{
    if (!hosts.isEmpty())
        return hosts;
    HostSpec local;
    local.slotCount = effectiveWorkers();
    return {local};
}

bool JobSpec::hasRemoteHosts() const
{
    return std::any_of(hosts.cbegin(), hosts.cend(), [](const HostSpec &h) { return h.isRemote(); });
}

bool JobSpec::hasLocalHost() const
{
    return hosts.isEmpty() || std::any_of(hosts.cbegin(), hosts.cend(), [](const HostSpec &h) { return !h.isRemote(); });
}

QString JobSpec::validate() const
{
    if (command.isEmpty() || command.first().isEmpty())
        return QStringLiteral("no command given");
    if (workers < 0)
        return QStringLiteral("the worker count must be at least 1");
    if (retries < 0)
        return QStringLiteral("retries must be 0 or more");
    if (timeoutSeconds < 0 || timeoutPercent < 0)
        return QStringLiteral("the timeout must be 0 (none) or more seconds, or a percentage such as 300%");
    if (timeoutSeconds > 0 && timeoutPercent > 0)
        return QStringLiteral("give the timeout in seconds or as a percentage, not both");
    if (stallSeconds < 0)
        return QStringLiteral("the stall limit must be 0 (off) or more seconds");
    if (startupSeconds < 0)
        return QStringLiteral("the worker start-up time must be 0 or more seconds");
    if (haltAfterFailures < 0 || haltFailurePercent < 0 || haltFailurePercent > 100)
        return QStringLiteral("the halt limit must be a count or a percentage between 0 and 100");
    if (maxTasksPerWorker < 0 || maxWorkerMemoryMb < 0)
        return QStringLiteral("worker recycling limits must be 0 (off) or more");
    if (memFreeBytes < 0)
        return QStringLiteral("the free memory to start a task must be 0 (off) or a size such as 2G");
    if (loadBelow < 0)
        return QStringLiteral("the load limit must be 0 (off) or more");
    if (startDelaySeconds < 0)
        return QStringLiteral("the delay between starts must be 0 (none) or more seconds");
    if (maxOutputBytes < 0)
        return QStringLiteral("the output cap must be 0 or more bytes");
    if (isSweep()) {
        const QString problem = Sweep::validate(parameters);
        if (!problem.isEmpty())
            return problem;
        if (transfer)
            return QStringLiteral("a sweep's tasks are tuples of values, not files to transfer: --transfer cannot be "
                                  "used with ::: sources or --param");
    }
    if ((shell || isSweep()) && mode == Mode::PerTask) {
        const QString problem = CommandTemplate(command, shell, parameterNames()).errorString();
        if (!problem.isEmpty())
            return problem;
    }
    if (!progressPattern.isEmpty()) {
        const QRegularExpression re(progressPattern);
        if (!re.isValid())
            return QStringLiteral("invalid progress pattern: %1").arg(re.errorString());
        if (re.captureCount() < 1)
            return QStringLiteral("the progress pattern needs a capture group for the number");
    }
    for (const HostSpec &host : hosts) {
        const QString problem = host.validate();
        if (!problem.isEmpty())
            return QStringLiteral("host %1: %2").arg(host.toString(), problem);
    }
    if (!transfer && (!returnFiles.isEmpty() || cleanup))
        return QStringLiteral("returning files and cleaning up need the input files transferred (--transfer)");
    if (transfer) {
        if (!hasRemoteHosts())
            return QStringLiteral("transferring input files needs a remote host (--host N/ssh:DEST or srun)");
        for (const HostSpec &host : hosts) {
            // Each transfer and the command are separate job steps: unpinned,
            // Slurm may put them on different nodes.
            if (host.kind == HostSpec::Kind::Srun
                && (host.target.isEmpty() || !host.launcherTemplate().contains(QLatin1String("{host}"))))
                return QStringLiteral("transferring files to srun host %1 needs a pinned node: --host N/srun:NODE with "
                                      "a launcher that names it, e.g. --launcher 'srun=srun --ntasks=1 --nodelist={host} --quiet'")
                    .arg(host.name());
        }
        for (const QString &pattern : returnFiles) {
            if (pattern.trimmed().isEmpty())
                return QStringLiteral("a file to return needs a name, such as {.}.out");
        }
    }
    if (inputKind == InputKind::Range && rangeCount < 0)
        return QStringLiteral("the range must be 0 or more");
    if (inputKind == InputKind::File && inputFile.isEmpty())
        return QStringLiteral("no input file given");
    return {};
}

QJsonObject JobSpec::toJson() const
{
    QJsonObject inputs{{QStringLiteral("kind"), inputKindName(inputKind)}};
    switch (inputKind) {
    case InputKind::Range: inputs.insert(QStringLiteral("count"), rangeCount); break;
    case InputKind::File:
        inputs.insert(QStringLiteral("file"), inputFile);
        inputs.insert(QStringLiteral("null_separated"), nullSeparated);
        break;
    case InputKind::List: inputs.insert(QStringLiteral("items"), QJsonArray::fromStringList(inputList)); break;
    }
    QJsonArray hostList;
    for (const HostSpec &host : hosts)
        hostList.append(host.toJson());
    QJsonObject json{
        {QStringLiteral("mode"), modeName(mode)},
        {QStringLiteral("command"), QJsonArray::fromStringList(command)},
        {QStringLiteral("shell"), shell},
        {QStringLiteral("working_directory"), workingDirectory},
        {QStringLiteral("workers"), workers},
        {QStringLiteral("retries"), retries},
        {QStringLiteral("timeout_s"), timeoutSeconds},
        {QStringLiteral("timeout_percent"), timeoutPercent},
        {QStringLiteral("stall_s"), stallSeconds},
        {QStringLiteral("worker_startup_s"), startupSeconds},
        {QStringLiteral("halt_after_failures"), haltAfterFailures},
        {QStringLiteral("halt_failure_percent"), haltFailurePercent},
        {QStringLiteral("halt_terminates"), haltTerminates},
        {QStringLiteral("max_tasks_per_worker"), maxTasksPerWorker},
        {QStringLiteral("max_worker_memory_mb"), maxWorkerMemoryMb},
        {QStringLiteral("kill_grace_s"), killGraceSeconds},
        {QStringLiteral("max_output_bytes"), maxOutputBytes},
        {QStringLiteral("progress_pattern"), progressPattern},
        {QStringLiteral("window"), window},
        {QStringLiteral("memfree_bytes"), memFreeBytes},
        {QStringLiteral("load_below"), loadBelow},
        {QStringLiteral("start_delay_s"), startDelaySeconds},
        {QStringLiteral("hosts"), hostList},
        {QStringLiteral("transfer"), transfer},
        {QStringLiteral("return_files"), QJsonArray::fromStringList(returnFiles)},
        {QStringLiteral("cleanup"), cleanup},
        {QStringLiteral("remote_dir"), remoteDirectory},
        {QStringLiteral("inputs"), inputs},
    };
    if (isSweep()) { // only then: other jobs' files stay as they were
        QJsonArray list;
        for (const SweepParameter &p : parameters) {
            QJsonObject o{{QStringLiteral("name"), p.name},
                          {QStringLiteral("values"), QJsonArray::fromStringList(p.values)},
                          {QStringLiteral("linked"), p.linked}};
            if (!p.source.isEmpty()) // as typed (1..10:2, @list.txt); values are what runs
                o.insert(QStringLiteral("source"), p.source);
            list.append(o);
        }
        json.insert(QStringLiteral("parameters"), list);
    }
    return json;
}

bool JobSpec::fromJson(const QJsonObject &json, JobSpec *spec, QString *error)
{
    JobSpec s;
    const QString mode = json.value(QStringLiteral("mode")).toString(QStringLiteral("per-task"));
    if (mode == QLatin1String("worker"))
        s.mode = Mode::Worker;
    else if (mode != QLatin1String("per-task")) {
        *error = QStringLiteral("unknown mode \"%1\" (expected per-task or worker)").arg(mode);
        return false;
    }
    for (const QJsonValue &v : json.value(QStringLiteral("command")).toArray())
        s.command.append(v.toString());
    s.shell = json.value(QStringLiteral("shell")).toBool(false);
    s.workingDirectory = json.value(QStringLiteral("working_directory")).toString();
    s.workers = json.value(QStringLiteral("workers")).toInt(0);
    s.retries = json.value(QStringLiteral("retries")).toInt(0);
    s.timeoutSeconds = json.value(QStringLiteral("timeout_s")).toDouble(0);
    s.timeoutPercent = json.value(QStringLiteral("timeout_percent")).toDouble(0);
    s.stallSeconds = json.value(QStringLiteral("stall_s")).toDouble(0);
    s.startupSeconds = json.value(QStringLiteral("worker_startup_s")).toDouble(0);
    s.haltAfterFailures = json.value(QStringLiteral("halt_after_failures")).toInt(0);
    s.haltFailurePercent = json.value(QStringLiteral("halt_failure_percent")).toDouble(0);
    s.haltTerminates = json.value(QStringLiteral("halt_terminates")).toBool(false);
    s.maxTasksPerWorker = json.value(QStringLiteral("max_tasks_per_worker")).toInt(0);
    s.maxWorkerMemoryMb = json.value(QStringLiteral("max_worker_memory_mb")).toInteger(0);
    s.killGraceSeconds = json.value(QStringLiteral("kill_grace_s")).toDouble(2);
    s.maxOutputBytes = json.value(QStringLiteral("max_output_bytes")).toInteger(1 << 20);
    s.progressPattern = json.value(QStringLiteral("progress_pattern")).toString(defaultProgressPattern());
    s.window = json.value(QStringLiteral("window")).toInt(0);
    s.memFreeBytes = json.value(QStringLiteral("memfree_bytes")).toInteger(0);
    s.loadBelow = json.value(QStringLiteral("load_below")).toDouble(0);
    s.startDelaySeconds = json.value(QStringLiteral("start_delay_s")).toDouble(0);
    for (const QJsonValue &v : json.value(QStringLiteral("hosts")).toArray()) {
        HostSpec host;
        if (!HostSpec::fromJson(v.toObject(), &host, error))
            return false;
        s.hosts.append(host);
    }
    s.transfer = json.value(QStringLiteral("transfer")).toBool(false);
    for (const QJsonValue &v : json.value(QStringLiteral("return_files")).toArray())
        s.returnFiles.append(v.toString());
    s.cleanup = json.value(QStringLiteral("cleanup")).toBool(false);
    s.remoteDirectory = json.value(QStringLiteral("remote_dir")).toString();
    for (const QJsonValue &v : json.value(QStringLiteral("parameters")).toArray()) {
        const QJsonObject o = v.toObject();
        SweepParameter p;
        p.name = o.value(QStringLiteral("name")).toString();
        for (const QJsonValue &value : o.value(QStringLiteral("values")).toArray())
            p.values.append(value.toString());
        p.linked = o.value(QStringLiteral("linked")).toBool(false);
        p.source = o.value(QStringLiteral("source")).toString();
        if (p.name.isEmpty()) {
            *error = QStringLiteral("a sweep parameter has no name");
            return false;
        }
        s.parameters.append(p);
    }
    const QJsonObject inputs = json.value(QStringLiteral("inputs")).toObject();
    const QString kind = inputs.value(QStringLiteral("kind")).toString(QStringLiteral("range"));
    if (kind == QLatin1String("range")) {
        s.inputKind = InputKind::Range;
        s.rangeCount = inputs.value(QStringLiteral("count")).toInteger(0);
    } else if (kind == QLatin1String("file")) {
        s.inputKind = InputKind::File;
        s.inputFile = inputs.value(QStringLiteral("file")).toString();
        s.nullSeparated = inputs.value(QStringLiteral("null_separated")).toBool(false);
    } else if (kind == QLatin1String("list")) {
        s.inputKind = InputKind::List;
        for (const QJsonValue &v : inputs.value(QStringLiteral("items")).toArray())
            s.inputList.append(v.toString());
    } else {
        *error = QStringLiteral("unknown input kind \"%1\" (expected range, file or list)").arg(kind);
        return false;
    }
    *spec = std::move(s);
    return true;
}

bool JobSpec::save(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    file.write(QJsonDocument(toJson()).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool JobSpec::load(const QString &path, JobSpec *spec, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot open %1: %2").arg(path, file.errorString());
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject()) {
        *error = QStringLiteral("%1 is not a taskpool job file: %2")
                     .arg(path, parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                              : QStringLiteral("expected a JSON object"));
        return false;
    }
    if (!fromJson(doc.object(), spec, error)) {
        *error = path + QStringLiteral(": ") + *error;
        return false;
    }
    return true;
}

JobSpec JobSpec::demo(const QString &taskpoolPath)
{
    JobSpec s;
    s.mode = Mode::Worker;
    s.command = {taskpoolPath, QStringLiteral("demo-worker")};
    s.inputKind = InputKind::Range;
    s.rangeCount = 40;
    s.retries = 1;
    return s;
}
