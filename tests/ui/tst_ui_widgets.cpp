// The smaller widgets: the bounded log, the job form, the summary and the
// progress bar delegate.

#include "jobeditor.h"
#include "logview.h"
#include "progressbardelegate.h"
#include "summarypanel.h"
#include "throughputchart.h"
#include "uitestsupport.h"
#include "workertablemodel.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

namespace {
// The editor's job saved to a job file, loaded and shown in a new editor:
// what that editor gives back (*reopened), or the error.
QString reopenedFromFile(const JobEditor &editor, QJsonObject *reopened)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("job.json"));
    QString error;
    JobSpec loaded;
    if (!editor.spec().save(path, &error) || !JobSpec::load(path, &loaded, &error))
        return error;
    JobEditor again;
    again.setSpec(loaded);
    *reopened = again.spec().toJson();
    return {};
}
} // namespace

class TestWidgets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void logKeepsTheNewestLinesAndSaysSo()
    {
        LogView log;
        QSignalSpy added(&log, &LogView::linesAdded);
        log.appendLine(2, QStringLiteral("first"));
        log.appendLine(-1, QStringLiteral("from the pool"));
        QTRY_COMPARE(added.count(), 1); // batched: one append for both lines
        QCOMPARE(log.textView()->blockCount(), 2);
        QVERIFY(log.textView()->toPlainText().contains(QLatin1String("worker 2: first")));
        QVERIFY(log.textView()->toPlainText().contains(QLatin1String("pool: from the pool")));
        QCOMPARE(log.droppedLines(), 0);
        auto *note = log.findChild<QLabel *>(QStringLiteral("logDroppedNote"));
        QVERIFY(note);
        QVERIFY(note->isHidden());

        const int extra = 700;
        for (int i = 0; i < LogView::MaxLines + extra; ++i)
            log.appendLine(0, QStringLiteral("line %1").arg(i));
        log.flush();
        QCOMPARE(log.textView()->blockCount(), LogView::MaxLines);
        QCOMPARE(log.droppedLines(), extra + 2);
        QVERIFY(!note->isHidden());
        QVERIFY(note->text().contains(QLatin1String("702")));
        QVERIFY(log.textView()->toPlainText().endsWith(QStringLiteral("line %1").arg(LogView::MaxLines + extra - 1)));

        log.clear();
        QCOMPARE(log.droppedLines(), 0);
        QVERIFY(note->isHidden());
    }

    void jobEditorRoundTripsEveryField()
    {
        JobSpec spec;
        spec.mode = JobSpec::Mode::PerTask;
        spec.command = {QStringLiteral("/usr/bin/convert"), QStringLiteral("{}"), QStringLiteral("out dir/{/.}.png")};
        spec.inputKind = JobSpec::InputKind::List;
        spec.inputList = {QStringLiteral("a.jpg"), QStringLiteral("b c.jpg")};
        spec.retries = 3;
        spec.timeoutSeconds = 12.5;
        spec.workingDirectory = QStringLiteral("/tmp"); // not in the form, but kept
        spec.maxOutputBytes = 4096;

        JobEditor editor;
        editor.setSpec(spec);
        QCOMPARE(editor.spec().toJson(), spec.toJson());

        spec.mode = JobSpec::Mode::Worker;
        spec.inputKind = JobSpec::InputKind::File;
        spec.inputFile = QStringLiteral("/data/inputs.txt");
        spec.nullSeparated = true;
        spec.shell = true;
        editor.setSpec(spec);
        spec.command = {spec.command.join(QLatin1Char(' '))}; // a shell job is its script: one string
        QCOMPARE(editor.spec().toJson(), spec.toJson());

        spec.inputKind = JobSpec::InputKind::Range;
        spec.rangeCount = 123456;
        editor.setSpec(spec);
        QCOMPARE(editor.spec().toJson(), spec.toJson());
    }

    // Tab walks the form in the order it is shown: the input kind, then the
    // fields of the chosen input, then the hosts.
    void jobEditorTabsThroughTheInputsWhereTheyAreShown()
    {
        JobEditor editor;
        auto *kind = editor.findChild<QComboBox *>(QStringLiteral("jobInputKind"));
        auto *file = editor.findChild<QLineEdit *>(QStringLiteral("jobInputFile"));
        auto *browse = editor.findChild<QToolButton *>(QStringLiteral("jobBrowseInputFile"));
        auto *hosts = editor.findChild<QLineEdit *>(QStringLiteral("jobHosts"));
        QVERIFY(kind && file && browse && hosts);
        editor.show();
        QVERIFY(QTest::qWaitForWindowActive(&editor));
        kind->setCurrentIndex(kind->findData(int(JobSpec::InputKind::File)));
        QVERIFY(file->isVisible());
        kind->setFocus();
        QTRY_COMPARE(QApplication::focusWidget(), kind);
        QTest::keyClick(kind, Qt::Key_Tab);
        QCOMPARE(QApplication::focusWidget(), file);
        QTest::keyClick(file, Qt::Key_Tab);
        QCOMPARE(QApplication::focusWidget(), browse);
        QTest::keyClick(browse, Qt::Key_Tab);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab); // the NUL check box
        QCOMPARE(QApplication::focusWidget(), hosts);
    }

    // With the shell box ticked, the fields are the script as typed: its quotes
    // reach sh, and a template that cannot keep inputs as data is explained.
    void jobEditorKeepsAShellScriptAsTyped()
    {
        JobEditor editor;
        auto *program = editor.findChild<QLineEdit *>(QStringLiteral("jobProgram"));
        auto *arguments = editor.findChild<QLineEdit *>(QStringLiteral("jobArguments"));
        auto *shell = editor.findChild<QCheckBox *>(QStringLiteral("jobShell"));
        QVERIFY(program && arguments && shell);
        shell->setChecked(true);
        program->setText(QStringLiteral("printf"));
        arguments->setText(QStringLiteral("'%s\\n' \"a | b {}\""));
        QCOMPARE(editor.spec().command, QStringList{QStringLiteral("printf '%s\\n' \"a | b {}\"")});
        QCOMPARE(editor.spec().validate(), QString());

        JobEditor reloaded;
        reloaded.setSpec(editor.spec());
        QCOMPARE(reloaded.spec().command, editor.spec().command);

        QTest::keyClicks(arguments, QStringLiteral(" `cat {}`"));
        QVERIFY(editor.spec().validate().contains(QStringLiteral("inside `…`")));
        bool explained = false;
        for (QLabel *label : editor.findChildren<QLabel *>())
            explained = explained || label->text().contains(QStringLiteral("inside `…`"));
        QVERIFY(explained);
    }

    void jobEditorRoundTripsHosts()
    {
        JobSpec spec = UiTest::demoJob(10);
        HostSpec local;
        local.slotCount = 4;
        HostSpec ssh;
        ssh.slotCount = 8;
        ssh.kind = HostSpec::Kind::Ssh;
        ssh.target = QStringLiteral("user@node2");
        ssh.launcher = QStringLiteral("ssh -p 2222 {host} --"); // not in the field's syntax, but kept
        HostSpec srun;
        srun.slotCount = 16;
        srun.kind = HostSpec::Kind::Srun;
        spec.hosts = {local, ssh, srun};

        JobEditor editor;
        QSignalSpy hostsChanged(&editor, &JobEditor::hostsChanged);
        editor.setSpec(spec);
        auto *field = editor.findChild<QLineEdit *>(QStringLiteral("jobHosts"));
        QVERIFY(field);
        QCOMPARE(field->text(), QStringLiteral("4/localhost, 8/ssh:user@node2, 16/srun"));
        QVERIFY(!field->toolTip().isEmpty());
        QCOMPARE(field->accessibleName(), QStringLiteral("Hosts"));
        QVERIFY(editor.hostsError().isEmpty());
        QVERIFY(editor.hasHosts());
        QVERIFY(hostsChanged.count() >= 1);
        QCOMPARE(editor.spec().toJson(), spec.toJson());

        // Typed by hand, in the CLI's spelling, with a bare name as an ssh host.
        field->setText(QStringLiteral(" 2/localhost ,3/node5,"));
        const JobSpec typed = editor.spec();
        QCOMPARE(typed.hosts.size(), 2);
        QCOMPARE(typed.hosts.at(0).kind, HostSpec::Kind::Local);
        QCOMPARE(typed.hosts.at(0).slotCount, 2);
        QCOMPARE(typed.hosts.at(1).kind, HostSpec::Kind::Ssh);
        QCOMPARE(typed.hosts.at(1).target, QStringLiteral("node5"));
        QCOMPARE(typed.hosts.at(1).slotCount, 3);

        // Empty: every slot local, as without hosts.
        field->clear();
        QVERIFY(editor.spec().hosts.isEmpty());
        QVERIFY(!editor.hasHosts());
    }

    // File transfer works with long-lived workers too: the controls are on
    // whenever a remote host is given, whatever the mode.
    void jobEditorOffersTransferToWorkers()
    {
        JobSpec spec = UiTest::demoJob(10);
        QCOMPARE(spec.mode, JobSpec::Mode::Worker);
        HostSpec ssh;
        ssh.slotCount = 2;
        ssh.kind = HostSpec::Kind::Ssh;
        ssh.target = QStringLiteral("node2");
        spec.hosts = {ssh};
        spec.transfer = true;
        spec.returnFiles = {QStringLiteral("{.}.out")};
        spec.cleanup = true;
        JobEditor editor;
        editor.setSpec(spec);
        auto *transfer = editor.findChild<QCheckBox *>(QStringLiteral("jobTransfer"));
        auto *cleanup = editor.findChild<QCheckBox *>(QStringLiteral("jobCleanup"));
        auto *returns = editor.findChild<QLineEdit *>(QStringLiteral("jobReturnFiles"));
        QVERIFY(transfer && cleanup && returns);
        QVERIFY(transfer->isEnabled() && transfer->isChecked());
        QVERIFY(cleanup->isEnabled() && returns->isEnabled());
        const JobSpec back = editor.spec();
        QVERIFY(back.transfer && back.cleanup);
        QCOMPARE(back.returnFiles, spec.returnFiles);
        QVERIFY2(back.validate().isEmpty(), qPrintable(back.validate()));
        // No remote host: nothing to transfer to.
        editor.findChild<QLineEdit *>(QStringLiteral("jobHosts"))->setText(QStringLiteral("2/localhost"));
        QVERIFY(!transfer->isEnabled());
        QVERIFY(!editor.spec().transfer);
    }

    void jobEditorExplainsBadHosts()
    {
        JobEditor editor;
        editor.setSpec(UiTest::demoJob(10));
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        auto *field = editor.findChild<QLineEdit *>(QStringLiteral("jobHosts"));
        auto *error = editor.findChild<QLabel *>(QStringLiteral("jobHostsError"));
        QVERIFY(field && error);
        QVERIFY(!error->isVisible());
        QSignalSpy hostsChanged(&editor, &JobEditor::hostsChanged);

        field->setText(QStringLiteral("2/localhost, 0/ssh:user@node2"));
        QVERIFY(!editor.hostsError().isEmpty());
        QVERIFY(error->isVisible());
        QCOMPARE(error->text(), editor.hostsError());
        QVERIFY2(error->text().contains(QLatin1String("0/ssh:user@node2")), qPrintable(error->text()));
        QVERIFY(!error->text().contains(QLatin1String("--host"))); // the form has no options
        QCOMPARE(hostsChanged.count(), 1);

        field->setText(QStringLiteral("2/ssh:-oProxyCommand=x"));
        QVERIFY(!editor.hostsError().isEmpty());

        field->setText(QStringLiteral("2/localhost"));
        QVERIFY(editor.hostsError().isEmpty());
        QVERIFY(!error->isVisible());
    }

    void summaryShowsPerHostCounts()
    {
        SummaryPanel panel;
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(!panel.hostCounts()->isVisible());
        HostSnapshot local;
        local.slotCount = 2;
        local.liveSlots = 2;
        local.busySlots = 1;
        local.tasksOk = 7;
        HostSnapshot node;
        node.name = QStringLiteral("user@node2");
        node.kind = HostSpec::Kind::Ssh;
        node.slotCount = 4;
        node.liveSlots = 4;
        node.down = true;
        node.retryInMs = 5000;
        node.lastError = QStringLiteral("Connection refused");
        node.tasksFailed = 1;
        panel.updateHosts({local, node});
        QVERIFY(panel.hostCounts()->isVisible());
        const QString text = panel.hostCounts()->text();
        QVERIFY2(text.contains(QStringLiteral("<b>local</b>: 2 slots · 1 busy · 7 done · 0 failed")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("user@node2")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("down")) && text.contains(QLatin1String("Connection refused")), qPrintable(text));
        panel.updateHosts({});
        QVERIFY(!panel.hostCounts()->isVisible());
    }

    void jobEditorRoundTripsTheFaultToleranceFields()
    {
        JobSpec spec = UiTest::demoJob(40);
        spec.stallSeconds = 12.25;
        spec.timeoutPercent = 300;
        spec.haltFailurePercent = 12.5;
        spec.haltTerminates = true;
        spec.maxTasksPerWorker = 250;
        spec.maxWorkerMemoryMb = 2048;
        spec.startupSeconds = 45.5;
        JobEditor editor;
        editor.setSpec(spec);
        QCOMPARE(editor.spec().toJson(), spec.toJson());
        auto *haltMode = editor.findChild<QComboBox *>(QStringLiteral("jobHaltMode"));
        QVERIFY(haltMode && haltMode->isEnabled());
        QVERIFY(editor.findChild<QSpinBox *>(QStringLiteral("jobMaxTasksPerWorker"))->isEnabled());
        QVERIFY(editor.findChild<QDoubleSpinBox *>(QStringLiteral("jobWorkerStartup"))->isEnabled());

        // Through a job file and back, as Save job / Open job do.
        QJsonObject reopened;
        const QString error = reopenedFromFile(editor, &reopened);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(reopened, spec.toJson());

        // The other units: seconds and a count of failures; never both timeouts.
        spec.timeoutPercent = 0;
        spec.timeoutSeconds = 90.5;
        spec.haltFailurePercent = 0;
        spec.haltAfterFailures = 7;
        spec.haltTerminates = false;
        spec.mode = JobSpec::Mode::PerTask;
        spec.startupSeconds = 0; // a per-task job has no worker start-up
        editor.setSpec(spec);
        QCOMPARE(editor.spec().toJson(), spec.toJson());
        QVERIFY(!editor.findChild<QSpinBox *>(QStringLiteral("jobMaxTasksPerWorker"))->isEnabled()); // workers only
        QVERIFY(!editor.findChild<QDoubleSpinBox *>(QStringLiteral("jobWorkerStartup"))->isEnabled());
        auto *timeoutUnit = editor.findChild<QComboBox *>(QStringLiteral("jobTimeoutUnit"));
        QVERIFY(timeoutUnit);
        timeoutUnit->setCurrentIndex(timeoutUnit->findData(true));
        QCOMPARE(editor.spec().timeoutSeconds, 0.0);
        QCOMPARE(editor.spec().timeoutPercent, 90.5);
        QVERIFY(editor.spec().validate().isEmpty());

        // Nothing set: the form's "off" values are the engine's.
        editor.setSpec(UiTest::demoJob(3));
        QCOMPARE(editor.spec().toJson(), UiTest::demoJob(3).toJson());
        QVERIFY(!haltMode->isEnabled());
    }

    // Memory free, load below and delay between starts: shown, described,
    // saved with the job, and a loaded job's exact size kept.
    void jobEditorRoundTripsTheStartGates()
    {
        JobSpec spec = UiTest::demoJob(40);
        spec.memFreeBytes = qint64(2) * 1024 * 1024 * 1024;
        spec.loadBelow = 3.5;
        spec.startDelaySeconds = 0.25;
        JobEditor editor;
        editor.setSpec(spec);
        QCOMPARE(editor.spec().toJson(), spec.toJson());
        auto *memFree = editor.findChild<QSpinBox *>(QStringLiteral("jobMemFree"));
        auto *load = editor.findChild<QDoubleSpinBox *>(QStringLiteral("jobLoadBelow"));
        auto *delay = editor.findChild<QDoubleSpinBox *>(QStringLiteral("jobStartDelay"));
        QVERIFY(memFree && load && delay);
        QCOMPARE(memFree->value(), 2048);
        QCOMPARE(load->value(), 3.5);
        QCOMPARE(delay->value(), 0.25);
        for (QWidget *control : std::initializer_list<QWidget *>{memFree, load, delay}) {
            QVERIFY2(!control->accessibleName().isEmpty(), qPrintable(control->objectName()));
            QVERIFY2(!control->toolTip().isEmpty(), qPrintable(control->objectName()));
        }

        // Through a job file and back, as Save job / Open job do.
        QJsonObject reopened;
        const QString error = reopenedFromFile(editor, &reopened);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(reopened, spec.toJson());

        // Edits reach the job; a size the field cannot show exactly stands until edited.
        QSignalSpy edited(&editor, &JobEditor::edited);
        memFree->setValue(500);
        load->setValue(0);
        delay->setValue(1.5);
        QCOMPARE(edited.count(), 3);
        QCOMPARE(editor.spec().memFreeBytes, qint64(500) * 1024 * 1024);
        QCOMPARE(editor.spec().loadBelow, 0.0);
        QCOMPARE(editor.spec().startDelaySeconds, 1.5);
        spec.memFreeBytes = qint64(1500) * 1000 * 1000; // 1.5G as a job file may say it
        editor.setSpec(spec);
        QCOMPARE(editor.spec().memFreeBytes, spec.memFreeBytes);
        QCOMPARE(memFree->value(), 1431);

        // Nothing set: off, as the engine's defaults.
        editor.setSpec(UiTest::demoJob(3));
        QCOMPARE(memFree->text(), QStringLiteral("Off"));
        QCOMPARE(load->text(), QStringLiteral("Off"));
        QCOMPARE(editor.spec().toJson(), UiTest::demoJob(3).toJson());
    }

    // A sweep job (File > Open job, taskpool gui --job, a watched run) keeps
    // its parameters, and every other field, through the form.
    void jobEditorKeepsASweepsParameters()
    {
        JobSpec spec;
        spec.command = {QStringLiteral("echo"), QStringLiteral("{lr}"), QStringLiteral("{bs}")};
        spec.retries = 2;
        spec.stallSeconds = 5;
        spec.startDelaySeconds = 0.5;
        spec.parameters = {SweepParameter{QStringLiteral("lr"), {QStringLiteral("0.1"), QStringLiteral("0.01")}, false},
                           SweepParameter{QStringLiteral("bs"), {QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3")}, false}};
        QVERIFY2(spec.validate().isEmpty(), qPrintable(spec.validate()));
        JobEditor editor;
        editor.setSpec(spec);
        QCOMPARE(editor.spec().parameters, spec.parameters);
        QCOMPARE(editor.spec().toJson(), spec.toJson());
        spec.parameters.last().linked = true; // zipped
        spec.parameters.last().values.removeLast();
        editor.setSpec(spec);
        QCOMPARE(editor.spec().parameters, spec.parameters);
        QCOMPARE(editor.spec().toJson(), spec.toJson());
    }

    void jobEditorReportsEdits()
    {
        JobEditor editor;
        editor.setSpec(UiTest::demoJob(40));
        QSignalSpy edited(&editor, &JobEditor::edited);
        auto *kind = editor.findChild<QComboBox *>(QStringLiteral("jobInputKind"));
        QVERIFY(kind);
        kind->setCurrentIndex(kind->findData(int(JobSpec::InputKind::List)));
        QVERIFY(edited.count() >= 1);
        QCOMPARE(editor.spec().inputKind, JobSpec::InputKind::List);
        auto *list = editor.findChild<QPlainTextEdit *>(QStringLiteral("jobInputList"));
        QVERIFY(list);
        list->setPlainText(QStringLiteral("x\ny\n\nz\n"));
        QCOMPARE(editor.spec().inputList, QStringList({QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("z")}));
    }

    void summaryShowsCountsAndProgress()
    {
        SummaryPanel summary;
        PoolStats stats;
        stats.total = 200;
        stats.queued = 150;
        stats.running = 4;
        stats.ok = 40;
        stats.failed = 5;
        stats.timedOut = 1;
        stats.elapsedSeconds = 1.5;
        stats.tasksPerSecond = 30;
        stats.etaSeconds = 5;
        summary.update(stats, true);
        QCOMPARE(summary.progressBar()->maximum(), 200);
        QCOMPARE(summary.progressBar()->value(), 46);
        QVERIFY(summary.progressBar()->text().contains(QLatin1String("46 of 200")));
        QCOMPARE(summary.countText(QStringLiteral("queued")), QStringLiteral("150"));
        QCOMPARE(summary.countText(QStringLiteral("running")), QStringLiteral("4"));
        QCOMPARE(summary.countText(QStringLiteral("ok")), QStringLiteral("40"));
        QCOMPARE(summary.countText(QStringLiteral("failed")), QStringLiteral("6"));
        QCOMPARE(summary.countText(QStringLiteral("throughput")), QStringLiteral("30.0/s"));
        QCOMPARE(summary.countText(QStringLiteral("eta")), QStringLiteral("5.0 s"));
        QCOMPARE(summary.chart()->points().size(), 1); // a point per second of run time

        stats.elapsedSeconds = 1.9;
        summary.update(stats, true);
        QCOMPARE(summary.chart()->points().size(), 1);
        stats.elapsedSeconds = 2.5;
        stats.ok = 70;
        summary.update(stats, true);
        QCOMPARE(summary.chart()->points().size(), 2);
        QCOMPARE(summary.chart()->points().constLast().y(), 30.0); // 30 more tasks in 1 s

        stats.total = -1; // input from a pipe: total unknown
        summary.update(stats, true);
        QCOMPARE(summary.progressBar()->maximum(), 0);

        summary.reset();
        QCOMPARE(summary.countText(QStringLiteral("ok")), QStringLiteral("0"));
        QVERIFY(summary.chart()->points().isEmpty());
    }

    // What holds tasks back (--memfree, --load, --delay) shows while it does.
    void summaryShowsWhatHoldsTasksBack()
    {
        SummaryPanel summary;
        QLabel *note = summary.waitingNote();
        QVERIFY(note);
        QVERIFY(!note->accessibleName().isEmpty());
        PoolStats stats;
        stats.total = 10;
        summary.update(stats, true);
        QVERIFY(note->isHidden());
        stats.waiting = QStringLiteral("waiting for memory: 1.2 GiB free, needs 2 GiB");
        summary.update(stats, true);
        QVERIFY(!note->isHidden());
        QCOMPARE(note->text(), QStringLiteral("Waiting for memory: 1.2 GiB free, needs 2 GiB"));
        summary.update(stats, false); // the run has ended: nothing is waiting any more
        QVERIFY(note->isHidden());
        summary.update(stats, true);
        stats.waiting.clear();
        summary.update(stats, true);
        QVERIFY(note->isHidden());
        stats.waiting = QStringLiteral("waiting for load: 3.10, needs below 2");
        summary.update(stats, true);
        summary.reset();
        QVERIFY(note->isHidden());
    }

    void delegateDrawsTheProgressBar()
    {
        WorkerTableModel model;
        SlotSnapshot w;
        w.slot = 0;
        w.pid = 1;
        w.state = SlotState::Busy;
        w.taskId = 1;
        w.progress = 1.0;
        SlotSnapshot idle;
        idle.slot = 1;
        idle.state = SlotState::Idle;
        model.update({w, idle});

        QTableView view;
        view.setModel(&model);
        view.setItemDelegate(new ProgressBarDelegate(WorkerTableModel::ProgressColumn, WorkerTableModel::ProgressRole, &view));
        view.setColumnWidth(WorkerTableModel::ProgressColumn, 120);
        view.resize(1000, 200);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));

        // A full bar is filled with the highlight colour; the idle row's cell is not.
        const QImage image = view.viewport()->grab().toImage();
        auto highlightPixels = [&](int row) {
            const QRect cell = view.visualRect(model.index(row, WorkerTableModel::ProgressColumn));
            const QColor highlight = view.palette().color(QPalette::Highlight);
            int count = 0;
            const qreal dpr = image.devicePixelRatio();
            for (int x = cell.left(); x <= cell.right(); ++x) {
                for (int y = cell.top(); y <= cell.bottom(); ++y) {
                    const QColor c = image.pixelColor(int(x * dpr), int(y * dpr));
                    if (qAbs(c.hue() - highlight.hue()) < 20 && c.saturation() > 60)
                        ++count;
                }
            }
            return count;
        };
        QVERIFY2(highlightPixels(0) > 200, "the full bar is not drawn");
        QCOMPARE(highlightPixels(1), 0);
    }
};

QTEST_MAIN(TestWidgets)
#include "tst_ui_widgets.moc"
