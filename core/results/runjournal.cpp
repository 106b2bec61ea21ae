#include "runjournal.h"

#include "procstat.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSysInfo>
#include <QJsonDocument>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>
#include <QVariant>

#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

// 2: task keys are FNV-1a + splitmix64 (1 used SHA-1; open() converts them).
constexpr int SchemaVersion = 2;

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
    " attempts INTEGER, worker INTEGER, started_at INTEGER, duration_ms INTEGER, host TEXT,"
    " PRIMARY KEY(run_id, task_id)) WITHOUT ROWID", // one b-tree, not a table and its key index
    // No index on task_key: resume reads the keys of a command's runs in one scan, and a
    // hash-ordered index would dirty pages all over the file on every commit.
    "DROP INDEX IF EXISTS tasks_by_key",
    "CREATE TABLE IF NOT EXISTS attempts("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, task_id INTEGER NOT NULL,"
    " attempt INTEGER NOT NULL, status TEXT NOT NULL, exit_code INTEGER, error TEXT, worker INTEGER,"
    " started_at INTEGER, duration_ms INTEGER, host TEXT, PRIMARY KEY(run_id, task_id, attempt))",
};

// Start time of a process (in clock ticks after boot): tells a live owner
// from an unrelated process that got the same pid later.
QString processStartTime(qint64 pid)
{
    ProcStat stat;
    return ProcStat::read(pid, &stat) ? QString::number(stat.startTicks) : QString();
}

bool hasColumn(const QSqlDatabase &db, const QString &table, const QString &column)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA table_info(%1)").arg(table)))
        return false;
    while (q.next()) {
        if (q.value(1).toString() == column)
            return true;
    }
    return false;
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

