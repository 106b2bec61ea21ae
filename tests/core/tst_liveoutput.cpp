// Live output: OutputTail on its own, and the pool's taskOutput() against real
// processes (the helper worker prints, then waits for a file the test makes).

#include "outputtail.h"
#include "testsupport.h"

#include <QTemporaryDir>

using namespace TestSupport;

namespace {

// What a pool's taskOutput() brought, per stream.
struct Received
{
    QByteArray out;
    QByteArray err;
    QList<qint64> taskIds;
    QList<int> slotNumbers;
    int chunks = 0;

    void take(int slot, qint64 taskId, OutputStream stream, const QByteArray &bytes)
    {
        (stream == OutputStream::Stdout ? out : err).append(bytes);
        if (!taskIds.contains(taskId))
            taskIds.append(taskId);
        if (!slotNumbers.contains(slot))
            slotNumbers.append(slot);
        ++chunks;
    }
};

void listen(TaskPool *pool, Received *received)
{
    QObject::connect(pool, &TaskPool::taskOutput, pool,
                     [received](int slot, qint64 taskId, OutputStream stream, const QByteArray &bytes) {
                         received->take(slot, taskId, stream, bytes);
                     });
}

// Every run of bytes an OutputTail keeps, as "task/stream:bytes".
QStringList piecesOf(const OutputTail &tail, qint64 from = 0)
{
    QStringList pieces;
    tail.forEachPiece(from, [&](qint64 taskId, OutputStream stream, QByteArrayView bytes) {
        pieces.append(QStringLiteral("%1/%2:%3")
                          .arg(taskId)
                          .arg(stream == OutputStream::Stdout ? "out" : "err", QString::fromUtf8(bytes)));
    });
    return pieces;
}

QByteArray numberedLines(int first, int count)
{
    QByteArray text;
    for (int i = first; i < first + count; ++i)
        text += "line " + QByteArray::number(i) + '\n';
    return text;
}

} // namespace

