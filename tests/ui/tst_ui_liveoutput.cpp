// The Live output tab: the view on a LiveOutput fed directly (as watch mode
// feeds it), and the window on a real run whose tasks print, then wait for a
// file the test makes.

#include "jobeditor.h"
#include "liveoutput.h"
#include "liveoutputview.h"
#include "uitestsupport.h"

#include <QLabel>
#include <QRegularExpression>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QTextBlock>

namespace {
constexpr int RunTimeoutMs = 30000; // generous: the machine may be busy with other tests

QByteArray lines(const char *prefix, int count)
{
    QByteArray text;
    for (int i = 1; i <= count; ++i)
        text += prefix + QByteArray::number(i) + '\n';
    return text;
}

bool touch(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly);
}

QScrollBar *scrollBar(LiveOutputView *view)
{
    return view->textView()->verticalScrollBar();
}

// The colour a line of the text is drawn in (the first fragment's).
QColor colorOfLine(LiveOutputView *view, const QString &line)
{
    for (QTextBlock block = view->textView()->document()->begin(); block.isValid(); block = block.next()) {
        if (block.text() == line)
            return block.begin().fragment().charFormat().foreground().color();
    }
    return {};
}

// A stand-in for the workers table: SlotRole and TaskIdRole on column 0, input in the task column.
void addWorker(QStandardItemModel *model, int slot, qint64 taskId, const QString &input)
{
    QList<QStandardItem *> row;
    for (int column = 0; column < WorkerTableModel::ColumnCount; ++column)
        row.append(new QStandardItem);
    row[WorkerTableModel::SlotColumn]->setData(slot, WorkerTableModel::SlotRole);
    row[WorkerTableModel::SlotColumn]->setData(taskId, WorkerTableModel::TaskIdRole);
    row[WorkerTableModel::TaskColumn]->setText(input);
    row[WorkerTableModel::StateColumn]->setText(QStringLiteral("busy"));
    model->appendRow(row);
}
} // namespace

