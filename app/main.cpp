#include "clireference.h"
#include "demoworker.h"
#include "helptext.h"
#include "journalcommands.h"
#include "mainwindow.h"
#include "runcommand.h"
#include "taskpoolversion.h"
#include "theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

namespace {

// A usage error of the bare command: what is wrong, then where the help is.
int usageError(const char *context, const QString &message)
{
    std::fprintf(stderr, "%s: %s\nTry 'taskpool --help' for more information.\n", context, qPrintable(message));
    return 2;
}

void setApplicationNames()
{
    QCoreApplication::setApplicationName(QStringLiteral("taskpool"));
    QCoreApplication::setOrganizationName(QStringLiteral("taskpool"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TASKPOOL_VERSION));
}

// `taskpool` or `taskpool gui [--job FILE] [--start] [--attach [ssh:HOST]]`.
int runDesktopApp(int argc, char *argv[])
{
    // Before the QApplication, which needs a display.
    for (int i = 2; i < argc; ++i) {
        const QByteArray word(argv[i]);
        if (word == "-h" || word == "--help") {
            std::fputs(qPrintable(Cli::commandHelp(*Cli::command(u"gui"))), stdout);
            return 0;
        }
        if (word == "--version") {
            std::puts(qPrintable(Cli::versionLine()));
            return 0;
        }
    }
    QApplication app(argc, argv);
    setApplicationNames();
    QApplication::setApplicationDisplayName(QStringLiteral("taskpool"));
    QApplication::setDesktopFileName(QStringLiteral("taskpool"));

    QCommandLineParser parser;
    Cli::addOptions(u"gui", &parser);
    const QCommandLineOption job = Cli::qtOption(u"gui", u"job");
    const QCommandLineOption start = Cli::qtOption(u"gui", u"start");
    const QCommandLineOption attach = Cli::qtOption(u"gui", u"attach");
    const QCommandLineOption theme = Cli::qtOption(u"gui", u"theme");
    QStringList arguments = QCoreApplication::arguments();
    if (argc > 1)
        arguments.removeAt(1); // "gui"
    if (!parser.parse(arguments))
        return usageError("taskpool gui", parser.errorText());
    if (parser.isSet(start) && parser.isSet(attach))
        return usageError("taskpool gui", QStringLiteral("give either --start or --attach, not both"));
    // The option wins for this launch only; the saved choice stays for the next.
    Theme::Choice look = Theme::savedChoice();
    if (parser.isSet(theme)) {
        const std::optional<Theme::Choice> chosen = Theme::fromString(parser.value(theme));
        if (!chosen)
            return usageError("taskpool gui", QStringLiteral("--theme is system, light or dark, not \"%1\"").arg(parser.value(theme)));
        look = *chosen;
    }
    Theme::apply(look); // before the window: its widgets are made in the right colours

    MainWindow window(QCoreApplication::applicationFilePath());
    window.show();
    if (parser.isSet(job) && !window.loadJobFile(parser.value(job)))
        return QApplication::exec(); // the window says what is wrong with the file
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
    if (subcommand == QLatin1String("-h") || subcommand == QLatin1String("--help")) {
        std::fputs(qPrintable(Cli::overviewHelp()), stdout);
        return 0;
    }
    if (subcommand == QLatin1String("help")) {
        if (args.isEmpty()) {
            std::fputs(qPrintable(Cli::overviewHelp()), stdout);
            return 0;
        }
        const Cli::Command *command = Cli::command(args.first());
        if (!command)
            return usageError("taskpool help", QStringLiteral("no command \"%1\"").arg(args.first()));
        std::fputs(qPrintable(Cli::commandHelp(*command)), stdout);
        return 0;
    }
    if (subcommand == QLatin1String("--version")) {
        std::puts(qPrintable(Cli::versionLine()));
        return 0;
    }
    return usageError("taskpool", QStringLiteral("unknown command \"%1\"").arg(subcommand));
}
