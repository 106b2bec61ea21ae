#include "demoworker.h"
#include "journalcommands.h"
#include "mainwindow.h"
#include "runcommand.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

namespace {
const char *usage =
    "Usage:\n"
    "  taskpool                      open the desktop app\n"
    "  taskpool gui [--job FILE] [--start]   open it on a saved job, and start it at once\n"
    "  taskpool gui --attach [ssh:HOST]      watch a live run of this machine (or of HOST,\n"
    "                                        over ssh); several: pick one in the Runs tab\n"
    "  taskpool run [options] -- COMMAND [ARG...]   run a job headless (see taskpool run --help)\n"
    "  taskpool run --demo           run the built-in demo job in the terminal\n"
    "  taskpool runs [--journal FILE]               list past runs from the journal (--keep N,\n"
    "                                               --older-than DAYS: delete old ones)\n"
    "  taskpool export [--run ID] --format csv|jsonl  write a run's results from the journal\n"
    "                                               (--job: one record per task across the job's runs)\n"
    "  taskpool demo-worker [--fast] the built-in protocol worker the demo uses\n";

void setApplicationNames()
{
    QCoreApplication::setApplicationName(QStringLiteral("taskpool"));
    QCoreApplication::setOrganizationName(QStringLiteral("taskpool"));
}

// `taskpool` or `taskpool gui [--job FILE] [--start] [--attach [ssh:HOST]]`.
int runDesktopApp(int argc, char *argv[])
{
    QApplication app(argc, argv);
    setApplicationNames();
    QApplication::setApplicationDisplayName(QStringLiteral("taskpool"));
    QApplication::setDesktopFileName(QStringLiteral("taskpool"));

    QCommandLineParser parser;
    const QCommandLineOption job(QStringLiteral("job"), QStringLiteral("Open this job file"), QStringLiteral("FILE"));
    const QCommandLineOption start(QStringLiteral("start"), QStringLiteral("Start the job at once"));
    const QCommandLineOption attach(QStringLiteral("attach"), QStringLiteral("Watch a live run here or on ssh:HOST"));
    parser.addOptions({job, start, attach});
    QStringList arguments = QCoreApplication::arguments();
    if (argc > 1)
        arguments.removeAt(1); // "gui"
    if (!parser.parse(arguments)) {
        std::fprintf(stderr, "taskpool gui: %s\n%s", qPrintable(parser.errorText()), usage);
        return 2;
    }

    MainWindow window(QCoreApplication::applicationFilePath());
    window.show();
    if (parser.isSet(job) && !window.loadJobFile(parser.value(job)))
        return QApplication::exec(); // the window says what is wrong with the file
    if (parser.isSet(start) && parser.isSet(attach)) {
        std::fprintf(stderr, "taskpool gui: give either --start or --attach, not both\n%s", usage);
        return 2;
    }
    if (parser.isSet(start))
        QTimer::singleShot(0, &window, &MainWindow::startRun);
    if (parser.isSet(attach)) {
        const QString target = parser.positionalArguments().value(0);
        QTimer::singleShot(0, &window, [&window, target] { window.attach(target); });
    }
    return QApplication::exec();
}
} // namespace

int main(int argc, char *argv[])
{
    const QString subcommand = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (subcommand == QLatin1String("demo-worker")) {
        QStringList args;
        for (int i = 2; i < argc; ++i)
            args.append(QString::fromLocal8Bit(argv[i]));
        return demoWorkerMain(args); // no QCoreApplication: it must start fast
    }
    if (subcommand.isEmpty() || subcommand == QLatin1String("gui"))
        return runDesktopApp(argc, argv);

    QCoreApplication app(argc, argv);
    setApplicationNames();
    QStringList args = QCoreApplication::arguments().mid(2);
    const QString self = QCoreApplication::applicationFilePath();
    if (subcommand == QLatin1String("run"))
        return runCommand(self, args);
    if (subcommand == QLatin1String("export"))
        return exportCommand(args);
    if (subcommand == QLatin1String("runs"))
        return runsCommand(args);
    if (subcommand == QLatin1String("-h") || subcommand == QLatin1String("--help") || subcommand == QLatin1String("help")) {
        std::fputs(usage, stdout);
        return 0;
    }
    std::fprintf(stderr, "taskpool: unknown command \"%s\"\n%s", qPrintable(subcommand), usage);
    return 2;
}
