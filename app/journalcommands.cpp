#include "journalcommands.h"

#include "clireference.h"
#include "helptext.h"

#include "resultwriter.h"
#include "runjournal.h"
#include "sweep.h"

#include <QCommandLineParser>
#include <QDateTime>

#include <cstdio>
#include <unistd.h>

namespace {

int fail(const char *command, const QString &message)
{
    std::fprintf(stderr, "taskpool %s: %s\n", command, qPrintable(message));
    return 2;
}

bool openJournal(const QCommandLineParser &parser, const QCommandLineOption &option, RunJournal *journal, QString *error)
{
    const bool opened = journal->open(parser.isSet(option) ? parser.value(option) : RunJournal::defaultPath(), error);
    if (!journal->notice().isEmpty())
        std::fprintf(stderr, "taskpool: %s\n", qPrintable(journal->notice()));
    return opened;
}

// --help or --version: prints it and true.
bool printedHelpOrVersion(const QCommandLineParser &parser, QStringView command)
{
    if (parser.isSet(QStringLiteral("help")))
        std::fputs(qPrintable(Cli::commandHelp(*Cli::command(command))), stdout);
    else if (parser.isSet(QStringLiteral("version")))
        std::puts(qPrintable(Cli::versionLine()));
    else
        return false;
    return true;
}

} // namespace

int exportCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    Cli::addOptions(u"export", &parser);
    const QCommandLineOption journalPath = Cli::qtOption(u"export", u"journal");
    const QCommandLineOption runId = Cli::qtOption(u"export", u"run");
    const QCommandLineOption output = Cli::qtOption(u"export", u"output");
    const QCommandLineOption job = Cli::qtOption(u"export", u"job");
    if (!parser.parse(QStringList{QStringLiteral("taskpool export")} + arguments))
        return fail("export", parser.errorText());
    if (printedHelpOrVersion(parser, u"export"))
        return 0;
    const QString fmt = parser.isSet(QStringLiteral("format")) ? parser.value(QStringLiteral("format")) : QStringLiteral("jsonl");
    if (fmt != QLatin1String("csv") && fmt != QLatin1String("jsonl"))
        return fail("export", QStringLiteral("--format must be csv or jsonl, not \"%1\"").arg(fmt));
    RunJournal journal;
    QString error;
    if (!openJournal(parser, journalPath, &journal, &error))
        return fail("export", error);
    const qint64 id = parser.isSet(runId) ? parser.value(runId).toLongLong() : journal.latestRun();
    RunInfo info;
    if (id < 0 || !journal.run(id, &info, &error))
        return fail("export", id < 0 ? QStringLiteral("the journal has no runs") : error);

    int fd = STDOUT_FILENO;
    if (parser.isSet(output) && (fd = ResultWriter::openFile(parser.value(output), &error)) < 0)
        return fail("export", error);
    QByteArray buffer;
    auto drain = [&](bool force) {
        if (!force && buffer.size() < (1 << 16))
            return true;
        const bool ok = ::write(fd, buffer.constData(), size_t(buffer.size())) == buffer.size();
        buffer.clear();
        return ok;
    };
    bool ok = true;
    // A sweep's parameters (the run's; with --job, every run of the job has
    // the same command, whose tuples they name).
    const QStringList names = info.spec.parameterNames();
    const QList<QByteArray> jsonNames = Sweep::jsonNames(names);
    if (fmt == QLatin1String("csv"))
        ResultWriter::appendCsvHeader(buffer, info.spec.mode, names);
    auto write = [&](const TaskOutcome &o) {
        if (fmt == QLatin1String("csv"))
            ResultWriter::appendCsv(buffer, o, info.spec.mode, int(names.size()));
        else
            ResultWriter::appendJson(buffer, o, info.spec.mode, jsonNames);
        ok = drain(false) && ok;
    };
    // Every run of a job has the job's mode (it is part of the command key).
    const bool visited = parser.isSet(job)
        ? journal.forEachJobResult(id, [&](const TaskOutcome &o, qint64) { write(o); }, &error)
        : journal.forEachResult(id, write, &error);
    ok = drain(true) && ok;
    if (fd != STDOUT_FILENO)
        ::close(fd);
    if (!visited)
        return fail("export", error);
    return ok ? 0 : fail("export", QStringLiteral("cannot write the output"));
}

int runsCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    Cli::addOptions(u"runs", &parser);
    const QCommandLineOption journalPath = Cli::qtOption(u"runs", u"journal");
    const QCommandLineOption remove = Cli::qtOption(u"runs", u"delete");
    const QCommandLineOption keep = Cli::qtOption(u"runs", u"keep");
    const QCommandLineOption olderThan = Cli::qtOption(u"runs", u"older-than");
    if (!parser.parse(QStringList{QStringLiteral("taskpool runs")} + arguments))
        return fail("runs", parser.errorText());
    if (printedHelpOrVersion(parser, u"runs"))
        return 0;
    int keepNewest = -1;
    qint64 notBeforeMs = 0;
    if (parser.isSet(keep)) {
        bool ok = false;
        keepNewest = parser.value(keep).toInt(&ok);
        if (!ok || keepNewest < 0)
            return fail("runs", QStringLiteral("--keep takes a number of runs (0 or more), not \"%1\"").arg(parser.value(keep)));
    }
    if (parser.isSet(olderThan)) {
        bool ok = false;
        const double days = parser.value(olderThan).toDouble(&ok);
        if (!ok || days < 0)
            return fail("runs", QStringLiteral("--older-than takes a number of days, not \"%1\"").arg(parser.value(olderThan)));
        notBeforeMs = QDateTime::currentMSecsSinceEpoch() - qint64(days * 86400000.0);
    }
    if (parser.isSet(remove) && (keepNewest >= 0 || notBeforeMs > 0))
        return fail("runs", QStringLiteral("--delete cannot be combined with --keep or --older-than"));
    RunJournal journal;
    QString error;
    if (!openJournal(parser, journalPath, &journal, &error))
        return fail("runs", error);
    if (parser.isSet(remove)) {
        if (!journal.deleteRun(parser.value(remove).toLongLong(), &error))
            return fail("runs", error);
        return 0;
    }
    if (keepNewest >= 0 || notBeforeMs > 0) {
        const QList<qint64> deleted = journal.pruneRuns(keepNewest, notBeforeMs, &error);
        if (!error.isEmpty())
            return fail("runs", error);
        std::printf("deleted %lld run(s)\n", qlonglong(deleted.size()));
        // Another taskpool writing the journal keeps the file from shrinking; the runs are gone anyway.
        if (!deleted.isEmpty() && !journal.compact(&error))
            std::fprintf(stderr, "taskpool runs: the journal file was not compacted: %s\n", qPrintable(error));
        return 0;
    }
    const QList<RunInfo> runs = journal.runs(&error);
    if (!error.isEmpty())
        return fail("runs", error);
    std::printf("%5s  %-19s  %-11s  %8s  %8s  %8s  %9s  %s\n", "RUN", "STARTED", "STATE", "OK", "FAILED", "CANCEL",
                "DURATION", "COMMAND");
    for (const RunInfo &r : runs) {
        const QString started = QDateTime::fromMSecsSinceEpoch(r.startedAtMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        const QString duration = r.finishedAtMs > 0 ? QStringLiteral("%1 s").arg((r.finishedAtMs - r.startedAtMs) / 1000.0, 0, 'f', 1)
                                                    : QStringLiteral("-");
        std::printf("%5lld  %-19s  %-11s  %8lld  %8lld  %8lld  %9s  %s\n", r.id, qPrintable(started), qPrintable(r.state),
                    r.counts.count(TaskStatus::Ok), r.failures(), r.counts.count(TaskStatus::Cancelled),
                    qPrintable(duration), qPrintable(r.spec.command.join(QLatin1Char(' '))));
    }
    return 0;
}
