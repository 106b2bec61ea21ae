#include "resultstore.h"

#include <cstring>

namespace ResultStorage {

namespace {

// A record is its fields in Field order, each a length (a varint: 7 bits a
// byte, low first) and then the bytes. The input, read most, comes first.
qsizetype varintSize(quint64 value)
{
    qsizetype size = 1;
    for (; value >= 0x80; value >>= 7)
        ++size;
    return size;
}

char *putVarint(char *out, quint64 value)
{
    while (value >= 0x80) {
        *out++ = char(quint8(value) | 0x80);
        value >>= 7;
    }
    *out++ = char(value);
    return out;
}

const char *getVarint(const char *in, qsizetype *value)
{
    quint64 v = 0;
    int shift = 0;
    quint8 byte;
    do {
        byte = quint8(*in++);
        v |= quint64(byte & 0x7f) << shift;
        shift += 7;
    } while (byte & 0x80);
    *value = qsizetype(v);
    return in;
}

QByteArrayView fieldOf(const char *record, Field f)
{
    qsizetype length;
    for (int skipped = 0; skipped < f; ++skipped) {
        record = getVarint(record, &length);
        record += length;
    }
    record = getVarint(record, &length);
    return {record, length};
}

qsizetype recordSize(const char *record)
{
    const QByteArrayView last = fieldOf(record, Field(FieldCount - 1));
    return (last.data() + last.size()) - record;
}

} // namespace

QByteArrayView RowView::field(Field f) const
{
    return fieldOf(m_record, f);
}

// The row as a TaskOutcome, its bytes made by `bytes` (copied, or borrowed).
TaskOutcome RowView::outcomeWith(QByteArray (*bytes)(QByteArrayView)) const
{
    TaskOutcome o;
    o.id = id();
    o.input = bytes(input());
    o.status = status();
    o.exitCode = exitCode();
    o.output = bytes(output());
    o.errorOutput = bytes(errorOutput());
    o.result = bytes(result());
    o.error = QString::fromUtf8(errorUtf8());
    o.outputTruncated = outputTruncated();
    o.attempts = attempts();
    o.worker = worker();
    o.host = host();
    o.startedAtMs = startedAtMs();
    o.durationMs = durationMs();
    return o;
}

TaskOutcome RowView::toOutcome() const
{
    return outcomeWith([](QByteArrayView b) { return b.toByteArray(); });
}

TaskOutcome RowView::borrowOutcome() const
{
    return outcomeWith([](QByteArrayView b) { return QByteArray::fromRawData(b.data(), b.size()); });
}

RowView Snapshot::row(qsizetype row) const
{
    Q_ASSERT(row >= 0 && row < m_size);
    const Row &r = m_chunks.at(row / Store::ChunkRows).at(row % Store::ChunkRows);
    return RowView(&r, m_blocks[r.block].get() + r.offset, &m_hosts.at(r.host));
}

RowView Store::row(qsizetype row) const
{
    Q_ASSERT(row >= 0 && row < m_size);
    const Row &r = m_chunks.at(row / ChunkRows).at(row % ChunkRows);
    return RowView(&r, m_blocks[r.block].get() + r.offset, &m_hosts.at(r.host));
}

Snapshot Store::snapshot() const
{
    Snapshot s;
    s.m_chunks = m_chunks;
    s.m_blocks.assign(m_blocks.cbegin(), m_blocks.cend());
    s.m_hosts = m_hosts;
    s.m_size = m_size;
    return s;
}

void Store::append(const TaskOutcome &outcome)
{
    if (m_chunks.isEmpty() || m_chunks.constLast().size() == ChunkRows) {
        m_chunks.append(Chunk());
        m_chunks.last().reserve(ChunkRows);
    }
    Chunk &chunk = m_chunks.last();
    chunk.append(Row());
    write(chunk.last(), outcome);
    ++m_size;
}

void Store::replace(qsizetype row, const TaskOutcome &outcome)
{
    Q_ASSERT(row >= 0 && row < m_size);
    Row &r = m_chunks[row / ChunkRows][row % ChunkRows];
    // The old bytes stay where they are: a snapshot may be reading them.
    m_supersededBytes += recordSize(m_blocks[r.block].get() + r.offset);
    write(r, outcome);
}

void Store::clear()
{
    m_chunks.clear();
    m_blocks.clear();
    m_size = 0;
    m_blockBytes = 0;
    m_openBlock = -1;
    m_openUsed = 0;
    m_hosts = QStringList{QString()};
    m_hostIndex = {{QString(), 0}};
    m_supersededBytes = 0;
}

void Store::write(Row &row, const TaskOutcome &o)
{
    const QByteArray error = o.error.toUtf8();
    const QByteArrayView fields[FieldCount] = {o.input, o.output, o.errorOutput, o.result, error};
    qsizetype size = 0;
    for (const QByteArrayView &field : fields)
        size += varintSize(quint64(field.size())) + field.size();
    char *out = reserve(size, &row.block, &row.offset);
    for (const QByteArrayView &field : fields) {
        out = putVarint(out, quint64(field.size()));
        if (!field.isEmpty())
            std::memcpy(out, field.data(), size_t(field.size()));
        out += field.size();
    }

    row.id = o.id;
    row.startedAtMs = o.startedAtMs;
    row.durationMs = o.durationMs;
    row.exitCode = o.exitCode;
    row.worker = o.worker;
    row.host = hostIndex(o.host);
    row.attempts = quint16(qBound(0, o.attempts, 0xffff));
    row.status = o.status;
    row.outputTruncated = o.outputTruncated;
}

// Room for a record: in the open block if it fits, else a new one. A large
// record (outputs may be megabytes) gets a block of its own, exactly its
// size, so it neither wastes the rest of a block nor closes the open one.
char *Store::reserve(qsizetype bytes, quint32 *block, quint32 *offset)
{
    if (bytes > LargeRecord) {
        m_blocks.emplace_back(new char[size_t(bytes)]);
        m_blockBytes += bytes;
        *block = quint32(m_blocks.size() - 1);
        *offset = 0;
        return m_blocks.back().get();
    }
    if (m_openBlock < 0 || m_openUsed + bytes > BlockBytes) {
        m_blocks.emplace_back(new char[size_t(BlockBytes)]);
        m_blockBytes += BlockBytes;
        m_openBlock = int(m_blocks.size() - 1);
        m_openUsed = 0;
    }
    *block = quint32(m_openBlock);
    *offset = quint32(m_openUsed);
    char *out = m_blocks[size_t(m_openBlock)].get() + m_openUsed;
    m_openUsed += bytes;
    return out;
}

quint32 Store::hostIndex(const QString &host)
{
    const auto it = m_hostIndex.constFind(host);
    if (it != m_hostIndex.cend())
        return it.value();
    const quint32 index = quint32(m_hosts.size());
    m_hosts.append(host);
    m_hostIndex.insert(host, index);
    return index;
}

} // namespace ResultStorage
