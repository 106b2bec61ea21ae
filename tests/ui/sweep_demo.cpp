// Not a test: the window running a small parameter sweep (lr x bs) on
// resources/examples/sweep_loss_worker.py, on its "By parameter" tab, for
// scripts/screenshot-view.sh sweep. The sweep is handed to the window as a
// sweep is to the app: NUL-joined tuples with JobSpec::parameters.
// Usage: sweep_demo WORKER.py [--dark] (--dark: Fusion with a dark palette)

#include "jobeditor.h"
#include "jobrun.h"
#include "mainwindow.h"
#include "runcontroller.h"
#include "sweep.h"
#include "sweepchartpanel.h"

#include <QApplication>
#include <QPalette>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("taskpool"));
    const QStringList args = QApplication::arguments();
    if (args.size() < 2) {
        qCritical("usage: sweep_demo WORKER.py");
        return 2;
    }
    if (args.contains(QStringLiteral("--dark"))) {
        QApplication::setStyle(QStringLiteral("Fusion"));
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
        dark.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
        dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
        dark.setColor(QPalette::AlternateBase, QColor(0x33, 0x33, 0x33));
        dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
        dark.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
        dark.setColor(QPalette::ButtonText, QColor(0xe0, 0xe0, 0xe0));
        dark.setColor(QPalette::Mid, QColor(0x60, 0x60, 0x60));
        QApplication::setPalette(dark);
    }
    QTemporaryDir journalDir;
    MainWindow window(QStringLiteral(TASKPOOL_PATH), journalDir.filePath(QStringLiteral("journal.sqlite")));
    window.resize(1366, 768);
    window.move(0, 0);
    window.show();

    JobSpec spec;
    spec.mode = JobSpec::Mode::Worker;
    QString python = QStandardPaths::findExecutable(QStringLiteral("python3"), {QStringLiteral("/usr/bin")});
    if (python.isEmpty())
        python = QStringLiteral("python3");
    spec.command = {python, args.at(1)};
    spec.workers = 4;
    spec.parameters = {
        SweepParameter{QStringLiteral("lr"), {"1", "0.3", "0.1", "0.03", "0.01", "0.003", "0.001"}, false},
        SweepParameter{QStringLiteral("bs"), {"16", "32", "64", "128", "256"}, false},
    };
    QList<QByteArray> tuples;
    for (const QString &bs : spec.parameters.at(1).values) {
        for (const QString &lr : spec.parameters.at(0).values)
            tuples.append(Sweep::joinTuple({lr.toUtf8(), bs.toUtf8()}));
    }
    // The form shows the job: its command, and the tuples as a person reads them.
    JobSpec shown = spec;
    shown.inputKind = JobSpec::InputKind::List;
    for (const QByteArray &t : std::as_const(tuples))
        shown.inputList.append(QString::fromUtf8(Sweep::displayInput(t)));
    window.jobEditor()->setSpec(shown);
    window.workerCountBox()->setValue(spec.workers);
    QString error;
    if (!window.controller()->start(spec, RunInputs::exactly(tuples), &error)) {
        qCritical("cannot start: %s", qPrintable(error));
        return 1;
    }
    window.tabs()->setCurrentWidget(window.sweepChart());
    return app.exec();
}
