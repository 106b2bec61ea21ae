// The Timeline tab: the model's level of detail at a million attempts, lanes
// and running bars, the view's zoom, pan, fit, follow, tooltip, click, export
// and accessibility, and a real run (with a retried attempt) and its reopening
// from the journal.

#include "jobeditor.h"
#include "journalservice.h"
#include "statusstyle.h"
#include "timelinemodel.h"
#include "timelinepanel.h"
#include "timelineview.h"
#include "uitestsupport.h"

#include <QAccessible>
#include <QAction>
#include <QImage>
#include <QLabel>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSvgRenderer>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QToolTip>
#include <QWheelEvent>

using namespace UiTest;

namespace {

constexpr qint64 Epoch = 1'760'000'000'000; // some afternoon, in epoch ms

TaskOutcome attempt(qint64 id, const QString &host, int slot, qint64 startMs, qint64 durationMs,
                    TaskStatus status = TaskStatus::Ok)
{
    TaskOutcome o;
    o.id = id;
    o.input = "input-" + QByteArray::number(id);
    o.status = status;
    o.worker = slot;
    o.host = host;
    o.startedAtMs = Epoch + startMs;
    o.durationMs = durationMs;
    o.attempts = 1;
    return o;
}

SlotSnapshot busySlot(int slot, const QString &host, qint64 taskId, qint64 elapsedMs)
{
    SlotSnapshot s;
    s.slot = slot;
    s.host = host;
    s.state = SlotState::Busy;
    s.taskId = taskId;
    s.input = "running-" + QByteArray::number(taskId);
    s.taskElapsedMs = elapsedMs;
    return s;
}

// The model's time (ms after its origin) of a time given as ms after Epoch, as attempt() takes it.
qint64 at(const TimelineModel &model, qint64 ms)
{
    return Epoch + ms - model.origin();
}

void sendWheel(QWidget *widget, const QPoint &pos, int delta)
{
    QWheelEvent event(QPointF(pos), QPointF(widget->mapToGlobal(pos)), QPoint(), QPoint(0, delta), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(widget, &event);
}

void sendMouse(QWidget *widget, QEvent::Type type, const QPoint &pos, Qt::MouseButtons buttons)
{
    QMouseEvent event(type, QPointF(pos), QPointF(widget->mapToGlobal(pos)),
                      type == QEvent::MouseMove ? Qt::NoButton : Qt::LeftButton, buttons, Qt::NoModifier);
    QApplication::sendEvent(widget, &event);
}

QString accessibleDescription(QWidget *widget)
{
    QAccessibleInterface *iface = QAccessible::queryAccessibleInterface(widget);
    return iface ? iface->text(QAccessible::Description) : QString();
}

// A model with a few attempts, and a view of it shown at a known size.
struct Shown
{
    Shown()
        : panel(&model)
    {
        panel.resize(900, 400);
        panel.show();
    }
    TimelineView *view() const { return panel.view(); }
    TimelineModel model;
    TimelinePanel panel;
};

} // namespace

class TimelineTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { isolateSettings(); }

