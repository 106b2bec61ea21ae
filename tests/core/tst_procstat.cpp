// ProcStat, the one reader of /proc/PID/stat (core/process): the fields after
// a command name that holds spaces and parentheses, lines it refuses, and
// this very process read back, by pid and in a scan of /proc.

#include "procstat.h"

#include <QTest>

#include <sys/prctl.h>
#include <unistd.h>

namespace {
// A stat line as Linux 6 writes it (52 fields), with the given command name.
QByteArray statLine(const QByteArray &name)
{
    return "4242 (" + name + ") S 17 4240 4240 0 -1 4194560 1200 0 3 0 70 30 20 10 20 0 1 0 987654 "
           "104857600 2500 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
}
} // namespace

class TestProcStat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesTheFieldsAfterTheName_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::newRow("plain") << QByteArray("testworker");
        QTest::newRow("spaces") << QByteArray("my worker 2");
        QTest::newRow("parentheses") << QByteArray("a) (b");
        QTest::newRow("looks like fields") << QByteArray("x) R 1 1 1");
        QTest::newRow("ends with ')'") << QByteArray("sh)");
        QTest::newRow("empty") << QByteArray();
    }
    void parsesTheFieldsAfterTheName()
    {
        QFETCH(QByteArray, name);
        ProcStat s;
        QVERIFY(ProcStat::parse(statLine(name), &s));
        QCOMPARE(s.pid, qint64(4242));
        QCOMPARE(s.state, 'S');
        QCOMPARE(s.ppid, qint64(17));
        QCOMPARE(s.pgrp, qint64(4240));
        QCOMPARE(s.utime, quint64(70));
        QCOMPARE(s.stime, quint64(30));
        QCOMPARE(s.cutime, quint64(20));
        QCOMPARE(s.cstime, quint64(10));
        QCOMPARE(s.cpuTicks(), quint64(130));
        QCOMPARE(s.startTicks, quint64(987654));
        QCOMPARE(s.rssPages, qint64(2500));
        QVERIFY(!s.isDead());
    }

    void refusesWhatIsNotAStatLine_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("no name") << QByteArray("4242 S 17 4240 4240");
        QTest::newRow("no pid") << statLine("sh").mid(5);
        QTest::newRow("cut after the group") << QByteArray("4242 (sh) S 17 4240");
        QTest::newRow("cut before the memory") << statLine("sh").left(statLine("sh").indexOf(" 2500 "));
        QTest::newRow("two-letter state") << QByteArray(statLine("sh")).replace(") S ", ") SS ");
        QTest::newRow("letters in a number") << QByteArray(statLine("sh")).replace(" 987654 ", " 98x654 ");
    }
    void refusesWhatIsNotAStatLine()
    {
        QFETCH(QByteArray, line);
        ProcStat s;
        s.pid = 7;
        QVERIFY(!ProcStat::parse(line, &s));
        QCOMPARE(s.pid, qint64(7)); // untouched
    }

    // This process, renamed so that its name would fool a split at the first ')'.
    void readsThisProcessWhateverItsName()
    {
        char original[17] = {};
        QCOMPARE(::prctl(PR_GET_NAME, original), 0);
        QCOMPARE(::prctl(PR_SET_NAME, "x) Z 1 (y"), 0);
        ProcStat self;
        const bool read = ProcStat::read(::getpid(), &self);
        ::prctl(PR_SET_NAME, original);
        QVERIFY(read);
        QCOMPARE(self.pid, qint64(::getpid()));
        QCOMPARE(self.state, 'R');
        QCOMPARE(self.ppid, qint64(::getppid()));
        QCOMPARE(self.pgrp, qint64(::getpgrp()));
        QVERIFY(self.startTicks > 0 && self.rssPages > 0);

        ProcStat none;
        QVERIFY(!ProcStat::read(0, &none));

        ProcScan scan;
        QVERIFY(scan.isOpen());
        bool found = false;
        for (ProcStat s; scan.next(&s);)
            found = found || (s.pid == self.pid && s.pgrp == self.pgrp && s.startTicks == self.startTicks);
        QVERIFY(found);
    }
};

QTEST_GUILESS_MAIN(TestProcStat)
#include "tst_procstat.moc"
