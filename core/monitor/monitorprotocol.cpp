#include "monitorprotocol.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace MonitorProtocol {
namespace {

QByteArray line(const QJsonObject &json)
{
    QByteArray bytes = QJsonDocument(json).toJson(QJsonDocument::Compact);
    bytes.append('\n');
    return bytes;
}

QString base64(QByteArrayView bytes)
{
    return QString::fromLatin1(bytes.toByteArray().toBase64());
}

QByteArray fromBase64(const QJsonValue &value)
{
    return QByteArray::fromBase64(value.toString().toLatin1());
}

QJsonObject countsJson(const PoolStats &s)
{
    QJsonObject counts{{QStringLiteral("ok"), s.ok},           {QStringLiteral("failed"), s.failed},
            {QStringLiteral("timeout"), s.timedOut}, {QStringLiteral("crashed"), s.crashed},
            {QStringLiteral("stalled"), s.stalled},  {QStringLiteral("cancelled"), s.cancelled},
            {QStringLiteral("retried"), s.retried},  {QStringLiteral("total"), s.total},
            {QStringLiteral("issued"), s.issued},    {QStringLiteral("queued"), s.queued},
            {QStringLiteral("running"), s.running},  {QStringLiteral("workers"), s.workers},
            {QStringLiteral("elapsed"), s.elapsedSeconds}, {QStringLiteral("rate"), s.tasksPerSecond},
            {QStringLiteral("eta"), s.etaSeconds}};
    if (!s.waiting.isEmpty()) // only while a start gate holds tasks back; older viewers ignore it
        counts.insert(QStringLiteral("waiting"), s.waiting);
    return counts;
}

PoolStats countsFrom(const QJsonObject &j)
{
    PoolStats s;
    s.ok = j.value(QLatin1String("ok")).toInteger();
    s.failed = j.value(QLatin1String("failed")).toInteger();
    s.timedOut = j.value(QLatin1String("timeout")).toInteger();
    s.crashed = j.value(QLatin1String("crashed")).toInteger();
    s.stalled = j.value(QLatin1String("stalled")).toInteger();
    s.cancelled = j.value(QLatin1String("cancelled")).toInteger();
    s.retried = j.value(QLatin1String("retried")).toInteger();
    s.total = j.value(QLatin1String("total")).toInteger(-1);
    s.issued = j.value(QLatin1String("issued")).toInteger();
    s.queued = j.value(QLatin1String("queued")).toInteger(-1);
    s.running = j.value(QLatin1String("running")).toInteger();
    s.workers = j.value(QLatin1String("workers")).toInt();
    s.elapsedSeconds = j.value(QLatin1String("elapsed")).toDouble();
    s.tasksPerSecond = j.value(QLatin1String("rate")).toDouble();
    s.etaSeconds = j.value(QLatin1String("eta")).toDouble(-1);
    s.waiting = j.value(QLatin1String("waiting")).toString(); // absent from older runs
    return s;
}

QJsonObject slotJson(const SlotSnapshot &s)
{
    return {{QStringLiteral("slot"), s.slot},
            {QStringLiteral("pid"), s.pid},
            {QStringLiteral("state"), int(s.state)},
            {QStringLiteral("task"), s.taskId},
            {QStringLiteral("input"), base64(s.input)},
            {QStringLiteral("progress"), s.progress},
            {QStringLiteral("message"), s.message},
            {QStringLiteral("elapsed_ms"), s.taskElapsedMs},
            {QStringLiteral("done"), s.tasksDone},
            {QStringLiteral("failures"), s.failures},
            {QStringLiteral("queued"), s.queued},
            {QStringLiteral("host"), s.host},
            {QStringLiteral("host_down"), s.hostDown}};
}

SlotSnapshot slotFrom(const QJsonObject &j)
{
    SlotSnapshot s;
    s.slot = j.value(QLatin1String("slot")).toInt(-1);
    s.pid = j.value(QLatin1String("pid")).toInteger();
    s.state = SlotState(qBound(0, j.value(QLatin1String("state")).toInt(), int(SlotState::Crashed)));
    s.taskId = j.value(QLatin1String("task")).toInteger(-1);
    s.input = fromBase64(j.value(QLatin1String("input")));
    s.progress = j.value(QLatin1String("progress")).toDouble(-1);
    s.message = j.value(QLatin1String("message")).toString();
    s.taskElapsedMs = j.value(QLatin1String("elapsed_ms")).toInteger();
    s.tasksDone = j.value(QLatin1String("done")).toInteger();
    s.failures = j.value(QLatin1String("failures")).toInteger();
    s.queued = j.value(QLatin1String("queued")).toInt();
    s.host = j.value(QLatin1String("host")).toString();
    s.hostDown = j.value(QLatin1String("host_down")).toBool();
    return s;
}

QJsonObject hostJson(const HostSnapshot &h)
{
    return {{QStringLiteral("name"), h.name},
            {QStringLiteral("kind"), HostSpec::kindName(h.kind)},
            {QStringLiteral("slots"), h.slotCount},
            {QStringLiteral("live"), h.liveSlots},
            {QStringLiteral("busy"), h.busySlots},
            {QStringLiteral("down"), h.down},
            {QStringLiteral("failures"), h.failures},
            {QStringLiteral("retry_in_ms"), h.retryInMs},
            {QStringLiteral("last_error"), h.lastError},
            {QStringLiteral("ok"), h.tasksOk},
            {QStringLiteral("failed"), h.tasksFailed}};
}

HostSnapshot hostFrom(const QJsonObject &j)
{
    HostSnapshot h;
    h.name = j.value(QLatin1String("name")).toString();
    HostSpec::kindFromName(j.value(QLatin1String("kind")).toString(), &h.kind);
    h.slotCount = j.value(QLatin1String("slots")).toInt();
    h.liveSlots = j.value(QLatin1String("live")).toInt();
    h.busySlots = j.value(QLatin1String("busy")).toInt();
    h.down = j.value(QLatin1String("down")).toBool();
    h.failures = j.value(QLatin1String("failures")).toInt();
    h.retryInMs = j.value(QLatin1String("retry_in_ms")).toInteger(-1);
    h.lastError = j.value(QLatin1String("last_error")).toString();
    h.tasksOk = j.value(QLatin1String("ok")).toInteger();
    h.tasksFailed = j.value(QLatin1String("failed")).toInteger();
    return h;
}

const QLatin1String StateNames[] = {QLatin1String("idle"),     QLatin1String("running"),
                                    QLatin1String("paused"),   QLatin1String("stopping"),
                                    QLatin1String("terminating"), QLatin1String("finished")};

} // namespace

