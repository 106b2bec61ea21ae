// The results model (batched appends, retries replacing rows, counts), its
// filter proxy, and the export to CSV and JSON Lines.

#include "commandline.h"
#include "displayformat.h"
#include "resultexporter.h"
#include "sweep.h"
#include "resultfilterproxy.h"
#include "resultspanel.h"
#include "resulttablemodel.h"
#include "statusstyle.h"
#include "uitestsupport.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {
TaskOutcome outcome(qint64 id, TaskStatus status, const QByteArray &text = {})
{
    TaskOutcome o;
    o.id = id;
    o.input = "input-" + QByteArray::number(id);
    o.status = status;
    o.attempts = status == TaskStatus::Cancelled ? 0 : 1;
    o.worker = int(id % 3);
    o.startedAtMs = 1700000000000;
    o.durationMs = 10 + id;
    if (status == TaskStatus::Ok) {
        o.exitCode = 0;
        o.output = text.isEmpty() ? "out-" + QByteArray::number(id) + "\n" : text;
    } else if (status != TaskStatus::Cancelled) {
        o.exitCode = 2;
        o.error = QStringLiteral("exit code 2");
        o.errorOutput = "oops " + QByteArray::number(id) + "\n";
    } else {
        o.error = QStringLiteral("not run: the pool was terminated");
    }
    return o;
}

// The outcomes as the model stores them and hands them to an export.
ResultStorage::Snapshot stored(const QList<TaskOutcome> &outcomes)
{
    ResultStorage::Store store;
    for (const TaskOutcome &o : outcomes)
        store.append(o);
    return store.snapshot();
}
} // namespace

class TestResultModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appendsArriveInOneBatch()
    {
        ResultTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy counts(&model, &ResultTableModel::countsChanged);
        for (int i = 0; i < 1000; ++i)
            model.append(outcome(i, i % 10 == 0 ? TaskStatus::Failed : TaskStatus::Ok));
        QCOMPARE(model.rowCount(), 0); // nothing drawn per task
        QCOMPARE(model.pendingCount(), 1000);
        QTRY_COMPARE(model.rowCount(), 1000);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(counts.count(), 1);
        QCOMPARE(model.count(TaskStatus::Ok), 900);
        QCOMPARE(model.count(TaskStatus::Failed), 100);

        model.append(outcome(1000, TaskStatus::Timeout));
        model.flush(); // at the end of a run: no waiting for the batch timer
        QCOMPARE(model.rowCount(), 1001);
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(model.count(TaskStatus::Timeout), 1);
    }

    void cellsShowTheOutcome()
    {
        ResultTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.append(outcome(0, TaskStatus::Ok, "first line\nsecond line\n"));
        TaskOutcome remote = outcome(1, TaskStatus::Failed);
        remote.host = QStringLiteral("user@node2");
        model.append(remote);
        TaskOutcome result = outcome(2, TaskStatus::Ok);
        result.output.clear();
        result.result = "{\"square\":4}";
        model.append(result);
        model.flush();
        auto cell = [&model](int row, int column, int role = Qt::DisplayRole) {
            return model.index(row, column).data(role);
        };
        QCOMPARE(cell(0, ResultTableModel::PreviewColumn).toString(), QStringLiteral("first line …"));
        QCOMPARE(cell(1, ResultTableModel::PreviewColumn).toString(), QStringLiteral("exit code 2"));
        QCOMPARE(cell(2, ResultTableModel::PreviewColumn).toString(), QStringLiteral("{\"square\":4}"));
        QCOMPARE(cell(1, ResultTableModel::StatusColumn).toString(), QStringLiteral("Failed"));
        QCOMPARE(cell(1, ResultTableModel::StatusColumn, ResultTableModel::StatusRole).toInt(), int(TaskStatus::Failed));
        QVERIFY(cell(1, ResultTableModel::StatusColumn, Qt::ForegroundRole).value<QColor>().isValid());
        QVERIFY(!cell(1, ResultTableModel::StatusColumn, Qt::DecorationRole).value<QIcon>().isNull());
        QCOMPARE(cell(1, ResultTableModel::ExitCodeColumn).toInt(), 2);
        QCOMPARE(cell(0, ResultTableModel::InputColumn).toString(), QStringLiteral("input-0"));
        QCOMPARE(cell(0, ResultTableModel::DurationColumn).toString(), QStringLiteral("10 ms"));
        QCOMPARE(cell(1, ResultTableModel::HostColumn).toString(), QStringLiteral("user@node2"));
        QCOMPARE(cell(0, ResultTableModel::HostColumn).toString(), QStringLiteral("—")); // never ran on a named host
        QCOMPARE(model.headerData(ResultTableModel::HostColumn, Qt::Horizontal).toString(), QStringLiteral("Host"));
    }

    // Two file names that differ only in bytes that are not UTF-8 are two rows
    // that look different, search apart, and export with their exact bytes.
    void namesThatAreNotUtf8StayDistinct()
    {
        ResultTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        TaskOutcome e9 = outcome(0, TaskStatus::Ok);
        e9.input = "caf\xe9.txt";
        TaskOutcome e8 = outcome(1, TaskStatus::Ok);
        e8.input = "caf\xe8.txt";
        model.append(e9);
        model.append(e8);
        model.flush();
        const QString first = model.index(0, ResultTableModel::InputColumn).data().toString();
        const QString second = model.index(1, ResultTableModel::InputColumn).data().toString();
        QCOMPARE(first, QStringLiteral("caf\\xe9.txt"));
        QCOMPARE(second, QStringLiteral("caf\\xe8.txt"));
        ResultFilterProxy proxy(&model);
        proxy.setSearchText(QStringLiteral("\\xe8"));
        QCOMPARE(proxy.rowCount(), 1);

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("results.jsonl"));
        ResultExporter exporter;
        QSignalSpy finished(&exporter, &ResultExporter::finished);
        exporter.start(stored({e9, e8}), JobSpec::Mode::PerTask, path, ResultExporter::Format::JsonLines);
        QTRY_COMPARE(finished.count(), 1);
        const QList<QByteArray> lines = UiTest::readLines(path);
        QCOMPARE(lines.size(), 2);
        for (int i = 0; i < 2; ++i) {
            const QJsonObject o = QJsonDocument::fromJson(lines.at(i)).object();
            QCOMPARE(QByteArray::fromBase64(o.value(QStringLiteral("input_base64")).toString().toLatin1()),
                     (i == 0 ? e9 : e8).input);
        }
    }

    void retriesReplaceTheirRow()
    {
        ResultTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (int i = 0; i < 5; ++i)
            model.append(outcome(i, i % 2 ? TaskStatus::Failed : TaskStatus::Ok));
        model.flush();
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

        // A retry run numbers its tasks from 0: the row keeps the original id.
        TaskOutcome again = outcome(0, TaskStatus::Ok);
        again.input = model.outcome(1).input;
        model.replace(1, again);
        TaskOutcome again3 = outcome(1, TaskStatus::Crashed);
        model.replace(3, again3);
        model.flush();
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(changed.count(), 2); // rows 1 and 3 are not adjacent
        QCOMPARE(model.outcome(1).id, 1);
        QCOMPARE(model.outcome(1).status, TaskStatus::Ok);
        QCOMPARE(model.outcome(1).attempts, 2);
        QCOMPARE(model.outcome(3).status, TaskStatus::Crashed);
        QCOMPARE(model.count(TaskStatus::Ok), 4);
        QCOMPARE(model.count(TaskStatus::Failed), 0);
        QCOMPARE(model.count(TaskStatus::Crashed), 1);

        // A retry that never ran leaves the row telling what did happen.
        TaskOutcome cancelled = outcome(0, TaskStatus::Cancelled);
        model.replace(3, cancelled);
        model.flush();
        QCOMPARE(model.outcome(3).status, TaskStatus::Crashed);
    }

    // The compact storage gives back exactly what went in: every byte value
    // (NUL included) in the input and outputs, a non-ASCII error, each host.
    void storageRoundTripsEveryByte()
    {
        ResultTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QByteArray everyByte;
        for (int b = 0; b < 256; ++b)
            everyByte.append(char(b));
        TaskOutcome odd = outcome(0, TaskStatus::Failed);
        odd.input = "caf\xe9\0" + everyByte;
        odd.output = everyByte + everyByte;
        odd.errorOutput = QByteArray("\0\xff\xfe", 3);
        odd.result = "{\"\xc3\xa9\":1}";
        odd.error = QStringLiteral("caf\u00e9 \u2014 \u2713 failed");
        odd.outputTruncated = true;
        odd.host = QStringLiteral("user@n\u00f6de");
        odd.exitCode = 255;
        odd.attempts = 3;
        odd.worker = 7;
        odd.startedAtMs = 1780000000123;
        odd.durationMs = 86400000LL * 60; // 60 days: more than 32 bits of ms
        TaskOutcome empty;                // a cancelled task: nothing but an id
        empty.id = 1;
        empty.status = TaskStatus::Cancelled;
        TaskOutcome local = outcome(2, TaskStatus::Ok);
        local.host = QStringLiteral("localhost");
        TaskOutcome remote = outcome(3, TaskStatus::Ok);
        remote.host = odd.host; // the same host, interned once
        for (const TaskOutcome &o : {odd, empty, local, remote})
            model.append(o);
        model.flush();

        const TaskOutcome back = model.outcome(0);
        QCOMPARE(back.id, odd.id);
        QCOMPARE(back.input, odd.input);
        QCOMPARE(back.output, odd.output);
        QCOMPARE(back.errorOutput, odd.errorOutput);
        QCOMPARE(back.result, odd.result);
        QCOMPARE(back.error, odd.error);
        QCOMPARE(back.outputTruncated, true);
        QCOMPARE(back.host, odd.host);
        QCOMPARE(back.exitCode, 255);
        QCOMPARE(back.attempts, 3);
        QCOMPARE(back.worker, 7);
        QCOMPARE(back.startedAtMs, odd.startedAtMs);
        QCOMPARE(back.durationMs, odd.durationMs);
        QCOMPARE(model.row(0).input(), QByteArrayView(odd.input));

        const TaskOutcome none = model.outcome(1);
        QCOMPARE(none.status, TaskStatus::Cancelled);
        QVERIFY(none.input.isEmpty() && none.output.isEmpty() && none.error.isEmpty() && none.host.isEmpty());
        QCOMPARE(none.exitCode, -1);
        QCOMPARE(none.worker, -1);
        QCOMPARE(model.outcome(2).host, QStringLiteral("localhost"));
        QCOMPARE(model.outcome(3).host, odd.host);
        QCOMPARE(model.index(0, ResultTableModel::PreviewColumn).data().toString(), odd.error);
        QCOMPARE(model.index(1, ResultTableModel::HostColumn).data().toString(), QStringLiteral("\u2014"));
    }

    // Outputs up to the 1 MiB cap (and stdout plus stderr beyond a block's
    // quarter) are kept whole, and the small rows around them stay intact.
    void largeOutputsAreKeptWhole()
    {
        ResultTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QByteArray mebibyte = QByteArray(1 << 20, 'x') + "end\n";
        const QByteArray near = QByteArray(900 * 1024, 'y');
        for (int i = 0; i < 300; ++i) {
            TaskOutcome o = outcome(i, TaskStatus::Ok);
            if (i % 100 == 50) {
                o.output = i == 150 ? near : mebibyte;
                o.errorOutput = i == 250 ? mebibyte : QByteArray();
            }
            model.append(o);
        }
        model.flush();
        QCOMPARE(model.rowCount(), 300);
        for (int i = 0; i < 300; ++i) {
            const TaskOutcome o = model.outcome(i);
            QCOMPARE(o.id, i);
            QCOMPARE(o.input, "input-" + QByteArray::number(i));
            if (i == 150)
                QCOMPARE(o.output, near);
            else if (i % 100 == 50)
                QCOMPARE(o.output, mebibyte);
            else
                QCOMPARE(o.output, "out-" + QByteArray::number(i) + "\n");
            QCOMPARE(o.errorOutput, i == 250 ? mebibyte : QByteArray());
        }
        // The preview reads only the start of a large output.
        QCOMPARE(model.index(50, ResultTableModel::PreviewColumn).data().toString(), QString(200, QLatin1Char('x')) + QStringLiteral("…"));
        // Each record over a quarter block got its own block; the small ones share one.
        const ResultStorage::Store &store = model.store();
        QVERIFY(store.blockBytes() >= 3 * mebibyte.size() + 2 * near.size());
        QVERIFY(store.blockBytes() < 3 * mebibyte.size() + 2 * near.size() + 2 * ResultStorage::Store::BlockBytes);
    }

    // A retry with a longer output points its row at new bytes: the row
    // shows the retry, its neighbours keep theirs, a snapshot taken before
    // still reads the first try.
    void replaceWritesLongerBytesElsewhere()
    {
        ResultTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (int i = 0; i < 3; ++i)
            model.append(outcome(i, TaskStatus::Failed));
        model.flush();
        const ResultStorage::Snapshot before = model.snapshot();

        TaskOutcome longer = outcome(0, TaskStatus::Ok, QByteArray(5000, 'r') + "\n");
        longer.input = model.outcome(1).input;
        longer.host = QStringLiteral("node9");
        model.replace(1, longer);
        model.flush();
        QCOMPARE(model.outcome(1).output, longer.output);
        QCOMPARE(model.outcome(1).input, "input-1");
        QCOMPARE(model.outcome(1).id, 1);
        QCOMPARE(model.outcome(1).host, QStringLiteral("node9"));
        QCOMPARE(model.outcome(1).error, QString());
        QCOMPARE(model.outcome(1).attempts, 2);
        QCOMPARE(model.outcome(0).errorOutput, "oops 0\n");
        QCOMPARE(model.outcome(2).errorOutput, "oops 2\n");
        QCOMPARE(model.count(TaskStatus::Ok), 1);
        QCOMPARE(model.count(TaskStatus::Failed), 2);
        QVERIFY(model.store().supersededBytes() > 0);

        QCOMPARE(before.size(), 3);
        QCOMPARE(before.row(1).status(), TaskStatus::Failed);
        QCOMPARE(before.row(1).errorOutput(), QByteArrayView("oops 1\n"));
        QCOMPARE(before.row(1).host(), QString());

        // Shorter again: still exact, no bytes left over from the longer one.
        model.replace(1, outcome(0, TaskStatus::Ok, "short\n"));
        model.flush();
        QCOMPARE(model.outcome(1).output, "short\n");
        QCOMPARE(model.outcome(1).attempts, 3);
    }

    // The export reads a snapshot on its thread while the model keeps taking
    // rows, retries and even a clear(): the file holds the rows as they were.
    void exportWhileAppending()
    {
        constexpr int Rows = 20000;
        ResultTableModel model;
        for (int i = 0; i < Rows; ++i)
            model.append(outcome(i, i % 5 == 0 ? TaskStatus::Failed : TaskStatus::Ok));
        model.flush();

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("results.jsonl"));
        ResultExporter exporter;
        QSignalSpy finished(&exporter, &ResultExporter::finished);
        exporter.start(model.snapshot(), JobSpec::Mode::PerTask, path, ResultExporter::Format::JsonLines);
        for (int i = Rows; i < 2 * Rows; ++i) {
            model.append(outcome(i, TaskStatus::Ok, QByteArray(100, 'n')));
            if (i % 1000 == 0) {
                model.replace(i - Rows, outcome(0, TaskStatus::Ok, "retried\n")); // rows being exported
                model.flush();
            }
        }
        model.flush();
        QCOMPARE(model.rowCount(), 2 * Rows);
        QCOMPARE(model.outcome(0).output, "retried\n");
        model.clear();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished.at(0).at(0).toBool(), true);
        QCOMPARE(finished.at(0).at(2).toLongLong(), Rows);

        const QList<QByteArray> lines = UiTest::readLines(path);
        QCOMPARE(lines.size(), Rows);
        for (int i = 0; i < Rows; ++i) {
            const QJsonObject o = QJsonDocument::fromJson(lines.at(i)).object();
            QCOMPARE(o.value(QStringLiteral("id")).toInteger(), i);
            QCOMPARE(o.value(QStringLiteral("input")).toString(), QStringLiteral("input-%1").arg(i));
            const bool failed = i % 5 == 0;
            QCOMPARE(o.value(QStringLiteral("status")).toString(), failed ? QStringLiteral("failed") : QStringLiteral("ok"));
            if (!failed)
                QCOMPARE(o.value(QStringLiteral("output")).toString(), QStringLiteral("out-%1\n").arg(i));
        }
    }

    void clearDropsBufferedRows()
    {
        ResultTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.append(outcome(0, TaskStatus::Ok));
        model.flush();
        model.append(outcome(1, TaskStatus::Ok));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.pendingCount(), 0);
        QCOMPARE(model.count(TaskStatus::Ok), 0);
        model.flush();
        QCOMPARE(model.rowCount(), 0);
    }

    void proxyFiltersAndSorts()
    {
        ResultTableModel model;
        ResultFilterProxy proxy(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const TaskStatus statuses[] = {TaskStatus::Ok, TaskStatus::Failed, TaskStatus::Timeout, TaskStatus::Ok,
                                       TaskStatus::Cancelled, TaskStatus::Crashed, TaskStatus::Ok};
        for (int i = 6; i >= 0; --i) // arrive in reverse
            model.append(outcome(i, statuses[i], "value " + QByteArray::number(i * 11) + "\n"));
        model.flush();
        QCOMPARE(proxy.rowCount(), 7);

        proxy.setStatusFilter(TaskStatus::Ok);
        QCOMPARE(proxy.rowCount(), 3);
        proxy.setStatusFilter(TaskStatus::Cancelled);
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setStatusFilter(std::nullopt);
        QCOMPARE(proxy.rowCount(), 7);

        proxy.setSearchText(QStringLiteral("INPUT-5")); // case does not matter
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, ResultTableModel::IdColumn).data().toLongLong(), 5);
        proxy.setSearchText(QStringLiteral("value 33")); // searches the output preview
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, ResultTableModel::IdColumn).data().toLongLong(), 3);
        proxy.setSearchText(QStringLiteral("2")); // an id, or text containing it
        QVERIFY(proxy.rowCount() >= 1);
        proxy.setSearchText(QString());

        proxy.sort(ResultTableModel::IdColumn, Qt::AscendingOrder);
        for (int row = 0; row < proxy.rowCount(); ++row)
            QCOMPARE(proxy.index(row, ResultTableModel::IdColumn).data().toLongLong(), row);
        proxy.sort(ResultTableModel::DurationColumn, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, ResultTableModel::IdColumn).data().toLongLong(), 6);

        // New rows land in sorted place.
        proxy.sort(ResultTableModel::IdColumn, Qt::AscendingOrder);
        model.append(outcome(-1, TaskStatus::Ok));
        model.flush();
        QCOMPARE(proxy.index(0, ResultTableModel::IdColumn).data().toLongLong(), -1);
    }

    // Sorting reads the stored bytes in place: inputs in byte order (as
    // before, when they were QByteArrays), hosts as text.
    void sortsStoredInputsAndHosts()
    {
        ResultTableModel model;
        ResultFilterProxy proxy(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QList<QByteArray> inputs = {"b", "a\xff", "a", "", "a\x01", "ab"};
        const QStringList hosts = {QStringLiteral("n2"), QStringLiteral("n1"), QString(), QStringLiteral("n3"),
                                   QStringLiteral("n4"), QStringLiteral("n0")};
        for (int i = 0; i < inputs.size(); ++i) {
            TaskOutcome o = outcome(i, TaskStatus::Ok);
            o.input = inputs.at(i);
            o.host = hosts.at(i);
            model.append(o);
        }
        model.flush();
        auto idsInOrder = [&proxy] {
            QList<qint64> ids;
            for (int row = 0; row < proxy.rowCount(); ++row)
                ids.append(proxy.index(row, ResultTableModel::IdColumn).data().toLongLong());
            return ids;
        };
        proxy.sort(ResultTableModel::InputColumn, Qt::AscendingOrder);
        QCOMPARE(idsInOrder(), QList<qint64>({3, 2, 4, 5, 1, 0})); // "", a, a\x01, ab, a\xff, b
        proxy.sort(ResultTableModel::HostColumn, Qt::AscendingOrder);
        QCOMPARE(idsInOrder(), QList<qint64>({2, 5, 1, 0, 3, 4}));
    }

    void stalledHasItsOwnFilterAndCounts()
    {
        ResultTableModel model;
        ResultsPanel panel(&model);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(panel.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        const TaskStatus statuses[] = {TaskStatus::Ok, TaskStatus::Stalled, TaskStatus::Stalled, TaskStatus::Cancelled};
        for (int i = 0; i < 4; ++i)
            model.append(outcome(i, statuses[i]));
        model.flush();
        QCOMPARE(model.count(TaskStatus::Stalled), 2);

        // Its own entry, between Crashed and Cancelled, with its count; All counts it too.
        QComboBox *filter = panel.statusFilter();
        QCOMPARE(filter->itemText(0), QStringLiteral("All (4)"));
        const int stalled = filter->findData(int(TaskStatus::Stalled));
        QCOMPARE(stalled, filter->findData(int(TaskStatus::Crashed)) + 1);
        QCOMPARE(stalled + 1, filter->findData(int(TaskStatus::Cancelled)));
        QCOMPARE(filter->itemText(stalled), QStringLiteral("Stalled (2)"));
        filter->setCurrentIndex(stalled);
        QCOMPARE(panel.proxy()->rowCount(), 2);

        // Drawn and named as its own status, and a failure that can be retried.
        const QModelIndex cell = model.index(1, ResultTableModel::StatusColumn);
        QCOMPARE(cell.data().toString(), QStringLiteral("Stalled"));
        QCOMPARE(cell.data(Qt::ForegroundRole).value<QColor>(), StatusStyle::color(TaskStatus::Stalled));
        QVERIFY(StatusStyle::color(TaskStatus::Stalled) != StatusStyle::color(TaskStatus::Timeout));
        QVERIFY(!cell.data(Qt::DecorationRole).value<QIcon>().isNull());
        QVERIFY(panel.retryFailedAction()->isEnabled());
    }

    void exportsJsonLinesAsTheHeadlessRunner()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QList<TaskOutcome> outcomes;
        for (int i = 0; i < 50; ++i)
            outcomes.append(outcome(i, i % 7 == 3 ? TaskStatus::Failed : TaskStatus::Ok));
        const QString path = dir.filePath(QStringLiteral("results.jsonl"));
        QCOMPARE(ResultExporter::formatForPath(path), ResultExporter::Format::JsonLines);

        ResultExporter exporter;
        QSignalSpy finished(&exporter, &ResultExporter::finished);
        exporter.start(stored(outcomes), JobSpec::Mode::PerTask, path,
                       ResultExporter::Format::JsonLines);
        QVERIFY(exporter.isRunning());
        QTRY_COMPARE(finished.count(), 1);
        QVERIFY(!exporter.isRunning());
        QCOMPARE(finished.at(0).at(0).toBool(), true);
        QCOMPARE(finished.at(0).at(2).toLongLong(), 50);

        const QList<QByteArray> lines = UiTest::readLines(path);
        QCOMPARE(lines.size(), 50);
        for (int i = 0; i < lines.size(); ++i) {
            QJsonParseError error;
            const QJsonObject o = QJsonDocument::fromJson(lines.at(i), &error).object();
            QCOMPARE(error.error, QJsonParseError::NoError);
            QCOMPARE(o.value(QStringLiteral("id")).toInteger(), i);
            QCOMPARE(o.value(QStringLiteral("input")).toString(), QStringLiteral("input-%1").arg(i));
            QCOMPARE(o.value(QStringLiteral("status")).toString(), taskStatusName(outcomes.at(i).status));
        }
    }

    void exportsCsvWithQuoting()
    {
        QTemporaryDir dir;
        QList<TaskOutcome> outcomes = {outcome(0, TaskStatus::Ok, "plain\n"), outcome(1, TaskStatus::Failed)};
        outcomes[0].input = "a, \"quoted\" input";
        const QString path = dir.filePath(QStringLiteral("results.csv"));
        QCOMPARE(ResultExporter::formatForPath(path), ResultExporter::Format::Csv);
        QString error;
        QVERIFY2(ResultExporter::write(stored(outcomes), JobSpec::Mode::PerTask, path, ResultExporter::Format::Csv, &error),
                 qPrintable(error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray csv = file.readAll();
        QVERIFY(csv.startsWith("id,input,status,exit_code,output,error,stderr,truncated,attempts,worker,duration_ms,host\r\n"));
        QVERIFY(csv.contains("0,\"a, \"\"quoted\"\" input\",ok,0,\"plain\n\",,,false,1,0,10,\r\n"));
        QVERIFY(csv.contains("1,input-1,failed,2,,exit code 2,\"oops 1\n\",false,1,1,11,\r\n"));

        QVERIFY(!ResultExporter::write(stored(outcomes), JobSpec::Mode::PerTask, dir.filePath(QStringLiteral("no/such/dir.csv")),
                                       ResultExporter::Format::Csv, &error));
        QVERIFY(error.contains(QLatin1String("cannot write")));
    }

    // A sweep's export has what `taskpool run` writes for it: "params" in
    // JSON, a column per parameter after input in CSV.
    void exportsASweepsParameters()
    {
        QTemporaryDir dir;
        QList<TaskOutcome> outcomes = {outcome(0, TaskStatus::Ok), outcome(1, TaskStatus::Ok)};
        outcomes[0].input = Sweep::joinTuple({"0.1", "a b"});
        outcomes[1].input = Sweep::joinTuple({"0.01", "\"q\""});
        const QStringList names{QStringLiteral("lr"), QStringLiteral("tag")};
        QString error;
        const QString csvPath = dir.filePath(QStringLiteral("sweep.csv"));
        QVERIFY2(ResultExporter::write(stored(outcomes), JobSpec::Mode::PerTask, csvPath, ResultExporter::Format::Csv, &error,
                                       names),
                 qPrintable(error));
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QByteArray text = csv.readAll();
        QVERIFY2(text.startsWith("id,input,lr,tag,status,"), text.left(80).constData());
        QVERIFY2(text.contains("0,0.1 a b,0.1,a b,ok,"), text.constData());
        QVERIFY2(text.contains("1,0.01 \"\"q\"\",0.01,\"\"\"q\"\"\",ok,") || text.contains("1,\"0.01 \"\"q\"\"\",0.01,\"\"\"q\"\"\",ok,"),
                 text.constData());

        const QString jsonPath = dir.filePath(QStringLiteral("sweep.jsonl"));
        QVERIFY2(ResultExporter::write(stored(outcomes), JobSpec::Mode::PerTask, jsonPath, ResultExporter::Format::JsonLines,
                                       &error, names),
                 qPrintable(error));
        QFile json(jsonPath);
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject first = QJsonDocument::fromJson(json.readLine()).object();
        QCOMPARE(first.value(QStringLiteral("input")).toString(), QStringLiteral("0.1 a b"));
        QCOMPARE(first.value(QStringLiteral("params")).toObject(),
                 (QJsonObject{{QStringLiteral("lr"), QStringLiteral("0.1")}, {QStringLiteral("tag"), QStringLiteral("a b")}}));
    }

    void formatsForDisplay()
    {
        QCOMPARE(DisplayFormat::duration(850), QStringLiteral("850 ms"));
        QCOMPARE(DisplayFormat::duration(2400), QStringLiteral("2.4 s"));
        QCOMPARE(DisplayFormat::duration(185000), QStringLiteral("3 m 05 s"));
        QCOMPARE(DisplayFormat::duration(7380000), QStringLiteral("2 h 03 m"));
        QCOMPARE(DisplayFormat::seconds(-1), QStringLiteral("—"));
        QCOMPARE(DisplayFormat::percent(12.25), QStringLiteral("12 %"));
        QCOMPARE(DisplayFormat::firstLineOfUtf8("abc\n"), QStringLiteral("abc"));
        QCOMPARE(DisplayFormat::firstLineOfUtf8("abc\r\ndef"), QStringLiteral("abc …"));
        QCOMPARE(DisplayFormat::firstLineOfUtf8(QByteArray(500, 'x'), 10), QString(10, QLatin1Char('x')) + QStringLiteral("…"));
    }

    void commandLineRoundTrips_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("plain") << QStringList{QStringLiteral("-k"), QStringLiteral("{}")};
        QTest::newRow("spaces") << QStringList{QStringLiteral("a b"), QStringLiteral("c")};
        QTest::newRow("quotes") << QStringList{QStringLiteral("say \"hi\""), QStringLiteral("x")};
        QTest::newRow("empty") << QStringList{QString(), QStringLiteral("y")};
        QTest::newRow("script") << QStringList{QStringLiteral("-c"), QStringLiteral("echo \"$1\" | tr a b"),
                                               QStringLiteral("sh"), QStringLiteral("{}")};
        QTest::newRow("apostrophe") << QStringList{QStringLiteral("it's"), QStringLiteral("back\\slash")};
    }

    void commandLineRoundTrips()
    {
        QFETCH(QStringList, arguments);
        QCOMPARE(CommandLine::split(CommandLine::join(arguments)), arguments);
    }

    void commandLineSplitsLikeAShell()
    {
        QCOMPARE(CommandLine::split(QStringLiteral("  -c \"echo \\\"hi\\\"\" 'a b'  x\\ y \"\" {} ")),
                 QStringList({QStringLiteral("-c"), QStringLiteral("echo \"hi\""), QStringLiteral("a b"),
                              QStringLiteral("x y"), QString(), QStringLiteral("{}")}));
        QCOMPARE(CommandLine::join({QStringLiteral("-k"), QStringLiteral("a b"), QString()}),
                 QStringLiteral("-k 'a b' ''"));
    }
};

QTEST_MAIN(TestResultModel)
#include "tst_ui_resultmodel.moc"
