#include "inputsource.h"
#include "jobspec.h"
#include "taskqueue.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

class TestInputs : public QObject
{
    Q_OBJECT

    // Pulls everything, waiting for the reader thread when it asks us to.
    static QList<QByteArray> readAll(InputSource *in)
    {
        QList<QByteArray> items;
        QByteArray item;
        for (;;) {
            const auto fetch = in->next(&item);
            if (fetch == InputSource::Fetch::End)
                return items;
            if (fetch == InputSource::Fetch::Item) {
                items.append(item);
                continue;
            }
            QSignalSpy ready(in, &InputSource::readyRead);
            if (!ready.wait(5000))
                return items; // makes the caller's comparison fail
        }
    }

    static QString writeFile(QTemporaryDir &dir, const QByteArray &content)
    {
        const QString path = dir.filePath(QStringLiteral("inputs.txt"));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(content);
        return path;
    }

private Q_SLOTS:
    void rangeCountsUp()
    {
        RangeInput in(3);
        QCOMPARE(in.total(), 3);
        QCOMPARE(readAll(&in), (QList<QByteArray>{"0", "1", "2"}));
    }

    void fileRecords_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<bool>("nul");
        QTest::addColumn<QList<QByteArray>>("expected");
        using L = QList<QByteArray>;
        QTest::newRow("lines") << QByteArray("a\nb b\n") << false << L{"a", "b b"};
        QTest::newRow("no final newline") << QByteArray("a\nb") << false << L{"a", "b"};
        QTest::newRow("blank line is an input") << QByteArray("a\n\nb\n") << false << L{"a", "", "b"};
        QTest::newRow("empty file") << QByteArray() << false << L{};
        QTest::newRow("NUL separated") << QByteArray("a\nb\0c\0", 6) << true << L{"a\nb", "c"};
        QTest::newRow("bytes kept") << QByteArray("\xff\xfe x\r\n") << false << L{"\xff\xfe x\r"};
    }
    void fileRecords()
    {
        QFETCH(QByteArray, content);
        QFETCH(bool, nul);
        QFETCH(QList<QByteArray>, expected);
        QTemporaryDir dir;
        FileInput in(writeFile(dir, content), nul ? '\0' : '\n');
        QVERIFY(in.open());
        QCOMPARE(in.total(), expected.size());
        QCOMPARE(readAll(&in), expected);
        QVERIFY(in.errorString().isEmpty());
    }

    void bigFileStreamsInOrder()
    {
        QTemporaryDir dir;
        QByteArray content;
        for (int i = 0; i < 200000; ++i)
            content += QByteArray::number(i) + '\n';
        FileInput in(writeFile(dir, content));
        QVERIFY(in.open());
        QCOMPARE(in.total(), 200000);
        const QList<QByteArray> items = readAll(&in);
        QCOMPARE(items.size(), 200000);
        for (int i = 0; i < items.size(); i += 997)
            QCOMPARE(items[i], QByteArray::number(i));
    }

    void overlongRecordsAreRejectedNotCut()
    {
        QTemporaryDir dir;
        FileInput in(writeFile(dir, "first\n" + QByteArray(17 << 20, 'x') + "\nlast\n"));
        QVERIFY(in.open());
        const QList<QByteArray> items = readAll(&in);
        QCOMPARE(items, QList<QByteArray>{"first"});
        QVERIFY2(in.errorString().contains(QStringLiteral("input 2 is longer than 16 MiB")), qPrintable(in.errorString()));
    }

    // A FIFO opens at once, before any writer, and every line becomes an input
    // as soon as it arrives, not when a batch fills up or the writer closes.
    void fifoStreamsEachLineAsItArrives()
    {
        QTemporaryDir dir;
        const QString fifo = dir.filePath(QStringLiteral("inputs"));
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        FileInput in(fifo);
        QVERIFY(in.open()); // would block here if it waited for a writer
        QByteArray item;
        QCOMPARE(in.next(&item), InputSource::Fetch::Wait);
        QSignalSpy ready(&in, &InputSource::readyRead);
        const int writer = ::open(QFile::encodeName(fifo).constData(), O_WRONLY | O_CLOEXEC);
        QVERIFY(writer >= 0);
        for (const QByteArray &line : {QByteArray("first"), QByteArray("second")}) {
            const QByteArray record = line + '\n';
            QCOMPARE(::write(writer, record.constData(), size_t(record.size())), record.size());
            QTRY_VERIFY_WITH_TIMEOUT(ready.count() > 0, 10000);
            ready.clear();
            QCOMPARE(in.next(&item), InputSource::Fetch::Item);
            QCOMPARE(item, line);
            QCOMPARE(in.next(&item), InputSource::Fetch::Wait);
        }
        ::close(writer);
        QCOMPARE(readAll(&in), QList<QByteArray>{});
        QVERIFY(in.errorString().isEmpty());
    }

    // stopReading() on a producer that never ends: what was read is handed
    // over, a record the producer had not finished is not, then End.
    void stopReadingHandsOverWhatWasReadAndNoMore()
    {
        int fds[2];
        QCOMPARE(::pipe2(fds, O_CLOEXEC), 0);
        FileInput in(QStringLiteral("/proc/self/fd/%1").arg(fds[0]));
        QVERIFY(in.open());
        ::close(fds[0]);
        QSignalSpy ready(&in, &InputSource::readyRead);
        QByteArray item;
        QCOMPARE(in.next(&item), InputSource::Fetch::Wait);
        const QByteArray chunk("a\nb\nhalf a rec");
        QCOMPARE(::write(fds[1], chunk.constData(), size_t(chunk.size())), chunk.size());
        QTRY_VERIFY_WITH_TIMEOUT(ready.count() > 0, 10000); // "a" and "b" came in one read
        QCOMPARE(in.next(&item), InputSource::Fetch::Item);
        QCOMPARE(item, QByteArray("a"));
        in.stopReading();
        QCOMPARE(readAll(&in), QList<QByteArray>{"b"});
        ::close(fds[1]);
    }

    // A regular file has no producer to wait for: stopReading() leaves every
    // record to be read (and cancelled), so each line gets a result.
    void stopReadingReadsAFileToItsEnd()
    {
        QTemporaryDir dir;
        FileInput in(writeFile(dir, "a\nb\nc\n"));
        QVERIFY(in.open());
        in.stopReading();
        QCOMPARE(readAll(&in), (QList<QByteArray>{"a", "b", "c"}));
    }

    void unreadableFilesGetClearErrors_data()
    {
        QTest::addColumn<QString>("which");
        QTest::newRow("missing") << "missing";
        QTest::newRow("directory") << "directory";
        QTest::newRow("no permission") << "unreadable";
    }
    void unreadableFilesGetClearErrors()
    {
        QFETCH(QString, which);
        QTemporaryDir dir;
        QString path = dir.filePath(QStringLiteral("nope.txt"));
        if (which == QLatin1String("directory"))
            path = dir.path();
        if (which == QLatin1String("unreadable")) {
            path = writeFile(dir, "x\n");
            ::chmod(QFile::encodeName(path).constData(), 0);
            if (::geteuid() == 0)
                QSKIP("root reads any file");
        }
        FileInput in(path);
        QVERIFY(!in.open());
        QVERIFY2(in.errorString().contains(path), qPrintable(in.errorString()));
        JobSpec spec;
        spec.inputKind = JobSpec::InputKind::File;
        spec.inputFile = path;
        QString error;
        QVERIFY(!InputSource::create(spec, nullptr, &error));
        QVERIFY(!error.isEmpty());
    }

    void queueServesRetriesFirst()
    {
        RangeInput in(3);
        TaskQueue queue(&in);
        Task a, b;
        QCOMPARE(queue.take(&a), TaskQueue::Take::Task);
        QCOMPARE(a.id, 0);
        a.attempts = 1;
        queue.requeue(a);
        QCOMPARE(queue.remaining(), 3);
        QCOMPARE(queue.take(&b), TaskQueue::Take::Task);
        QCOMPARE(b.id, 0);
        QCOMPARE(b.attempts, 1);
        Task c;
        queue.take(&c);
        queue.take(&b);
        queue.requeue(b);
        queue.requeueFront(c);
        Task first, second;
        queue.take(&first);
        queue.take(&second);
        QCOMPARE(first.id, c.id);
        QCOMPARE(second.id, b.id);
        QCOMPARE(queue.take(&first), TaskQueue::Take::End);
        QVERIFY(queue.inputExhausted());
        QCOMPARE(queue.issued(), 3);
    }

    void jobSpecRoundTrips()
    {
        JobSpec spec;
        spec.mode = JobSpec::Mode::Worker;
        spec.command = {QStringLiteral("python3"), QStringLiteral("w.py"), QStringLiteral("{}")};
        spec.shell = true;
        spec.workers = 3;
        spec.retries = 2;
        spec.timeoutSeconds = 1.5;
        spec.maxOutputBytes = 4096;
        spec.window = 4;
        spec.startupSeconds = 30;
        spec.inputKind = JobSpec::InputKind::List;
        spec.inputList = {QStringLiteral("a"), QStringLiteral("b c")};
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("job.json"));
        QString error;
        QVERIFY(spec.save(path, &error));
        JobSpec loaded;
        QVERIFY2(JobSpec::load(path, &loaded, &error), qPrintable(error));
        QCOMPARE(loaded.toJson(), spec.toJson());

        QFile bad(dir.filePath(QStringLiteral("bad.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{not json");
        bad.close();
        QVERIFY(!JobSpec::load(bad.fileName(), &loaded, &error));
        QVERIFY(error.contains(QStringLiteral("bad.json")));
    }
};

QTEST_GUILESS_MAIN(TestInputs)
#include "tst_inputs.moc"
