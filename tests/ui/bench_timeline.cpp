// Benchmark: the timeline drawing a fast run live. Feeds a TimelineModel
// attempts in batches, as a run of trivial tasks reports them (a batch every
// 10 ms, with a slot snapshot every 100 ms), while a TimelinePanel shows it
// fitted to the whole run (every attempt in view: the heaviest case), and
// measures the lateness of a 5 ms timer, which is what a user feels as lag.
// On a shared machine the wall-clock lateness includes time the thread was
// not scheduled at all, so the GUI thread's own CPU time between probe ticks
// (the work that held the loop) and every paint's duration are printed too.
// At the end it times repaints at three zoom levels and prints the memory
// per attempt.
//
//   bench_timeline [--attempts N] [--seconds S] [--slots N] [--export FILE.png|svg]
// Offscreen unless a display is set.

#include "benchsupport.h"
#include "timelinemodel.h"
#include "timelinepanel.h"
#include "timelineview.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

using BenchSupport::percentile;
using BenchSupport::ProbeIntervalMs;

namespace {
constexpr int BatchIntervalMs = 10;
constexpr int SnapshotIntervalMs = 100;


// Repaints the view `times` times; the paint times in ms.
std::vector<double> timeRepaints(TimelineView *view, int times)
{
    std::vector<double> ms;
    for (int i = 0; i < times; ++i) {
        QElapsedTimer clock;
        clock.start();
        view->repaint();
        ms.push_back(clock.nsecsElapsed() / 1e6);
    }
    return ms;
}

double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// Times every paint of the view as the event loop delivers it.
class PaintTimer : public QObject
{
public:
    std::vector<double> ms;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::Paint || m_inside)
            return false;
        m_inside = true;
        QElapsedTimer clock;
        clock.start();
        watched->event(event); // the view paints now, inside the clock
        ms.push_back(clock.nsecsElapsed() / 1e6);
        m_inside = false;
        return true;
    }

private:
    bool m_inside = false;
};

