// The window on real screens: a 1366×768 laptop screen (the offscreen
// platform's, from a config file) at the scale factor ctest gives in
// TASKPOOL_TEST_SCALE (1, 1.5, 2: a logical screen of 1366×768, 910×512,
// 683×384). The first window and a restored one fit it; while a run goes the
// job form folds to one line and eight workers show without scrolling.
#include "uitestsupport.h"

#include "jobeditor.h"
#include "jobsummarybar.h"
#include "windowfit.h"

#include "runspanel.h"

#include <QAction>
#include <QLabel>
#include <QSpinBox>
#include <QHeaderView>
#include <QScreen>
#include <QScrollBar>
#include <QSplitter>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryFile>
#include <QToolTip>
#include <QHelpEvent>

namespace {
constexpr int RunTimeoutMs = 60000;

double testScale()
{
    bool ok = false;
    const double scale = qEnvironmentVariable("TASKPOOL_TEST_SCALE").toDouble(&ok);
    return ok && scale > 0 ? scale : 1.0;
}

QRect available()
{
    return QGuiApplication::primaryScreen()->availableGeometry();
}

QString describe(const QRect &r)
{
    return QStringLiteral("%1x%2%3%4%5 on a screen of %6x%7")
        .arg(r.width()).arg(r.height()).arg(r.x() < 0 ? QString() : QStringLiteral("+")).arg(r.x())
        .arg(r.y() < 0 ? QStringLiteral("%1").arg(r.y()) : QStringLiteral("+%1").arg(r.y()))
        .arg(available().width()).arg(available().height());
}

bool fits(const QSize &size, const QRect &area)
{
    return size.width() <= area.width() && size.height() <= area.height();
}

// Rows of `view` whose whole height is inside its viewport.
int wholeRowsVisible(QTableView *view)
{
    int rows = 0;
    for (int row = 0; row < view->model()->rowCount(); ++row) {
        const QRect rect = view->visualRect(view->model()->index(row, 0));
        if (rect.isValid() && view->viewport()->rect().contains(rect))
            ++rows;
    }
    return rows;
}

// Every shown header of `view` as wide as its text: none is cut.
QStringList cutHeaders(QTableView *view)
{
    QStringList cut;
    const QHeaderView *header = view->horizontalHeader();
    const int margins = 2 * view->style()->pixelMetric(QStyle::PM_HeaderMargin, nullptr, header);
    for (int column = 0; column < header->count(); ++column) {
        if (header->isSectionHidden(column))
            continue;
        const QString text = view->model()->headerData(column, Qt::Horizontal).toString();
        if (header->fontMetrics().horizontalAdvance(text) + margins > header->sectionSize(column))
            cut.append(text);
        if (view->model()->headerData(column, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty())
            cut.append(text + QStringLiteral(" (no tooltip)"));
    }
    return cut;
}
} // namespace

class TestScreenFit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        qInfo("scale %.2f: logical screen %dx%d", testScale(), QGuiApplication::primaryScreen()->geometry().width(),
              QGuiApplication::primaryScreen()->geometry().height());
        QCOMPARE(QGuiApplication::primaryScreen()->geometry().size(),
                 QSize(qRound(1366 / testScale()), qRound(768 / testScale())));
    }

    void init()
    {
        UiTest::isolateSettings();
        // ctest runs the three scales side by side: a settings file for each.
        QCoreApplication::setApplicationName(QCoreApplication::applicationName() + QString::number(testScale()));
        QSettings().clear();
        m_journal = std::make_unique<UiTest::TempJournal>();
    }

    // The first window lies wholly on the screen; on a roomy screen it takes
    // 85 % of it, on a small logical one all of it.
    void firstWindowFitsTheScreen()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        qInfo("window %s, natural minimum %dx%d", qPrintable(describe(window.frameGeometry())),
              window.minimumSizeHint().width(), window.minimumSizeHint().height());
        QVERIFY2(available().contains(window.frameGeometry()), qPrintable(describe(window.frameGeometry())));
        if (testScale() == 1.0) {
            // Between runs, with the form open, the tables still fit their panes.
            QVERIFY(window.isJobFormShown());
            QVERIFY(!window.results()->view()->horizontalScrollBar()->isVisible());
            QVERIFY(!window.workersView()->horizontalScrollBar()->isVisible());
            QVERIFY2(window.width() <= available().width() * 0.85 + 1 && window.width() >= available().width() * 0.8,
                     qPrintable(describe(window.frameGeometry())));
            QVERIFY2(window.height() <= available().height() * 0.85 + 1, qPrintable(describe(window.frameGeometry())));
        } else {
            QVERIFY2(window.width() >= available().width() * 0.95, qPrintable(describe(window.frameGeometry())));
        }
    }

    // At 100 % and 150 % everything fits at the window's own minimum, so
    // nothing is squeezed; at 200 % (683×384) the panes give instead.
    void minimumFitsTheScreen()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY2(fits(window.minimumSize(), available()), qPrintable(describe(QRect(QPoint(), window.minimumSize()))));
        if (testScale() <= 1.5) {
            const QSize natural = window.minimumSizeHint();
            QVERIFY2(fits(natural + QSize(0, 40), available()), qPrintable(describe(QRect(QPoint(), natural))));
        }
    }

    // A geometry saved on a larger monitor, or where no screen is now,
    // comes back wholly on this one.
    void restoredGeometryIsClamped_data()
    {
        QTest::addColumn<QRect>("saved");
        QTest::newRow("larger than the screen") << QRect(0, 0, 2500, 1400);
        QTest::newRow("on a monitor now gone") << QRect(1900, 300, 1000, 600);
        QTest::newRow("partly above and left") << QRect(-300, -200, 700, 400);
        QTest::newRow("larger and off to the right") << QRect(1200, 700, 3000, 2000);
    }

    void restoredGeometryIsClamped()
    {
        QFETCH(QRect, saved);
        {
            MainWindow window(UiTest::taskpool(), m_journal->path());
            window.setMinimumSize(0, 0);
            window.setGeometry(saved);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.setGeometry(saved); // shown: no platform placement after this
            QVERIFY(window.close());   // saves the settings
        }
        QVERIFY(!QSettings().value(QStringLiteral("window/geometry")).toByteArray().isEmpty());
        MainWindow window(UiTest::taskpool(), m_journal->path());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY2(available().contains(window.frameGeometry()), qPrintable(describe(window.frameGeometry())));
    }

    // While a run of eight workers goes, the form folds to one line, and at
    // 100 % all eight rows show whole, every header reads in full and no
    // table scrolls sideways. At 150 % at least three rows show.
    void eightWorkersShowWhileARunGoes()
    {
        if (testScale() > 1.5)
            QSKIP("683x384 logical: the panes are squeezed below their natural size");
        MainWindow window(UiTest::taskpool(), m_journal->path());
        UiTest::ModelTesters testers(window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.jobEditor()->setSpec(UiTest::demoJob(400)); // 0.3-3 s a task: busy for the whole test
        window.workerCountBox()->setValue(8);
        window.startAction()->trigger();
        QVERIFY(window.controller()->isActive());
        WorkerTableModel *workers = window.controller()->workerModel();
        QTRY_COMPARE_WITH_TIMEOUT(workers->rowCount(), 8, RunTimeoutMs);
        QVERIFY(!window.isJobFormShown());
        QTRY_VERIFY_WITH_TIMEOUT(window.controller()->resultModel()->rowCount() >= 3, RunTimeoutMs);

        const int wanted = testScale() == 1.0 ? 8 : 3;
        QTRY_VERIFY2(wholeRowsVisible(window.workersView()) >= wanted,
                     qPrintable(QStringLiteral("%1 whole rows").arg(wholeRowsVisible(window.workersView()))));
        QTableView *results = window.results()->view();
        if (testScale() == 1.0) {
            QVERIFY(!window.workersView()->horizontalScrollBar()->isVisible());
            QVERIFY(!results->horizontalScrollBar()->isVisible());
            QCOMPARE(cutHeaders(window.workersView()), QStringList());
            QCOMPARE(cutHeaders(results), QStringList());
            // The output column has the room left over: more than any other.
            const int preview = results->horizontalHeader()->sectionSize(ResultTableModel::PreviewColumn);
            for (int column = 0; column < ResultTableModel::ColumnCount; ++column) {
                if (column != ResultTableModel::PreviewColumn && !results->isColumnHidden(column))
                    QVERIFY2(results->horizontalHeader()->sectionSize(column) < preview, qPrintable(QString::number(column)));
            }
        }
        window.controller()->terminate();
        QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isActive(), RunTimeoutMs);
    }

    // The form folds while a run goes and comes back after it; unfolding it
    // during a run shows it read-only, and that choice is remembered.
    void jobFormFoldsAndComesBack()
    {
        {
            MainWindow window(UiTest::taskpool(), m_journal->path());
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QVERIFY(window.isJobFormShown());
            QVERIFY(!window.jobSummaryBar()->isVisible());
            window.jobEditor()->setSpec(UiTest::demoJob(400));
            window.workerCountBox()->setValue(3);
            QSignalSpy finished(window.controller(), &RunController::finished);

            window.startAction()->trigger(); // the form folds as the run starts
            QVERIFY(window.controller()->isActive());
            QVERIFY(!window.isJobFormShown());
            QVERIFY(window.jobSummaryBar()->isVisible());
            const QString summary = window.jobSummaryBar()->text();
            QVERIFY2(summary.contains(QLatin1String("demo-worker")) && summary.contains(QStringLiteral("0…399"))
                         && summary.contains(QLatin1String("3 workers")),
                     qPrintable(summary));
            auto *summaryLabel = window.jobSummaryBar()->findChild<QLabel *>(QStringLiteral("jobSummary"));
            QVERIFY(summaryLabel);
            QVERIFY(!summaryLabel->accessibleName().isEmpty());
            QCOMPARE(summaryLabel->accessibleDescription(), summary);
            QVERIFY(!window.jobFormAction()->isChecked());
            window.workerCountBox()->setValue(4); // the pool grows mid-run: the line follows
            QTRY_VERIFY_WITH_TIMEOUT(window.jobSummaryBar()->text().contains(QLatin1String("4 workers")), RunTimeoutMs);

            window.jobFormAction()->trigger(); // unfolded during the run: shown, read-only
            QVERIFY(window.isJobFormShown());
            QVERIFY(!window.jobEditor()->isEnabled());
            QVERIFY(!window.jobSummaryBar()->isVisible());
            window.jobFormAction()->trigger(); // and folded again
            QVERIFY(!window.isJobFormShown());

            window.controller()->terminate();
            QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, RunTimeoutMs);
            QVERIFY(window.isJobFormShown()); // back after the run, as it was before it
            QVERIFY(window.jobEditor()->isEnabled());

            window.jobFormAction()->trigger(); // folded between runs too
            QVERIFY(!window.isJobFormShown());
            QVERIFY(window.jobSummaryBar()->text().contains(QLatin1String("4 workers")));
            QVERIFY(window.close());
        }
        {
            MainWindow window(UiTest::taskpool(), m_journal->path());
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QVERIFY(!window.isJobFormShown()); // remembered
            window.jobFormAction()->trigger();
            QVERIFY(window.isJobFormShown());
            window.jobEditor()->setSpec(UiTest::demoJob(400));
            QSignalSpy finished(window.controller(), &RunController::finished);
            window.startAction()->trigger();
            QVERIFY(!window.isJobFormShown()); // the choice for runs still holds
            window.controller()->terminate();
            QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, RunTimeoutMs);
            QVERIFY(window.isJobFormShown());
        }
    }

    // A cell too narrow for its text shows it elided, and whole in a tooltip;
    // one whose text fits shows none.
    void elidedCellShowsItsText()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.jobEditor()->setSpec(UiTest::demoJob(3, true));
        QSignalSpy finished(window.controller(), &RunController::finished);
        window.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, RunTimeoutMs);
        QTableView *runs = window.runs()->view();
        window.tabs()->setCurrentWidget(window.runs());
        QTRY_COMPARE(runs->model()->rowCount(), 1);
        const QModelIndex state = runs->model()->index(0, RunListModel::StateColumn); // "finished"
        const QModelIndex tasks = runs->model()->index(0, RunListModel::TasksColumn);  // "3"
        runs->horizontalHeader()->resizeSection(RunListModel::StateColumn, 24);
        // Once the list has the run as ended (a live one has a tooltip of its own).
        QTRY_VERIFY_WITH_TIMEOUT(!state.data(Qt::ToolTipRole).isValid(), RunTimeoutMs);
        const QString stateText = state.data().toString();
        QVERIFY(!tasks.data(Qt::ToolTipRole).isValid());

        QHelpEvent narrow(QEvent::ToolTip, runs->visualRect(state).center(),
                          runs->viewport()->mapToGlobal(runs->visualRect(state).center()));
        QApplication::sendEvent(runs->viewport(), &narrow);
        QTRY_VERIFY(QToolTip::isVisible());
        QVERIFY2(QToolTip::text().contains(stateText), qPrintable(QToolTip::text()));

        QToolTip::hideText();
        QTRY_VERIFY(!QToolTip::isVisible());
        QHelpEvent fitting(QEvent::ToolTip, runs->visualRect(tasks).center(),
                           runs->viewport()->mapToGlobal(runs->visualRect(tasks).center()));
        QApplication::sendEvent(runs->viewport(), &fitting);
        QVERIFY(!QToolTip::isVisible());
    }

private:
    std::unique_ptr<UiTest::TempJournal> m_journal;
};

// The screen is set before QApplication exists: a 1366×768 offscreen screen
// whose logical DPI makes Qt scale by TASKPOOL_TEST_SCALE.
int main(int argc, char *argv[])
{
    QTemporaryFile config(QDir::tempPath() + QStringLiteral("/taskpool-screen-XXXXXX.json"));
    if (!config.open())
        qFatal("cannot write the offscreen screen's config");
    const double scale = testScale();
    config.write(QStringLiteral(R"({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768,
        "logicalDpi": %1, "logicalBaseDpi": 96, "dpr": 1}]})").arg(96 * scale).toUtf8());
    config.flush();
    qputenv("QT_QPA_PLATFORM", QStringLiteral("offscreen:configfile=%1").arg(config.fileName()).toUtf8());
    QApplication app(argc, argv);
    TestScreenFit test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_ui_screenfit.moc"
