// Micro-benchmarks of taskpool's per-task hot paths, so regressions show as numbers.
//
//   build/tests/bench/taskpool_microbench                      every benchmark
//   build/tests/bench/taskpool_microbench --benchmark_filter=Protocol
//
// OutputTail_Append is one read of a task's output into a slot's live tail.
// Time is per operation (one line, one task, one result) unless the name says
// otherwise; LineSplitter_Feed reports the time per line in its "per_line" column.
// RunJournal_RecordCommit is the per-task cost of the SQLite journal `taskpool run`
// keeps by default (recordResult + a share of commit).
// The Reference/* rows are not taskpool code: they show what a small append
// costs through QByteArray::append (Qt 6.4 routes it through insert()) next to
// a plain reserve-and-memcpy, which is the main finding of the profile of the
// long-lived worker mode (see README "Speed").

#include "clock.h"
#include "inputsource.h"
#include "jobspec.h"
#include "json.h"
#include "linesplitter.h"
#include "outputtail.h"
#include "protocol.h"
#include "resultwriter.h"
#include "runjournal.h"
#include "task.h"
#include "taskqueue.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QDateTime>
#include <QString>
#include <QTemporaryDir>

#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

namespace {

// ---------------------------------------------------------------- LineSplitter

// Worker answers as they arrive from a pipe: 64 KiB of result lines, read in
// chunks of the given size (lines straddle chunk boundaries).
QByteArray answerStream(qsizetype bytes, qsizetype *lines)
{
    QByteArray data;
    *lines = 0;
    for (qint64 id = 100000; data.size() < bytes; ++id) {
        data.append("{\"id\":");
        data.append(QByteArray::number(id));
        data.append(",\"result\":\"");
        data.append(QByteArray::number(id));
        data.append("\"}\n");
        ++*lines;
    }
    return data;
}

void LineSplitter_Feed(benchmark::State &state)
{
    qsizetype lines = 0;
    const QByteArray data = answerStream(64 * 1024, &lines);
    const qsizetype chunk = state.range(0);
    LineSplitter splitter;
    qsizetype seen = 0;
    for (auto _ : state) {
        for (qsizetype at = 0; at < data.size(); at += chunk) {
            splitter.feed(QByteArrayView(data).sliced(at, qMin(chunk, data.size() - at)),
                          [&](QByteArrayView line, bool) {
                              benchmark::DoNotOptimize(line.data());
                              ++seen;
                          });
        }
    }
    benchmark::DoNotOptimize(seen);
    // Time per line, printed in seconds with an SI prefix: 9.5n = 9.5 ns.
    state.counters["per_line"] = benchmark::Counter(double(lines),
                                                    benchmark::Counter::kIsIterationInvariantRate
                                                        | benchmark::Counter::kInvert);
    state.SetBytesProcessed(int64_t(state.iterations()) * data.size());
}
BENCHMARK(LineSplitter_Feed)->Arg(512)->Arg(4096)->Arg(65536);

// One very long line in small pieces: the partial-line path.
void LineSplitter_LongLine(benchmark::State &state)
{
    const QByteArray piece(4096, 'x');
    LineSplitter splitter(1 << 20);
    for (auto _ : state) {
        for (int i = 0; i < 64; ++i)
            splitter.feed(piece, [](QByteArrayView line, bool) { benchmark::DoNotOptimize(line.data()); });
        splitter.feed("\n", [](QByteArrayView line, bool) { benchmark::DoNotOptimize(line.data()); });
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * 64 * piece.size());
}
BENCHMARK(LineSplitter_LongLine);

// ---------------------------------------------------------------- OutputTail

// A task's output flooding one slot's live tail (the app and the monitor keep
// one per slot): 40-byte lines in reads of the given size, far more than the
// 64 KiB kept, so every append drops lines. Bytes per second of output.
void OutputTail_Append(benchmark::State &state)
{
    QByteArray chunk;
    while (chunk.size() < state.range(0))
        chunk.append("frame 1234/9999: 3988 blocks, ratio 0.68\n");
    chunk.truncate(state.range(0));
    OutputTail tail;
    for (auto _ : state)
        tail.append(17, OutputStream::Stdout, chunk);
    benchmark::DoNotOptimize(tail.size());
    state.SetBytesProcessed(int64_t(state.iterations()) * chunk.size());
}
BENCHMARK(OutputTail_Append)->Arg(512)->Arg(4096)->Arg(65536);

// ---------------------------------------------------------------- Protocol

// As WorkerSlot::assign does it today: the buffer is clear()ed (which frees it) per task.
void Protocol_AppendTaskLine_AfterClear(benchmark::State &state)
{
    QByteArray out;
    const QByteArray input("123456");
    qint64 id = 123456;
    for (auto _ : state) {
        out.clear();
        Protocol::appendTaskLine(out, id++, input);
        benchmark::DoNotOptimize(out.constData());
    }
}
BENCHMARK(Protocol_AppendTaskLine_AfterClear);

// Appending to a buffer that keeps its capacity (many tasks per write).
void Protocol_AppendTaskLine(benchmark::State &state)
{
    QByteArray out;
    out.reserve(1 << 16);
    const QByteArray input = state.range(0) == 0 ? QByteArray("123456") : QByteArray("/data/run-42/frames/frame-000123.exr");
    qint64 id = 123456;
    for (auto _ : state) {
        if (out.size() > 60000)
            out.resize(0);
        Protocol::appendTaskLine(out, id++, input);
    }
    benchmark::DoNotOptimize(out.constData());
}
BENCHMARK(Protocol_AppendTaskLine)->ArgName("path")->Arg(0)->Arg(1);

void Protocol_ParseWorkerLine(benchmark::State &state, const char *text)
{
    const QByteArray line(text);
    Protocol::WorkerMessage message;
    QString problem;
    if (!Protocol::parseWorkerLine(line, &message, &problem)) {
        state.SkipWithError("the benchmark's line does not parse");
        return;
    }
    for (auto _ : state) {
        const bool ok = Protocol::parseWorkerLine(line, &message, &problem);
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(message.id);
    }
}
BENCHMARK_CAPTURE(Protocol_ParseWorkerLine, result_string, R"({"id":123456,"result":"123456"})");
BENCHMARK_CAPTURE(Protocol_ParseWorkerLine, result_number, R"({"id": 123456, "result": 123457})");
BENCHMARK_CAPTURE(Protocol_ParseWorkerLine, result_object,
                  R"({"id": 17, "result": {"input": "frame-0001.exr", "square": 289, "ms": [1, 2.5, null]}})");
BENCHMARK_CAPTURE(Protocol_ParseWorkerLine, progress, R"({"id": 17, "progress": 0.4, "message": "step 2 of 5"})");
BENCHMARK_CAPTURE(Protocol_ParseWorkerLine, error, R"({"id": 17, "error": "no such file: \"a.txt\""})");

