// The dark theme (issue 16): under our dark and light palettes every status
// colour and the error colour read at 4.5:1 or more (WCAG AA) on the
// palette's backgrounds, and so does the text of the real views as they are
// drawn: the results and workers tables (status cells, the progress bar's
// text over its filled and its empty part), the throughput chart's axis
// labels, the timeline's labels and the heatmap's cell values. Measured on
// pixels: a rectangle's most common colour is its background, its pixel of
// highest contrast against that the text. Also: System gives back the startup
// look, the choice's words, the View > Theme menu and its saved setting.

#include "liveoutput.h"
#include "liveoutputview.h"
#include "progressbardelegate.h"
#include "statusstyle.h"
#include "sweep.h"
#include "sweepchartdata.h"
#include "sweepchartpanel.h"
#include "sweepchartview.h"
#include "theme.h"
#include "throughputchart.h"
#include "timelinemodel.h"
#include "timelineview.h"
#include "uitestsupport.h"

#include <QAction>
#include <QChart>
#include <QHash>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QStandardItemModel>
#include <QTextBlock>
#include <QStyle>
#include <QTableView>

#include <map>
#include <QToolBar>

using namespace UiTest;

namespace {

struct Measured
{
    QColor background;
    QColor text;
    double ratio = 0;
};

// The rect's most common colour, and its pixel that contrasts most with it.
Measured measure(const QImage &image, const QRect &rect)
{
    const QImage img = image.convertToFormat(QImage::Format_RGB32);
    const QRect r = rect.intersected(img.rect());
    QHash<QRgb, int> counts;
    for (int y = r.top(); y <= r.bottom(); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(img.constScanLine(y));
        for (int x = r.left(); x <= r.right(); ++x)
            ++counts[line[x] | 0xff000000];
    }
    Measured m;
    int most = -1;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        if (it.value() > most) {
            most = it.value();
            m.background = QColor::fromRgb(it.key());
        }
    }
    m.ratio = 1;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        const double ratio = Theme::contrastRatio(QColor::fromRgb(it.key()), m.background);
        if (ratio > m.ratio) {
            m.ratio = ratio;
            m.text = QColor::fromRgb(it.key());
        }
    }
    return m;
}

QImage grabbed(QWidget *widget)
{
    return widget->grab().toImage().convertToFormat(QImage::Format_RGB32);
}

// The lowest ratio seen per palette, printed at the end.
std::map<QString, std::pair<double, QString>> &lowest()
{
    static std::map<QString, std::pair<double, QString>> m;
    return m;
}

void note(const QString &palette, const QString &what, double ratio)
{
    auto &entry = lowest()[palette];
    if (entry.second.isEmpty() || ratio < entry.first)
        entry = {ratio, what};
}

// Fails the test (with what was measured) under 4.5:1.
#define VERIFY_READABLE(image, rect, what) \
    do { \
        const Measured m_ = measure(image, rect); \
        note(paletteName() + QStringLiteral(", as drawn"), what, m_.ratio); \
        QVERIFY2(m_.ratio >= Theme::MinTextContrast, \
                 qPrintable(QStringLiteral("%1: %2 on %3 is %4:1") \
                                .arg(what, m_.text.name(), m_.background.name()) \
                                .arg(m_.ratio, 0, 'f', 2))); \
    } while (false)

TaskOutcome outcome(qint64 id, TaskStatus status, const QByteArray &result = {}, const QByteArray &input = {})
{
    TaskOutcome o;
    o.id = id;
    o.input = input.isEmpty() ? "input-" + QByteArray::number(id) : input;
    o.status = status;
    o.attempts = 1;
    o.worker = int(id % 2);
    o.startedAtMs = 1'760'000'000'000 + id * 400;
    o.durationMs = 300;
    o.exitCode = status == TaskStatus::Ok ? 0 : 2;
    o.result = result;
    if (status != TaskStatus::Ok)
        o.error = QStringLiteral("exit code 2");
    return o;
}

SlotSnapshot busy(int slot, double progress)
{
    SlotSnapshot w;
    w.slot = slot;
    w.pid = 1000 + slot;
    w.state = SlotState::Busy;
    w.taskId = slot;
    w.input = "task-" + QByteArray::number(slot);
    w.progress = progress;
    w.taskElapsedMs = 1200;
    return w;
}

