// Benchmark: how long the desktop app's event loop stalls while a run finishes
// tens of thousands of trivial tasks per second. It runs the real main window
// (offscreen unless a display is set) on `taskpool demo-worker --fast` and
// measures the lateness of a 5 ms timer, which is what a user feels as lag.
//
//   bench_gui_stall [--range N] [--workers N] [--unsorted] [--timeline]
//   bench_gui_stall --flood BYTES [--live-hidden] [--range N] [--workers N]
// Prints the run's throughput, the max / p99 / p99.9 stall and the row count.
// --timeline shows the Timeline tab instead of the results during the run.
// --flood: each task (sh, yes and head) writes BYTES of 42-byte lines instead,
// while the Live output tab follows worker 0 (or, --live-hidden, is not shown):
// the cost of showing output live.

#include "benchsupport.h"
#include "jobeditor.h"
#include "jobspec.h"
#include "liveoutputview.h"
#include "mainwindow.h"
#include "resultfilterproxy.h"
#include "resultspanel.h"
#include "resulttablemodel.h"
#include "runcontroller.h"
#include "timelinemodel.h"
#include "timelinepanel.h"
#include "workertablemodel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QTabWidget>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using BenchSupport::percentile;
using BenchSupport::ProbeIntervalMs;

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true); // never touch the user's settings
    QCoreApplication::setOrganizationName(QStringLiteral("taskpool-bench"));
    QCoreApplication::setApplicationName(QStringLiteral("bench_gui_stall"));

    QCommandLineParser parser;
    const QCommandLineOption rangeOption(QStringLiteral("range"), QStringLiteral("Tasks in the run"), QStringLiteral("N"),
                                         QStringLiteral("200000"));
    const QCommandLineOption workersOption(QStringLiteral("workers"), QStringLiteral("Worker processes"),
                                           QStringLiteral("N"), QStringLiteral("2"));
    const QCommandLineOption unsortedOption(QStringLiteral("unsorted"),
                                            QStringLiteral("Show the results in arrival order, not sorted by id"));
    const QCommandLineOption floodOption(QStringLiteral("flood"), QStringLiteral("Output bytes per task, shown live"),
                                         QStringLiteral("BYTES"));
    parser.addHelpOption();
    const QCommandLineOption hiddenOption(QStringLiteral("live-hidden"),
                                          QStringLiteral("With --flood: keep the Live output tab hidden, to compare"));
    const QCommandLineOption timelineOption(QStringLiteral("timeline"),
                                            QStringLiteral("Show the Timeline tab during the run"));
    parser.addOptions({rangeOption, workersOption, unsortedOption, floodOption, hiddenOption, timelineOption});
    parser.process(app);

    JobSpec spec = JobSpec::demo(QStringLiteral(TASKPOOL_PATH));
    spec.command.append(QStringLiteral("--fast"));
    const qint64 floodBytes = parser.value(floodOption).toLongLong();
    if (floodBytes > 0) {
        spec.mode = JobSpec::Mode::PerTask;
        spec.command = QStringList{QStringLiteral("sh"), QStringLiteral("-c"),
                                   QStringLiteral("yes 'frame 1234/9999: 3988 blocks, ratio 0.68' | head -c %1").arg(floodBytes)};
    }
    spec.rangeCount = parser.value(rangeOption).toLongLong();

    QTemporaryDir journalDir; // journaled as a real run is, but not into the user's journal
    MainWindow window(QStringLiteral(TASKPOOL_PATH), journalDir.filePath(QStringLiteral("journal.sqlite")));
    window.resize(1366, 768);
    window.show();
    window.jobEditor()->setSpec(spec);
    window.workerCountBox()->setValue(parser.value(workersOption).toInt());
    if (parser.isSet(unsortedOption))
        window.results()->view()->sortByColumn(-1, Qt::AscendingOrder);
    if (floodBytes > 0 && !parser.isSet(hiddenOption)) {
        window.tabs()->setCurrentWidget(window.liveOutput());
        QObject::connect(window.controller(), &RunController::refreshed, &app, [&window] {
            if (!window.workersView()->selectionModel()->hasSelection() && window.controller()->workerModel()->rowCount() > 0)
                window.workersView()->selectRow(0);
        });
    }
    if (parser.isSet(timelineOption))
        window.tabs()->setCurrentWidget(window.timeline());

    std::vector<double> lateness;
    lateness.reserve(100000);
    QElapsedTimer sinceLastProbe;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(ProbeIntervalMs);
    QObject::connect(&probe, &QTimer::timeout, &app, [&] {
        lateness.push_back(qMax(0.0, sinceLastProbe.nsecsElapsed() / 1e6 - ProbeIntervalMs));
        sinceLastProbe.restart();
    });

    QElapsedTimer runClock;
    QObject::connect(window.controller(), &RunController::finished, &app, [&](const PoolStats &stats) {
        probe.stop();
        const double seconds = runClock.elapsed() / 1000.0;
        const qint64 rows = window.controller()->resultModel()->rowCount();
        std::printf("tasks: %lld in %.2f s (%.0f tasks/s), %d workers%s\n", static_cast<long long>(stats.finished()),
                    seconds, stats.finished() / seconds, window.workerCountBox()->value(),
                    parser.isSet(unsortedOption) ? ", results in arrival order" : ", results sorted by id");
        std::printf("event-loop stall (lateness of a %d ms timer, %zu samples): max %.1f ms, p99 %.1f ms, "
                    "p99.9 %.1f ms, median %.2f ms\n",
                    ProbeIntervalMs, lateness.size(), percentile(lateness, 100), percentile(lateness, 99),
                    percentile(lateness, 99.9), percentile(lateness, 50));
        std::printf("stalls over 50 ms: %lld, over 100 ms: %lld\n",
                    static_cast<long long>(std::count_if(lateness.begin(), lateness.end(), [](double v) { return v > 50; })),
                    static_cast<long long>(std::count_if(lateness.begin(), lateness.end(), [](double v) { return v > 100; })));
        if (floodBytes > 0)
            std::printf("output: %lld bytes per task, %.0f MB/s in all; the live view of worker 0 holds %lld characters\n",
                        static_cast<long long>(floodBytes), double(floodBytes) * stats.finished() / seconds / 1e6,
                        static_cast<long long>(window.liveOutput()->textView()->document()->characterCount()));
        std::printf("result rows: %lld (proxy shows %d), ok: %lld\n", static_cast<long long>(rows),
                    window.results()->proxy()->rowCount(),
                    static_cast<long long>(window.controller()->resultModel()->count(TaskStatus::Ok)));
        if (parser.isSet(timelineOption)) {
            TimelineModel *timeline = window.controller()->timelineModel();
            timeline->flush();
            std::printf("timeline shown: %lld attempts, %.1f bytes per attempt\n",
                        static_cast<long long>(timeline->attemptCount()), timeline->bytesPerAttempt());
        }
        std::fflush(stdout);
        QTimer::singleShot(0, &app, [&] { QApplication::exit(rows == stats.finished() ? 0 : 1); });
    });

    QTimer::singleShot(200, &app, [&] {
        runClock.start();
        sinceLastProbe.start();
        probe.start();
        window.startRun();
    });
    return QApplication::exec();
}
