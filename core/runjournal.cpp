#include "runjournal.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSysInfo>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>
#include <QVariant>

#include <cerrno>
#include <cstring>
#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

constexpr int SchemaVersion = 1;

const char *const schema[] = {
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS runs("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, started_at INTEGER NOT NULL, finished_at INTEGER,"
    " state TEXT NOT NULL, message TEXT, job TEXT NOT NULL, command_key BLOB NOT NULL,"
    " owner_pid INTEGER, owner_start TEXT, owner_host TEXT,"
    " n_ok INTEGER DEFAULT 0, n_failed INTEGER DEFAULT 0, n_timeout INTEGER DEFAULT 0,"
    " n_crashed INTEGER DEFAULT 0, n_stalled INTEGER DEFAULT 0, n_cancelled INTEGER DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS tasks("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, task_id INTEGER NOT NULL,"
    " task_key INTEGER NOT NULL, input BLOB, status TEXT NOT NULL, exit_code INTEGER,"
    " output BLOB, stderr BLOB, result TEXT, error TEXT, truncated INTEGER,"
    " attempts INTEGER, worker INTEGER, started_at INTEGER, duration_ms INTEGER,"
    " PRIMARY KEY(run_id, task_id))",
    "CREATE INDEX IF NOT EXISTS tasks_by_key ON tasks(task_key, status)",
    "CREATE TABLE IF NOT EXISTS attempts("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, task_id INTEGER NOT NULL,"
    " attempt INTEGER NOT NULL, status TEXT NOT NULL, exit_code INTEGER, error TEXT, worker INTEGER,"
    " started_at INTEGER, duration_ms INTEGER, PRIMARY KEY(run_id, task_id, attempt))",
};

// Start time of a process (field 22 of /proc/PID/stat): tells a live owner
// from an unrelated process that got the same pid later.
QString processStartTime(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray stat = f.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    return fields.size() > 19 ? QString::fromLatin1(fields.at(19)) : QString();
}

QString sqlError(const QSqlError &e)
{
    QString text = e.text().trimmed();
    if (text.contains(QLatin1String("file is not a database")) || text.contains(QLatin1String("malformed")))
        text += QStringLiteral(" (the journal file is damaged; move it away or pick another with --journal)");
    else if (text.contains(QLatin1String("locked")) || text.contains(QLatin1String("busy")))
        text += QStringLiteral(" (another program holds the journal)");
    return text;
}


} // namespace

qint64 RunInfo::finished() const
{
    qint64 n = 0;
    for (int s = int(TaskStatus::Ok); s <= int(TaskStatus::Cancelled); ++s)
        n += counts[s];
    return n;
}

qint64 RunInfo::failures() const
{
    return counts[int(TaskStatus::Failed)] + counts[int(TaskStatus::Timeout)] + counts[int(TaskStatus::Crashed)]
        + counts[int(TaskStatus::Stalled)];
}

RunJournal::RunJournal()
    : m_connectionName(QStringLiteral("journal-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
}

RunJournal::~RunJournal()
{
    m_insertTask.reset();
    m_insertAttempt.reset();
    if (QSqlDatabase::contains(m_connectionName)) {
        QSqlDatabase::database(m_connectionName, false).close();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

QString RunJournal::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/taskpool/journal.sqlite");
}

bool RunJournal::isOpen() const
{
    return QSqlDatabase::contains(m_connectionName) && QSqlDatabase::database(m_connectionName, false).isOpen();
}

bool RunJournal::open(const QString &path, QString *error)
{
    m_path = path;
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        *error = QStringLiteral("cannot create the folder %1").arg(info.absolutePath());
        return false;
    }
    // Create the file ourselves so it is private from the first byte; SQLite
    // gives its -wal and -shm files the same permissions.
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = QStringLiteral("cannot open the journal %1: %2").arg(path, QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    ::close(fd);

    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=3000"));
    if (!db.open()) {
        *error = QStringLiteral("cannot open the journal %1: %2").arg(path, sqlError(db.lastError()));
        return false;
    }
    QString why;
    // journal_mode=WAL fails on a damaged file or one locked by another writer.
    if (!exec(QStringLiteral("PRAGMA journal_mode=WAL"), &why) || !exec(QStringLiteral("PRAGMA synchronous=FULL"), &why)
        || !exec(QStringLiteral("PRAGMA foreign_keys=ON"), &why)) {
        *error = QStringLiteral("cannot use the journal %1: %2").arg(path, why);
        db.close();
        return false;
    }
    for (const char *statement : schema) {
        if (!exec(QString::fromLatin1(statement), &why)) {
            *error = QStringLiteral("cannot use the journal %1: %2").arg(path, why);
            db.close();
            return false;
        }
    }
    QSqlQuery version(db);
    version.exec(QStringLiteral("SELECT value FROM meta WHERE key='schema'"));
    if (version.next() && version.value(0).toInt() > SchemaVersion) {
        *error = QStringLiteral("the journal %1 was written by a newer taskpool (schema %2)").arg(path, version.value(0).toString());
        db.close();
        return false;
    }
    exec(QStringLiteral("INSERT OR IGNORE INTO meta(key, value) VALUES('schema', '%1')").arg(SchemaVersion), &why);
    // Journals written before the "stalled" status existed lack its counter.
    QSqlQuery columns(db);
    bool hasStalled = false;
    if (columns.exec(QStringLiteral("PRAGMA table_info(runs)"))) {
        while (columns.next())
            hasStalled = hasStalled || columns.value(1).toString() == QLatin1String("n_stalled");
    }
    if (!hasStalled)
        exec(QStringLiteral("ALTER TABLE runs ADD COLUMN n_stalled INTEGER DEFAULT 0"), &why);
    markInterruptedRuns();
    return true;
}

bool RunJournal::exec(const QString &sql, QString *error)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(sql)) {
        if (error)
            *error = sqlError(q.lastError());
        return false;
    }
    return true;
}