// ---------------------------------------------------------------- Json

void Json_AppendString(benchmark::State &state, const char *text)
{
    const QByteArray value(text);
    QByteArray out;
    out.reserve(1 << 16);
    for (auto _ : state) {
        if (out.size() > 60000)
            out.resize(0);
        Json::appendString(out, value);
    }
    benchmark::DoNotOptimize(out.constData());
    state.SetBytesProcessed(int64_t(state.iterations()) * value.size());
}
BENCHMARK_CAPTURE(Json_AppendString, short, "123456");
BENCHMARK_CAPTURE(Json_AppendString, path, "/home/user/data/run-42/frames/frame-000123.exr --scale 0.5");
BENCHMARK_CAPTURE(Json_AppendString, escapes, "line 1\n\t\"quoted\" \\ back\\slash \xC3\xA9t\xC3\xA9 \xE2\x82\xAC 100");

void Json_AppendNumber(benchmark::State &state)
{
    QByteArray out;
    out.reserve(1 << 16);
    qint64 n = 1234567;
    for (auto _ : state) {
        if (out.size() > 60000)
            out.resize(0);
        Json::appendNumber(out, n++);
    }
    benchmark::DoNotOptimize(out.constData());
}
BENCHMARK(Json_AppendNumber);

// ---------------------------------------------------------------- ResultWriter

void ResultWriter_AppendJson(benchmark::State &state)
{
    const bool perTask = state.range(0) == 1;
    TaskOutcome o;
    o.id = 123456;
    o.input = "123456";
    o.status = TaskStatus::Ok;
    o.attempts = 1;
    o.worker = 1;
    o.durationMs = 3;
    if (perTask) {
        o.exitCode = 0;
        o.output = "converted frame-000123.exr in 0.42 s\n";
    } else {
        o.result = "\"123456\"";
    }
    const JobSpec::Mode mode = perTask ? JobSpec::Mode::PerTask : JobSpec::Mode::Worker;
    QByteArray out;
    out.reserve(1 << 17);
    for (auto _ : state) {
        if (out.size() > 120000)
            out.resize(0);
        ResultWriter::appendJson(out, o, mode);
    }
    benchmark::DoNotOptimize(out.constData());
}
BENCHMARK(ResultWriter_AppendJson)->ArgName("pertask")->Arg(0)->Arg(1);

