// The job form's parameter sweep: the table of parameters, the task count,
// the preview of the first commands, and a run from the window.

#include "jobeditor.h"
#include "sweepeditor.h"
#include "uitestsupport.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

namespace {
constexpr int RunTimeoutMs = 30000;

SweepParameter parsed(const QString &text, bool linked = false)
{
    SweepParameter p;
    QString error;
    if (!Sweep::parseParameter(text, &p, &error))
        qFatal("%s", qPrintable(error));
    p.linked = linked;
    return p;
}

JobSpec echoSweep(const QList<SweepParameter> &parameters)
{
    JobSpec spec;
    spec.command = {QStringLiteral("echo"), QStringLiteral("{lr}"), QStringLiteral("{bs}")};
    spec.parameters = parameters;
    return spec;
}

void setCell(SweepEditor *sweep, int row, int column, const QString &text)
{
    sweep->table()->item(row, column)->setText(text); // as the cell's editor commits it
}

// The form switched to an empty parameter sweep, as a user picks it.
SweepEditor *chooseEmptySweep(JobEditor *editor)
{
    editor->setSpec(echoSweep({}));
    auto *kind = editor->findChild<QComboBox *>(QStringLiteral("jobInputKind"));
    kind->setCurrentIndex(kind->findText(QStringLiteral("Parameter sweep")));
    return editor->sweepEditor();
}

// Two rows typed in: lr = 0.1,0.01 and bs = 1..3 (6 tasks).
void typeLrAndBs(SweepEditor *sweep)
{
    sweep->addRow();
    setCell(sweep, 0, SweepEditor::NameColumn, QStringLiteral("lr"));
    setCell(sweep, 0, SweepEditor::ValuesColumn, QStringLiteral("0.1,0.01"));
    sweep->addRow();
    setCell(sweep, 1, SweepEditor::NameColumn, QStringLiteral("bs"));
    setCell(sweep, 1, SweepEditor::ValuesColumn, QStringLiteral("1..3"));
}

// Every field the job file has: a run of the saved job runs the same sweep.
void compareParameters(const QList<SweepParameter> &actual, const QList<SweepParameter> &expected)
{
    QCOMPARE(actual, expected);
    for (qsizetype i = 0; i < actual.size(); ++i)
        QCOMPARE(actual[i].source, expected[i].source);
}
} // namespace