class TestLiveOutputView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        UiTest::isolateSettings();
        m_journal = std::make_unique<UiTest::TempJournal>();
    }

    void viewShowsTheSelectedSlotAndFollowsTheTail()
    {
        LiveOutput output;
        QStandardItemModel workers;
        addWorker(&workers, 0, 7, QStringLiteral("a.txt"));
        addWorker(&workers, 1, 8, QStringLiteral("b.txt"));
        LiveOutputView view(&output, &workers);
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.textView()->accessibleName(), QStringLiteral("Live output"));
        QVERIFY(!view.textView()->accessibleDescription().isEmpty());
        QVERIFY(view.header()->text().contains(QStringLiteral("No worker selected")));

        output.append(0, 7, OutputStream::Stdout, lines("zero ", 3));
        output.append(1, 8, OutputStream::Stdout, lines("out ", 200));
        output.append(1, 8, OutputStream::Stderr, "trouble\n");
        view.setSlot(1);
        QVERIFY2(view.header()->text().startsWith(QStringLiteral("Worker 1 · task 8 · input: b.txt")),
                 qPrintable(view.header()->text()));
        QTRY_VERIFY(view.textView()->toPlainText().contains(QStringLiteral("out 200\ntrouble")));
        QVERIFY(!view.textView()->toPlainText().contains(QStringLiteral("zero"))); // the other slot's
        QVERIFY(view.textView()->toPlainText().startsWith(QStringLiteral("── task 8 ──\nout 1\n")));
        QCOMPARE(colorOfLine(&view, QStringLiteral("trouble")), QColor(0xc6, 0x28, 0x28)); // stderr stands out
        QVERIFY(colorOfLine(&view, QStringLiteral("out 1")) != QColor(0xc6, 0x28, 0x28));
        QVERIFY(scrollBar(&view)->maximum() > 0);
        QTRY_VERIFY(view.isFollowing());

        // Scrolled up: new output comes in, the view stays where the user put it.
        scrollBar(&view)->setValue(10);
        output.append(1, 9, OutputStream::Stdout, lines("next ", 50));
        QTRY_VERIFY(view.textView()->toPlainText().contains(QStringLiteral("── task 9 ──\nnext 1\n")));
        QVERIFY(view.textView()->toPlainText().endsWith(QStringLiteral("next 50\n")));
        QCOMPARE(scrollBar(&view)->value(), 10);
        QVERIFY(!view.isFollowing());

        // Back at the bottom: it follows again.
        scrollBar(&view)->setValue(scrollBar(&view)->maximum());
        output.append(1, 9, OutputStream::Stdout, lines("more ", 50));
        QTRY_VERIFY(view.textView()->toPlainText().endsWith(QStringLiteral("more 50\n")));
        QVERIFY(view.isFollowing());

        // A new run: the old output goes.
        output.clear();
        output.append(1, 0, OutputStream::Stdout, "fresh\n");
        QTRY_COMPARE(view.textView()->toPlainText(), QStringLiteral("── task 0 ──\nfresh\n"));
    }

    // More than the tail keeps between two refreshes: the view starts again
    // from what is kept, says what was dropped, and never grows past it.
    void floodKeepsTheViewBounded()
    {
        LiveOutput output;
        QStandardItemModel workers;
        LiveOutputView view(&output, &workers);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setSlot(0);
        for (int round = 0; round < 20; ++round) {
            output.append(0, round, OutputStream::Stdout, lines("flood ", 10000)); // ~120 KB
            QTRY_VERIFY(view.textView()->toPlainText().endsWith(QStringLiteral("flood 10000\n")));
            QVERIFY(view.textView()->toPlainText().size() < 3 * OutputTail::DefaultCapacity);
        }
        QVERIFY(view.header()->text().contains(QStringLiteral("earlier dropped")));
    }

    // The window: select a busy worker during a live run and its output shows
    // as it is written, follows the tail, and stops following when scrolled up.
    void selectedWorkerShowsItsOutputLive()
    {
        QTemporaryDir dir;
        const QString stage1 = dir.filePath(QStringLiteral("stage1"));
        const QString stage2 = dir.filePath(QStringLiteral("stage2"));
        MainWindow window(UiTest::taskpool(), m_journal->path());
        UiTest::ModelTesters testers(window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        JobSpec spec;
        spec.mode = JobSpec::Mode::PerTask;
        spec.command = {QStringLiteral(TESTWORKER_PATH), QStringLiteral("chatter"), QStringLiteral("200"),
                        QStringLiteral("{}"), stage1, stage2};
        spec.inputKind = JobSpec::InputKind::Range;
        spec.rangeCount = 2;
        window.jobEditor()->setSpec(spec);
        window.workerCountBox()->setValue(2);
        window.tabs()->setCurrentWidget(window.liveOutput());
        QCOMPARE(window.tabs()->tabText(window.tabs()->currentIndex()), QStringLiteral("Live output"));
        window.startAction()->trigger();
        WorkerTableModel *workers = window.controller()->workerModel();
        QTRY_COMPARE_WITH_TIMEOUT(workers->rowCount(), 2, RunTimeoutMs);

        window.workersView()->selectRow(1);
        LiveOutputView *view = window.liveOutput();
        QCOMPARE(view->slot(), 1);
        QPlainTextEdit *text = view->textView();
        QTRY_VERIFY_WITH_TIMEOUT(text->toPlainText().contains(QStringLiteral("stage 1 line 200\n")), RunTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(text->toPlainText().contains(QStringLiteral("stage 1 on stderr")), RunTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(view->header()->text().contains(QRegularExpression(QStringLiteral("^Worker 1 · task \\d · input: \\d"))),
                                 RunTimeoutMs);
        QVERIFY(window.controller()->isActive()); // the tasks wait for stage1: all of this came live
        QVERIFY(scrollBar(view)->maximum() > 0);
        QTRY_VERIFY(view->isFollowing());

        scrollBar(view)->setValue(0); // the user scrolls up to read
        QVERIFY(touch(stage1));
        QTRY_VERIFY_WITH_TIMEOUT(text->toPlainText().contains(QStringLiteral("stage 2 line 200\n")), RunTimeoutMs);
        QCOMPARE(scrollBar(view)->value(), 0);
        QVERIFY(!view->isFollowing());

        scrollBar(view)->setValue(scrollBar(view)->maximum()); // back to the bottom
        QVERIFY(touch(stage2));
        QTRY_VERIFY_WITH_TIMEOUT(text->toPlainText().endsWith(QStringLiteral("done\n")), RunTimeoutMs);
        QVERIFY(view->isFollowing());
        QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isActive(), RunTimeoutMs);

        // The other worker: its own output.
        window.workersView()->selectRow(0);
        QCOMPARE(view->slot(), 0);
        QTRY_VERIFY(text->toPlainText().endsWith(QStringLiteral("done\n")));
        QVERIFY(view->header()->text().startsWith(QStringLiteral("Worker 0")));
        window.workersView()->clearSelection();
        QCOMPARE(view->slot(), -1);
        QVERIFY(text->toPlainText().isEmpty());
    }

private:
    std::unique_ptr<UiTest::TempJournal> m_journal;
};

QTEST_MAIN(TestLiveOutputView)
#include "tst_ui_liveoutput.moc"
