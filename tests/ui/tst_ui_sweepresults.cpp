// Results by parameter (issue 15): a sweep task's input shown as its values,
// a column per parameter (sorted by number, filtered by value), and the "By
// parameter" chart: its fields from real result JSON and from a pattern for
// the output, the heatmap of a real 3x2 sweep filling in live, a click on a
// cell selecting its result, the same after reopening the run from the
// journal, and what it says to a screen reader.
//
// The engine's sweep sources come in another change: these runs hand the
// window NUL-joined tuples as their inputs and fill JobSpec::parameters
// themselves, which is what a sweep is to the app.

#include "displayformat.h"
#include "journalservice.h"
#include "sweepchartdata.h"
#include "sweepchartpanel.h"
#include "sweepchartview.h"
#include "sweepvalues.h"
#include "uitestsupport.h"

#include <QAccessible>
#include <QComboBox>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>

#include <cmath>

using namespace UiTest;

namespace {

QByteArray tuple(const QList<QByteArray> &values)
{
    return Sweep::joinTuple(values);
}

TaskOutcome okResult(qint64 id, const QByteArray &input, const QByteArray &result = {}, const QByteArray &output = {})
{
    TaskOutcome o;
    o.id = id;
    o.input = input;
    o.status = TaskStatus::Ok;
    o.exitCode = 0;
    o.result = result;
    o.output = output;
    o.attempts = 1;
    o.worker = 0;
    o.startedAtMs = 1'760'000'000'000 + id;
    o.durationMs = 5;
    return o;
}

QList<SweepParameter> lrBs()
{
    return {SweepParameter{QStringLiteral("lr"), {QStringLiteral("0.1"), QStringLiteral("0.01"), QStringLiteral("0.001")}, false},
            SweepParameter{QStringLiteral("bs"), {QStringLiteral("32"), QStringLiteral("64")}, false}};
}

// The crossed tuples of lrBs(), in order: lr major.
QList<QByteArray> lrBsTuples()
{
    QList<QByteArray> tuples;
    const QList<SweepParameter> parameters = lrBs();
    for (const QString &lr : parameters.at(0).values) {
        for (const QString &bs : parameters.at(1).values)
            tuples.append(tuple({lr.toUtf8(), bs.toUtf8()}));
    }
    return tuples;
}

QString python()
{
    if (QFileInfo::exists(QStringLiteral("/usr/bin/python3")))
        return QStringLiteral("/usr/bin/python3");
    return QStandardPaths::findExecutable(QStringLiteral("python3"));
}

// A protocol worker for lr x bs: answers {"loss": lr*bs, "acc": 1-lr, ...}; the
// tasks with lr = 0.001 wait until the gate file exists.
const char WorkerScript[] = R"(import json, os, sys, time
gate = sys.argv[1]
for line in sys.stdin:
    task = json.loads(line)
    lr, bs = task["params"]["lr"], task["params"]["bs"]
    if lr == "0.001":
        while not os.path.exists(gate):
            time.sleep(0.02)
    result = {"loss": float(lr) * float(bs), "acc": 1 - float(lr), "note": "text", "tuple": [lr, bs]}
    print(json.dumps({"id": task["id"], "result": result}), flush=True)
)";

QString accessibleDescription(QWidget *widget)
{
    QAccessibleInterface *iface = QAccessible::queryAccessibleInterface(widget);
    return iface ? iface->text(QAccessible::Description) : QString();
}

QString accessibleName(QWidget *widget)
{
    QAccessibleInterface *iface = QAccessible::queryAccessibleInterface(widget);
    return iface ? iface->text(QAccessible::Name) : QString();
}

QStringList headers(const QAbstractItemModel *model)
{
    QStringList names;
    for (int c = 0; c < model->columnCount(); ++c)
        names.append(model->headerData(c, Qt::Horizontal).toString());
    return names;
}

} // namespace

class SweepResultsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { isolateSettings(); }

    // A tuple reads as its values by spaces: never \x00; other bad bytes still as \xHH.
    void inputTextShowsTheValues()
    {
        QCOMPARE(DisplayFormat::inputText(tuple({"0.01", "64"})), QStringLiteral("0.01 64"));
        QCOMPARE(DisplayFormat::inputText(tuple({"a\xff", "b c"})), QStringLiteral("a\\xff b c"));
        QCOMPARE(DisplayFormat::inputText("plain input"), QStringLiteral("plain input"));
        QCOMPARE(DisplayFormat::inputText("bad\xfe"), QStringLiteral("bad\\xfe"));
        QCOMPARE(DisplayFormat::firstLineOfInput(tuple({"x", "y", "z"})), QStringLiteral("x y z"));
        QVERIFY(!DisplayFormat::inputText(tuple({"1", "2"})).contains(QChar(0)));
        QCOMPARE(SweepValues::value(tuple({"1", "22", "333"}), 1), QByteArrayView("22"));
        QCOMPARE(SweepValues::value(tuple({"1", "22", "333"}), 2), QByteArrayView("333"));
        QVERIFY(SweepValues::value(tuple({"1", "22"}), 2).isEmpty());
        QCOMPARE(SweepValues::value("single", 0), QByteArrayView("single"));
    }

    // A column per parameter, only for a sweep, named by the parameters
    // ({1} for a positional source); values split from the input.
    void parameterColumnsForSweepsOnly()
    {
        ResultTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy changed(&model, &ResultTableModel::parametersChanged);
        QCOMPARE(model.columnCount(), int(ResultTableModel::ColumnCount));
        model.append(okResult(0, "plain"));
        model.flush();
        model.setParameters(lrBs());
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.columnCount(), ResultTableModel::ColumnCount + 2);
        QCOMPARE(model.headerData(model.parameterColumn(0), Qt::Horizontal).toString(), QStringLiteral("lr"));
        QCOMPARE(model.headerData(model.parameterColumn(1), Qt::Horizontal).toString(), QStringLiteral("bs"));
        QCOMPARE(model.rowCount(), 1); // rows stay: the columns changed, not the results
        model.append(okResult(1, tuple({"0.01", "64"})));
        model.flush();
        QCOMPARE(model.index(1, model.parameterColumn(0)).data().toString(), QStringLiteral("0.01"));
        QCOMPARE(model.index(1, model.parameterColumn(1)).data().toString(), QStringLiteral("64"));
        QCOMPARE(model.index(1, model.parameterColumn(1)).data(ResultTableModel::SortRole).toDouble(), 64.0);
        QCOMPARE(model.index(1, ResultTableModel::InputColumn).data().toString(), QStringLiteral("0.01 64"));
        model.setParameters(lrBs()); // the same: nothing happens
        QCOMPARE(changed.count(), 1);
        model.setParameters({SweepParameter{QStringLiteral("1"), {}, false}, SweepParameter{QStringLiteral("2"), {}, false}});
        QCOMPARE(headers(&model).mid(ResultTableModel::ColumnCount), (QStringList{QStringLiteral("{1}"), QStringLiteral("{2}")}));
        model.setParameters({});
        QCOMPARE(model.columnCount(), int(ResultTableModel::ColumnCount));
        QCOMPARE(changed.count(), 3);
    }

    // Parameter columns sort by number (text after numbers); the search finds
    // values, and lr=…, bs>=… words keep rows by one parameter's value.
    void parameterColumnsSortAndFilter()
    {
        ResultTableModel model;
        ResultFilterProxy proxy(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setParameters({SweepParameter{QStringLiteral("lr"), {}, false}, SweepParameter{QStringLiteral("opt"), {}, false}});
        const QList<QByteArray> lrs = {"0.1", "10", "1e-3", "0.02", "2", "adam-ish"};
        const QList<QByteArray> opts = {"sgd", "adam", "sgd", "adam", "sgd", "adam"};
        for (int i = 0; i < lrs.size(); ++i)
            model.append(okResult(i, tuple({lrs[i], opts[i]})));
        model.flush();
        const int lrColumn = model.parameterColumn(0);
        proxy.sort(lrColumn, Qt::AscendingOrder);
        QStringList sorted;
        for (int r = 0; r < proxy.rowCount(); ++r)
            sorted.append(proxy.index(r, lrColumn).data().toString());
        QCOMPARE(sorted, (QStringList{"1e-3", "0.02", "0.1", "2", "10", "adam-ish"}));
        proxy.sort(lrColumn, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, lrColumn).data().toString(), QStringLiteral("adam-ish"));
        QCOMPARE(proxy.index(1, lrColumn).data().toString(), QStringLiteral("10"));

        proxy.setSearchText(QStringLiteral("0.02"));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setSearchText(QStringLiteral("lr=0.1"));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setSearchText(QStringLiteral("lr=1e-1")); // the same number
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setSearchText(QStringLiteral("lr>=2"));
        QCOMPARE(proxy.rowCount(), 3); // 2, 10 and the text after every number
        proxy.setSearchText(QStringLiteral("lr<1 opt=sgd"));
        QCOMPARE(proxy.rowCount(), 2); // 0.1 and 1e-3
        proxy.setSearchText(QStringLiteral("opt=adam adam-ish"));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setSearchText(QStringLiteral("nosuch=1")); // not a parameter: plain text
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setSearchText(QString());
        QCOMPARE(proxy.rowCount(), lrs.size());
    }

    // The fields come from the numbers of the results' JSON (a bare number is
    // "result"); a pattern reads the output instead.
    void fieldsFromResultsAndPattern()
    {
        ResultTableModel model;
        model.setParameters({SweepParameter{QStringLiteral("n"), {}, false}});
        SweepChartData data(&model);
        QSignalSpy fields(&data, &SweepChartData::fieldsChanged);
        model.append(okResult(0, "1", R"({"loss": 0.5, "name": "a", "acc": 0.9})", "loss=7\n"));
        model.append(okResult(1, "2", "3.25", "loss=8e0 and more\n"));
        model.append(okResult(2, "3", R"({"loss": 0.25, "extra": {"deep": 1}, "steps": 12})", "nothing here\n"));
        data.catchUp();
        QVERIFY(fields.count() >= 1);
        QCOMPARE(data.fields(), (QStringList{"loss", "acc", "result", "steps"}));
        QCOMPARE(data.field(), QStringLiteral("loss")); // the first one found, until one is chosen
        QCOMPARE(data.columnCount(), 3);
        QCOMPARE(data.cellValue(0, 0), 0.5);
        QVERIFY(std::isnan(data.cellValue(1, 0))); // "3.25" has no loss
        QCOMPARE(data.cellValue(2, 0), 0.25);
        data.setField(QStringLiteral("result"));
        data.catchUp();
        QCOMPARE(data.filledCells(), 1);
        QCOMPARE(data.cellValue(1, 0), 3.25);
        QVERIFY(!data.setPattern(QStringLiteral("loss=(")));
        QVERIFY(!data.patternError().isEmpty());
        QVERIFY(data.setPattern(QStringLiteral("loss=([0-9.eE+-]+)")));
        data.catchUp();
        QCOMPARE(data.filledCells(), 2);
        QCOMPARE(data.cellValue(0, 0), 7.0);
        QCOMPARE(data.cellValue(1, 0), 8.0);
        QVERIFY(data.fieldLabel().contains(QStringLiteral("loss=(")));
    }

    // A real protocol run over a 3x2 grid, through the window: parameter
    // columns, fields from the worker's JSON, cells empty until their tasks
    // finish and filled as results arrive; a click on a cell selects its
    // result; reopened from the journal the same grid comes back.
    void heatmapOfARealSweep()
    {
        const QString py = python();
        if (py.isEmpty())
            QSKIP("needs python3 for the worker");
        TempJournal journal;
        QTemporaryDir dir;
        const QString script = dir.filePath(QStringLiteral("worker.py"));
        {
            QFile f(script);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(WorkerScript);
        }
        const QString gate = dir.filePath(QStringLiteral("gate"));
        MainWindow window(taskpool(), journal.path());
        ModelTesters testers(window);
        window.resize(1200, 800);
        window.show();
        SweepChartPanel *panel = window.sweepChart();
        SweepChartView *view = panel->view();
        SweepChartData *data = panel->data();
        QVERIFY(window.tabs()->indexOf(panel) >= 0);
        QCOMPARE(window.tabs()->tabText(window.tabs()->indexOf(panel)), QStringLiteral("By parameter"));
        QVERIFY(accessibleDescription(view).startsWith(QStringLiteral("Not a parameter sweep")));

        JobSpec spec;
        spec.mode = JobSpec::Mode::Worker;
        spec.command = {py, script, gate};
        spec.workers = 1; // in order: the lr = 0.001 tasks come last and wait
        spec.killGraceSeconds = 0.3;
        spec.parameters = lrBs();
        QSignalSpy finished(window.controller(), &RunController::finished);
        QSignalSpy ended(window.controller()->journal(), &JournalService::runEnded);
        QString error;
        QVERIFY2(window.controller()->start(spec, RunInputs::exactly(lrBsTuples()), &error), qPrintable(error));
        window.tabs()->setCurrentWidget(panel);
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        // The table: a column per parameter, right after the input.
        ResultTableModel *results = window.controller()->resultModel();
        QCOMPARE(headers(results).mid(ResultTableModel::ColumnCount), (QStringList{"lr", "bs"}));
        QHeaderView *header = window.results()->view()->horizontalHeader();
        QCOMPARE(header->visualIndex(results->parameterColumn(0)), header->visualIndex(ResultTableModel::InputColumn) + 1);
        QCOMPARE(header->visualIndex(results->parameterColumn(1)), header->visualIndex(ResultTableModel::InputColumn) + 2);
        QVERIFY(header->isSectionHidden(ResultTableModel::HostColumn)); // still hidden: no remote hosts

        // Four of six tasks answer; the lr = 0.001 column stays empty.
        QTRY_COMPARE_WITH_TIMEOUT(data->filledCells(), 4, 20000);
        QCOMPARE(data->fields(), (QStringList{"loss", "acc"}));
        QCOMPARE(panel->fieldBox()->count(), 2);
        QCOMPARE(panel->fieldBox()->currentText(), QStringLiteral("loss"));
        QCOMPARE(data->columnCount(), 3);
        QCOMPARE(data->rowCount(), 2);
        QCOMPARE(data->columnValue(0), QStringLiteral("0.001")); // ascending, not as given
        QCOMPARE(data->columnValue(2), QStringLiteral("0.1"));
        QCOMPARE(data->rowValue(0), QStringLiteral("32"));
        QVERIFY(std::isnan(data->cellValue(0, 0)));
        QVERIFY(std::isnan(data->cellValue(0, 1)));
        QCOMPARE(data->cellValue(1, 1), 0.01 * 64);
        QCOMPARE(data->cellValue(2, 0), 0.1 * 32);
        QTRY_VERIFY(accessibleDescription(view).contains(QStringLiteral("4 of 6 cells filled")));
        QCOMPARE(accessibleDescription(view),
                 QStringLiteral("Heatmap of loss by lr × bs: 4 of 6 cells filled, min 0.32 at lr=0.01 bs=32, max 6.4 at lr=0.1 bs=64."));
        QCOMPARE(panel->caption()->text(), accessibleDescription(view));

        // The gate opens: the last two fill in.
        QFile(gate).open(QIODevice::WriteOnly);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QTRY_COMPARE(data->filledCells(), 6);
        QCOMPARE(data->cellValue(0, 0), 0.001 * 32);
        QCOMPARE(data->cellValue(0, 1), 0.001 * 64);
        QCOMPARE(data->minValue(), 0.001 * 32);
        QCOMPARE(data->maxValue(), 0.1 * 64);
        QTRY_VERIFY(accessibleDescription(view).contains(QStringLiteral("6 of 6 cells filled, min 0.032 at lr=0.001 bs=32")));

        // Another field: the same cells, other numbers.
        panel->fieldBox()->setCurrentIndex(panel->fieldBox()->findText(QStringLiteral("acc")));
        data->catchUp();
        QCOMPARE(data->cellValue(0, 0), 1 - 0.001);
        QTRY_VERIFY(accessibleDescription(view).startsWith(QStringLiteral("Heatmap of acc by lr × bs")));
        panel->fieldBox()->setCurrentIndex(0);
        data->catchUp();

        // Click the cell lr=0.01, bs=64: task 3 (lr major) is the current result.
        const QRect cell = view->cellRect(1, 1);
        QVERIFY(cell.width() > 10 && cell.height() > 10);
        QSignalSpy clicked(view, &SweepChartView::resultClicked);
        QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, cell.center());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.first().at(0).toLongLong(), 3);
        QCOMPARE(window.tabs()->currentWidget(), window.results());
        const QModelIndex current = window.results()->view()->currentIndex();
        QCOMPARE(current.data(ResultTableModel::IdRole).toLongLong(), 3);
        QCOMPARE(current.siblingAtColumn(results->parameterColumn(0)).data().toString(), QStringLiteral("0.01"));

        // Points: the same results, one each, coloured by bs; a click on one selects it too.
        window.tabs()->setCurrentWidget(panel);
        panel->kindBox()->setCurrentIndex(panel->kindBox()->findText(QStringLiteral("Points")));
        QCOMPARE(view->kind(), SweepChartView::Kind::Points);
        QVERIFY(panel->colourBox()->isVisible());
        QVERIFY(!panel->yBox()->isVisible());
        QCOMPARE(panel->colourBox()->currentText(), QStringLiteral("bs"));
        QCOMPARE(data->points().size(), std::size_t(6));
        QTRY_VERIFY(accessibleDescription(view).startsWith(QStringLiteral("loss against lr, coloured by bs: 6 results")));
        std::size_t highest = 0;
        for (std::size_t i = 0; i < data->points().size(); ++i) {
            if (data->points()[i].value > data->points()[highest].value)
                highest = i;
        }
        QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, view->pointPosition(highest));
        QCOMPARE(clicked.count(), 2);
        QCOMPARE(clicked.last().at(0).toLongLong(), 1); // lr=0.1 bs=64
        window.tabs()->setCurrentWidget(panel);
        panel->kindBox()->setCurrentIndex(0);

        // Swapping the axes: bs across, lr up.
        panel->xBox()->setCurrentIndex(1);
        QCOMPARE(data->xParameter(), 1);
        QCOMPARE(data->yParameter(), 0);
        data->catchUp();
        QCOMPARE(data->columnCount(), 2);
        QCOMPARE(data->rowCount(), 3);
        QCOMPARE(data->cellValue(1, 2), 0.1 * 64);

        // Reopened from the journal: the same columns and the same grid.
        QTRY_COMPARE(ended.count(), 1);
        const QList<RunInfo> runs = UiTest::listedRuns(window.controller()->journal());
        QCOMPARE(runs.size(), 1);
        const RunInfo run = runs.first();
        QCOMPARE(run.spec.parameters.size(), spec.parameters.size()); // the journal keeps the sweep
        QSignalSpy shown(window.controller(), &RunController::runShown);
        QVERIFY2(window.controller()->showRun(run, &error), qPrintable(error));
        QTRY_COMPARE(shown.count(), 1);
        QCOMPARE(headers(results).mid(ResultTableModel::ColumnCount), (QStringList{"lr", "bs"}));
        QTRY_COMPARE(data->filledCells(), 6);
        QCOMPARE(data->fields(), (QStringList{"loss", "acc"}));
        QCOMPARE(data->cellValue(1, 2), 0.1 * 64);

        // A job that is no sweep: no parameter columns, and the chart says why.
        JobSpec plain = perTaskEcho();
        QVERIFY2(window.controller()->start(plain, RunInputs::all(), &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 20000);
        QCOMPARE(results->columnCount(), int(ResultTableModel::ColumnCount));
        QVERIFY(header->isSectionHidden(ResultTableModel::HostColumn));
        QTRY_VERIFY(accessibleDescription(view).startsWith(QStringLiteral("Not a parameter sweep")));
    }

    // A per-task sweep whose output says the number: the pattern box charts it.
    void patternOnRealOutput()
    {
        TempJournal journal;
        MainWindow window(taskpool(), journal.path());
        ModelTesters testers(window);
        window.show();
        JobSpec spec = perTaskEcho();
        spec.parameters = {SweepParameter{QStringLiteral("n"), {"3", "1", "2", "4"}, false}};
        QSignalSpy finished(window.controller(), &RunController::finished);
        QString error;
        QVERIFY2(window.controller()->start(spec, RunInputs::exactly({"1", "2", "3"}), &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        SweepChartPanel *panel = window.sweepChart();
        SweepChartData *data = panel->data();
        data->catchUp();
        QCOMPARE(data->fields(), QStringList()); // per-task output is no JSON
        QVERIFY(!panel->fieldBox()->isEnabled());
        QVERIFY(accessibleDescription(panel->view()).startsWith(QStringLiteral("No number to show yet")));
        panel->patternBox()->setText(QStringLiteral("value=([0-9.eE+-]+)"));
        QTRY_VERIFY(data->usesPattern());
        data->catchUp();
        QCOMPARE(data->columnCount(), 4); // the job's values, the unrun 4 too
        QCOMPARE(data->rowCount(), 1);
        QCOMPARE(data->columnValue(0), QStringLiteral("1"));
        QCOMPARE(data->cellValue(0, 0), 1.0);
        QCOMPARE(data->cellValue(2, 0), 3.0);
        QVERIFY(std::isnan(data->cellValue(3, 0)));
        QTRY_COMPARE(accessibleDescription(panel->view()),
                     QStringLiteral("Heatmap of output =~ value=([0-9.eE+-]+) by n: 3 of 4 cells filled, min 1 at n=1, max 3 at n=3."));
    }

    // Every control has a name a screen reader says; the view its description.
    void accessibleNames()
    {
        ResultTableModel model;
        SweepChartPanel panel(&model);
        for (QWidget *w : std::initializer_list<QWidget *>{panel.view(), panel.fieldBox(), panel.patternBox(), panel.xBox(),
                                                           panel.yBox(), panel.colourBox(), panel.kindBox()})
            QVERIFY2(!accessibleName(w).isEmpty(), qPrintable(w->objectName()));
        QVERIFY(!accessibleDescription(panel.view()).isEmpty());
        QSignalSpy summary(panel.view(), &SweepChartView::summaryChanged);
        model.setParameters(lrBs());
        model.append(okResult(0, tuple({"0.1", "32"}), R"({"loss": 1})"));
        model.flush();
        QTRY_VERIFY(summary.count() >= 1);
        QTRY_VERIFY(accessibleDescription(panel.view()).contains(QStringLiteral("1 of 6 cells filled")));
    }

    // 100k results arriving in the model's batches: read in slices, never all
    // in one event-loop turn; repaints coalesced; the grid adds up.
    void manyResultsInSlices()
    {
        ResultTableModel model;
        model.setParameters(lrBs());
        SweepChartPanel panel(&model);
        panel.resize(900, 500);
        panel.show();
        const QList<QByteArray> tuples = lrBsTuples();
        constexpr int Results = 100'000;
        for (int i = 0; i < Results; ++i)
            model.append(okResult(i, tuples[i % tuples.size()], "{\"loss\": " + QByteArray::number(i % 7) + ", \"acc\": 0.5}"));
        QElapsedTimer clock;
        clock.start();
        model.flush();
        const qint64 flushMs = clock.elapsed();
        QVERIFY(panel.data()->rowsRead() < Results); // nothing read inside the model's signal
        int turns = 0;
        qint64 longestTurn = 0;
        while (!panel.data()->isCaughtUp()) {
            QElapsedTimer turn;
            turn.start();
            QCoreApplication::processEvents();
            longestTurn = std::max(longestTurn, turn.elapsed());
            ++turns;
            QVERIFY(clock.elapsed() < 60000);
        }
        qInfo("100k results read in %lld ms over %d event-loop turns, the longest %lld ms (the model's flush %lld ms)",
              qlonglong(clock.elapsed()), turns, qlonglong(longestTurn), qlonglong(flushMs));
        QVERIFY(turns > 1);
        QCOMPARE(panel.data()->columnCount(), 3);
        QCOMPARE(panel.data()->rowCount(), 2);
        QCOMPARE(panel.data()->filledCells(), 6);
        QCOMPARE(panel.data()->points().size(), std::size_t(Results));
        qint64 counted = 0;
        for (int c = 0; c < 3; ++c) {
            for (int r = 0; r < 2; ++r)
                counted += panel.data()->cell(c, r).count;
        }
        QCOMPARE(counted, qint64(Results));
    }

private:
    static JobSpec perTaskEcho()
    {
        JobSpec spec;
        spec.mode = JobSpec::Mode::PerTask;
        spec.command = {QStringLiteral(TESTWORKER_PATH), QStringLiteral("echo"), QStringLiteral("value={}")};
        spec.inputKind = JobSpec::InputKind::List;
        spec.inputList = {QStringLiteral("a"), QStringLiteral("b")};
        spec.workers = 2;
        spec.killGraceSeconds = 0.3;
        return spec;
    }
};

QTEST_MAIN(SweepResultsTest)
#include "tst_ui_sweepresults.moc"