// A run still marked "running" whose owner process is gone was killed.
void RunJournal::markInterruptedRuns()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT id, owner_pid, owner_start FROM runs WHERE state='running' AND owner_host=?"));
    q.addBindValue(QSysInfo::machineHostName());
    if (!q.exec())
        return;
    QList<qint64> dead;
    while (q.next()) {
        const qint64 pid = q.value(1).toLongLong();
        if (processStartTime(pid) != q.value(2).toString())
            dead.append(q.value(0).toLongLong());
    }
    for (qint64 id : dead) {
        QSqlQuery update(db);
        update.prepare(QStringLiteral("UPDATE runs SET state='interrupted' WHERE id=?"));
        update.addBindValue(id);
        update.exec();
    }
}

QByteArray RunJournal::commandKey(const JobSpec &spec)
{
    QByteArray key = spec.mode == JobSpec::Mode::Worker ? "worker" : "per-task";
    key += spec.shell ? "\x1fshell" : "\x1f";
    key += '\x1f' + spec.workingDirectory.toUtf8();
    for (const QString &word : spec.command)
        key += '\x1f' + word.toUtf8();
    return key;
}

quint64 RunJournal::taskKey(const QByteArray &commandKey, QByteArrayView input)
{
    QCryptographicHash hash(QCryptographicHash::Sha1);
    hash.addData(commandKey);
    hash.addData(QByteArrayView("\0", 1));
    hash.addData(input);
    const QByteArray digest = hash.result();
    quint64 key;
    std::memcpy(&key, digest.constData(), sizeof key);
    return key & 0x7fffffffffffffffULL; // stays positive as an SQLite INTEGER
}