    // 1M attempts in 4 lanes: the columns add up to the attempts and their busy
    // time, a gap stays empty, and a query returns one entry per pixel column
    // however many attempts there are.
    void modelAggregatesAMillionAttempts()
    {
        TimelineModel model;
        constexpr int Lanes = 4;
        constexpr qint64 PerLane = 250'000;
        constexpr qint64 Step = 4, Length = 3;      // 3 ms busy, 1 ms idle
        constexpr qint64 GapFrom = 400'000, GapTo = 400'800; // lane 0 idles here
        qint64 id = 0;
        for (int lane = 0; lane < Lanes; ++lane) {
            qint64 start = 0;
            for (qint64 i = 0; i < PerLane; ++i, start += Step) {
                if (lane == 0 && start >= GapFrom && start < GapTo)
                    start = GapTo;
                model.addAttempt(attempt(id++, QStringLiteral("localhost"), lane, start, Length));
            }
        }
        model.flush();
        QCOMPARE(model.attemptCount(), Lanes * PerLane);
        QCOMPARE(model.laneCount(), Lanes);
        QVERIFY2(model.bytesPerAttempt() < 40, qPrintable(QString::number(model.bytesPerAttempt())));

        // Columns of 400 ms, aligned with the attempts: 100 in each, none across a border.
        const double msPerColumn = 400;
        const int width = int((PerLane * Step + GapTo) / msPerColumn) + 2;
        std::vector<TimelineModel::Column> columns;
        for (int lane = 0; lane < Lanes; ++lane) {
            model.columns(lane, 0, msPerColumn, width, &columns);
            QCOMPARE(int(columns.size()), width);
            qint64 attempts = 0;
            double busyMs = 0;
            for (const TimelineModel::Column &c : columns) {
                attempts += c.attempts;
                busyMs += double(c.busy) * msPerColumn;
                if (c.attempts > 0)
                    QCOMPARE(c.status, TaskStatus::Ok);
            }
            QCOMPARE(attempts, PerLane);
            QVERIFY(qAbs(busyMs - double(PerLane * Length)) < 1.0);
            QCOMPARE(columns[10].attempts, 100u);
            QCOMPARE(columns[10].busy, 0.75f);
        }
        model.columns(0, 0, msPerColumn, width, &columns);
        QCOMPARE(columns[size_t(GapFrom / 400)].attempts, 0u); // the idle gap
        QCOMPARE(columns[size_t(GapFrom / 400)].busy, 0.0f);
        QCOMPARE(columns[size_t(GapFrom / 400 + 1)].attempts, 0u);
        QCOMPARE(columns[size_t(GapTo / 400)].attempts, 100u);

        // Many attempts in range: the view is told to draw columns, not attempts.
        QList<TimelineModel::Attempt> list;
        QVERIFY(!model.attempts(1, 0, PerLane * Step, 2000, &list));
        QVERIFY(list.isEmpty());
        // Zoomed in: the attempts themselves, in start order.
        QVERIFY(model.attempts(1, 1000, 1040, 2000, &list));
        QCOMPARE(list.size(), 10);
        QCOMPARE(list.first().startMs, 1000);
        QCOMPARE(list.first().endMs, 1003);
        QCOMPARE(list.last().startMs, 1036);

        // The same query on a thousand attempts returns as many columns.
        TimelineModel small;
        for (qint64 i = 0; i < 1000; ++i)
            small.addAttempt(attempt(i, QStringLiteral("localhost"), 0, i * Step, Length));
        small.flush();
        std::vector<TimelineModel::Column> few;
        small.columns(0, 0, msPerColumn, width, &few);
        QCOMPARE(few.size(), columns.size());

        // Drawn at a million: every lane in a frame, which must not be empty.
        TimelinePanel panel(&model);
        panel.resize(1200, 400);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const QImage image = panel.view()->grab().toImage();
        const QColor ok = StatusStyle::color(TaskStatus::Ok);
        const QRect lane0 = panel.view()->laneRect(0);
        const QRgb middle = image.pixel(lane0.center().x(), lane0.center().y());
        QVERIFY2(qAbs(qRed(middle) - ok.red()) < 80 && qAbs(qGreen(middle) - ok.green()) < 80,
                 qPrintable(QColor(middle).name()));
    }

    // Attempts that arrive out of start order (a journal read by task id, a late
    // report) are put in place; attempts that never started are skipped.
    void modelSortsLateAttemptsAndSkipsUnstarted()
    {
        TimelineModel model;
        const qint64 starts[] = {50, 10, 40, 0, 30, 20};
        for (qint64 i = 0; i < 6; ++i)
            model.addAttempt(attempt(i, QStringLiteral("h"), 0, starts[i], 5, i == 2 ? TaskStatus::Failed : TaskStatus::Ok));
        model.flush();
        model.addAttempt(attempt(6, QStringLiteral("h"), 0, 15, 2)); // late, into the middle
        TaskOutcome unstarted = attempt(7, QStringLiteral("h"), 0, 0, 0, TaskStatus::Cancelled);
        unstarted.startedAtMs = 0;
        model.addAttempt(unstarted);
        TaskOutcome noSlot = attempt(8, QStringLiteral("h"), 0, 100, 1);
        noSlot.worker = -1;
        model.addAttempt(noSlot);
        model.flush();
        QCOMPARE(model.attemptCount(), 7);
        QList<TimelineModel::Attempt> list;
        QVERIFY(model.attempts(0, at(model, 0), at(model, 1000), 100, &list));
        QList<qint64> ids, startTimes;
        for (const auto &a : std::as_const(list)) {
            ids.append(a.taskId);
            startTimes.append(a.startMs - at(model, 0));
        }
        QCOMPARE(startTimes, (QList<qint64>{0, 10, 15, 20, 30, 40, 50}));
        QCOMPARE(ids, (QList<qint64>{3, 1, 6, 5, 4, 2, 0}));
        QCOMPARE(model.count(TaskStatus::Failed), 1);
        // The failed one colours its column; its neighbours' ok does not hide it.
        std::vector<TimelineModel::Column> columns;
        model.columns(0, double(at(model, 0)), 100, 1, &columns);
        QCOMPARE(columns[0].status, TaskStatus::Failed);
        QCOMPARE(columns[0].attempts, 7u);
        QCOMPARE(columns[0].busy, float(32) / 100); // 6 x 5 ms + 2 ms
    }

