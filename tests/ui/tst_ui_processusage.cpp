// CPU and memory of a whole process group, read from /proc, on real processes.

#include "processgroupusage.h"
#include "processtree.h"
#include "uitestsupport.h"

#include <QProcess>
#include <QThread>
#include <QTest>

#include <csignal>
#include <unistd.h>

class TestProcessUsage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ownGroupHasMemory()
    {
        QVERIFY(ProcessGroupUsage::isAvailable());
        ProcessGroupUsage usage;
        const qint64 group = ::getpgrp();
        const QHash<qint64, GroupUsage> sample = usage.sample({group});
        QVERIFY(sample.contains(group));
        QVERIFY(sample.value(group).processes >= 1);
        QVERIFY(sample.value(group).rssBytes > 1024 * 1024); // this test itself, with Qt loaded
        QVERIFY(usage.sample({}).isEmpty());
        QVERIFY(usage.sample({999999999}).isEmpty());
    }

    void busyTreeIsMeasuredWhole()
    {
        // A group of two processes spinning on the CPU: a shell and its child.
        QProcess process;
        ProcessTree::prepare(&process);
        process.start(QStringLiteral("sh"), {QStringLiteral("-c"),
                                             QStringLiteral("sh -c 'while :; do :; done' & while :; do :; done")});
        QVERIFY(process.waitForStarted());
        const qint64 group = process.processId();
        auto cleanup = qScopeGuard([&] {
            ProcessTree::signalGroup(group, SIGKILL);
            process.waitForFinished();
        });

        ProcessGroupUsage usage;
        GroupUsage last;
        QTRY_VERIFY_WITH_TIMEOUT((last = usage.sample({group}).value(group)).processes == 2, 10000);
        // CPU is measured between samples: on a loaded machine the pair gets at
        // least a fair share of one core.
        // Samples are taken until one shows it; QTRY re-checks the result, not a new sample.
        bool busySeen = false;
        auto sampleUntilBusy = [&] {
            if (!busySeen) {
                last = usage.sample({group}).value(group);
                busySeen = last.cpuPercent > 20;
            }
            return busySeen;
        };
        QTRY_VERIFY_WITH_TIMEOUT(sampleUntilBusy(), 10000);
        QVERIFY(last.rssBytes > 0);
        QVERIFY(last.cpuPercent < 100.0 * (QThread::idealThreadCount() + 1));
    }
};

QTEST_MAIN(TestProcessUsage)
#include "tst_ui_processusage.moc"
