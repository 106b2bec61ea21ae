// The workers table model: rows follow the pool's slots, changes are announced
// in merged blocks, and the model stays consistent (QAbstractItemModelTester).

#include "uitestsupport.h"
#include "workertablemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

namespace {
SlotSnapshot busy(int slot, qint64 taskId, double progress = -1, qint64 elapsedMs = 0)
{
    SlotSnapshot w;
    w.slot = slot;
    w.pid = 1000 + slot;
    w.state = SlotState::Busy;
    w.taskId = taskId;
    w.input = QByteArray::number(taskId);
    w.progress = progress;
    w.taskElapsedMs = elapsedMs;
    return w;
}

QList<SlotSnapshot> slotsOf(std::initializer_list<int> slotNumbers)
{
    QList<SlotSnapshot> list;
    for (int s : slotNumbers)
        list.append(busy(s, s * 10));
    return list;
}

QList<int> slotColumn(const WorkerTableModel &model)
{
    QList<int> result;
    for (int row = 0; row < model.rowCount(); ++row)
        result.append(model.index(row, WorkerTableModel::SlotColumn).data(WorkerTableModel::SlotRole).toInt());
    return result;
}
} // namespace

class TestWorkerModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rowsFollowSlots()
    {
        WorkerTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

        model.update(slotsOf({0, 1, 2}));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(inserted.count(), 1); // one block, not one signal per row
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(inserted.at(0).at(2).toInt(), 2);

        model.update(slotsOf({0, 2}));
        QCOMPARE(slotColumn(model), QList<int>({0, 2}));
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 1);

        inserted.clear();
        model.update(slotsOf({0, 1, 2, 3, 4}));
        QCOMPARE(slotColumn(model), QList<int>({0, 1, 2, 3, 4}));
        QCOMPARE(inserted.count(), 2); // slot 1 between, slots 3-4 at the end
        QCOMPARE(inserted.at(1).at(1).toInt(), 3);
        QCOMPARE(inserted.at(1).at(2).toInt(), 4);

        removed.clear();
        model.update(slotsOf({1, 4}));
        QCOMPARE(slotColumn(model), QList<int>({1, 4}));
        QCOMPARE(removed.count(), 2); // rows 2-3 together, then row 0

        removed.clear();
        model.update({});
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(removed.count(), 1);
    }

    void unsortedSnapshotsAreOrderedBySlot()
    {
        WorkerTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.update(slotsOf({3, 0, 2}));
        QCOMPARE(slotColumn(model), QList<int>({0, 2, 3}));
    }

    void changesAreMergedIntoBlocks()
    {
        WorkerTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<SlotSnapshot> snapshots = {busy(0, 1), busy(1, 2), busy(2, 3), busy(3, 4)};
        model.update(snapshots);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        model.update(snapshots);
        QCOMPARE(changed.count(), 0); // nothing changed: nothing to redraw

        for (SlotSnapshot &w : snapshots)
            w.taskElapsedMs += 100;
        model.update(snapshots);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 0);
        QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 3);
        QCOMPARE(changed.at(0).at(0).toModelIndex().column(), int(WorkerTableModel::ElapsedColumn));
        QCOMPARE(changed.at(0).at(1).toModelIndex().column(), int(WorkerTableModel::ElapsedColumn));

        changed.clear();
        snapshots[0].progress = 0.5;
        snapshots[2].tasksDone = 7;
        model.update(snapshots);
        QCOMPARE(changed.count(), 2); // rows 0 and 2 are not adjacent
        QCOMPARE(changed.at(0).at(0).toModelIndex().column(), int(WorkerTableModel::ProgressColumn));
        QCOMPARE(changed.at(1).at(1).toModelIndex().column(), int(WorkerTableModel::DoneColumn));
    }

    void displayAndRoles()
    {
        WorkerTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        SlotSnapshot idle;
        idle.slot = 1;
        idle.pid = 4321;
        idle.state = SlotState::Idle;
        model.update({busy(0, 17, 0.42, 2500), idle});

        auto cell = [&model](int row, int column, int role = Qt::DisplayRole) {
            return model.index(row, column).data(role);
        };
        QCOMPARE(cell(0, WorkerTableModel::StateColumn).toString(), QStringLiteral("busy"));
        QCOMPARE(cell(0, WorkerTableModel::TaskColumn).toString(), QStringLiteral("17"));
        QCOMPARE(cell(0, WorkerTableModel::ProgressColumn, WorkerTableModel::ProgressRole).toDouble(), 0.42);
        QCOMPARE(cell(0, WorkerTableModel::ProgressColumn).toString(), QStringLiteral("42%"));
        QCOMPARE(cell(0, WorkerTableModel::ElapsedColumn).toString(), QStringLiteral("2.5 s"));
        QCOMPARE(cell(1, WorkerTableModel::PidColumn).toLongLong(), 4321);
        QCOMPARE(cell(1, WorkerTableModel::TaskColumn).toString(), QString());
        QCOMPARE(cell(1, WorkerTableModel::ProgressColumn, WorkerTableModel::ProgressRole).toDouble(), -1.0);
        QCOMPARE(cell(1, WorkerTableModel::CpuColumn).toString(), QStringLiteral("—"));
        QCOMPARE(model.pids(), QList<qint64>({1000, 4321}));
        QVERIFY(!model.headerData(WorkerTableModel::CpuColumn, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
    }

    void hostColumn()
    {
        WorkerTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.columnCount(), int(WorkerTableModel::ColumnCount));
        QCOMPARE(model.headerData(WorkerTableModel::HostColumn, Qt::Horizontal).toString(), QStringLiteral("Host"));
        QList<SlotSnapshot> snapshots = {busy(0, 1), busy(1, 2), busy(2, 3)};
        snapshots[0].host = QStringLiteral("localhost");
        snapshots[1].host = QStringLiteral("user@node2");
        // snapshots[2]: a pool without hosts names no host.
        model.update(snapshots);
        auto host = [&model](int row, int role = Qt::DisplayRole) {
            return model.index(row, WorkerTableModel::HostColumn).data(role);
        };
        QCOMPARE(host(0).toString(), QStringLiteral("local"));
        QCOMPARE(host(1).toString(), QStringLiteral("user@node2"));
        QCOMPARE(host(2).toString(), QStringLiteral("local"));
        QVERIFY(!host(1, Qt::ForegroundRole).isValid());

        // The host goes down: only that cell changes, and it says so in red.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        snapshots[1].hostDown = true;
        model.update(snapshots);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().column(), int(WorkerTableModel::HostColumn));
        QCOMPARE(changed.at(0).at(1).toModelIndex().column(), int(WorkerTableModel::HostColumn));
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1);
        QCOMPARE(host(1).toString(), QStringLiteral("user@node2 (down)"));
        QVERIFY(host(1, Qt::ForegroundRole).value<QColor>().isValid());
    }

    void usageFollowsThePid()
    {
        WorkerTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<SlotSnapshot> snapshots = {busy(0, 1), busy(1, 2)};
        model.update(snapshots);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        GroupUsage usage;
        usage.cpuPercent = 55;
        usage.rssBytes = 3 * 1024 * 1024;
        model.setUsage({{1000, usage}, {1001, usage}});
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().column(), int(WorkerTableModel::CpuColumn));
        QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 1);
        QCOMPARE(model.index(0, WorkerTableModel::CpuColumn).data().toString(), QStringLiteral("55 %"));
        QVERIFY(model.index(0, WorkerTableModel::MemoryColumn).data().toString().startsWith(QLatin1String("3.0")));

        // A new process in slot 0 (per-task mode): the old process's figures go.
        snapshots[0].pid = 2000;
        model.update(snapshots);
        QCOMPARE(model.index(0, WorkerTableModel::CpuColumn).data().toString(), QStringLiteral("—"));
        QCOMPARE(model.index(1, WorkerTableModel::CpuColumn).data().toString(), QStringLiteral("55 %"));
    }
};

QTEST_MAIN(TestWorkerModel)
#include "tst_ui_workermodel.moc"