    // Lanes follow hosts in the order they appeared, slots ascending; each
    // host's lanes lie under its header, together.
    void lanesAreGroupedByHost()
    {
        Shown shown;
        shown.model.addAttempt(attempt(0, QStringLiteral("node2"), 1, 0, 10));
        shown.model.addAttempt(attempt(1, QStringLiteral("localhost"), 0, 0, 10));
        shown.model.addAttempt(attempt(2, QStringLiteral("node2"), 0, 5, 10));
        shown.model.addAttempt(attempt(3, QStringLiteral("localhost"), 1, 5, 10));
        shown.model.flush();
        QCOMPARE(shown.model.hosts(), (QStringList{QStringLiteral("node2"), QStringLiteral("localhost")}));
        QCOMPARE(shown.model.laneCount(), 4);
        const QList<std::pair<QString, int>> expected{{QStringLiteral("node2"), 0},
                                                      {QStringLiteral("node2"), 1},
                                                      {QStringLiteral("localhost"), 0},
                                                      {QStringLiteral("localhost"), 1}};
        for (int lane = 0; lane < 4; ++lane) {
            QCOMPARE(shown.model.lane(lane).host, expected[lane].first);
            QCOMPARE(shown.model.lane(lane).slot, expected[lane].second);
        }
        // A header between the hosts: the gap between lanes 1 and 2 is wider than between 0 and 1.
        const int step01 = shown.view()->laneRect(1).top() - shown.view()->laneRect(0).top();
        const int step12 = shown.view()->laneRect(2).top() - shown.view()->laneRect(1).top();
        QVERIFY2(step12 > step01, qPrintable(QStringLiteral("%1 %2").arg(step01).arg(step12)));
        QCOMPARE(shown.view()->laneAt(shown.view()->laneRect(2).center().y()), 2);
        QCOMPARE(shown.view()->laneAt(shown.view()->laneRect(2).top() - 2), -1); // the localhost header
    }

    // Running attempts grow to now and end when the snapshots say the slot is free.
    void runningAttemptsGrowToNow()
    {
        TimelineModel model;
        QSignalSpy changed(&model, &TimelineModel::changed);
        model.addAttempt(attempt(0, QStringLiteral("localhost"), 0, 0, 100));
        model.setRunning({busySlot(0, QStringLiteral("localhost"), 1, 400), busySlot(1, QStringLiteral("localhost"), 2, 50)},
                         Epoch + 600);
        model.flush();
        QCOMPARE(model.runningCount(), 2);
        QCOMPARE(model.now(), 600);
        QCOMPARE(model.endMs(), 600);
        TimelineModel::Attempt running;
        QVERIFY(model.runningAttempt(0, &running));
        QCOMPARE(running.taskId, 1);
        QCOMPARE(running.startMs, 200);
        QCOMPARE(running.endMs, 600);
        QVERIFY(running.running);
        QVERIFY(model.attemptAt(0, 500, 0, &running));
        QCOMPARE(running.status, TaskStatus::Running);
        std::vector<TimelineModel::Column> columns;
        model.columns(0, 0, 100, 7, &columns);
        QVERIFY(!columns[1].running);
        QVERIFY(columns[3].running);

        model.setRunning({busySlot(0, QStringLiteral("localhost"), 3, 10)}, Epoch + 700);
        model.flush();
        QCOMPARE(model.runningCount(), 1);
        QVERIFY(!model.runningAttempt(1, &running));
        SlotSnapshot idle;
        idle.slot = 0;
        idle.host = QStringLiteral("localhost");
        idle.state = SlotState::Idle;
        model.setRunning({idle}, Epoch + 800);
        QCOMPARE(model.runningCount(), 0);
        QCOMPARE(model.endMs(), 100);
        QCOMPARE(changed.count(), 2);
        QTRY_COMPARE(changed.count(), 3); // coalesced, on the next tick
    }