const QList<TaskStatus> &allStatuses()
{
    static const QList<TaskStatus> all = {TaskStatus::Pending, TaskStatus::Running, TaskStatus::Ok,      TaskStatus::Failed,
                                          TaskStatus::Timeout, TaskStatus::Crashed, TaskStatus::Stalled, TaskStatus::Cancelled};
    return all;
}

} // namespace

class TestTheme : public QObject
{
    Q_OBJECT

    QPalette m_startupPalette;
    QString m_startupStyle;

    QString paletteName() const { return Theme::toString(Theme::current()); }

    void choices()
    {
        QTest::addColumn<int>("choice");
        QTest::newRow("dark") << int(Theme::Choice::Dark);
        QTest::newRow("light") << int(Theme::Choice::Light);
    }

    void applyChoice()
    {
        QFETCH(int, choice);
        Theme::apply(Theme::Choice(choice));
        QCOMPARE(Theme::isDark(QApplication::palette()), Theme::Choice(choice) == Theme::Choice::Dark);
        QCOMPARE(QApplication::style()->name().toLower(), QStringLiteral("fusion"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        isolateSettings();
        m_startupPalette = QApplication::palette();
        m_startupStyle = QApplication::style()->name();
    }

    void cleanup()
    {
        Theme::apply(Theme::Choice::System);
    }

    void cleanupTestCase()
    {
        for (const auto &[palette, entry] : lowest())
            qInfo("lowest contrast under %s: %.2f:1 (%s)", qPrintable(palette), entry.first, qPrintable(entry.second));
    }

    void choiceWords()
    {
        for (Theme::Choice c : {Theme::Choice::System, Theme::Choice::Light, Theme::Choice::Dark})
            QVERIFY(Theme::fromString(Theme::toString(c)) == c);
        QCOMPARE(Theme::toString(Theme::Choice::Dark), QStringLiteral("dark"));
        QVERIFY(!Theme::fromString(QStringLiteral("blue")).has_value());
        QCOMPARE(Theme::contrastRatio(Qt::black, Qt::white), 21.0);
        QCOMPARE(Theme::contrastRatio(Qt::white, Qt::white), 1.0);
        // The Terminate button's white on red.
        QVERIFY(Theme::contrastRatio(Qt::white, QColor(0xc6, 0x28, 0x28)) > 5.5);
    }

    // The measurement itself catches an unreadable colour: the old OK green on the dark base.
    void measurementCatchesUnreadableText()
    {
        Theme::apply(Theme::Choice::Dark);
        QLabel label(QStringLiteral("OK OK OK"));
        QPalette p = label.palette();
        p.setColor(QPalette::WindowText, QColor(0x2e, 0x7d, 0x32));
        label.setPalette(p);
        label.setAutoFillBackground(true);
        label.resize(label.sizeHint());
        const Measured m = measure(grabbed(&label), label.rect());
        QCOMPARE(m.background, QApplication::palette().color(QPalette::Window));
        QVERIFY2(m.ratio < Theme::MinTextContrast, qPrintable(QString::number(m.ratio)));
        QVERIFY(m.ratio > 1.5); // it did find the text
    }

    void colours_data() { choices(); }
    void colours()
    {
        applyChoice();
        const QPalette pal = QApplication::palette();
        QList<std::pair<QString, QColor>> colours;
        for (TaskStatus s : allStatuses())
            colours.append({StatusStyle::label(s), StatusStyle::color(s)});
        for (SlotState s : {SlotState::Starting, SlotState::Idle, SlotState::Busy, SlotState::Stopping, SlotState::Exited,
                            SlotState::Crashed}) {
            const QColor c = StatusStyle::color(s);
            colours.append({QStringLiteral("slot state %1").arg(int(s)), c.isValid() ? c : pal.color(QPalette::Text)});
        }
        for (const char *state : {"running", "finished", "stopped", "terminated", "failed", "interrupted", "newer"})
            colours.append({QString::fromLatin1(state), StatusStyle::runStateColor(QString::fromLatin1(state))});
        colours.append({QStringLiteral("error"), Theme::errorColor(pal)});
        for (QPalette::ColorRole role : {QPalette::Text, QPalette::WindowText, QPalette::PlaceholderText, QPalette::Link})
            colours.append({QStringLiteral("palette role %1").arg(int(role)), pal.color(role)});
        for (const auto &[what, colour] : colours) {
            for (QPalette::ColorRole bg : {QPalette::Base, QPalette::AlternateBase, QPalette::Window}) {
                const double ratio = Theme::contrastRatio(colour, pal.color(bg));
                note(paletteName() + QStringLiteral(", colours"), what, ratio);
                QVERIFY2(ratio >= Theme::MinTextContrast,
                         qPrintable(QStringLiteral("%1 %2 on %3: %4").arg(what, colour.name(), pal.color(bg).name()).arg(ratio)));
            }
        }
        // Selected and tooltip text, disabled text on its window and button.
        QVERIFY(Theme::contrastRatio(pal.color(QPalette::HighlightedText), pal.color(QPalette::Highlight)) >= Theme::MinTextContrast);
        QVERIFY(Theme::contrastRatio(pal.color(QPalette::ToolTipText), pal.color(QPalette::ToolTipBase)) >= Theme::MinTextContrast);
        QVERIFY(Theme::contrastRatio(pal.color(QPalette::Disabled, QPalette::WindowText), pal.color(QPalette::Disabled, QPalette::Window))
                >= Theme::MinTextContrast);
        QVERIFY(Theme::contrastRatio(pal.color(QPalette::Disabled, QPalette::ButtonText), pal.color(QPalette::Disabled, QPalette::Button))
                >= Theme::MinTextContrast);
        // The hues stay recognisable: OK green, Failed red.
        const QColor ok = StatusStyle::color(TaskStatus::Ok).toHsv(), failed = StatusStyle::color(TaskStatus::Failed).toHsv();
        QVERIFY2(ok.hue() > 90 && ok.hue() < 150, qPrintable(ok.name()));
        QVERIFY2(failed.hue() < 15 || failed.hue() > 345, qPrintable(failed.name()));
    }

    // The results table as drawn: status cells in their colours on Base and AlternateBase.
    void resultsTable_data() { choices(); }
    void resultsTable()
    {
        applyChoice();
        ResultTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (int i = 0; i < allStatuses().size(); ++i)
            model.append(outcome(i, allStatuses().at(i)));
        model.flush();
        QTableView view;
        view.setAlternatingRowColors(true);
        view.setModel(&model);
        view.resize(900, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QImage image = grabbed(view.viewport());
        const int icon = view.style()->pixelMetric(QStyle::PM_SmallIconSize) + 6;
        for (int row = 0; row < model.rowCount(); ++row) {
            const QModelIndex index = model.index(row, ResultTableModel::StatusColumn);
            const QRect cell = view.visualRect(index).adjusted(icon, 1, -1, -1); // the text, not the coloured dot
            VERIFY_READABLE(image, cell, QStringLiteral("results cell \"%1\"").arg(index.data().toString()));
        }
    }

    // The workers table: state text, and the progress bar's text over the filled
    // chunk (95 %), the empty groove (5 %) and both halves of a half-full bar.
    void workersTable_data() { choices(); }
    void workersTable()
    {
        applyChoice();
        WorkerTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        SlotSnapshot crashed = busy(3, -1);
        crashed.state = SlotState::Crashed;
        crashed.taskId = -1;
        SlotSnapshot down = busy(4, 0.3);
        down.host = QStringLiteral("user@node2");
        down.hostDown = true;
        model.update({busy(0, 0.95), busy(1, 0.05), busy(2, 0.5), crashed, down});
        QTableView view;
        view.setAlternatingRowColors(true);
        view.setModel(&model);
        view.setItemDelegate(new ProgressBarDelegate(WorkerTableModel::ProgressColumn, WorkerTableModel::ProgressRole, &view));
        view.horizontalHeader()->resizeSection(WorkerTableModel::ProgressColumn, 160);
        view.resize(1100, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QImage image = grabbed(view.viewport());
        const QFontMetrics fm = view.fontMetrics();
        auto textRect = [&](int row) {
            const QRect cell = view.visualRect(model.index(row, WorkerTableModel::ProgressColumn));
            const QString text = model.index(row, WorkerTableModel::ProgressColumn).data().toString();
            const int w = fm.horizontalAdvance(text) + 2;
            return QRect(cell.center().x() - w / 2, cell.center().y() - fm.ascent() / 2 - 1, w, fm.ascent() + 2);
        };
        VERIFY_READABLE(image, textRect(0), QStringLiteral("progress text on the filled bar"));
        VERIFY_READABLE(image, textRect(1), QStringLiteral("progress text on the empty bar"));
        const QRect half = textRect(2);
        const int split = view.visualRect(model.index(2, WorkerTableModel::ProgressColumn)).adjusted(2, 2, -2, -2).center().x();
        VERIFY_READABLE(image, QRect(QPoint(half.left(), half.top()), QPoint(split - 2, half.bottom())),
                        QStringLiteral("progress text, filled half"));
        VERIFY_READABLE(image, QRect(QPoint(split + 2, half.top()), half.bottomRight()),
                        QStringLiteral("progress text, empty half"));
        for (int row : {0, 3}) {
            const QModelIndex index = model.index(row, WorkerTableModel::StateColumn);
            VERIFY_READABLE(image, view.visualRect(index).adjusted(1, 1, -1, -1),
                            QStringLiteral("worker state \"%1\"").arg(index.data().toString()));
        }
        VERIFY_READABLE(image, view.visualRect(model.index(4, WorkerTableModel::HostColumn)).adjusted(1, 1, -1, -1),
                        QStringLiteral("a down host in red"));
    }

    // The throughput chart's axis labels, in the palette's text colour on its base.
    void throughputChart_data() { choices(); }
    void throughputChart()
    {
        applyChoice();
        ThroughputChart chart;
        chart.resize(480, 220);
        for (int s = 1; s <= 40; ++s)
            chart.addSample(s, 3 + (s % 7));
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        QTRY_VERIFY(chart.chart()->plotArea().width() > 100);
        const QImage image = grabbed(chart.viewport());
        const QRect plot = chart.mapFromScene(chart.chart()->mapToScene(chart.chart()->plotArea())).boundingRect();
        QCOMPARE(measure(image, plot).background, QApplication::palette().color(QPalette::Base));
        VERIFY_READABLE(image, QRect(QPoint(plot.left(), plot.bottom() + 6), QPoint(plot.right(), image.height() - 1)),
                        QStringLiteral("chart time axis labels"));
        VERIFY_READABLE(image, QRect(QPoint(0, plot.top()), QPoint(plot.left() - 6, plot.bottom())),
                        QStringLiteral("chart rate axis labels"));
    }

    // The timeline: host header, lane labels, time axis labels; the bars stand out (3:1, as graphics).
    void timeline_data() { choices(); }
    void timeline()
    {
        applyChoice();
        TimelineModel model;
        const QList<TaskStatus> statuses = {TaskStatus::Ok, TaskStatus::Failed, TaskStatus::Timeout, TaskStatus::Crashed,
                                            TaskStatus::Ok, TaskStatus::Stalled};
        for (int i = 0; i < statuses.size(); ++i)
            model.addAttempt(outcome(i, statuses.at(i)), i == 1);
        model.flush();
        TimelineView view(&model);
        view.resize(900, 260);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_VERIFY(view.laneRect(1).isValid());
        const QImage image = grabbed(&view);
        const QRect plot = view.plotRect();
        const QRect lane0 = view.laneRect(0), lane1 = view.laneRect(1);
        VERIFY_READABLE(image, QRect(0, plot.top() + 1, plot.left() - 2, lane0.top() - plot.top() - 2),
                        QStringLiteral("timeline host header"));
        VERIFY_READABLE(image, QRect(2, lane0.top() + 1, plot.left() - 4, lane0.height() - 2), QStringLiteral("timeline lane label"));
        VERIFY_READABLE(image, QRect(2, lane1.top() + 1, plot.left() - 4, lane1.height() - 2),
                        QStringLiteral("timeline lane label, alternate row"));
        VERIFY_READABLE(image, QRect(plot.left() + 2, 0, plot.width() - 4, plot.top() - 6), QStringLiteral("timeline axis labels"));
        VERIFY_READABLE(image, QRect(2, 0, plot.left() - 4, plot.top() - 2), QStringLiteral("timeline axis title"));
        const QColor base = QApplication::palette().color(QPalette::Base);
        for (TaskStatus s : statuses) {
            const double ratio = Theme::contrastRatio(StatusStyle::color(s, view.palette()), base);
            QVERIFY2(ratio >= 3, qPrintable(StatusStyle::label(s)));
        }
    }

    // The heatmap's values on viridis cells, and its axis labels.
    void heatmap_data() { choices(); }
    void heatmap()
    {
        applyChoice();
        ResultTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QStringList lrs = {QStringLiteral("0.1"), QStringLiteral("0.01"), QStringLiteral("0.001")};
        const QStringList bss = {QStringLiteral("32"), QStringLiteral("64")};
        model.setParameters({SweepParameter{QStringLiteral("lr"), lrs, false}, SweepParameter{QStringLiteral("bs"), bss, false}});
        int id = 0;
        for (const QString &lr : lrs) {
            for (const QString &bs : bss) {
                const QByteArray loss = QByteArray::number(1 + id * 1.7);
                model.append(outcome(id++, TaskStatus::Ok, "{\"loss\": " + loss + "}", Sweep::joinTuple({lr.toUtf8(), bs.toUtf8()})));
            }
        }
        model.flush();
        SweepChartPanel panel(&model);
        panel.resize(900, 500);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        SweepChartView *view = panel.view();
        QTRY_COMPARE(panel.data()->filledCells(), 6);
        const QImage image = grabbed(view);
        for (int c = 0; c < 3; ++c) {
            for (int r = 0; r < 2; ++r)
                VERIFY_READABLE(image, view->cellRect(c, r).adjusted(2, 2, -2, -2), QStringLiteral("heatmap cell %1,%2").arg(c).arg(r));
        }
        const QRect plot = view->plotRect();
        VERIFY_READABLE(image, QRect(plot.left(), plot.bottom() + 3, plot.width(), view->fontMetrics().height() + 2),
                        QStringLiteral("heatmap axis values"));
    }

    // The palette follows at runtime; System gives back the startup style and palette exactly.
    void systemRestoresTheStartupLook()
    {
        QVERIFY(Theme::current() == Theme::Choice::System);
        QTableView table;
        table.show();
        Theme::apply(Theme::Choice::Dark);
        QVERIFY(Theme::isDark(QApplication::palette()));
        QTRY_VERIFY(Theme::isDark(table.palette()));
        Theme::apply(Theme::Choice::Light);
        QTRY_VERIFY(!Theme::isDark(table.palette()));
        QCOMPARE(QApplication::palette().color(QPalette::Base), QColor(Qt::white));
        Theme::apply(Theme::Choice::Dark);
        Theme::apply(Theme::Choice::System);
        QVERIFY(Theme::current() == Theme::Choice::System);
        QCOMPARE(QApplication::style()->name(), m_startupStyle);
        QCOMPARE(QApplication::palette(), m_startupPalette);
        QTRY_COMPARE(table.palette().color(QPalette::Base), m_startupPalette.color(QPalette::Base));
    }

    // Error labels and the live colours follow a palette change by themselves.
    void errorTextFollowsThePalette()
    {
        QLabel label(QStringLiteral("Not recorded"));
        Theme::keepErrorColor(&label);
        Theme::apply(Theme::Choice::Dark);
        QTRY_COMPARE(label.palette().color(QPalette::WindowText), Theme::errorColor(QApplication::palette()));
        Theme::apply(Theme::Choice::Light);
        QTRY_COMPARE(label.palette().color(QPalette::WindowText), Theme::errorColor(QApplication::palette()));
        QVERIFY(Theme::errorColor(Theme::palette(Theme::Choice::Dark)) != Theme::errorColor(Theme::palette(Theme::Choice::Light)));
    }

    // Text already shown takes the new colours: stderr in the live output is drawn afresh.
    void liveOutputFollowsThePalette()
    {
        LiveOutput output;
        QStandardItemModel workers;
        QList<QStandardItem *> row;
        for (int column = 0; column < WorkerTableModel::ColumnCount; ++column)
            row.append(new QStandardItem);
        row[WorkerTableModel::SlotColumn]->setData(0, WorkerTableModel::SlotRole);
        row[WorkerTableModel::SlotColumn]->setData(7, WorkerTableModel::TaskIdRole);
        workers.appendRow(row);
        LiveOutputView view(&output, &workers);
        view.resize(500, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        output.append(0, 7, OutputStream::Stdout, "fine\n");
        output.append(0, 7, OutputStream::Stderr, "trouble\n");
        view.setSlot(0);
        auto colourOf = [&](const QString &line) {
            for (QTextBlock b = view.textView()->document()->begin(); b.isValid(); b = b.next()) {
                if (b.text() == line)
                    return b.begin().fragment().charFormat().foreground().color();
            }
            return QColor();
        };
        QTRY_VERIFY(view.textView()->toPlainText().contains(QStringLiteral("fine\ntrouble")));
        for (Theme::Choice c : {Theme::Choice::Dark, Theme::Choice::Light}) {
            Theme::apply(c);
            QTRY_COMPARE(colourOf(QStringLiteral("trouble")), Theme::errorColor(QApplication::palette()));
            QVERIFY(view.textView()->toPlainText().contains(QStringLiteral("fine\ntrouble")));
            QVERIFY(Theme::contrastRatio(colourOf(QStringLiteral("trouble")), view.textView()->palette().color(QPalette::Base))
                    >= Theme::MinTextContrast);
        }
    }

    // The real window switched to dark while open: the summary's coloured counts
    // follow, and the Terminate button, disabled with no run, stays legible.
    void windowSwitchesAtRuntime_data() { choices(); }
    void windowSwitchesAtRuntime()
    {
        TempJournal journal;
        MainWindow window(taskpool(), journal.path());
        ModelTesters testers(window);
        window.resize(1200, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        applyChoice();
        const QPalette pal = QApplication::palette();
        QTRY_COMPARE(window.palette().color(QPalette::Window), pal.color(QPalette::Window));
        auto *ok = window.findChild<QLabel *>(QStringLiteral("count_ok"));
        QVERIFY(ok);
        QTRY_COMPARE(ok->palette().color(QPalette::WindowText), StatusStyle::color(TaskStatus::Ok, pal));
        auto *terminate = window.findChild<QWidget *>(QStringLiteral("terminateButton"));
        QVERIFY(terminate);
        QVERIFY(!terminate->isEnabled());
        const QImage image = grabbed(terminate);
        // The words, right of the icon.
        VERIFY_READABLE(image, QRect(image.width() / 3, 2, image.width() * 2 / 3 - 4, image.height() - 4),
                        QStringLiteral("disabled Terminate pool button"));
        // The style's media icons are black: redrawn in the palette's colour,
        // they stand out of the toolbar (3:1, WCAG's contrast for graphics).
        auto *toolBar = window.findChild<QToolBar *>();
        QVERIFY(toolBar);
        QWidget *start = toolBar->widgetForAction(window.startAction());
        QVERIFY(start && start->isEnabled());
        const QImage startImage = grabbed(start);
        const int icon = start->style()->pixelMetric(QStyle::PM_ToolBarIconSize, nullptr, start);
        const Measured glyph = measure(startImage, QRect(0, 0, icon + 2, startImage.height()));
        QVERIFY2(glyph.ratio >= 3.0, qPrintable(QStringLiteral("Start icon %1 on %2 is %3:1")
                                                    .arg(glyph.text.name(), glyph.background.name()).arg(glyph.ratio)));
    }

    // View > Theme: three exclusive choices named by their text; choosing applies and saves.
    void menuAppliesAndSaves()
    {
        std::unique_ptr<QMenu> menu(Theme::menu(nullptr));
        const QList<QAction *> actions = menu->actions();
        QCOMPARE(actions.size(), 3);
        QStringList names;
        for (QAction *a : actions) {
            QVERIFY(a->isCheckable());
            names.append(a->text().remove(QLatin1Char('&')));
        }
        QCOMPARE(names, (QStringList{"System", "Light", "Dark"}));
        QVERIFY(actions.at(0)->isChecked());
        actions.at(2)->trigger();
        QVERIFY(Theme::current() == Theme::Choice::Dark);
        QVERIFY(Theme::isDark(QApplication::palette()));
        QCOMPARE(QSettings().value(QLatin1String(Theme::SettingsKey)).toString(), QStringLiteral("dark"));
        QVERIFY(Theme::savedChoice() == Theme::Choice::Dark);
        QVERIFY(actions.at(2)->isChecked());
        QVERIFY(!actions.at(0)->isChecked());
        actions.at(0)->trigger();
        QCOMPARE(QApplication::palette(), m_startupPalette);
        QVERIFY(Theme::savedChoice() == Theme::Choice::System);
    }
};

QTEST_MAIN(TestTheme)
#include "tst_ui_theme.moc"