class TestLiveOutput : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { becomeSubreaper(); }
    void cleanup() { QTRY_VERIFY_WITH_TIMEOUT(liveChildren().isEmpty(), 5000); }

    // ---- OutputTail ---------------------------------------------------------

    void tailKeepsEverythingThatFits()
    {
        OutputTail tail(100);
        tail.append(3, OutputStream::Stdout, "hello ");
        tail.append(3, OutputStream::Stdout, "world\n");
        tail.append(3, OutputStream::Stderr, "oops\n");
        tail.append(4, OutputStream::Stdout, "next\n");
        QCOMPARE(tail.bytes(), QByteArrayView("hello world\noops\nnext\n"));
        QCOMPARE(tail.beginPosition(), 0);
        QCOMPARE(tail.endPosition(), 22);
        QCOMPARE(tail.droppedBytes(), 0);
        QCOMPARE(tail.lastTaskId(), 4);
        QCOMPARE(piecesOf(tail), (QStringList{"3/out:hello world\n", "3/err:oops\n", "4/out:next\n"}));
        // From a position on: only what is new to a view that showed the rest.
        QCOMPARE(piecesOf(tail, 15), (QStringList{"3/err:s\n", "4/out:next\n"}));
        QCOMPARE(piecesOf(tail, 22), QStringList());
    }

    void tailDropsWholeLinesWhenFull()
    {
        OutputTail tail(20);
        tail.append(1, OutputStream::Stdout, "aaaa\nbbbb\ncccc\n"); // 15
        tail.append(1, OutputStream::Stderr, "dddd\neeee\n");       // 25: over by 5
        // Just "aaaa\n" goes: exactly one line fits the cut.
        QCOMPARE(tail.bytes(), QByteArrayView("bbbb\ncccc\ndddd\neeee\n"));
        QCOMPARE(tail.droppedBytes(), 5);
        tail.append(2, OutputStream::Stdout, "ff"); // over by 2: the whole "bbbb\n" goes, not just "bb"
        QCOMPARE(tail.bytes(), QByteArrayView("cccc\ndddd\neeee\nff"));
        QCOMPARE(tail.beginPosition(), 10);
        QCOMPARE(tail.endPosition(), 27);
        QCOMPARE(piecesOf(tail), (QStringList{"1/out:cccc\n", "1/err:dddd\neeee\n", "2/out:ff"}));
    }

    void tailCutsMidLineOnlyForALineLongerThanItKeeps()
    {
        OutputTail tail(10);
        tail.append(1, OutputStream::Stdout, "short\n");
        tail.append(1, OutputStream::Stdout, "0123456789abcdef"); // no line start left to cut at
        QCOMPARE(tail.bytes(), QByteArrayView("6789abcdef"));
        QCOMPARE(tail.size(), 10);
        QCOMPARE(tail.endPosition(), 22);
    }

    void tailTakesAHugeChunkByItsEnd()
    {
        OutputTail tail(1000);
        tail.append(7, OutputStream::Stderr, "before\n");
        const QByteArray flood = numberedLines(0, 100000); // ~1.2 MB
        tail.append(8, OutputStream::Stdout, flood);
        QVERIFY(tail.size() <= 1000);
        QVERIFY(tail.size() > 900); // whole lines of ~12 bytes: at most one is lost to the cut
        QCOMPARE(tail.endPosition(), qint64(7 + flood.size()));
        QVERIFY(flood.endsWith(tail.bytes().toByteArray()));
        QVERIFY(tail.bytes().startsWith("line ")); // a line start
        QCOMPARE(piecesOf(tail).size(), 1);        // the older task's bytes are gone
        QVERIFY(piecesOf(tail).constFirst().startsWith(QStringLiteral("8/out:line ")));
    }

    void tailStaysBoundedUnderAFlood()
    {
        OutputTail tail; // the default 64 KB
        QByteArray expected;
        qint64 appended = 0;
        for (int i = 0; i < 20000; ++i) {
            const QByteArray chunk = numberedLines(i * 7, 7);
            tail.append(i % 3, i % 2 ? OutputStream::Stderr : OutputStream::Stdout, chunk);
            appended += chunk.size();
            QVERIFY(tail.size() <= OutputTail::DefaultCapacity);
        }
        QCOMPARE(tail.endPosition(), appended);
        QCOMPARE(tail.droppedBytes(), appended - tail.size());
        QVERIFY(tail.size() > OutputTail::DefaultCapacity - 20);
        QVERIFY(tail.bytes().startsWith("line "));
        QVERIFY(tail.bytes().endsWith(numberedLines(20000 * 7 - 1, 1)));
        // The pieces cover exactly what is kept.
        qint64 covered = 0;
        tail.forEachPiece(0, [&](qint64, OutputStream, QByteArrayView bytes) { covered += bytes.size(); });
        QCOMPARE(covered, qint64(tail.size()));
    }

    void tailClearStartsOver()
    {
        OutputTail tail(10);
        tail.append(1, OutputStream::Stdout, "0123456789abc\n");
        tail.clear();
        QVERIFY(tail.isEmpty());
        QCOMPARE(tail.endPosition(), 0);
        QCOMPARE(tail.lastTaskId(), -1);
        tail.append(2, OutputStream::Stderr, "x\n");
        QCOMPARE(piecesOf(tail), QStringList{"2/err:x\n"});
    }

    // ---- the pool -----------------------------------------------------------

    // The task prints, then waits: what it printed arrives while it runs.
    void perTaskOutputArrivesWhileTheTaskRuns()
    {
        QTemporaryDir dir;
        const QString go = dir.filePath(QStringLiteral("go"));
        LiveRun run(perTask({QStringLiteral("chatter"), QStringLiteral("3"), QStringLiteral("{}"), go}), inputs({"x"}));
        Received received;
        listen(&run.pool, &received);
        run.start();
        QTRY_COMPARE_WITH_TIMEOUT(received.out, QByteArray("stage 1 line 1\nstage 1 line 2\nstage 1 line 3\n"), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(received.err, QByteArray("stage 1 on stderr\n"), 20000);
        QVERIFY(run.outcomes.isEmpty()); // still waiting for the file
        QVERIFY(writeFile(go, {}));
        WAIT_FOR_END(run, 20000);
        QCOMPARE(run.outcomes.size(), 1);
        QCOMPARE(run.outcomes.constFirst().status, TaskStatus::Ok);
        QVERIFY(received.out.endsWith("done\n"));
        QCOMPARE(run.outcomes.constFirst().output, received.out); // the result's output is unchanged
        QCOMPARE(received.taskIds, QList<qint64>{0});
        QCOMPARE(received.slotNumbers, QList<int>{0});
    }

    // A long-lived worker: its stderr and its stdout lines that are no
    // protocol message arrive; its protocol lines (progress, result) do not.
    void workerStderrAndStrayLinesArriveButProtocolLinesDoNot()
    {
        QTemporaryDir dir;
        const QString go = dir.filePath(QStringLiteral("go"));
        JobSpec spec = protocol();
        spec.workers = 1;
        spec.window = 1; // chatter is sent once first's answer is in: its stderr cannot be told as first's
        LiveRun run(spec, QList<QByteArray>{"first", ("chatter:" + go).toUtf8(), "stderr"});
        Received received;
        listen(&run.pool, &received);
        run.start();
        QTRY_COMPARE_WITH_TIMEOUT(received.out, QByteArray("chatter on stdout\n"), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(received.err, QByteArray("chatter on stderr\n"), 20000);
        QCOMPARE(run.outcomes.size(), 1); // "first" only: task 1 waits for the file
        QVERIFY(writeFile(go, {}));
        WAIT_FOR_END(run, 20000);
        QCOMPARE(run.count(TaskStatus::Ok), 3);
        QCOMPARE(received.out, QByteArray("chatter on stdout\n")); // no {"id": ...} line came through
        QCOMPARE(received.err, QByteArray("chatter on stderr\na line on stderr\n"));
        // Task 2's stderr line may be read after its answer: it is then told as no task's (-1).
        QCOMPARE(received.taskIds.first(), 1);
        QVERIFY(received.taskIds.size() <= 2 && received.taskIds.last() <= 2);
    }

    // A flood arrives a chunk at a time, not a line at a time, and an
    // OutputTail fed from it keeps only its end.
    void floodArrivesInChunksAndStaysBounded()
    {
        constexpr qint64 Bytes = 8 * 1000 * 1000;
        LiveRun run(perTask({QStringLiteral("flood"), QString::number(Bytes)}), inputs({"x"}));
        OutputTail tail;
        int chunks = 0;
        QObject::connect(&run.pool, &TaskPool::taskOutput, &run.pool,
                         [&](int, qint64 taskId, OutputStream stream, const QByteArray &bytes) {
                             tail.append(taskId, stream, bytes);
                             ++chunks;
                         });
        RUN_TO_END(run, 60000);
        QCOMPARE(run.count(TaskStatus::Ok), 1);
        QCOMPARE(tail.endPosition(), 2 * Bytes); // stdout and stderr, nothing lost on the way
        QVERIFY(tail.size() <= OutputTail::DefaultCapacity);
        QVERIFY2(chunks < 2 * Bytes / 512, qPrintable(QString::number(chunks)));
    }
};

QTEST_GUILESS_MAIN(TestLiveOutput)
#include "tst_liveoutput.moc"