    // Wheel zooms around the cursor, a drag pans and stops following, Fit all shows everything.
    void zoomPanFitAndFollow()
    {
        Shown shown;
        TimelineView *view = shown.view();
        for (qint64 i = 0; i < 100; ++i)
            shown.model.addAttempt(attempt(i, QStringLiteral("localhost"), int(i % 2), (i / 2) * 100, 80));
        shown.model.flush();
        QVERIFY(QTest::qWaitForWindowExposed(&shown.panel));
        QVERIFY(view->isFittingAll());
        QVERIFY(view->visibleFromMs() <= 0);
        QVERIFY(view->visibleToMs() >= 5000);

        // Zoom in twice around a point: the time under it stays put.
        const QPoint at(view->plotRect().left() + view->plotRect().width() / 3, view->laneRect(0).center().y());
        const double before = view->timeAt(at.x());
        const double scale = view->msPerPixel();
        sendWheel(view, at, 120);
        sendWheel(view, at, 120);
        QVERIFY(view->msPerPixel() < scale * 0.7);
        QVERIFY(qAbs(view->timeAt(at.x()) - before) <= 2 * scale);
        QVERIFY(!view->isFittingAll());
        QVERIFY(!shown.panel.fitAllAction()->isChecked());

        // Drag right by 100 px: earlier times come into view; following stops.
        shown.panel.followLiveAction()->trigger();
        QVERIFY(view->isFollowingLive());
        QVERIFY(qAbs(view->visibleToMs() - double(shown.model.endMs())) < view->msPerPixel() * view->plotRect().width() * 0.05);
        const double from = view->visibleFromMs();
        sendMouse(view, QEvent::MouseButtonPress, at, Qt::LeftButton);
        sendMouse(view, QEvent::MouseMove, at + QPoint(50, 0), Qt::LeftButton);
        sendMouse(view, QEvent::MouseMove, at + QPoint(100, 0), Qt::LeftButton);
        sendMouse(view, QEvent::MouseButtonRelease, at + QPoint(100, 0), Qt::NoButton);
        QVERIFY(qAbs(view->visibleFromMs() - (from - 100 * view->msPerPixel())) < 1e-6);
        QVERIFY(!view->isFollowingLive());
        QVERIFY(!shown.panel.followLiveAction()->isChecked());

        // Following again: later attempts keep now at the right edge.
        shown.panel.followLiveAction()->trigger();
        shown.model.addAttempt(attempt(100, QStringLiteral("localhost"), 0, 20'000, 500));
        shown.model.flush();
        QVERIFY(view->visibleToMs() >= 20'500);
        QVERIFY(view->visibleFromMs() > 10'000); // the zoom was kept

        shown.panel.fitAllAction()->trigger();
        QVERIFY(view->isFittingAll());
        QVERIFY(!view->isFollowingLive());
        QVERIFY(view->visibleFromMs() <= 0);
        QVERIFY(view->visibleToMs() >= 20'500);

        // The keyboard: + zooms, the arrows pan, End follows, Home fits all again.
        const double fitted = view->msPerPixel();
        QTest::keyClick(view, Qt::Key_Plus);
        QVERIFY(view->msPerPixel() < fitted);
        QVERIFY(!shown.panel.fitAllAction()->isChecked());
        const double zoomedFrom = view->visibleFromMs();
        QTest::keyClick(view, Qt::Key_Left);
        QVERIFY(view->visibleFromMs() < zoomedFrom);
        QTest::keyClick(view, Qt::Key_End);
        QVERIFY(shown.panel.followLiveAction()->isChecked());
        QVERIFY(view->visibleToMs() >= 20'500);
        QTest::keyClick(view, Qt::Key_Home);
        QVERIFY(shown.panel.fitAllAction()->isChecked());
        QVERIFY(!shown.panel.followLiveAction()->isChecked());
        QCOMPARE(view->msPerPixel(), fitted);
    }

    // Hovering a bar says what it is; hovering nothing says nothing.
    void hoverShowsTheAttempt()
    {
        Shown shown;
        TaskOutcome failed = attempt(5, QStringLiteral("node7"), 1, 1000, 2500, TaskStatus::Failed);
        failed.input = "frame-0005.exr";
        shown.model.addAttempt(failed, true);
        shown.model.addAttempt(attempt(6, QStringLiteral("node7"), 1, 5000, 1000));
        shown.model.flush();
        QVERIFY(QTest::qWaitForWindowExposed(&shown.panel));
        TimelineView *view = shown.view();
        const QPoint onBar(view->xForTime(double(at(shown.model, 2000))), view->laneRect(0).center().y());
        const QString text = view->toolTipAt(onBar);
        QVERIFY2(text.contains(QLatin1String("Task 5: frame-0005.exr")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("Failed (retried)")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("2.5 s")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("Worker 1 on node7")), qPrintable(text));
        QVERIFY(view->toolTipAt(QPoint(view->xForTime(double(at(shown.model, 4200))), onBar.y())).isEmpty()); // idle

        QHelpEvent help(QEvent::ToolTip, onBar, view->mapToGlobal(onBar));
        QApplication::sendEvent(view, &help);
        QTRY_VERIFY(QToolTip::isVisible());
        QCOMPARE(QToolTip::text(), text);
        QToolTip::hideText();
    }

    // PNG and SVG files that image readers accept.
    void exportsPngAndSvg()
    {
        Shown shown;
        for (qint64 i = 0; i < 20; ++i)
            shown.model.addAttempt(attempt(i, QStringLiteral("localhost"), int(i % 3), i * 50, 40,
                                           i == 7 ? TaskStatus::Crashed : TaskStatus::Ok));
        shown.model.flush();
        QVERIFY(QTest::qWaitForWindowExposed(&shown.panel));
        QTemporaryDir dir;
        QSignalSpy exported(&shown.panel, &TimelinePanel::exported);
        const QString png = dir.filePath(QStringLiteral("timeline.png"));
        QVERIFY(shown.panel.exportTo(png));
        QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= shown.view()->plotRect().right());
        QVERIFY(image.height() > shown.view()->laneRect(2).bottom() - 2);
        // Some pixel carries the crash's colour.
        const QColor crashed = StatusStyle::color(TaskStatus::Crashed);
        bool found = false;
        for (int y = 0; y < image.height() && !found; ++y) {
            for (int x = 0; x < image.width() && !found; ++x)
                found = QColor(image.pixel(x, y)) == crashed;
        }
        QVERIFY(found);

        const QString svg = dir.filePath(QStringLiteral("timeline.svg"));
        QVERIFY(shown.panel.exportTo(svg));
        QSvgRenderer renderer(svg);
        QVERIFY(renderer.isValid());
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray content = file.readAll();
        QVERIFY(content.contains("<svg"));
        QVERIFY(content.contains("local · worker 2")); // "localhost" reads "local", as in the workers table
        QCOMPARE(exported.count(), 2);
        QVERIFY(!shown.panel.exportTo(dir.filePath(QStringLiteral("missing/dir/timeline.png"))));
        QVERIFY(!shown.panel.caption()->text().isEmpty());
        QCOMPARE(exported.last().at(0).toBool(), false);
    }

    // A name for the view and every button, and a description that keeps up.
    void accessibleNamesAndDescription()
    {
        Shown shown;
        TimelineView *view = shown.view();
        QCOMPARE(view->accessibleName(), QStringLiteral("Timeline"));
        QVERIFY(accessibleDescription(view).contains(QLatin1String("No attempts yet")));
        for (const char *name : {"timelineFitAll", "timelineFollowLive", "timelineExport"}) {
            auto *button = shown.panel.findChild<QToolButton *>(QLatin1String(name));
            QVERIFY(button);
            QVERIFY(!button->accessibleName().isEmpty());
        }
        QCOMPARE(shown.panel.findChild<QToolButton *>(QStringLiteral("timelineExport"))->accessibleName(),
                 QStringLiteral("Export"));
        shown.model.addAttempt(attempt(0, QStringLiteral("localhost"), 0, 0, 1500));
        shown.model.addAttempt(attempt(1, QStringLiteral("localhost"), 1, 0, 3000, TaskStatus::Timeout), true);
        shown.model.setRunning({busySlot(1, QStringLiteral("localhost"), 1, 200)}, Epoch + 3500);
        QTRY_VERIFY(accessibleDescription(view).contains(QLatin1String("2 attempts on 2 workers (1 hosts)")));
        const QString text = accessibleDescription(view);
        QVERIFY2(text.contains(QLatin1String("1 failed, 1 retried")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("1 running")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("Showing 0 s to 4 s")), qPrintable(text));
        shown.panel.followLiveAction()->trigger();
        QVERIFY(accessibleDescription(view).contains(QLatin1String("following live")));
    }

    // A real run through the window: every attempt, the retried ones too, lands
    // in the timeline; a click on a bar selects that task's result. Reopened
    // from the journal, the run shows the same attempts.
    void realRunFillsTheTimelineAndReopens()
    {
        TempJournal journal;
        QTemporaryDir dir;
        MainWindow window(taskpool(), journal.path());
        ModelTesters testers(window);
        window.resize(1200, 800);
        window.show();
        // crash-once FILE: crashes when FILE is missing (creating it), so its retry succeeds.
        const QString once = dir.filePath(QStringLiteral("ok-already"));
        QFile(once).open(QIODevice::WriteOnly);
        JobSpec spec;
        spec.command = {QStringLiteral(TESTWORKER_PATH), QStringLiteral("crash-once"), QStringLiteral("{}")};
        spec.workers = 2;
        spec.retries = 1;
        spec.inputKind = JobSpec::InputKind::List;
        spec.inputList = {once, dir.filePath(QStringLiteral("first")), dir.filePath(QStringLiteral("second"))};
        window.jobEditor()->setSpec(spec);
        window.workerCountBox()->setValue(2);
        QSignalSpy finished(window.controller(), &RunController::finished);
        QSignalSpy ended(window.controller()->journal(), &JournalService::runEnded);
        window.startRun();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        TimelineModel *timeline = window.controller()->timelineModel();
        QTRY_COMPARE(timeline->attemptCount(), 5); // 3 tasks, 2 of them crashed once
        QCOMPARE(timeline->retriedCount(), 2);
        QCOMPARE(timeline->count(TaskStatus::Crashed), 2);
        QCOMPARE(timeline->count(TaskStatus::Ok), 3);
        QCOMPARE(timeline->runningCount(), 0);
        QVERIFY(timeline->laneCount() >= 1 && timeline->laneCount() <= 2);

        // Click the middle of the last task's bar: its result becomes the current row.
        window.tabs()->setCurrentWidget(window.timeline());
        TimelineView *view = window.timeline()->view();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QList<TimelineModel::Attempt> attempts;
        QVERIFY(timeline->attempts(0, timeline->startMs(), timeline->endMs() + 1, 100, &attempts));
        QVERIFY(!attempts.isEmpty());
        const TimelineModel::Attempt target = attempts.last();
        view->setVisibleRange(double(target.startMs) - 5, double(target.endMs) + 5); // a bar many pixels wide
        const QPoint onBar(view->xForTime((target.startMs + target.endMs) / 2.0), view->laneRect(0).center().y());
        QSignalSpy clicked(view, &TimelineView::attemptClicked);
        QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, onBar);
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.first().at(0).toLongLong(), target.taskId);
        QCOMPARE(window.tabs()->currentWidget(), window.results());
        const QModelIndex current = window.results()->view()->currentIndex();
        QVERIFY(current.isValid());
        QCOMPARE(current.data(ResultTableModel::IdRole).toLongLong(), target.taskId);

        // Reopened from the journal: the same five attempts, two of them retried.
        QTRY_COMPARE(ended.count(), 1);
        const QList<RunInfo> runs = UiTest::listedRuns(window.controller()->journal());
        QCOMPARE(runs.size(), 1);
        QSignalSpy shownSpy(window.controller(), &RunController::runShown);
        QString error;
        QVERIFY2(window.controller()->showRun(runs.first(), &error), qPrintable(error));
        QCOMPARE(timeline->attemptCount(), 0); // cleared for the run to show
        QTRY_COMPARE(shownSpy.count(), 1);
        QTRY_COMPARE(timeline->attemptCount(), 5);
        QCOMPARE(timeline->retriedCount(), 2);
        QCOMPARE(timeline->count(TaskStatus::Crashed), 2);
        QCOMPARE(timeline->count(TaskStatus::Ok), 3);
    }
};

QTEST_MAIN(TimelineTest)
#include "tst_ui_timeline.moc"