QString stateName(TaskPool::State state)
{
    return StateNames[int(state)];
}

TaskPool::State stateFromName(const QString &name)
{
    for (int i = 0; i < int(std::size(StateNames)); ++i) {
        if (name == StateNames[i])
            return TaskPool::State(i);
    }
    return TaskPool::State::Idle;
}

QByteArray helloLine(const Hello &hello)
{
    return line({{QStringLiteral("type"), QStringLiteral("hello")},
                 {QStringLiteral("version"), Version},
                 {QStringLiteral("pid"), hello.pid},
                 {QStringLiteral("host"), hello.host},
                 {QStringLiteral("journal_run"), hello.journalRun},
                 {QStringLiteral("started_at"), hello.startedAtMs},
                 {QStringLiteral("job"), hello.spec.toJson()}});
}

bool parseHello(const QJsonObject &json, Hello *hello, QString *error)
{
    const int version = json.value(QLatin1String("version")).toInt();
    if (version != Version) {
        *error = QStringLiteral("the run speaks monitor protocol %1, this taskpool %2").arg(version).arg(Version);
        return false;
    }
    hello->pid = json.value(QLatin1String("pid")).toInteger();
    hello->host = json.value(QLatin1String("host")).toString();
    hello->journalRun = json.value(QLatin1String("journal_run")).toInteger(-1);
    hello->startedAtMs = json.value(QLatin1String("started_at")).toInteger();
    return JobSpec::fromJson(json.value(QLatin1String("job")).toObject(), &hello->spec, error);
}

QByteArray stateLine(const LiveState &state)
{
    QJsonArray slotArray;
    for (const SlotSnapshot &s : state.slotSnapshots)
        slotArray.append(slotJson(s));
    QJsonArray hosts;
    for (const HostSnapshot &h : state.hosts)
        hosts.append(hostJson(h));
    QJsonArray usage;
    for (auto it = state.usage.cbegin(); it != state.usage.cend(); ++it)
        usage.append(QJsonArray{it.key(), it->cpuPercent, it->rssBytes, it->processes});
    return line({{QStringLiteral("type"), QStringLiteral("state")},
                 {QStringLiteral("state"), stateName(state.state)},
                 {QStringLiteral("stats"), countsJson(state.stats)},
                 {QStringLiteral("wanted_workers"), state.wantedWorkers},
                 {QStringLiteral("slots"), slotArray},
                 {QStringLiteral("hosts"), hosts},
                 {QStringLiteral("usage"), usage},
                 {QStringLiteral("halt"), state.haltReason},
                 {QStringLiteral("fatal"), state.fatalError}});
}

