#pragma once

// Helpers shared by the desktop app tests.

#include "jobspec.h"
#include "journalservice.h"
#include "mainwindow.h"
#include "procstat.h"
#include "resultfilterproxy.h"
#include "resultspanel.h"
#include "resulttablemodel.h"
#include "runcontroller.h"
#include "runlistmodel.h"
#include "workertablemodel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QList>
#include <QMessageBox>
#include <QPushButton>
#include <QSet>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

namespace UiTest {

inline QString taskpool() { return QStringLiteral(TASKPOOL_PATH); }

// Settings go to a test-only folder and start empty, so a test never sees or
// changes the user's own, and every run starts as a first launch. Each suite
// has a file of its own: ctest -j runs suites side by side.
inline void isolateSettings()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("taskpool-tests"));
    QCoreApplication::setApplicationName(QFileInfo(QCoreApplication::applicationFilePath()).completeBaseName());
    QSettings().clear();
}

// A run journal of the test's own, never the user's (nor another test's).
class TempJournal
{
public:
    QString path() const { return m_dir.filePath(QStringLiteral("journal.sqlite")); }

private:
    QTemporaryDir m_dir;
};

// The demo job on the built-in worker, slow (0.3-3 s per task, with progress) or instant.
inline JobSpec demoJob(qint64 tasks, bool fast = false)
{
    JobSpec spec = JobSpec::demo(taskpool());
    spec.rangeCount = tasks;
    if (fast)
        spec.command.append(QStringLiteral("--fast"));
    return spec;
}

// The journal's runs as the window's journal service lists them; empty if no
// listing came within 5 s.
inline QList<RunInfo> listedRuns(JournalService *journal)
{
    QList<RunInfo> runs;
    bool listed = false;
    QObject receiver;
    QObject::connect(journal, &JournalService::runsListed, &receiver,
                     [&](const QList<RunInfo> &all, const QString &) { runs = all, listed = true; });
    journal->listRuns();
    return QTest::qWaitFor([&] { return listed; }, 5000) ? runs : QList<RunInfo>();
}

// Processes still alive (zombies are dead) in any of these process groups.
inline QList<qint64> liveProcessesInGroups(const QSet<qint64> &groups)
{
    QList<qint64> alive;
    ProcScan scan;
    for (ProcStat stat; scan.next(&stat);) {
        if (groups.contains(stat.pgrp) && !stat.isDead())
            alive.append(stat.pid);
    }
    return alive;
}

// Every model the window shows, checked on each change while the test runs.
struct ModelTesters
{
    explicit ModelTesters(MainWindow &window)
    {
        const auto mode = QAbstractItemModelTester::FailureReportingMode::QtTest;
        testers.emplace_back(new QAbstractItemModelTester(window.controller()->workerModel(), mode));
        testers.emplace_back(new QAbstractItemModelTester(window.controller()->resultModel(), mode));
        testers.emplace_back(new QAbstractItemModelTester(window.results()->proxy(), mode));
        testers.emplace_back(new QAbstractItemModelTester(window.runsModel(), mode));
    }
    std::vector<std::unique_ptr<QAbstractItemModelTester>> testers;
};

// The window's question (terminate, delete...), if one is open.
inline QMessageBox *openQuestion()
{
    return qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
}

// Clicks the named button of the open question.
inline void answer(const char *buttonName)
{
    QMessageBox *box = openQuestion();
    QVERIFY(box);
    auto *button = box->findChild<QPushButton *>(QLatin1String(buttonName));
    QVERIFY(button);
    button->click();
}

// A text file's lines, without the empty one after the last newline.
inline QList<QByteArray> readLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> lines = file.readAll().split('\n');
    if (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast();
    return lines;
}

} // namespace UiTest
