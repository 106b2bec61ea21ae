#include "followprinter.h"

namespace {
int keyOf(int slot, OutputStream stream)
{
    return slot * 2 + int(stream);
}
} // namespace

FollowPrinter::FollowPrinter(Sink sink)
    : m_sink(std::move(sink))
{
}

void FollowPrinter::add(int slot, qint64 taskId, OutputStream stream, QByteArrayView bytes)
{
    Partial &partial = m_partials[keyOf(slot, stream)];
    QByteArray lines;
    if (partial.taskId != taskId)
        flush(slot, stream, partial, &lines); // a worker's next task: the last one's line is done
    partial.taskId = taskId;
    partial.splitter.feed(bytes, [&](QByteArrayView line, bool cut) { appendLine(&lines, slot, taskId, stream, line, cut); });
    emitLines(lines);
}

void FollowPrinter::endTask(int slot)
{
    QByteArray lines;
    for (OutputStream stream : {OutputStream::Stdout, OutputStream::Stderr}) {
        const auto it = m_partials.find(keyOf(slot, stream));
        if (it != m_partials.end())
            flush(slot, stream, *it, &lines);
    }
    emitLines(lines);
}

void FollowPrinter::finish()
{
    QByteArray lines;
    for (auto it = m_partials.begin(); it != m_partials.end(); ++it)
        flush(it.key() / 2, OutputStream(it.key() % 2), *it, &lines);
    emitLines(lines);
}

void FollowPrinter::flush(int slot, OutputStream stream, Partial &partial, QByteArray *out) const
{
    partial.splitter.finish([&](QByteArrayView line, bool cut) { appendLine(out, slot, partial.taskId, stream, line, cut); });
}

void FollowPrinter::appendLine(QByteArray *out, int slot, qint64 taskId, OutputStream stream, QByteArrayView line,
                               bool cut) const
{
    out->append('[');
    if (taskId >= 0)
        out->append(QByteArray::number(taskId));
    else
        out->append("worker ").append(QByteArray::number(slot));
    if (stream == OutputStream::Stderr)
        out->append(" err");
    out->append("] ");
    out->append(line);
    if (cut)
        out->append(" [cut]");
    out->append('\n');
}

void FollowPrinter::emitLines(QByteArray &lines)
{
    if (!lines.isEmpty())
        m_sink(lines);
}