LiveState parseState(const QJsonObject &json)
{
    LiveState state;
    state.state = stateFromName(json.value(QLatin1String("state")).toString());
    state.stats = countsFrom(json.value(QLatin1String("stats")).toObject());
    state.wantedWorkers = json.value(QLatin1String("wanted_workers")).toInt();
    for (const QJsonValue &s : json.value(QLatin1String("slots")).toArray())
        state.slotSnapshots.append(slotFrom(s.toObject()));
    for (const QJsonValue &h : json.value(QLatin1String("hosts")).toArray())
        state.hosts.append(hostFrom(h.toObject()));
    for (const QJsonValue &u : json.value(QLatin1String("usage")).toArray()) {
        const QJsonArray a = u.toArray();
        GroupUsage usage;
        usage.cpuPercent = a.at(1).toDouble(-1);
        usage.rssBytes = a.at(2).toInteger(-1);
        usage.processes = a.at(3).toInt();
        state.usage.insert(a.at(0).toInteger(), usage);
    }
    state.haltReason = json.value(QLatin1String("halt")).toString();
    state.fatalError = json.value(QLatin1String("fatal")).toString();
    return state;
}

QByteArray outcomeLine(bool final, const TaskOutcome &o)
{
    QJsonObject json{{QStringLiteral("type"), final ? QStringLiteral("result") : QStringLiteral("attempt")},
                     {QStringLiteral("id"), o.id},
                     {QStringLiteral("input"), base64(o.input)},
                     {QStringLiteral("status"), taskStatusName(o.status)},
                     {QStringLiteral("exit_code"), o.exitCode},
                     {QStringLiteral("attempts"), o.attempts},
                     {QStringLiteral("worker"), o.worker},
                     {QStringLiteral("host"), o.host},
                     {QStringLiteral("started_at"), o.startedAtMs},
                     {QStringLiteral("duration_ms"), o.durationMs}};
    if (!o.output.isEmpty())
        json.insert(QStringLiteral("output"), base64(o.output));
    if (!o.errorOutput.isEmpty())
        json.insert(QStringLiteral("stderr"), base64(o.errorOutput));
    if (!o.result.isEmpty())
        json.insert(QStringLiteral("result"), QString::fromUtf8(o.result));
    if (!o.error.isEmpty())
        json.insert(QStringLiteral("error"), o.error);
    if (o.outputTruncated)
        json.insert(QStringLiteral("truncated"), true);
    return line(json);
}

TaskOutcome parseOutcome(const QJsonObject &j)
{
    TaskOutcome o;
    o.id = j.value(QLatin1String("id")).toInteger(-1);
    o.input = fromBase64(j.value(QLatin1String("input")));
    if (!taskStatusFromName(j.value(QLatin1String("status")).toString(), &o.status))
        o.status = TaskStatus::Failed;
    o.exitCode = j.value(QLatin1String("exit_code")).toInt(-1);
    o.output = fromBase64(j.value(QLatin1String("output")));
    o.errorOutput = fromBase64(j.value(QLatin1String("stderr")));
    o.result = j.value(QLatin1String("result")).toString().toUtf8();
    o.error = j.value(QLatin1String("error")).toString();
    o.outputTruncated = j.value(QLatin1String("truncated")).toBool();
    o.attempts = j.value(QLatin1String("attempts")).toInt();
    o.worker = j.value(QLatin1String("worker")).toInt(-1);
    o.host = j.value(QLatin1String("host")).toString();
    o.startedAtMs = j.value(QLatin1String("started_at")).toInteger();
    o.durationMs = j.value(QLatin1String("duration_ms")).toInteger();
    return o;
}

QByteArray outputLine(int slot, qint64 taskId, OutputStream stream, QByteArrayView data)
{
    return line({{QStringLiteral("type"), QStringLiteral("output")},
                 {QStringLiteral("slot"), slot},
                 {QStringLiteral("task"), taskId},
                 {QStringLiteral("stream"), stream == OutputStream::Stderr ? QStringLiteral("stderr") : QStringLiteral("stdout")},
                 {QStringLiteral("data"), base64(data)}});
}

QByteArray logLine(int slot, const QString &text)
{
    return line({{QStringLiteral("type"), QStringLiteral("log")}, {QStringLiteral("slot"), slot},
                 {QStringLiteral("line"), text}});
}

QByteArray skippedLine(qint64 results)
{
    return line({{QStringLiteral("type"), QStringLiteral("skipped")}, {QStringLiteral("results"), results}});
}

QByteArray endLine(const QString &state, const QString &message, const QString &summary)
{
    return line({{QStringLiteral("type"), QStringLiteral("end")},
                 {QStringLiteral("state"), state},
                 {QStringLiteral("message"), message},
                 {QStringLiteral("summary"), summary}});
}

QByteArray commandLine(const QString &command, int count)
{
    QJsonObject json{{QStringLiteral("command"), command}};
    if (command == QLatin1String("workers"))
        json.insert(QStringLiteral("count"), count);
    return line(json);
}

} // namespace MonitorProtocol