qint64 RunJournal::beginRun(const JobSpec &spec, QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO runs(started_at, state, job, command_key, owner_pid, owner_start, owner_host)"
                             " VALUES(?, 'running', ?, ?, ?, ?, ?)"));
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    q.addBindValue(QString::fromUtf8(QJsonDocument(spec.toJson()).toJson(QJsonDocument::Compact)));
    m_commandKey = commandKey(spec);
    q.addBindValue(m_commandKey);
    q.addBindValue(qint64(::getpid()));
    q.addBindValue(processStartTime(::getpid()));
    q.addBindValue(QSysInfo::machineHostName());
    if (!q.exec()) {
        *error = QStringLiteral("cannot record the run: %1").arg(sqlError(q.lastError()));
        return -1;
    }
    m_runId = q.lastInsertId().toLongLong();
    std::fill(std::begin(m_counts), std::end(m_counts), 0);
    m_insertTask = std::make_unique<QSqlQuery>(db);
    m_insertTask->prepare(QStringLiteral(
        "INSERT OR REPLACE INTO tasks(run_id, task_id, task_key, input, status, exit_code, output, stderr, result,"
        " error, truncated, attempts, worker, started_at, duration_ms) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    m_insertAttempt = std::make_unique<QSqlQuery>(db);
    m_insertAttempt->prepare(QStringLiteral(
        "INSERT OR REPLACE INTO attempts(run_id, task_id, attempt, status, exit_code, error, worker, started_at,"
        " duration_ms) VALUES(?,?,?,?,?,?,?,?,?)"));
    return m_runId;
}

void RunJournal::recordAttempt(const TaskOutcome &outcome)
{
    if (m_runId >= 0)
        m_pending.push_back({outcome, false});
}

void RunJournal::recordResult(const TaskOutcome &outcome)
{
    if (m_runId >= 0)
        m_pending.push_back({outcome, true});
}

bool RunJournal::commit(QString *error)
{
    if (m_pending.empty() || m_runId < 0)
        return true;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.transaction()) {
        *error = QStringLiteral("journal: %1").arg(sqlError(db.lastError()));
        return false;
    }
    qint64 counts[TaskStatusCount] = {};
    auto bindAttempt = [this](const TaskOutcome &o) {
        QSqlQuery &a = *m_insertAttempt;
        a.bindValue(0, m_runId);
        a.bindValue(1, o.id);
        a.bindValue(2, o.attempts);
        a.bindValue(3, taskStatusName(o.status));
        a.bindValue(4, o.exitCode >= 0 ? QVariant(o.exitCode) : QVariant());
        a.bindValue(5, o.error.isEmpty() ? QVariant() : QVariant(o.error));
        a.bindValue(6, o.worker >= 0 ? QVariant(o.worker) : QVariant());
        a.bindValue(7, o.startedAtMs ? QVariant(o.startedAtMs) : QVariant());
        a.bindValue(8, o.durationMs);
        return a.exec();
    };
    for (const Pending &p : m_pending) {
        const TaskOutcome &o = p.outcome;
        // Attempts of tasks that ran once are the task row itself; only retries get rows.
        if ((!p.final || o.attempts > 1) && o.attempts > 0 && !bindAttempt(o)) {
            *error = QStringLiteral("journal: %1").arg(sqlError(m_insertAttempt->lastError()));
            db.rollback();
            return false;
        }
        if (!p.final)
            continue;
        QSqlQuery &t = *m_insertTask;
        t.bindValue(0, m_runId);
        t.bindValue(1, o.id);
        t.bindValue(2, qint64(taskKey(m_commandKey, o.input)));
        t.bindValue(3, o.input);
        t.bindValue(4, taskStatusName(o.status));
        t.bindValue(5, o.exitCode >= 0 ? QVariant(o.exitCode) : QVariant());
        t.bindValue(6, o.output.isEmpty() ? QVariant() : QVariant(o.output));
        t.bindValue(7, o.errorOutput.isEmpty() ? QVariant() : QVariant(o.errorOutput));
        t.bindValue(8, o.result.isEmpty() ? QVariant() : QVariant(QString::fromUtf8(o.result)));
        t.bindValue(9, o.error.isEmpty() ? QVariant() : QVariant(o.error));
        t.bindValue(10, o.outputTruncated ? 1 : 0);
        t.bindValue(11, o.attempts);
        t.bindValue(12, o.worker >= 0 ? QVariant(o.worker) : QVariant());
        t.bindValue(13, o.startedAtMs ? QVariant(o.startedAtMs) : QVariant());
        t.bindValue(14, o.durationMs);
        if (!t.exec()) {
            *error = QStringLiteral("journal: %1").arg(sqlError(t.lastError()));
            db.rollback();
            return false;
        }
        ++counts[int(o.status)];
    }
    QSqlQuery update(db);
    update.prepare(QStringLiteral("UPDATE runs SET n_ok=?, n_failed=?, n_timeout=?, n_crashed=?, n_stalled=?, n_cancelled=? WHERE id=?"));
    for (int s = int(TaskStatus::Ok); s <= int(TaskStatus::Cancelled); ++s)
        update.addBindValue(m_counts[s] + counts[s]);
    update.addBindValue(m_runId);
    if (!update.exec()) {
        *error = QStringLiteral("journal: %1").arg(sqlError(update.lastError()));
        db.rollback();
        return false;
    }
    if (!db.commit()) {
        *error = QStringLiteral("journal: %1").arg(sqlError(db.lastError()));
        db.rollback();
        return false;
    }
    for (int s = 0; s < TaskStatusCount; ++s)
        m_counts[s] += counts[s];
    m_pending.clear();
    return true;
}

bool RunJournal::endRun(const QString &state, const QString &message, QString *error)
{
    if (m_runId < 0)
        return true;
    if (!commit(error))
        return false;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("UPDATE runs SET state=?, message=?, finished_at=? WHERE id=?"));
    q.addBindValue(state);
    q.addBindValue(message.isEmpty() ? QVariant() : QVariant(message));
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    q.addBindValue(m_runId);
    if (!q.exec()) {
        *error = QStringLiteral("journal: %1").arg(sqlError(q.lastError()));
        return false;
    }
    m_insertTask.reset();
    m_insertAttempt.reset();
    m_runId = -1;
    return true;
}

