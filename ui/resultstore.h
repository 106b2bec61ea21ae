#pragma once

#include "task.h"

#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

// The results table's storage, kept compact because a run may end a million
// tasks: a TaskOutcome per row cost ~360 bytes (six string heads, each its
// own allocation); this costs a 48-byte row plus the row's own bytes
// (bench_results_memory: 146 B/result for a per-task run, 116 B in worker mode).
//
// Each row is fixed-size (numbers, status, an index into a table of host
// names, where its bytes are); its bytes (input, output, stderr, result,
// error) lie one after the other in large blocks, each behind its length.
// Blocks are only ever appended to, and bytes once written never change:
// a retry writes its bytes anew and points the row at them. So a snapshot
// (the rows, copy-on-write, and the blocks, shared) can be read on another
// thread while rows keep arriving. A retry's old bytes stay until clear().
//
// All bytes stay in memory rather than being reloaded from the journal: a
// run the window watches may journal on another host, or not at all, and
// the detail pane and the export must show everything.

namespace ResultStorage {

// One stored row, as laid out in memory.
struct Row
{
    qint64 id;
    qint64 startedAtMs;
    qint64 durationMs;
    quint32 block;   // where its bytes are
    quint32 offset;
    qint32 exitCode;
    qint32 worker;
    quint32 host;    // index into the host names
    quint16 attempts; // saturates: no task is tried 65535 times
    TaskStatus status;
    bool outputTruncated;
};
static_assert(sizeof(Row) == 48, "a result row stays 48 bytes");

enum Field { Input, Output, ErrorOutput, Result, Error, FieldCount };

using Block = std::shared_ptr<const char[]>;
using Chunk = QList<Row>;

// A stored outcome read in place: no copies, valid while its store (or the
// snapshot it came from) is unchanged. Cheap to make: a field's bytes are
// found only when asked for.
class RowView
{
public:
    RowView(const Row *row, const char *record, const QString *host)
        : m_row(row), m_record(record), m_host(host) {}

    qint64 id() const { return m_row->id; }
    TaskStatus status() const { return m_row->status; }
    int exitCode() const { return m_row->exitCode; }
    int attempts() const { return m_row->attempts; }
    int worker() const { return m_row->worker; }
    const QString &host() const { return *m_host; }
    qint64 startedAtMs() const { return m_row->startedAtMs; }
    qint64 durationMs() const { return m_row->durationMs; }
    bool outputTruncated() const { return m_row->outputTruncated; }

    QByteArrayView input() const { return field(Input); }
    QByteArrayView output() const { return field(Output); }
    QByteArrayView errorOutput() const { return field(ErrorOutput); }
    QByteArrayView result() const { return field(Result); }
    QByteArrayView errorUtf8() const { return field(Error); }

    TaskOutcome toOutcome() const; // a copy that owns its bytes
    // An outcome whose byte arrays point into the storage, without copying:
    // only for reading while the snapshot it came from is alive (the export).
    TaskOutcome borrowOutcome() const;

private:
    QByteArrayView field(Field f) const;
    TaskOutcome outcomeWith(QByteArray (*bytes)(QByteArrayView)) const;

    const Row *m_row;
    const char *m_record;
    const QString *m_host;
};

// The rows as they were when taken, safe to read on another thread.
class Snapshot
{
public:
    qsizetype size() const { return m_size; }
    RowView row(qsizetype row) const;

private:
    friend class Store;
    QList<Chunk> m_chunks;
    std::vector<Block> m_blocks;
    QStringList m_hosts;
    qsizetype m_size = 0;
};

class Store
{
public:
    static constexpr qsizetype ChunkRows = 4096;          // rows per chunk: 192 KiB
    static constexpr qsizetype BlockBytes = 4 << 20;       // bytes per shared block
    static constexpr qsizetype LargeRecord = BlockBytes / 4; // gets a block of its own

    qsizetype size() const { return m_size; }
    void append(const TaskOutcome &outcome);
    // Replaces what the row holds with this outcome, all of it, id included.
    void replace(qsizetype row, const TaskOutcome &outcome);
    void clear();

    RowView row(qsizetype row) const;
    Snapshot snapshot() const;

    // What the store holds, for the benchmark and the tests.
    qint64 blockBytes() const { return m_blockBytes; }
    qint64 supersededBytes() const { return m_supersededBytes; } // replaced rows' old bytes

private:
    void write(Row &row, const TaskOutcome &outcome); // the row's fields and a new record
    char *reserve(qsizetype bytes, quint32 *block, quint32 *offset);
    quint32 hostIndex(const QString &host);

    QList<Chunk> m_chunks;
    std::vector<std::shared_ptr<char[]>> m_blocks; // written here, read only through Block
    qsizetype m_size = 0;
    qint64 m_blockBytes = 0;
    int m_openBlock = -1;       // the block small records go to
    qsizetype m_openUsed = 0;   // bytes written in it
    QStringList m_hosts{QString()};
    QHash<QString, quint32> m_hostIndex{{QString(), 0}};
    qint64 m_supersededBytes = 0;
};

} // namespace ResultStorage
