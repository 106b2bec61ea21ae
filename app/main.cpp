#include "demoworker.h"
#include "journalcommands.h"
#include "runcommand.h"

#include <QCoreApplication>

#include <cstdio>

namespace {
const char *usage =
    "Usage:\n"
    "  taskpool                      open the desktop app (not built yet: runs the demo here)\n"
    "  taskpool run [options] -- COMMAND [ARG...]   run a job headless (see taskpool run --help)\n"
    "  taskpool run --demo           run the built-in demo job in the terminal\n"
    "  taskpool runs [--journal FILE]               list past runs from the journal\n"
    "  taskpool export [--run ID] --format csv|jsonl  write a run's results from the journal\n"
    "  taskpool demo-worker [--fast] the built-in protocol worker the demo uses\n";
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

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("taskpool"));
    QCoreApplication::setOrganizationName(QStringLiteral("taskpool"));
    QStringList args = QCoreApplication::arguments().mid(2);
    const QString self = QCoreApplication::applicationFilePath();
    if (subcommand == QLatin1String("run"))
        return runCommand(self, args);
    if (subcommand == QLatin1String("export"))
        return exportCommand(args);
    if (subcommand == QLatin1String("runs"))
        return runsCommand(args);
    if (subcommand.isEmpty())
        return runCommand(self, {QStringLiteral("--demo"), QStringLiteral("--progress"), QStringLiteral("--results"), QStringLiteral("/dev/null")});
    if (subcommand == QLatin1String("-h") || subcommand == QLatin1String("--help") || subcommand == QLatin1String("help")) {
        std::fputs(usage, stdout);
        return 0;
    }
    std::fprintf(stderr, "taskpool: unknown command \"%s\"\n%s", qPrintable(subcommand), usage);
    return 2;
}