RunInfo RunJournal::readRun(const QSqlQuery &q)
{
    RunInfo info;
    info.id = q.value(0).toLongLong();
    info.startedAtMs = q.value(1).toLongLong();
    info.finishedAtMs = q.value(2).toLongLong();
    info.state = q.value(3).toString();
    info.message = q.value(4).toString();
    QString ignored;
    JobSpec::fromJson(QJsonDocument::fromJson(q.value(5).toString().toUtf8()).object(), &info.spec, &ignored);
    for (int s = int(TaskStatus::Ok); s <= int(TaskStatus::Cancelled); ++s)
        info.counts[s] = q.value(6 + s - int(TaskStatus::Ok)).toLongLong();
    return info;
}

QList<RunInfo> RunJournal::runs(QString *error)
{
    QList<RunInfo> list;
    markInterruptedRuns();
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(QStringLiteral("SELECT id, started_at, finished_at, state, message, job, n_ok, n_failed, n_timeout,"
                               " n_crashed, n_stalled, n_cancelled FROM runs ORDER BY id DESC"))) {
        if (error)
            *error = sqlError(q.lastError());
        return list;
    }
    while (q.next())
        list.append(readRun(q));
    return list;
}

bool RunJournal::run(qint64 runId, RunInfo *info, QString *error)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("SELECT id, started_at, finished_at, state, message, job, n_ok, n_failed, n_timeout,"
                             " n_crashed, n_stalled, n_cancelled FROM runs WHERE id=?"));
    q.addBindValue(runId);
    if (!q.exec() || !q.next()) {
        if (error)
            *error = q.lastError().isValid() ? sqlError(q.lastError()) : QStringLiteral("no run %1 in the journal").arg(runId);
        return false;
    }
    *info = readRun(q);
    return true;
}

qint64 RunJournal::latestRun()
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (q.exec(QStringLiteral("SELECT max(id) FROM runs")) && q.next() && !q.value(0).isNull())
        return q.value(0).toLongLong();
    return -1;
}

bool RunJournal::forEachResult(qint64 runId, const std::function<void(const TaskOutcome &)> &visit, QString *error)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT task_id, input, status, exit_code, output, stderr, result, error, truncated,"
                             " attempts, worker, started_at, duration_ms FROM tasks WHERE run_id=? ORDER BY task_id"));
    q.addBindValue(runId);
    if (!q.exec()) {
        *error = sqlError(q.lastError());
        return false;
    }
    while (q.next()) {
        TaskOutcome o;
        o.id = q.value(0).toLongLong();
        o.input = q.value(1).toByteArray();
        taskStatusFromName(q.value(2).toString(), &o.status);
        o.exitCode = q.value(3).isNull() ? -1 : q.value(3).toInt();
        o.output = q.value(4).toByteArray();
        o.errorOutput = q.value(5).toByteArray();
        o.result = q.value(6).toString().toUtf8();
        o.error = q.value(7).toString();
        o.outputTruncated = q.value(8).toInt() != 0;
        o.attempts = q.value(9).toInt();
        o.worker = q.value(10).isNull() ? -1 : q.value(10).toInt();
        o.startedAtMs = q.value(11).toLongLong();
        o.durationMs = q.value(12).toLongLong();
        visit(o);
    }
    return true;
}

QSet<quint64> RunJournal::finishedKeys(const JobSpec &spec, QString *error)
{
    QSet<quint64> keys;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT t.task_key FROM tasks t JOIN runs r ON r.id = t.run_id"
                             " WHERE r.command_key = ? AND t.status != 'cancelled'"));
    q.addBindValue(commandKey(spec));
    if (!q.exec()) {
        *error = sqlError(q.lastError());
        return keys;
    }
    while (q.next())
        keys.insert(quint64(q.value(0).toLongLong()));
    return keys;
}

QList<QByteArray> RunJournal::failedInputs(qint64 runId, QString *error)
{
    QList<QByteArray> inputs;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT input FROM tasks WHERE run_id=? AND status IN ('failed','timeout','crashed','stalled')"
                             " ORDER BY task_id"));
    q.addBindValue(runId);
    if (!q.exec()) {
        *error = sqlError(q.lastError());
        return inputs;
    }
    while (q.next())
        inputs.append(q.value(0).toByteArray());
    return inputs;
}

bool RunJournal::deleteRun(qint64 runId, QString *error)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("DELETE FROM runs WHERE id=? AND state != 'running'"));
    q.addBindValue(runId);
    if (!q.exec()) {
        *error = sqlError(q.lastError());
        return false;
    }
    if (q.numRowsAffected() == 0) {
        *error = QStringLiteral("run %1 is not in the journal or is still running").arg(runId);
        return false;
    }
    return true;
}
