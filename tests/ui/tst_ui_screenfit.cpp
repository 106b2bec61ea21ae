// The window on real screens: a 1366×768 laptop screen (the offscreen
// platform's, from a config file) at the scale factor ctest gives in
// TASKPOOL_TEST_SCALE (1, 1.5, 2: a logical screen of 1366×768, 910×512,
// 683×384). The first window and a restored one fit it; while a run goes the
// job form folds to one line and eight workers show without scrolling.
#include "uitestsupport.h"

#include "jobeditor.h"
#include "jobsummarybar.h"
#include "windowfit.h"

#include <QAction>
#include <QHeaderView>
#include <QScreen>
#include <QScrollBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTemporaryFile>

namespace {
constexpr int RunTimeoutMs = 30000;

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

// Rows of `view` whose whole height is inside its viewport.
int wholeRowsVisible(QTableView *view)
{
    int rows = 0;
    for (int row = 0; row < view->model()->rowCount(); ++row) {
        const QRect rect = view->visualRect(view->model()->index(row, 0));
        if (rect.isValid() && view->viewport()->rect().contains(rect.adjusted(0, 0, 0, -1)))
            ++rows;
    }
    return rows;
}

// A slow job of many tasks: its workers stay busy while the test looks.
JobSpec slowJob()
{
    JobSpec spec = UiTest::demoJob(400);
    return spec;
}
} // namespace

class TestScreenFit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        qInfo("scale %.2f: logical screen %dx%d, available %dx%d", testScale(),
              QGuiApplication::primaryScreen()->geometry().width(), QGuiApplication::primaryScreen()->geometry().height(),
              available().width(), available().height());
        QCOMPARE(QGuiApplication::primaryScreen()->geometry().width(), qRound(1366 / testScale()));
    }

    void init()
    {
        UiTest::isolateSettings();
        m_journal = std::make_unique<UiTest::TempJournal>();
    }

    void firstWindowFitsTheScreen()
    {
        MainWindow window(UiTest::taskpool(), m_journal->path());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        qInfo("window %dx%d, minimum %dx%d", window.width(), window.height(), window.minimumSizeHint().width(),
              window.minimumSizeHint().height());
        std::function<void(QWidget *, int)> dump = [&](QWidget *w, int depth) {
            if (depth > 9 || (w->isHidden() && !qobject_cast<QStackedWidget *>(w->parentWidget())))
                return;
            const QSize m = w->minimumSizeHint().expandedTo(w->minimumSize());
            if (m.width() > 200 || m.height() > 90)
                qInfo("%*s%s %s min %dx%d", depth * 2, "", w->metaObject()->className(), qPrintable(w->objectName()), m.width(), m.height());
            for (QObject *c : w->children())
                if (auto *cw = qobject_cast<QWidget *>(c); cw && !cw->isWindow())
                    dump(cw, depth + 1);
        };
        dump(&window, 0);
        QVERIFY2(available().contains(window.frameGeometry()), qPrintable(describe(window.frameGeometry())));
    }

private:
    static QString describe(const QRect &r)
    {
        return QStringLiteral("%1x%2+%3+%4 in %5x%6").arg(r.width()).arg(r.height()).arg(r.x()).arg(r.y())
            .arg(available().width()).arg(available().height());
    }

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
