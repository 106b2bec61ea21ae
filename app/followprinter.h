#pragma once

#include "linesplitter.h"
#include "outputstream.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>

#include <functional>

// `taskpool run --follow`: every task's output as it is written, a whole line
// at a time, each line prefixed by the id of the task that wrote it (the id
// of its result):
//     [17] a line task 17 wrote on stdout
//     [17 err] a line it wrote on stderr
//     [worker 2] a long-lived worker's line while it had no task (start-up)
// Lines are kept per slot and stream until their end comes, so the lines of
// two tasks never mix mid-line; a task's unterminated last line is printed
// when its attempt ends. A line longer than MaxLineLength is cut there and
// marked " [cut]".
class FollowPrinter
{
public:
    static constexpr qsizetype MaxLineLength = 64 * 1024;
    // Gets whole lines only, each ending in '\n', one call per chunk read.
    using Sink = std::function<void(const QByteArray &lines)>;

    explicit FollowPrinter(Sink sink);

    void add(int slot, qint64 taskId, OutputStream stream, QByteArrayView bytes);
    void endTask(int slot); // the slot's attempt ended: its unterminated lines go out
    void finish();          // the run ended: every unterminated line goes out

private:
    // One slot's stream: the line it is in the middle of, and whose it is.
    struct Partial
    {
        LineSplitter splitter{MaxLineLength};
        qint64 taskId = -1;
    };

    void flush(int slot, OutputStream stream, Partial &partial, QByteArray *out) const;
    void appendLine(QByteArray *out, int slot, qint64 taskId, OutputStream stream, QByteArrayView line, bool cut) const;
    void emitLines(QByteArray &lines);

    Sink m_sink;
    QHash<int, Partial> m_partials; // key: slot * 2 + stream
};
