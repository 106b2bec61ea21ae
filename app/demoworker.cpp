#include "demoworker.h"

#include "json.h"
#include "linesplitter.h"

#include <QByteArray>

#include <cerrno>
#include <cmath>
#include <thread>
#include <unistd.h>

namespace {

bool writeAll(const QByteArray &data)
{
    const char *p = data.constData();
    qsizetype left = data.size();
    while (left > 0) {
        const ssize_t n = ::write(STDOUT_FILENO, p, size_t(left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        left -= n;
    }
    return true;
}

struct TaskLine
{
    qint64 id = -1;
    QByteArrayView rawInput; // JSON text of the input, quotes included
    QByteArray input;
};

bool parseTask(QByteArrayView line, TaskLine *task, bool decodeInput)
{
    Json::Reader reader(line);
    if (!reader.consume('{'))
        return false;
    QByteArray key;
    if (reader.consume('}'))
        return false;
    for (;;) {
        if (!reader.readString(&key) || !reader.consume(':'))
            return false;
        if (key == "id") {
            if (!reader.readInteger(&task->id))
                return false;
        } else if (key == "input") {
            if (!reader.skipValue(&task->rawInput))
                return false;
            if (decodeInput) {
                Json::Reader inputReader(task->rawInput);
                if (!inputReader.readString(&task->input))
                    return false;
            }
        } else if (!reader.skipValue()) {
            return false;
        }
        if (reader.consume('}'))
            return task->id >= 0;
        if (!reader.consume(','))
            return false;
    }
}

void runSlowTask(const TaskLine &task)
{
    // Length varies with the input, so the demo shows uneven, overlapping work.
    const uint h = qHash(task.input, 7);
    const int durationMs = 300 + int(h % 2700);
    const int steps = qMax(3, durationMs / 150);
    QByteArray out;
    for (int i = 1; i <= steps; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(durationMs / steps));
        if (i == steps)
            break;
        out.clear();
        out.append("{\"id\":");
        Json::appendNumber(out, task.id);
        out.append(",\"progress\":");
        out.append(QByteArray::number(double(i) / steps, 'f', 3));
        out.append(",\"message\":\"step ");
        Json::appendNumber(out, i);
        out.append(" of ");
        Json::appendNumber(out, steps);
        out.append("\"}\n");
        writeAll(out);
    }
    out.clear();
    bool isNumber = false;
    const qint64 n = task.input.toLongLong(&isNumber);
    out.append("{\"id\":");
    Json::appendNumber(out, task.id);
    if (isNumber && n % 13 == 7) {
        out.append(",\"error\":\"demo: inputs like ");
        Json::appendNumber(out, n);
        out.append(" are unlucky\"}\n");
    } else {
        out.append(",\"result\":{\"input\":");
        Json::appendString(out, task.input);
        if (isNumber) {
            out.append(",\"square\":");
            Json::appendNumber(out, n * n);
        }
        out.append(",\"ms\":");
        Json::appendNumber(out, durationMs);
        out.append("}}\n");
    }
    writeAll(out);
}

} // namespace

int demoWorkerMain(const QStringList &arguments)
{
    const bool fast = arguments.contains(QLatin1String("--fast"));
    LineSplitter splitter(16 << 20);
    QByteArray out;
    char buf[1 << 16];
    bool ok = true;
    auto onLine = [&](QByteArrayView line, bool truncated) {
        TaskLine task;
        if (truncated || !parseTask(line, &task, !fast)) {
            // A note on stderr; if even that cannot be written, there is no one to tell.
            [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, "demo-worker: ignoring a line that is not a task\n", 48);
            return;
        }
        if (fast) {
            out.append("{\"id\":");
            Json::appendNumber(out, task.id);
            out.append(",\"result\":");
            out.append(task.rawInput);
            out.append("}\n");
        } else {
            runSlowTask(task);
        }
    };
    for (;;) {
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        splitter.feed(QByteArrayView(buf, n), onLine);
        if (!out.isEmpty()) {
            ok = writeAll(out);
            out.clear();
            if (!ok)
                break;
        }
    }
    splitter.finish(onLine);
    if (!out.isEmpty())
        ok = writeAll(out) && ok;
    return ok ? 0 : 1; // stdin closed: the pool is done with us
}
