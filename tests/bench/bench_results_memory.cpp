// Benchmark: what a million results cost in the app's results table. It fills
// a ResultTableModel the way a live run does (one append per finished task,
// a flush per 100 ms batch) with realistic outcomes, then prints the bytes
// each result holds (malloc'd bytes from mallinfo2 and the RSS delta), the
// time to fill, what the window's sorting proxy adds, and the time of the
// sweeps a user triggers on a full table: reading every row's outcome (the
// copy the detail pane and a retry take), sorting by input, and exporting to
// JSON Lines.
//
// --mode sweep: a worker-mode parameter sweep (lr x bs x seed tuples, NUL-
// joined) with its parameter columns: bytes per result, sorting by a
// parameter, filtering by lr=…, and the "By parameter" chart's data.
//
//   bench_results_memory [--tasks N] [--batch N] [--mode per-task|worker|both|sweep]

#include "resultexporter.h"
#include "resultfilterproxy.h"
#include "resulttablemodel.h"
#include "sweep.h"
#include "sweepchartdata.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <malloc.h>
#include <unistd.h>

#include <cstdio>

namespace {

struct Memory
{
    qint64 mallocBytes = 0;
    qint64 rssBytes = 0;
};

Memory measure()
{
    malloc_trim(0); // return freed pages, so RSS counts what is held
    const struct mallinfo2 info = mallinfo2();
    Memory m;
    m.mallocBytes = qint64(info.uordblks + info.hblkhd);
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (statm.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> fields = statm.readAll().split(' ');
        if (fields.size() > 1)
            m.rssBytes = fields.at(1).toLongLong() * sysconf(_SC_PAGESIZE);
    }
    return m;
}

// What a per-task command over a tree of files reports: a path in, a line
// or two out; one task in 500 fails with a message on stderr.
TaskOutcome perTaskOutcome(qint64 id, const QString &host)
{
    TaskOutcome o;
    o.id = id;
    const QByteArray n = QByteArray::number(id);
    o.input = "/data/survey-2026/batch-" + QByteArray::number(id / 1000) + "/img-" + n + ".png";
    o.attempts = 1;
    o.worker = int(id % 8);
    o.host = host;
    o.startedAtMs = 1780000000000 + id * 3;
    o.durationMs = 40 + id % 200;
    if (id % 500 == 7) {
        o.status = TaskStatus::Failed;
        o.exitCode = 1;
        o.error = QStringLiteral("exit code 1");
        o.errorOutput = "convert: improper image header `img-" + n + ".png' @ error/png.c/ReadPNGImage/4021.\n";
    } else {
        o.status = TaskStatus::Ok;
        o.exitCode = 0;
        o.output = "img-" + n + ".png: 1920x1080, 2.4 MB -> 310 KB\n";
        if (id % 10 == 0)
            o.output += "warning: colour profile stripped\n";
    }
    return o;
}

// What a long-lived worker returns: a small JSON value; one in 500 fails.
TaskOutcome workerOutcome(qint64 id, const QString &host)
{
    TaskOutcome o;
    o.id = id;
    o.input = "sample-" + QByteArray::number(id) + ".json";
    o.attempts = 1;
    o.worker = int(id % 8);
    o.host = host;
    o.startedAtMs = 1780000000000 + id;
    o.durationMs = 2 + id % 20;
    if (id % 500 == 7) {
        o.status = TaskStatus::Failed;
        o.error = QStringLiteral("worker error: ValueError: sample %1 has no rows").arg(id);
    } else {
        o.status = TaskStatus::Ok;
        o.result = "{\"id\":" + QByteArray::number(id) + ",\"score\":0." + QByteArray::number(id % 9973)
            + ",\"label\":\"cat\"}";
    }
    return o;
}

void run(const char *name, JobSpec::Mode mode, qint64 tasks, int batch)
{
    const QString host = QStringLiteral("localhost"); // shared, as a slot hands it out
    const Memory before = measure();
    QElapsedTimer timer;
    timer.start();
    auto *model = new ResultTableModel;
    model->setMode(mode);
    for (qint64 id = 0; id < tasks; ++id) {
        model->append(mode == JobSpec::Mode::Worker ? workerOutcome(id, host) : perTaskOutcome(id, host));
        if ((id + 1) % batch == 0)
            model->flush(); // what the 100 ms batch timer does during a run
    }
    model->flush();
    const qint64 fillMs = timer.elapsed();
    const Memory after = measure();
    const double perMalloc = double(after.mallocBytes - before.mallocBytes) / double(tasks);
    const double perRss = double(after.rssBytes - before.rssBytes) / double(tasks);

    timer.restart();
    qint64 bytes = 0;
    for (int row = 0; row < model->rowCount(); ++row)
        bytes += model->outcome(row).input.size();
    const qint64 readMs = timer.elapsed();

    // The window always shows the table through the sorting filter proxy,
    // which keeps its own per-row mapping: measured apart from the model.
    qint64 sortMs = 0;
    double perProxy = 0;
    {
        ResultFilterProxy proxy(model);
        timer.restart();
        proxy.sort(ResultTableModel::InputColumn, Qt::AscendingOrder);
        sortMs = timer.elapsed();
        perProxy = double(measure().mallocBytes - after.mallocBytes) / double(tasks);
    }

    QTemporaryDir dir;
    QString error;
    timer.restart();
    const bool exported = ResultExporter::write(model->snapshot(), mode, dir.filePath(QStringLiteral("r.jsonl")),
                                                ResultExporter::Format::JsonLines, &error);
    const qint64 exportMs = timer.elapsed();

    std::printf("%-9s %8lld results: %6.1f B/result malloc'd, %6.1f B/result RSS (%.0f / %.0f MB); "
                "+ %.1f B/result for the sorted proxy; "
                "fill %lld ms; read all %lld ms; sort by input %lld ms; export %lld ms%s\n",
                name, static_cast<long long>(tasks), perMalloc, perRss,
                double(after.mallocBytes - before.mallocBytes) / 1e6, double(after.rssBytes - before.rssBytes) / 1e6,
                perProxy,
                static_cast<long long>(fillMs), static_cast<long long>(readMs), static_cast<long long>(sortMs),
                static_cast<long long>(exportMs), exported ? "" : " (export failed)");
    std::fflush(stdout);
    delete model;
    if (bytes == 0)
        std::printf("(no input bytes read)\n");
}

// A sweep over lr (10 values) x bs (10) x seed (the rest): the tuple as the
// input, the loss and accuracy as the result.
TaskOutcome sweepOutcome(qint64 id, const QString &host)
{
    static const QByteArray lrs[] = {"0.1", "0.05", "0.03", "0.01", "0.005", "0.003", "0.001", "0.0005", "0.0003", "0.0001"};
    TaskOutcome o;
    o.id = id;
    o.input = Sweep::joinTuple({lrs[id % 10], QByteArray::number(16 << ((id / 10) % 10)), QByteArray::number(id / 100)});
    o.attempts = 1;
    o.worker = int(id % 8);
    o.host = host;
    o.startedAtMs = 1780000000000 + id;
    o.durationMs = 2 + id % 20;
    o.status = TaskStatus::Ok;
    o.result = "{\"loss\":0." + QByteArray::number(id % 9973) + ",\"acc\":0." + QByteArray::number(id % 97) + "}";
    return o;
}

void runSweep(qint64 tasks, int batch)
{
    const QString host = QStringLiteral("localhost");
    const Memory before = measure();
    QElapsedTimer timer;
    timer.start();
    auto *model = new ResultTableModel;
    model->setMode(JobSpec::Mode::Worker);
    model->setParameters({SweepParameter{QStringLiteral("lr"), {}, false}, SweepParameter{QStringLiteral("bs"), {}, false},
                          SweepParameter{QStringLiteral("seed"), {}, false}});
    for (qint64 id = 0; id < tasks; ++id) {
        model->append(sweepOutcome(id, host));
        if ((id + 1) % batch == 0)
            model->flush();
    }
    model->flush();
    const qint64 fillMs = timer.elapsed();
    const Memory after = measure();
    const double perMalloc = double(after.mallocBytes - before.mallocBytes) / double(tasks);

    qint64 sortMs = 0, filterMs = 0;
    int kept = 0;
    {
        ResultFilterProxy proxy(model);
        timer.restart();
        proxy.sort(model->parameterColumn(0), Qt::AscendingOrder);
        sortMs = timer.elapsed();
        timer.restart();
        proxy.setSearchText(QStringLiteral("lr=0.01"));
        kept = proxy.rowCount();
        filterMs = timer.elapsed();
    }
    const Memory beforeChart = measure();
    timer.restart();
    auto *chart = new SweepChartData(model);
    chart->catchUp();
    const qint64 chartMs = timer.elapsed();
    const double perChart = double(measure().mallocBytes - beforeChart.mallocBytes) / double(tasks);
    std::printf("sweep     %8lld results: %6.1f B/result malloc'd (%.0f MB); fill %lld ms; "
                "sort by lr %lld ms; filter lr=0.01 %lld ms (%d rows); chart %d cells in %lld ms, + %.1f B/result\n",
                static_cast<long long>(tasks), perMalloc, double(after.mallocBytes - before.mallocBytes) / 1e6,
                static_cast<long long>(fillMs), static_cast<long long>(sortMs), static_cast<long long>(filterMs), kept,
                chart->filledCells(), static_cast<long long>(chartMs), perChart);
    std::fflush(stdout);
    delete chart;
    delete model;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption tasksOption(QStringLiteral("tasks"), QStringLiteral("Results to hold"), QStringLiteral("N"),
                                         QStringLiteral("1000000"));
    const QCommandLineOption batchOption(QStringLiteral("batch"), QStringLiteral("Results per 100 ms batch"),
                                         QStringLiteral("N"), QStringLiteral("5000"));
    const QCommandLineOption modeOption(QStringLiteral("mode"), QStringLiteral("per-task, worker, both or sweep"),
                                        QStringLiteral("MODE"), QStringLiteral("both"));
    parser.addHelpOption();
    parser.addOptions({tasksOption, batchOption, modeOption});
    parser.process(app);
    const qint64 tasks = qMax(1LL, parser.value(tasksOption).toLongLong());
    const int batch = qMax(1, parser.value(batchOption).toInt());
    const QString mode = parser.value(modeOption);
    if (mode == QLatin1String("sweep")) {
        runSweep(tasks, batch);
        return 0;
    }
    if (mode != QLatin1String("worker"))
        run("per-task", JobSpec::Mode::PerTask, tasks, batch);
    if (mode != QLatin1String("per-task"))
        run("worker", JobSpec::Mode::Worker, tasks, batch);
    return 0;
}