void printPaints(const char *what, const std::vector<double> &ms)
{
    std::printf("  %-44s median %6.2f ms, max %6.2f ms\n", what, percentile(ms, 50), percentile(ms, 100));
}
} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);

    QCommandLineParser parser;
    const QCommandLineOption attemptsOption(QStringLiteral("attempts"), QStringLiteral("Attempts to feed"),
                                            QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"), QStringLiteral("Over how long"),
                                           QStringLiteral("S"), QStringLiteral("5"));
    const QCommandLineOption slotsOption(QStringLiteral("slots"), QStringLiteral("Worker slots (two hosts)"),
                                         QStringLiteral("N"), QStringLiteral("16"));
    const QCommandLineOption exportOption(QStringLiteral("export"), QStringLiteral("Save the whole run's view here"),
                                          QStringLiteral("FILE"));
    parser.addHelpOption();
    parser.addOptions({attemptsOption, secondsOption, slotsOption, exportOption});
    parser.process(app);
    const qint64 total = parser.value(attemptsOption).toLongLong();
    const int slotCount = std::max(1, parser.value(slotsOption).toInt());
    const qint64 batches = std::max<qint64>(1, parser.value(secondsOption).toDouble() * 1000 / BatchIntervalMs);
    const qint64 perBatch = (total + batches - 1) / batches;

    TimelineModel model;
    TimelinePanel panel(&model);
    panel.resize(1366, 600);
    panel.show();

    // Each slot's clock: attempts of 0-3 ms with 0-1 ms between them, a slow one now and then.
    const qint64 epoch = 1'760'000'000'000;
    std::vector<qint64> slotClock(size_t(slotCount), epoch);
    QRandomGenerator random(42);
    qint64 fed = 0;
    auto host = [&](int slot) { return slot < slotCount / 2 ? QStringLiteral("localhost") : QStringLiteral("node2"); };

    PaintTimer livePaints;
    panel.view()->installEventFilter(&livePaints);

    std::vector<double> lateness, work;
    lateness.reserve(200000);
    work.reserve(200000);
    double lastCpu = 0;
    QElapsedTimer sinceLastProbe;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(ProbeIntervalMs);
    QObject::connect(&probe, &QTimer::timeout, &app, [&] {
        lateness.push_back(std::max(0.0, sinceLastProbe.nsecsElapsed() / 1e6 - ProbeIntervalMs));
        sinceLastProbe.restart();
        const double cpu = threadCpuMs();
        work.push_back(cpu - lastCpu);
        lastCpu = cpu;
    });

    QTimer snapshots;
    snapshots.setInterval(SnapshotIntervalMs);
    QObject::connect(&snapshots, &QTimer::timeout, &app, [&] {
        QList<SlotSnapshot> list;
        qint64 now = epoch;
        for (int s = 0; s < slotCount; ++s)
            now = std::max(now, slotClock[size_t(s)]);
        for (int s = 0; s < slotCount; ++s) {
            SlotSnapshot snapshot;
            snapshot.slot = s;
            snapshot.host = host(s);
            snapshot.state = SlotState::Busy;
            snapshot.taskId = fed + s;
            snapshot.input = QByteArray::number(fed + s);
            snapshot.taskElapsedMs = now - slotClock[size_t(s)];
            list.append(snapshot);
        }
        model.setRunning(list, now);
    });

    QElapsedTimer runClock;
    QTimer feeder;
    feeder.setInterval(BatchIntervalMs);
    std::vector<double> feedMs;
    QObject::connect(&feeder, &QTimer::timeout, &app, [&] {
        QElapsedTimer feedClock;
        feedClock.start();
        const auto recordFeed = qScopeGuard([&] { feedMs.push_back(feedClock.nsecsElapsed() / 1e6); });
        TaskOutcome o;
        o.attempts = 1;
        for (qint64 i = 0; i < perBatch && fed < total; ++i, ++fed) {
            const int slot = int(fed % slotCount);
            qint64 &clock = slotClock[size_t(slot)];
            o.id = fed;
            o.input = QByteArray::number(fed);
            o.worker = slot;
            o.host = host(slot);
            o.startedAtMs = clock;
            o.durationMs = fed % 5000 == 0 ? 500 : random.bounded(4);
            const quint32 roll = random.bounded(1000);
            o.status = roll < 10 ? TaskStatus::Failed : roll < 12 ? TaskStatus::Timeout : TaskStatus::Ok;
            model.addAttempt(o, roll < 5);
            clock += o.durationMs + random.bounded(2);
        }
        if (fed < total)
            return;
        feeder.stop();
        snapshots.stop();
        probe.stop();
        const double seconds = runClock.elapsed() / 1000.0;
        QElapsedTimer settle;
        settle.start();
        model.setRunning({}, slotClock[0]);
        model.flush();
        const double settleMs = settle.nsecsElapsed() / 1e6;
        std::printf("attempts: %lld fed in %.2f s (%.0f/s) in batches of %lld every %d ms, %d slots on 2 hosts\n",
                    static_cast<long long>(model.attemptCount()), seconds, model.attemptCount() / seconds,
                    static_cast<long long>(perBatch), BatchIntervalMs, slotCount);
        std::printf("event-loop stall while drawn live, fitted to the whole run (lateness of a %d ms timer, %zu "
                    "samples): max %.1f ms, p99 %.1f ms, p99.9 %.1f ms, median %.2f ms\n",
                    ProbeIntervalMs, lateness.size(), percentile(lateness, 100), percentile(lateness, 99),
                    percentile(lateness, 99.9), percentile(lateness, 50));
        std::printf("stalls over 50 ms: %lld, over 100 ms: %lld\n",
                    static_cast<long long>(std::count_if(lateness.begin(), lateness.end(), [](double v) { return v > 50; })),
                    static_cast<long long>(std::count_if(lateness.begin(), lateness.end(), [](double v) { return v > 100; })));
        std::printf("GUI thread's own work between probe ticks (CPU time, load-independent): max %.1f ms, "
                    "p99 %.1f ms, p99.9 %.1f ms\n",
                    percentile(work, 100), percentile(work, 99), percentile(work, 99.9));
        if (!work.empty()) {
            const auto worst = std::max_element(work.begin(), work.end());
            std::printf("  (the longest at tick %lld of %zu)\n", static_cast<long long>(worst - work.begin()), work.size());
        }
        std::printf("feeding a batch: max %.2f ms\n", percentile(feedMs, 100));
        std::printf("paints during the run: %zu, median %.2f ms, p99 %.2f ms, max %.2f ms\n", livePaints.ms.size(),
                    percentile(livePaints.ms, 50), percentile(livePaints.ms, 99), percentile(livePaints.ms, 100));
        panel.view()->removeEventFilter(&livePaints);
        std::printf("last settle (flush) at %lld attempts: %.2f ms\n", static_cast<long long>(model.attemptCount()),
                    settleMs);
        std::printf("memory: %.1f bytes per attempt (the lanes' blocks, inputs included)\n", model.bytesPerAttempt());

        TimelineView *view = panel.view();
        std::printf("repaint of the %dx%d view at %lld attempts:\n", view->width(), view->height(),
                    static_cast<long long>(model.attemptCount()));
        view->fitAll();
        printPaints("whole run (aggregated columns)", timeRepaints(view, 20));
        const double mid = (model.startMs() + model.endMs()) / 2.0;
        const double span = double(model.endMs() - model.startMs());
        view->setVisibleRange(mid, mid + span / 100);
        printPaints("1 % of the run (aggregated columns)", timeRepaints(view, 20));
        view->setVisibleRange(mid, mid + 200);
        printPaints("200 ms of the run (one bar per attempt)", timeRepaints(view, 20));
        if (parser.isSet(exportOption)) {
            view->fitAll();
            QString error;
            if (!view->exportImage(parser.value(exportOption), &error))
                std::printf("export: %s\n", qPrintable(error));
        }
        std::fflush(stdout);
        QTimer::singleShot(0, &app, [] { QApplication::exit(0); });
    });

    QTimer::singleShot(200, &app, [&] {
        runClock.start();
        sinceLastProbe.start();
        lastCpu = threadCpuMs();
        probe.start();
        snapshots.start();
        feeder.start();
    });
    return QApplication::exec();
}