RunJournal::RunJournal()
    : m_connectionName(QStringLiteral("journal-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
}

RunJournal::~RunJournal()
{
    finalizeStatements();
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
    // Inputs and outputs can be private: a journal someone made readable by
    // others (or an older taskpool's) is made private again, and we say so.
    struct stat st;
    m_notice.clear();
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077)) {
        const QString mode = QString::number(st.st_mode & 0777, 8);
        if (::fchmod(fd, 0600) == 0) {
            for (const char *suffix : {"-wal", "-shm"})
                ::chmod(QByteArray(native + suffix).constData(), 0600); // SQLite gives them the file's mode
            m_notice = QStringLiteral("the journal %1 was readable by others (mode %2); it is private again (0600)").arg(path, mode);
        } else {
            m_notice = QStringLiteral("the journal %1 is readable by others (mode %2) and cannot be made private: %3")
                           .arg(path, mode, QString::fromLocal8Bit(strerror(errno)));
        }
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
    // WAL with synchronous=NORMAL: a commit is safe from any crash of taskpool
    // (kill -9 included) without an fsync per batch; only a power cut can take
    // back the last moments, and never leaves the file damaged.
    // journal_mode=WAL fails on a damaged file or one locked by another writer.
    // Foreign keys stay off: checking each task's run costs a third of an
    // insert, and deleteRun() removes a run's rows itself.
    // A checkpoint (copying the WAL into the file, with an fsync) every 16 MB
    // of WAL rather than SQLite's 4 MB: a fast run checkpoints a quarter as often.
    if (!exec(QStringLiteral("PRAGMA journal_mode=WAL"), &why) || !exec(QStringLiteral("PRAGMA synchronous=NORMAL"), &why)
        || !exec(QStringLiteral("PRAGMA wal_autocheckpoint=4096"), &why)) {
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
    int version = SchemaVersion; // a new journal
    {
        QSqlQuery q(db);
        if (q.exec(QStringLiteral("SELECT value FROM meta WHERE key='schema'")) && q.next())
            version = q.value(0).toInt();
    }
    if (version > SchemaVersion) {
        *error = QStringLiteral("the journal %1 was written by a newer taskpool (schema %2)").arg(path).arg(version);
        db.close();
        return false;
    }
    // Journals written before the "stalled" status existed lack its counter,
    // and those from before remote hosts lack the host of each task and attempt.
    if (!hasColumn(db, QStringLiteral("runs"), QStringLiteral("n_stalled")))
        exec(QStringLiteral("ALTER TABLE runs ADD COLUMN n_stalled INTEGER DEFAULT 0"), &why);
    for (const QString &table : {QStringLiteral("tasks"), QStringLiteral("attempts")}) {
        if (!hasColumn(db, table, QStringLiteral("host")))
            exec(QStringLiteral("ALTER TABLE %1 ADD COLUMN host TEXT").arg(table), &why);
    }
    const QVariant handle = db.driver()->handle();
    if (handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0)
        m_handle = *static_cast<sqlite3 *const *>(handle.constData());
    if (!m_handle) {
        *error = QStringLiteral("cannot use the journal %1: the SQLite driver gave no handle").arg(path);
        db.close();
        return false;
    }
    if (version < 2 && !rekeyTasks(&why)) {
        *error = QStringLiteral("cannot update the journal %1: %2").arg(path, why);
        db.close();
        m_handle = nullptr;
        return false;
    }
    exec(QStringLiteral("INSERT OR REPLACE INTO meta(key, value) VALUES('schema', '%1')").arg(SchemaVersion), &why);
    markInterruptedRuns();
    return true;
}

void RunJournal::finalizeStatements()
{
    sqlite3_finalize(m_insertTask);
    sqlite3_finalize(m_insertAttempt);
    sqlite3_finalize(m_updateCounts);
    m_insertTask = m_insertAttempt = m_updateCounts = nullptr;
}

// Schema 1 keyed tasks by SHA-1; recompute every key so --resume still
// recognises tasks finished by an older taskpool.
bool RunJournal::rekeyTasks(QString *error)
{
    auto fail = [&](sqlite3_stmt *st) {
        *error = QString::fromUtf8(sqlite3_errmsg(m_handle));
        sqlite3_finalize(st);
        sqlite3_exec(m_handle, "ROLLBACK", nullptr, nullptr, nullptr);
        return false;
    };
    if (sqlite3_exec(m_handle, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
        return fail(nullptr);
    sqlite3_stmt *select = nullptr;
    if (sqlite3_prepare_v2(m_handle, "SELECT t.run_id, t.task_id, r.command_key, t.input FROM tasks t JOIN runs r ON r.id = t.run_id",
                           -1, &select, nullptr) != SQLITE_OK)
        return fail(select);
    struct Key
    {
        qint64 run, task;
        quint64 key;
    };
    std::vector<Key> keys;
    QByteArray lastCommand;
    quint64 lastHash = 0;
    int rc;
    while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
        const QByteArrayView command(static_cast<const char *>(sqlite3_column_blob(select, 2)), sqlite3_column_bytes(select, 2));
        if (command != lastCommand) {
            lastCommand = command.toByteArray();
            lastHash = commandHash(lastCommand);
        }
        const QByteArrayView input(static_cast<const char *>(sqlite3_column_blob(select, 3)), sqlite3_column_bytes(select, 3));
        keys.push_back({sqlite3_column_int64(select, 0), sqlite3_column_int64(select, 1), taskKey(lastHash, input)});
    }
    if (rc != SQLITE_DONE)
        return fail(select);
    sqlite3_finalize(select);
    sqlite3_stmt *update = nullptr;
    if (sqlite3_prepare_v2(m_handle, "UPDATE tasks SET task_key=? WHERE run_id=? AND task_id=?", -1, &update, nullptr) != SQLITE_OK)
        return fail(update);
    for (const Key &k : keys) {
        sqlite3_bind_int64(update, 1, qint64(k.key));
        sqlite3_bind_int64(update, 2, k.run);
        sqlite3_bind_int64(update, 3, k.task);
        if (sqlite3_step(update) != SQLITE_DONE)
            return fail(update);
        sqlite3_reset(update);
    }
    sqlite3_finalize(update);
    if (sqlite3_exec(m_handle, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
        return fail(nullptr);
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

namespace {
// FNV-1a over the bytes, then the splitmix64 finaliser so that inputs differing
// in one byte spread over all 64 bits. Cheap (a task key per result is on the
// hot path) and, unlike qHash, fixed across Qt versions and runs.
constexpr quint64 FnvPrime = 0x100000001b3ULL;
quint64 fnv1a(quint64 h, QByteArrayView bytes)
{
    for (char c : bytes)
        h = (h ^ quint8(c)) * FnvPrime;
    return h;
}
quint64 finalMix(quint64 h)
{
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}
} // namespace

quint64 RunJournal::commandHash(const QByteArray &commandKey)
{
    return fnv1a(0xcbf29ce484222325ULL, commandKey);
}

quint64 RunJournal::taskKey(quint64 commandHash, QByteArrayView input)
{
    // The length goes in too: "ab"+"c" and "a"+"bc" differ even without a separator.
    const quint64 h = fnv1a((commandHash ^ quint64(input.size())) * FnvPrime, input);
    return finalMix(h) & 0x7fffffffffffffffULL; // stays positive as an SQLite INTEGER
}

qint64 RunJournal::beginRun(const JobSpec &spec, QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO runs(started_at, state, job, command_key, owner_pid, owner_start, owner_host)"
                             " VALUES(?, 'running', ?, ?, ?, ?, ?)"));
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    q.addBindValue(QString::fromUtf8(QJsonDocument(spec.toJson()).toJson(QJsonDocument::Compact)));
    const QByteArray key = commandKey(spec);
    m_commandHash = commandHash(key);
    q.addBindValue(key);
    q.addBindValue(qint64(::getpid()));
    q.addBindValue(processStartTime(::getpid()));
    q.addBindValue(QSysInfo::machineHostName());
    if (!q.exec()) {
        *error = QStringLiteral("cannot record the run: %1").arg(sqlError(q.lastError()));
        return -1;
    }
    m_runId = q.lastInsertId().toLongLong();
    m_counts = TaskCounts();
    finalizeStatements();
    const char *taskSql =
        "INSERT OR REPLACE INTO tasks(run_id, task_id, task_key, input, status, exit_code, output, stderr, result,"
        " error, truncated, attempts, worker, started_at, duration_ms, host) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    const char *attemptSql =
        "INSERT OR REPLACE INTO attempts(run_id, task_id, attempt, status, exit_code, error, worker, started_at,"
        " duration_ms, host) VALUES(?,?,?,?,?,?,?,?,?,?)";
    const char *countsSql =
        "UPDATE runs SET n_ok=?, n_failed=?, n_timeout=?, n_crashed=?, n_stalled=?, n_cancelled=? WHERE id=?";
    if (sqlite3_prepare_v2(m_handle, taskSql, -1, &m_insertTask, nullptr) != SQLITE_OK
        || sqlite3_prepare_v2(m_handle, attemptSql, -1, &m_insertAttempt, nullptr) != SQLITE_OK
        || sqlite3_prepare_v2(m_handle, countsSql, -1, &m_updateCounts, nullptr) != SQLITE_OK) {
        *error = QStringLiteral("cannot record the run: %1").arg(QString::fromUtf8(sqlite3_errmsg(m_handle)));
        finalizeStatements();
        m_runId = -1;
        return -1;
    }
    return m_runId;
}

void RunJournal::recordAttempt(const TaskOutcome &outcome)
{
    if (m_runId >= 0)
        m_pending.push_back(Entry{outcome, false});
}

void RunJournal::recordResult(const TaskOutcome &outcome)
{
    if (m_runId >= 0)
        m_pending.push_back(Entry{outcome, true});
}

void RunJournal::record(std::vector<Entry> &&entries)
{
    if (m_runId < 0)
        return;
    if (m_pending.empty())
        m_pending = std::move(entries);
    else
        m_pending.insert(m_pending.end(), std::make_move_iterator(entries.begin()), std::make_move_iterator(entries.end()));
}

bool RunJournal::commit(QString *error)
{
    if (!write(m_pending, error))
        return false;
    m_pending.clear();
    return true;
}

bool RunJournal::write(const std::vector<Entry> &entries, QString *error)
{
    if (entries.empty() || m_runId < 0)
        return true;
    auto fail = [this, error] {
        *error = QStringLiteral("journal: %1").arg(QString::fromUtf8(sqlite3_errmsg(m_handle)));
        sqlite3_exec(m_handle, "ROLLBACK", nullptr, nullptr, nullptr);
        return false;
    };
    if (sqlite3_exec(m_handle, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK)
        return fail();
    TaskCounts counts;
    // Text and blobs are bound without copies: SQLite reads them during step().
    auto text = [](sqlite3_stmt *st, int i, QByteArrayView bytes) {
        sqlite3_bind_text(st, i, bytes.data(), int(bytes.size()), SQLITE_STATIC);
    };
    auto blobOrNull = [](sqlite3_stmt *st, int i, QByteArrayView bytes) {
        if (bytes.isEmpty())
            sqlite3_bind_null(st, i);
        else
            sqlite3_bind_blob(st, i, bytes.data(), int(bytes.size()), SQLITE_STATIC);
    };
    auto intOrNull = [](sqlite3_stmt *st, int i, qint64 value, bool present) {
        if (present)
            sqlite3_bind_int64(st, i, value);
        else
            sqlite3_bind_null(st, i);
    };
    // Every parameter is bound for every row, so no clear_bindings.
    auto step = [](sqlite3_stmt *st) {
        const int rc = sqlite3_step(st);
        sqlite3_reset(st);
        return rc == SQLITE_DONE;
    };
    // A run has a handful of hosts: convert each name once, not once per row.
    QString lastHost;
    QByteArray hostText;
    auto hostOrNull = [&](sqlite3_stmt *st, int i, const QString &host) {
        if (host.isEmpty()) {
            sqlite3_bind_null(st, i);
            return;
        }
        if (host != lastHost) {
            lastHost = host;
            hostText = host.toUtf8();
        }
        text(st, i, hostText);
    };
    for (const Entry &p : entries) {
        const TaskOutcome &o = p.outcome;
        const QByteArray errorText = o.error.isEmpty() ? QByteArray() : o.error.toUtf8();
        // Attempts of tasks that ran once are the task row itself; only retries get rows.
        if ((!p.final || o.attempts > 1) && o.attempts > 0) {
            sqlite3_stmt *a = m_insertAttempt;
            sqlite3_bind_int64(a, 1, m_runId);
            sqlite3_bind_int64(a, 2, o.id);
            sqlite3_bind_int64(a, 3, o.attempts);
            text(a, 4, taskStatusKey(o.status));
            intOrNull(a, 5, o.exitCode, o.exitCode >= 0);
            blobOrNull(a, 6, errorText);
            intOrNull(a, 7, o.worker, o.worker >= 0);
            intOrNull(a, 8, o.startedAtMs, o.startedAtMs != 0);
            sqlite3_bind_int64(a, 9, o.durationMs);
            hostOrNull(a, 10, o.host);
            if (!step(a))
                return fail();
        }
        if (!p.final)
            continue;
        sqlite3_stmt *t = m_insertTask;
        sqlite3_bind_int64(t, 1, m_runId);
        sqlite3_bind_int64(t, 2, o.id);
        sqlite3_bind_int64(t, 3, qint64(taskKey(m_commandHash, o.input)));
        sqlite3_bind_blob(t, 4, o.input.constData(), int(o.input.size()), SQLITE_STATIC);
        text(t, 5, taskStatusKey(o.status));
        intOrNull(t, 6, o.exitCode, o.exitCode >= 0);
        blobOrNull(t, 7, o.output);
        blobOrNull(t, 8, o.errorOutput);
        if (o.result.isEmpty())
            sqlite3_bind_null(t, 9);
        else
            text(t, 9, o.result);
        if (errorText.isEmpty())
            sqlite3_bind_null(t, 10);
        else
            text(t, 10, errorText);
        sqlite3_bind_int(t, 11, o.outputTruncated ? 1 : 0);
        sqlite3_bind_int64(t, 12, o.attempts);
        intOrNull(t, 13, o.worker, o.worker >= 0);
        intOrNull(t, 14, o.startedAtMs, o.startedAtMs != 0);
        sqlite3_bind_int64(t, 15, o.durationMs);
        hostOrNull(t, 16, o.host);
        if (!step(t))
            return fail();
        counts.add(o.status);
    }
    sqlite3_stmt *u = m_updateCounts;
    int column = 1;
    for (int s = int(TaskStatus::Ok); s <= int(TaskStatus::Cancelled); ++s)
        sqlite3_bind_int64(u, column++, m_counts.count(TaskStatus(s)) + counts.count(TaskStatus(s)));
    sqlite3_bind_int64(u, column, m_runId);
    if (!step(u) || sqlite3_exec(m_handle, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
        return fail();
    for (int s = int(TaskStatus::Ok); s <= int(TaskStatus::Cancelled); ++s)
        m_counts.add(TaskStatus(s), counts.count(TaskStatus(s)));
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
    finalizeStatements();
    m_runId = -1;
    return true;
}

// What readRun() reads, in its order.
const char RunColumns[] = "id, started_at, finished_at, state, message, job, n_ok, n_failed, n_timeout, n_crashed,"
                          " n_stalled, n_cancelled, owner_pid, owner_host";

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
        info.counts.add(TaskStatus(s), q.value(6 + s - int(TaskStatus::Ok)).toLongLong());
    info.ownerPid = q.value(12).toLongLong();
    info.ownerHost = q.value(13).toString();
    return info;
}

QList<RunInfo> RunJournal::runs(QString *error)
{
    QList<RunInfo> list;
    markInterruptedRuns();
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(QStringLiteral("SELECT %1 FROM runs ORDER BY id DESC").arg(QLatin1String(RunColumns)))) {
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
    q.prepare(QStringLiteral("SELECT %1 FROM runs WHERE id=?").arg(QLatin1String(RunColumns)));
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

namespace {
// The task columns every reader selects, in this order, and their outcome.
const char taskColumns[] = "input, status, exit_code, output, stderr, result, error, truncated,"
                           " attempts, worker, started_at, duration_ms, host";

// Fills o (but its id) from taskColumns, which start at column first of q.
void readOutcome(const QSqlQuery &q, int first, TaskOutcome *o)
{
    o->input = q.value(first).toByteArray();
    taskStatusFromName(q.value(first + 1).toString(), &o->status);
    o->exitCode = q.value(first + 2).isNull() ? -1 : q.value(first + 2).toInt();
    o->output = q.value(first + 3).toByteArray();
    o->errorOutput = q.value(first + 4).toByteArray();
    o->result = q.value(first + 5).toByteArray();
    o->error = QString::fromUtf8(q.value(first + 6).toByteArray());
    o->outputTruncated = q.value(first + 7).toInt() != 0;
    o->attempts = q.value(first + 8).toInt();
    o->worker = q.value(first + 9).isNull() ? -1 : q.value(first + 9).toInt();
    o->startedAtMs = q.value(first + 10).toLongLong();
    o->durationMs = q.value(first + 11).toLongLong();
    o->host = q.value(first + 12).toString();
}
} // namespace

bool RunJournal::forEachResult(qint64 runId, const std::function<void(const TaskOutcome &)> &visit, QString *error)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT task_id, %1 FROM tasks WHERE run_id=? ORDER BY task_id").arg(QLatin1String(taskColumns)));
    q.addBindValue(runId);
    if (!q.exec()) {
        *error = sqlError(q.lastError());
        return false;
    }
    while (q.next()) {
        TaskOutcome o;
        o.id = q.value(0).toLongLong();
        readOutcome(q, 1, &o);
        visit(o);
    }
    return true;
}

// A job's runs are the runs of its command: the stored command_key, so a run
// an older taskpool recorded belongs to the job whatever its job JSON says.
QList<RunInfo> RunJournal::jobRuns(qint64 runId, QString *error)
{
    QList<RunInfo> list;
    markInterruptedRuns();
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("SELECT id, started_at, finished_at, state, message, job, n_ok, n_failed, n_timeout,"
                             " n_crashed, n_stalled, n_cancelled FROM runs"
                             " WHERE command_key = (SELECT command_key FROM runs WHERE id=?) ORDER BY id"));
    q.addBindValue(runId);
    if (!q.exec()) {
        *error = sqlError(q.lastError());
        return list;
    }
    while (q.next())
        list.append(readRun(q));
    if (list.isEmpty())
        *error = QStringLiteral("no run %1 in the journal").arg(runId);
    return list;
}

// One pass over the job's task rows, grouped by task key, in SQLite: for each
// task, "first" packs (run << 32 | id) of its earliest row and "pick" the row
// that wins (finished beats cancelled, then the newest run), so only the
// winning rows are read whole. They are looked up in "pick" order, walking
// the tasks table's key in order (CROSS JOIN keeps g outside): in task-key
// order the lookups jump all over the file, 2x slower at 1M tasks. Ordered
// by "first", the rows of the run that introduced a task come together,
// which is all the id numbering needs.
bool RunJournal::forEachJobResult(qint64 runId, const std::function<void(const TaskOutcome &, qint64 fromRun)> &visit,
                                  QString *error)
{
    RunInfo anchor;
    if (!run(runId, &anchor, error))
        return false;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral(
                  "WITH g AS MATERIALIZED ("
                  "  SELECT min((run_id << 32) + task_id) AS first,"
                  "         max(((status != 'cancelled') << 62) + (run_id << 32) + task_id) AS pick,"
                  "         sum(attempts) AS attempts"
                  "  FROM tasks WHERE run_id IN"
                  "   (SELECT id FROM runs WHERE command_key = (SELECT command_key FROM runs WHERE id=?))"
                  "  GROUP BY task_key ORDER BY pick)"
                  " SELECT g.first, g.attempts, t.run_id, %1 FROM g"
                  " CROSS JOIN tasks t ON t.run_id = ((g.pick >> 32) & 1073741823) AND t.task_id = (g.pick & 4294967295)"
                  " ORDER BY g.first")
                  .arg(QStringLiteral("t.") + QString::fromLatin1(taskColumns).replace(QLatin1String(", "), QLatin1String(", t."))));
    q.addBindValue(runId);
    if (!q.exec()) {
        *error = sqlError(q.lastError());
        return false;
    }
    // A task keeps the id it had in the first run that had it. Runs renumber
    // from 0 (a resume numbers only what it runs), so the tasks a later run
    // brought in are placed after every id used before them.
    qint64 introducingRun = -1;
    qint64 offset = 0;
    qint64 lastId = -1; // the job id given last
    while (q.next()) {
        const qint64 first = q.value(0).toLongLong();
        const qint64 firstRun = first >> 32;
        if (firstRun != introducingRun) {
            if (introducingRun >= 0)
                offset = lastId + 1;
            introducingRun = firstRun;
        }
        TaskOutcome o;
        o.id = offset + (first & 0xffffffffLL);
        lastId = o.id;
        readOutcome(q, 3, &o);
        o.attempts = q.value(1).toInt();
        visit(o, q.value(2).toLongLong());
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
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.transaction()) {
        *error = sqlError(db.lastError());
        return false;
    }
    QSqlQuery q(db);
    q.prepare(QStringLiteral("DELETE FROM runs WHERE id=? AND state != 'running'"));
    q.addBindValue(runId);
    if (!q.exec()) {
        *error = sqlError(q.lastError());
        db.rollback();
        return false;
    }
    if (q.numRowsAffected() == 0) {
        *error = QStringLiteral("run %1 is not in the journal or is still running").arg(runId);
        db.rollback();
        return false;
    }
    for (const QString &table : {QStringLiteral("tasks"), QStringLiteral("attempts")}) {
        QSqlQuery rows(db);
        rows.prepare(QStringLiteral("DELETE FROM %1 WHERE run_id=?").arg(table));
        rows.addBindValue(runId);
        if (!rows.exec()) {
            *error = sqlError(rows.lastError());
            db.rollback();
            return false;
        }
    }
    if (!db.commit()) {
        *error = sqlError(db.lastError());
        db.rollback();
        return false;
    }
    return true;
}

QList<qint64> RunJournal::pruneRuns(int keepNewest, qint64 notBeforeMs, QString *error)
{
    QList<qint64> deleted;
    const QList<RunInfo> all = runs(error); // newest first; marks dead owners' runs interrupted
    if (error && !error->isEmpty())
        return deleted;
    for (qsizetype i = 0; i < all.size(); ++i) {
        const RunInfo &run = all[i];
        if (run.state == QLatin1String("running"))
            continue;
        const bool keptByCount = keepNewest >= 0 && i < keepNewest;
        const bool keptByAge = notBeforeMs > 0 && run.startedAtMs >= notBeforeMs;
        if (keptByCount || keptByAge || (keepNewest < 0 && notBeforeMs <= 0))
            continue;
        if (!deleteRun(run.id, error))
            return deleted;
        deleted.append(run.id);
    }
    return deleted;
}

bool RunJournal::compact(QString *error)
{
    return exec(QStringLiteral("VACUUM"), error);
}

// ---- The timeline's attempts --------------------------------------------------

bool RunJournal::forEachAttempt(qint64 runId, const std::function<void(const TaskOutcome &)> &visit, QString *error)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    // A retried task's final attempt has a row here too (same number as the task's
    // attempts): the tasks table already gives it, so it is left out.
    q.prepare(QStringLiteral("SELECT a.task_id, t.input, a.attempt, a.status, a.exit_code, a.error, a.worker,"
                             " a.started_at, a.duration_ms, a.host FROM attempts a"
                             " LEFT JOIN tasks t ON t.run_id = a.run_id AND t.task_id = a.task_id"
                             " WHERE a.run_id = ? AND (t.attempts IS NULL OR a.attempt < t.attempts)"
                             " ORDER BY a.started_at"));
    q.addBindValue(runId);
    if (!q.exec()) {
        *error = sqlError(q.lastError());
        return false;
    }
    while (q.next()) {
        TaskOutcome o;
        o.id = q.value(0).toLongLong();
        o.input = q.value(1).toByteArray();
        o.attempts = q.value(2).toInt();
        taskStatusFromName(q.value(3).toString(), &o.status);
        o.exitCode = q.value(4).isNull() ? -1 : q.value(4).toInt();
        o.error = QString::fromUtf8(q.value(5).toByteArray());
        o.worker = q.value(6).isNull() ? -1 : q.value(6).toInt();
        o.startedAtMs = q.value(7).toLongLong();
        o.durationMs = q.value(8).toLongLong();
        o.host = q.value(9).toString();
        visit(o);
    }
    return true;
}