// ---------------------------------------------------------------- RunJournal

// What `taskpool run` does for every result since the journal is on by default:
// recordResult() per task, commit() once per batch (ResultWriter flushes about
// every 2000 results of this size). Time is per task, commit included; the
// journal starts empty, as in a fresh ~/.local/share/taskpool.
void RunJournal_RecordCommit(benchmark::State &state)
{
    QTemporaryDir dir;
    RunJournal journal;
    QString error;
    JobSpec spec;
    spec.mode = JobSpec::Mode::Worker;
    spec.command = QStringList{QStringLiteral("/usr/bin/worker"), QStringLiteral("--fast")};
    if (!journal.open(dir.filePath(QStringLiteral("journal.sqlite")), &error) || journal.beginRun(spec, &error) < 0) {
        state.SkipWithError(qPrintable(error));
        return;
    }
    const qint64 batch = state.range(0);
    TaskOutcome o;
    o.status = TaskStatus::Ok;
    o.attempts = 1;
    o.worker = 1;
    o.durationMs = 3;
    o.startedAtMs = 1764000000000;
    qint64 id = 0;
    for (auto _ : state) {
        o.id = id;
        o.input = QByteArray::number(id);
        o.result = o.input;
        journal.recordResult(o);
        if (++id % batch == 0 && !journal.commit(&error)) {
            state.SkipWithError(qPrintable(error));
            return;
        }
    }
    journal.commit(&error);
}
BENCHMARK(RunJournal_RecordCommit)->ArgName("batch")->Arg(4096)->Iterations(200000);

// ---------------------------------------------------------------- TaskQueue

void TaskQueue_TakeRange(benchmark::State &state)
{
    RangeInput input(qint64(1) << 50);
    TaskQueue queue(&input);
    Task task;
    for (auto _ : state) {
        queue.take(&task);
        benchmark::DoNotOptimize(task.input.constData());
        task = Task(); // as TaskPool::fill does after handing the task over
    }
}
BENCHMARK(TaskQueue_TakeRange);

// A failed task goes back to the retry line and is taken again.
void TaskQueue_RequeueTake(benchmark::State &state)
{
    RangeInput input(qint64(1) << 50);
    TaskQueue queue(&input);
    Task task;
    queue.take(&task);
    for (auto _ : state) {
        queue.requeue(std::move(task));
        queue.take(&task);
        benchmark::DoNotOptimize(task.id);
    }
}
BENCHMARK(TaskQueue_RequeueTake);

// ---------------------------------------------------------------- clocks (4 reads per task today)

void Clock_MonotonicMs(benchmark::State &state)
{
    for (auto _ : state)
        benchmark::DoNotOptimize(monotonicMs());
}
BENCHMARK(Clock_MonotonicMs);

void Clock_CurrentMSecsSinceEpoch(benchmark::State &state)
{
    for (auto _ : state)
        benchmark::DoNotOptimize(QDateTime::currentMSecsSinceEpoch());
}
BENCHMARK(Clock_CurrentMSecsSinceEpoch);

// ---------------------------------------------------------------- Reference: what one small append costs

void Reference_QByteArrayAppend8(benchmark::State &state)
{
    QByteArray out;
    out.reserve(1 << 16);
    for (auto _ : state) {
        if (out.size() > 60000)
            out.resize(0);
        out.append(",\"id\":\"", 7);
        out.append('x');
    }
    benchmark::DoNotOptimize(out.constData());
}
BENCHMARK(Reference_QByteArrayAppend8);

void Reference_ReserveMemcpy8(benchmark::State &state)
{
    QByteArray out;
    out.reserve(1 << 16);
    char *base = out.data();
    qsizetype size = 0;
    for (auto _ : state) {
        if (size > 60000)
            size = 0;
        std::memcpy(base + size, ",\"id\":\"", 7);
        base[size + 7] = 'x';
        size += 8;
        benchmark::ClobberMemory();
    }
    out.resize(size);
    benchmark::DoNotOptimize(out.constData());
}
BENCHMARK(Reference_ReserveMemcpy8);

void Reference_StdStringAppend8(benchmark::State &state)
{
    std::string out;
    out.reserve(1 << 16);
    for (auto _ : state) {
        if (out.size() > 60000)
            out.clear();
        out.append(",\"id\":\"", 7);
        out.push_back('x');
    }
    benchmark::DoNotOptimize(out.data());
}
BENCHMARK(Reference_StdStringAppend8);

} // namespace

int main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    QCoreApplication app(argc, argv); // QtSql loads its SQLite driver as a plugin
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