class TestSweepEditor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { UiTest::isolateSettings(); }

    // Lists, ranges, a file, zipped: through the form, a job file and back.
    void roundTripsEveryKindOfValues()
    {
        QTemporaryDir dir;
        const QString listPath = dir.filePath(QStringLiteral("opt.txt"));
        QFile file(listPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("adam\nsgd\n");
        file.close();
        JobSpec spec = echoSweep({parsed(QStringLiteral("lr=0.1,0.01")), parsed(QStringLiteral("bs=1..10:2")),
                                  parsed(QStringLiteral("opt=@") + listPath)});
        QCOMPARE(spec.parameters.at(1).values, (QStringList{"1", "3", "5", "7", "9"}));
        JobEditor editor;
        editor.setSpec(spec);
        SweepEditor *sweep = editor.sweepEditor();
        QVERIFY(editor.isSweep());
        QCOMPARE(editor.findChild<QComboBox *>(QStringLiteral("jobInputKind"))->currentText(), QStringLiteral("Parameter sweep"));
        compareParameters(editor.spec().parameters, spec.parameters);
        QCOMPARE(editor.spec().toJson(), spec.toJson());
        // Shown as typed.
        QCOMPARE(sweep->table()->rowCount(), 3);
        QCOMPARE(sweep->table()->item(1, SweepEditor::ValuesColumn)->text(), QStringLiteral("1..10:2"));
        QCOMPARE(sweep->table()->item(2, SweepEditor::ValuesColumn)->text(), QStringLiteral("@") + listPath);
        QCOMPARE(sweep->countLabel()->text(), QStringLiteral("20 tasks"));
        QVERIFY(editor.formError().isEmpty());

        // Save job as, then taskpool run --job: the same parameters.
        const QString jobPath = dir.filePath(QStringLiteral("job.json"));
        QString error;
        QVERIFY2(editor.spec().save(jobPath, &error), qPrintable(error));
        JobSpec loaded;
        QVERIFY2(JobSpec::load(jobPath, &loaded, &error), qPrintable(error));
        compareParameters(loaded.parameters, spec.parameters);
        // A loaded job runs what it ran: the file is not read again.
        QVERIFY(QFile::remove(listPath));
        JobEditor reopened;
        reopened.setSpec(loaded);
        compareParameters(reopened.spec().parameters, spec.parameters);
        QVERIFY(reopened.formError().isEmpty());

        // Zipped.
        JobSpec zipped = echoSweep({parsed(QStringLiteral("lr=0.1,0.01,0.001")), parsed(QStringLiteral("bs=16..64:24"), true)});
        editor.setSpec(zipped);
        QCOMPARE(sweep->combineBox()->currentData().toInt(), 1);
        compareParameters(editor.spec().parameters, zipped.parameters);
        QCOMPARE(sweep->countLabel()->text(), QStringLiteral("3 tasks"));
        // Product again, then back to zip through the combo.
        sweep->combineBox()->setCurrentIndex(0);
        QCOMPARE(sweep->countLabel()->text(), QStringLiteral("9 tasks"));
        QVERIFY(!editor.spec().parameters.at(1).linked);
        sweep->combineBox()->setCurrentIndex(1);
        QVERIFY(editor.spec().parameters.at(1).linked);

        // Without source text (::: sources, older files): the values as a list; positional names.
        JobSpec positional = echoSweep({SweepParameter{QStringLiteral("1"), {"a", "b"}, false},
                                        SweepParameter{QStringLiteral("2"), {"x"}, false}});
        positional.command = {QStringLiteral("echo"), QStringLiteral("{1}{2}")};
        editor.setSpec(positional);
        QCOMPARE(sweep->table()->item(0, SweepEditor::ValuesColumn)->text(), QStringLiteral("a,b"));
        QVERIFY2(editor.formError().isEmpty(), qPrintable(editor.formError()));
        QCOMPARE(editor.spec().toJson(), positional.toJson());

        // Another input kind is not a sweep.
        auto *kind = editor.findChild<QComboBox *>(QStringLiteral("jobInputKind"));
        kind->setCurrentIndex(kind->findData(int(JobSpec::InputKind::Range)));
        QVERIFY(!editor.spec().isSweep());
    }

    // Typing values updates the count and the preview; the command too.
    void typingUpdatesCountAndPreview()
    {
        JobEditor editor;
        SweepEditor *sweep = chooseEmptySweep(&editor);
        QVERIFY(!editor.formError().isEmpty()); // no parameter yet
        QSignalSpy edited(&editor, &JobEditor::edited);
        typeLrAndBs(sweep);
        QVERIFY(edited.count() >= 4);
        QVERIFY2(editor.formError().isEmpty(), qPrintable(editor.formError()));
        QCOMPARE(sweep->countLabel()->text(), QStringLiteral("6 tasks"));
        QTRY_COMPARE(sweep->preview()->toPlainText(),
                     QStringLiteral("echo 0.1 1\necho 0.1 2\necho 0.1 3\necho 0.01 1\necho 0.01 2\n… and 1 more"));
        const JobSpec spec = editor.spec();
        QCOMPARE(spec.parameters.at(1).values, (QStringList{"1", "2", "3"}));
        QCOMPARE(spec.parameters.at(1).source, QStringLiteral("1..3"));
        QVERIFY2(spec.validate().isEmpty(), qPrintable(spec.validate()));

        // The command, as typed in its field.
        auto *arguments = editor.findChild<QLineEdit *>(QStringLiteral("jobArguments"));
        arguments->selectAll();
        QTest::keyClicks(arguments, QStringLiteral("--bs={bs} --lr={lr}"));
        QTRY_VERIFY(sweep->preview()->toPlainText().startsWith(QStringLiteral("echo --bs=1 --lr=0.1\necho --bs=2 --lr=0.1\n")));

        // Huge: counted, not made.
        setCell(sweep, 1, SweepEditor::ValuesColumn, QStringLiteral("1..1000000"));
        sweep->addRow();
        setCell(sweep, 2, SweepEditor::NameColumn, QStringLiteral("seed"));
        setCell(sweep, 2, SweepEditor::ValuesColumn, QStringLiteral("1..5000000"));
        QCOMPARE(sweep->countLabel()->text(),
                 QStringLiteral("%1 tasks (about 10 trillion)").arg(QLocale().toString(qint64(10'000'000'000'000))));
        QTRY_VERIFY(sweep->preview()->toPlainText().endsWith(QStringLiteral("… and %1 more").arg(QLocale().toString(qint64(10'000'000'000'000) - 5))));
    }

    // With the keyboard: type into a cell's editor and press Enter.
    void typingIntoACell()
    {
        JobEditor editor;
        editor.resize(500, 900);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setSpec(echoSweep({parsed(QStringLiteral("lr=0.1,0.01")), parsed(QStringLiteral("bs=1,2"))}));
        SweepEditor *sweep = editor.sweepEditor();
        QTableWidget *table = sweep->table();
        table->setFocus();
        table->setCurrentCell(1, SweepEditor::ValuesColumn);
        table->editItem(table->item(1, SweepEditor::ValuesColumn));
        QTRY_VERIFY(qobject_cast<QLineEdit *>(QApplication::focusWidget()));
        auto *cell = qobject_cast<QLineEdit *>(QApplication::focusWidget());
        cell->selectAll();
        QTest::keyClicks(cell, QStringLiteral("8..64:8"));
        QTest::keyClick(cell, Qt::Key_Return);
        QTRY_COMPARE(table->item(1, SweepEditor::ValuesColumn)->text(), QStringLiteral("8..64:8"));
        QCOMPARE(sweep->countLabel()->text(), QStringLiteral("16 tasks"));
        QTRY_VERIFY(sweep->preview()->toPlainText().startsWith(QStringLiteral("echo 0.1 8\necho 0.1 16\n")));
        QCOMPARE(editor.spec().parameters.at(1).source, QStringLiteral("8..64:8"));

        // Long-lived workers get the tuples as task inputs: the preview lists them.
        auto *mode = editor.findChild<QComboBox *>(QStringLiteral("jobMode"));
        mode->setCurrentIndex(mode->findData(int(JobSpec::Mode::Worker)));
        QTRY_VERIFY(sweep->preview()->toPlainText().startsWith(QStringLiteral("task 1: lr=0.1 bs=8\ntask 2: lr=0.1 bs=16\n")));
    }

    // A row that does not parse says why, in the row and below the table, and
    // the window will not start (or save) the job.
    void invalidRowsAreShownAndBlockTheRun()
    {
        UiTest::TempJournal journal;
        MainWindow window(UiTest::taskpool(), journal.path());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        JobEditor *editor = window.jobEditor();
        editor->setSpec(echoSweep({parsed(QStringLiteral("lr=0.1,0.01")), parsed(QStringLiteral("bs=1,2"))}));
        SweepEditor *sweep = editor->sweepEditor();
        QVERIFY(window.startAction()->isEnabled());
        QVERIFY(!sweep->errorLabel()->isVisible());

        setCell(sweep, 1, SweepEditor::ValuesColumn, QStringLiteral("1..10:0"));
        QVERIFY(sweep->errorLabel()->isVisible());
        QVERIFY2(sweep->errorLabel()->text().startsWith(QStringLiteral("Row 2 (bs): the range 1..10:0")),
                 qPrintable(sweep->errorLabel()->text()));
        QVERIFY(sweep->table()->item(1, SweepEditor::ValuesColumn)->toolTip().contains(QStringLiteral("step")));
        QVERIFY(!editor->formError().isEmpty());
        QVERIFY(!window.startAction()->isEnabled());
        QVERIFY(!window.resumeJobAction()->isEnabled());
        window.startRun(); // as a shortcut would: refused, with the reason
        QVERIFY(!window.controller()->isActive());
        QTRY_VERIFY(window.findChild<QMessageBox *>(QStringLiteral("errorMessage")));
        window.findChild<QMessageBox *>(QStringLiteral("errorMessage"))->close();
        QTemporaryDir dir;
        QVERIFY(!window.saveJobFile(dir.filePath(QStringLiteral("job.json"))));

        // Fixed: it starts again.
        setCell(sweep, 1, SweepEditor::ValuesColumn, QStringLiteral("1..10:3"));
        QVERIFY(!sweep->errorLabel()->isVisible());
        QVERIFY(window.startAction()->isEnabled());
        QCOMPARE(editor->spec().parameters.at(1).values, (QStringList{"1", "4", "7", "10"}));

        // A bad name, a name twice, a missing file, no values, zip of unequal lengths.
        const QList<QPair<QString, QString>> bad{
            {QStringLiteral("2x"), QStringLiteral("1,2")},         {QStringLiteral("lr"), QStringLiteral("1,2")},
            {QStringLiteral("status"), QStringLiteral("1")},       {QStringLiteral("bs"), QStringLiteral("@/no/such/file")},
            {QStringLiteral("bs"), QString()},                     {QString(), QStringLiteral("1")}};
        for (const auto &[name, values] : bad) {
            setCell(sweep, 1, SweepEditor::NameColumn, name);
            setCell(sweep, 1, SweepEditor::ValuesColumn, values);
            QVERIFY2(!editor->formError().isEmpty(), qPrintable(name + QLatin1Char('=') + values));
            QVERIFY(!window.startAction()->isEnabled());
        }
        setCell(sweep, 1, SweepEditor::NameColumn, QStringLiteral("bs"));
        setCell(sweep, 1, SweepEditor::ValuesColumn, QStringLiteral("1,2,3"));
        QVERIFY(editor->formError().isEmpty());
        sweep->combineBox()->setCurrentIndex(1); // zip: 2 and 3 values
        QVERIFY(editor->formError().contains(QStringLiteral("Zip")));
        QVERIFY(!window.startAction()->isEnabled());
        sweep->combineBox()->setCurrentIndex(0);
        QVERIFY(window.startAction()->isEnabled());
        // Another input kind: the sweep's error no longer matters.
        setCell(sweep, 1, SweepEditor::ValuesColumn, QString());
        QVERIFY(!window.startAction()->isEnabled());
        auto *kind = editor->findChild<QComboBox *>(QStringLiteral("jobInputKind"));
        kind->setCurrentIndex(kind->findData(int(JobSpec::InputKind::Range)));
        QVERIFY(window.startAction()->isEnabled());
    }

    void rowsAreAddedRemovedAndMoved()
    {
        JobEditor editor;
        editor.setSpec(echoSweep({parsed(QStringLiteral("lr=0.1,0.01")), parsed(QStringLiteral("bs=1,2,3"))}));
        SweepEditor *sweep = editor.sweepEditor();
        auto *add = sweep->findChild<QToolButton *>(QStringLiteral("sweepAdd"));
        auto *remove = sweep->findChild<QToolButton *>(QStringLiteral("sweepRemove"));
        auto *up = sweep->findChild<QToolButton *>(QStringLiteral("sweepUp"));
        auto *down = sweep->findChild<QToolButton *>(QStringLiteral("sweepDown"));
        QVERIFY(add && remove && up && down);
        add->click();
        QCOMPARE(sweep->table()->rowCount(), 3);
        QVERIFY(sweep->errorLabel()->text().startsWith(QStringLiteral("Row 3: give the parameter a name")));
        setCell(sweep, 2, SweepEditor::NameColumn, QStringLiteral("seed"));
        setCell(sweep, 2, SweepEditor::ValuesColumn, QStringLiteral("7"));
        QVERIFY(editor.formError().isEmpty());
        QCOMPARE(editor.spec().parameterNames(), (QStringList{"lr", "bs", "seed"}));
        QVERIFY(up->isEnabled() && !down->isEnabled());
        up->click();
        up->click();
        QCOMPARE(editor.spec().parameterNames(), (QStringList{"seed", "lr", "bs"}));
        QCOMPARE(editor.spec().parameters.at(0).values, QStringList{"7"});
        QVERIFY(!up->isEnabled());
        down->click();
        QCOMPARE(editor.spec().parameterNames(), (QStringList{"lr", "seed", "bs"}));
        QCOMPARE(editor.spec().parameters.at(2).values, (QStringList{"1", "2", "3"}));
        remove->click();
        QCOMPARE(editor.spec().parameterNames(), (QStringList{"lr", "bs"}));
        QCOMPARE(sweep->countLabel()->text(), QStringLiteral("6 tasks"));
        sweep->table()->setCurrentCell(0, 0);
        remove->click();
        remove->click();
        QCOMPARE(sweep->table()->rowCount(), 0);
        QVERIFY(!editor.formError().isEmpty()); // a sweep of nothing
    }

    // Values are data: the preview quotes them as a shell would read them back,
    // and with sh -c shows the script and the values passed to it.
    void previewQuotesHostileValues()
    {
        JobEditor editor;
        SweepParameter lr{QStringLiteral("lr"), {QStringLiteral("a b;rm -rf ~"), QStringLiteral("it's"), QStringLiteral("$(id)"),
                                                 QStringLiteral("line\nbreak")}, false};
        editor.setSpec(echoSweep({lr, SweepParameter{QStringLiteral("bs"), {QStringLiteral("1")}, false}}));
        SweepEditor *sweep = editor.sweepEditor();
        QTRY_COMPARE(sweep->preview()->toPlainText(),
                     QStringLiteral("echo 'a b;rm -rf ~' 1\necho 'it'\\''s' 1\necho '$(id)' 1\necho $'line\\nbreak' 1"));
        JobSpec shell = echoSweep({lr});
        shell.shell = true;
        shell.command = {QStringLiteral("echo {lr} | wc -c")};
        editor.setSpec(shell);
        const QString first = sweep->preview()->toPlainText().section(QLatin1Char('\n'), 0, 0);
        QVERIFY2(first.startsWith(QStringLiteral("/bin/sh -c '")), qPrintable(first));
        QVERIFY2(first.endsWith(QStringLiteral("' sh 'a b;rm -rf ~'")), qPrintable(first));
        // An unknown {name} is said in the preview (and refused by validate()).
        shell.command = {QStringLiteral("echo {nope}")};
        editor.setSpec(shell);
        QVERIFY(sweep->preview()->toPlainText().contains(QStringLiteral("nope")));
        QVERIFY(!editor.spec().validate().isEmpty());
    }

    void everyControlIsNamed()
    {
        JobEditor editor;
        SweepEditor *sweep = editor.sweepEditor();
        for (QWidget *w : sweep->focusChain()) {
            QVERIFY2(!w->accessibleName().isEmpty(), qPrintable(w->objectName()));
            QVERIFY2(!w->toolTip().isEmpty(), qPrintable(w->objectName()));
        }
        QVERIFY(!sweep->countLabel()->accessibleName().isEmpty());
        QVERIFY(!sweep->errorLabel()->accessibleName().isEmpty());
        editor.setSpec(echoSweep({parsed(QStringLiteral("lr=0.1,0.01"))}));
        QAbstractItemModelTester tester(sweep->table()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(sweep->table()->model()->index(0, 1).data().toString(), QStringLiteral("0.1,0.01"));
        QCOMPARE(sweep->table()->model()->headerData(1, Qt::Horizontal).toString(), QStringLiteral("Values"));
        sweep->addRow();
        sweep->moveRowUp();
        sweep->removeRow();
    }

    // Start in the window: a 2 x 3 sweep runs 6 tasks, one per tuple.
    void windowRunsASweep()
    {
        UiTest::TempJournal journal;
        MainWindow window(UiTest::taskpool(), journal.path());
        UiTest::ModelTesters testers(window);
        window.show();
        typeLrAndBs(chooseEmptySweep(window.jobEditor()));
        QVERIFY(window.startAction()->isEnabled());
        window.workerCountBox()->setValue(2);
        QSignalSpy finished(window.controller(), &RunController::finished);
        window.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, RunTimeoutMs);
        ResultTableModel *results = window.controller()->resultModel();
        QCOMPARE(results->rowCount(), 6);
        QCOMPARE(results->count(TaskStatus::Ok), 6);
        QStringList inputs;
        for (int row = 0; row < results->rowCount(); ++row)
            inputs.append(results->index(row, ResultTableModel::InputColumn).data().toString());
        inputs.sort();
        QCOMPARE(inputs, (QStringList{"0.01 1", "0.01 2", "0.01 3", "0.1 1", "0.1 2", "0.1 3"}));
    }
};

QTEST_MAIN(TestSweepEditor)
#include "tst_ui_sweepeditor.moc"
