#include "linesplitter.h"

#include <QTest>

class TestLineSplitter : public QObject
{
    Q_OBJECT

    struct Line
    {
        QByteArray text;
        bool truncated;
    };

    static QList<Line> split(const QList<QByteArray> &chunks, qsizetype max, char separator = '\n')
    {
        LineSplitter splitter(max);
        splitter.setSeparator(separator);
        QList<Line> lines;
        auto onLine = [&](QByteArrayView line, bool truncated) { lines.append({line.toByteArray(), truncated}); };
        for (const QByteArray &c : chunks)
            splitter.feed(c, onLine);
        splitter.finish(onLine);
        return lines;
    }

private Q_SLOTS:
    void splitsAcrossReads_data()
    {
        QTest::addColumn<QList<QByteArray>>("chunks");
        QTest::addColumn<QList<QByteArray>>("expected");
        using L = QList<QByteArray>;
        QTest::newRow("one chunk") << L{"a\nbb\nccc\n"} << L{"a", "bb", "ccc"};
        QTest::newRow("split mid line") << L{"ab", "c\nd", "e\n"} << L{"abc", "de"};
        QTest::newRow("byte by byte") << L{"x", "y", "\n", "z", "\n"} << L{"xy", "z"};
        QTest::newRow("empty lines kept") << L{"\n\na\n"} << L{"", "", "a"};
        QTest::newRow("unterminated tail") << L{"a\nb"} << L{"a", "b"};
        QTest::newRow("carriage return kept") << L{"a\r\n"} << L{"a\r"};
        QTest::newRow("nothing") << L{} << L{};
        QTest::newRow("NUL inside a line") << L{QByteArray("a\0b\n", 4)} << L{QByteArray("a\0b", 3)};
    }
    void splitsAcrossReads()
    {
        QFETCH(QList<QByteArray>, chunks);
        QFETCH(QList<QByteArray>, expected);
        const QList<Line> lines = split(chunks, 1024);
        QCOMPARE(lines.size(), expected.size());
        for (int i = 0; i < lines.size(); ++i) {
            QCOMPARE(lines[i].text, expected[i]);
            QVERIFY(!lines[i].truncated);
        }
    }

    void overlongLinesAreCutOnceAndSkipped_data()
    {
        QTest::addColumn<QList<QByteArray>>("chunks");
        using L = QList<QByteArray>;
        QTest::newRow("in one read") << L{"0123456789ABCDEF\nok\n"};
        QTest::newRow("across reads") << L{"0123", "456789", "ABCDEF", "\nok\n"};
        QTest::newRow("partial then long") << L{"01", "23456789ABCDEF\nok", "\n"};
    }
    void overlongLinesAreCutOnceAndSkipped()
    {
        QFETCH(QList<QByteArray>, chunks);
        const QList<Line> lines = split(chunks, 8);
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines[0].text, QByteArray("01234567"));
        QVERIFY(lines[0].truncated);
        QCOMPARE(lines[1].text, QByteArray("ok"));
        QVERIFY(!lines[1].truncated);
    }

    void memoryStaysBoundedUnderAFlood()
    {
        LineSplitter splitter(1024);
        int lines = 0;
        const QByteArray chunk(64 * 1024, 'x');
        for (int i = 0; i < 200; ++i) // 12.5 MiB without a newline
            splitter.feed(chunk, [&](QByteArrayView line, bool truncated) {
                QVERIFY(truncated);
                QCOMPARE(line.size(), 1024);
                ++lines;
            });
        QCOMPARE(lines, 1);
    }

    void otherSeparator()
    {
        const QList<Line> lines = split({QByteArray("a b\0c\nd\0", 8)}, 100, '\0');
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines[0].text, QByteArray("a b"));
        QCOMPARE(lines[1].text, QByteArray("c\nd"));
    }
};

QTEST_GUILESS_MAIN(TestLineSplitter)
#include "tst_linesplitter.moc"
