// What is made from the command line reference, checked against the program
// as built: --version, the man page (every option --help lists is in it, and
// groff reads it without a warning) and the bash and zsh completions (run in
// a real bash, word by word as bash splits them).

#include "testsupport.h"

#include <QDir>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Output
{
    int exitCode = -1;
    QString out;
    QString err;
};

Output run(const QString &program, const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    const TestSupport::ProgramRun r = TestSupport::runProgram(program, args, {}, 30000, env);
    return {r.exitCode, QString::fromUtf8(r.out), QString::fromUtf8(r.err)};
}

Output taskpool(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    return run(QStringLiteral(TASKPOOL_PATH), args, env);
}

QString readText(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

// The commands `taskpool --help` lists: "  taskpool NAME ...".
QStringList listedCommands()
{
    QStringList names;
    static const QRegularExpression line(QStringLiteral("^  taskpool ([a-z][a-z-]*)"), QRegularExpression::MultilineOption);
    for (auto it = line.globalMatch(taskpool({QStringLiteral("--help")}).out); it.hasNext();)
        names.append(it.next().captured(1));
    return names;
}

// Every option spelling on the option lines of `taskpool COMMAND --help`.
QStringList listedOptions(const QString &command)
{
    QStringList options;
    static const QRegularExpression optionLine(QStringLiteral("^  (-.*)$"), QRegularExpression::MultilineOption);
    static const QRegularExpression spelling(QStringLiteral("(?:^|, )(--?[a-zA-Z0-9][a-z0-9-]*)"));
    const Output help = taskpool({command, QStringLiteral("--help")});
    for (auto line = optionLine.globalMatch(help.out); line.hasNext();) {
        const QString text = line.next().captured(1).section(QStringLiteral("  "), 0, 0);
        for (auto it = spelling.globalMatch(text); it.hasNext();)
            options.append(it.next().captured(1));
    }
    return options;
}

QString roffOption(const QString &option)
{
    return QString(option).replace(QLatin1Char('-'), QStringLiteral("\\-"));
}

} // namespace

class TestCliDocs : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dataHome;

    // What the bash completion offers for the words typed so far (the last
    // one being completed), one per line, sorted.
    QStringList complete(const QStringList &words, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        const QString script = QStringLiteral(
            "source \"$COMPLETION\" || exit 3\n"
            "COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1))\n"
            "_taskpool\n"
            "printf '%s\\n' \"${COMPREPLY[@]}\"\n");
        QProcessEnvironment e = env;
        e.insert(QStringLiteral("COMPLETION"), QStringLiteral(BASH_COMPLETION_PATH));
        const Output o = run(QStringLiteral("bash"), QStringList{QStringLiteral("-c"), script, QStringLiteral("bash")} + words, e);
        if (o.exitCode != 0)
            qWarning() << "bash:" << o.exitCode << o.err;
        QStringList offered = o.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        offered.sort();
        return offered;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("XDG_DATA_HOME", m_dataHome.path().toUtf8());
        QVERIFY(QFileInfo::exists(QStringLiteral(MAN_PAGE_PATH)));
        QVERIFY(QFileInfo::exists(QStringLiteral(BASH_COMPLETION_PATH)));
    }

    void versionComesFromTheProject_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("taskpool") << QStringList{QStringLiteral("--version")};
        for (const char *command : {"run", "runs", "export", "gui"})
            QTest::newRow(command) << QStringList{QLatin1String(command), QStringLiteral("--version")};
    }
    void versionComesFromTheProject()
    {
        QFETCH(QStringList, args);
        const Output o = taskpool(args);
        QCOMPARE(o.exitCode, 0);
        QCOMPARE(o.out, QStringLiteral("taskpool " PROJECT_VERSION_FROM_CMAKE "\n"));
    }

    void helpForEveryCommand()
    {
        const QStringList commands = listedCommands();
        QCOMPARE(commands, (QStringList{"gui", "run", "runs", "export", "demo-worker", "help"}));
        for (const char *name : {"run", "runs", "export", "gui"}) {
            const QString command = QLatin1String(name);
            const Output viaHelp = taskpool({QStringLiteral("help"), command});
            QCOMPARE(viaHelp.exitCode, 0);
            QVERIFY2(viaHelp.out.startsWith(QStringLiteral("Usage: taskpool ") + command), qPrintable(viaHelp.out.left(80)));
            QCOMPARE(viaHelp.out, taskpool({command, QStringLiteral("--help")}).out);
        }
        const Output unknown = taskpool({QStringLiteral("help"), QStringLiteral("frobnicate")});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(unknown.err.contains(QLatin1String("frobnicate")));
    }

    // The man page has a section per command, with every option --help lists.
    void manPageDocumentsEveryHelpOption_data()
    {
        QTest::addColumn<QString>("command");
        for (const QString &command : listedCommands()) {
            if (command != QLatin1String("help") && command != QLatin1String("demo-worker"))
                QTest::newRow(qPrintable(command)) << command;
        }
    }
    void manPageDocumentsEveryHelpOption()
    {
        QFETCH(QString, command);
        const QString man = readText(QStringLiteral(MAN_PAGE_PATH));
        const qsizetype section = man.indexOf(QStringLiteral(".SS \"taskpool ") + command + QLatin1Char(' '));
        QVERIFY2(section >= 0, qPrintable(command));
        const qsizetype next = man.indexOf(QStringLiteral(".SS "), section + 1);
        const QString text = man.mid(section, next < 0 ? -1 : next - section);
        const QStringList options = listedOptions(command);
        QVERIFY2(options.size() >= (command == QLatin1String("run") ? 40 : 3), qPrintable(options.join(' ')));
        for (const QString &option : options)
            QVERIFY2(text.contains(QStringLiteral("\\fB") + roffOption(option) + QStringLiteral("\\fR")), qPrintable(option));
    }

    void manPageHasExamplesAndExitStatus()
    {
        const QString man = readText(QStringLiteral(MAN_PAGE_PATH));
        QVERIFY(man.startsWith(QStringLiteral(".\\\"")));
        QVERIFY(man.contains(QStringLiteral(".TH TASKPOOL 1 ")));
        QVERIFY(man.contains(QStringLiteral("\"taskpool " PROJECT_VERSION_FROM_CMAKE "\"")));
        for (const char *section : {".SH NAME", ".SH SYNOPSIS", ".SH EXAMPLES", ".SH \"EXIT STATUS\"", ".SH FILES"})
            QVERIFY2(man.contains(QLatin1String(section)), section);
        QVERIFY(man.contains(QStringLiteral("130 after Ctrl-C")));
        QVERIFY(man.contains(QStringLiteral("\\fB\\-\\-remote\\-dir\\fR"))); // minus signs, not hyphens
    }

    // groff reads it without a warning, and the installed copy is the same text.
    void manPageRendersCleanly()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("groff")).isEmpty())
            QSKIP("groff is not installed (Debian: groff-base)");
        const Output o = run(QStringLiteral("groff"), {QStringLiteral("-man"), QStringLiteral("-Tutf8"), QStringLiteral("-ww"),
                                                        QStringLiteral("-z"), QStringLiteral(MAN_PAGE_PATH)});
        QCOMPARE(o.exitCode, 0);
        QCOMPARE(o.err, QString());
        const Output unzipped = run(QStringLiteral("gzip"), {QStringLiteral("-dc"), QStringLiteral(MAN_PAGE_PATH ".gz")});
        QCOMPARE(unzipped.exitCode, 0);
        QCOMPARE(unzipped.out, readText(QStringLiteral(MAN_PAGE_PATH)));
    }

    void completionOffersCommandsAndOptions()
    {
        QStringList commands = listedCommands();
        commands << QStringLiteral("--help") << QStringLiteral("--version");
        commands.sort();
        QCOMPARE(complete({QStringLiteral("taskpool"), QString()}), commands);
        QCOMPARE(complete({QStringLiteral("taskpool"), QStringLiteral("ru")}), (QStringList{"run", "runs"}));
        QCOMPARE(complete({QStringLiteral("taskpool"), QStringLiteral("help"), QStringLiteral("ex")}), QStringList{"export"});

        for (const char *name : {"run", "runs", "export", "gui"}) {
            const QString command = QLatin1String(name);
            QStringList options = listedOptions(command);
            options.sort();
            QCOMPARE(complete({QStringLiteral("taskpool"), command, QStringLiteral("-")}), options);
        }
        QCOMPARE(complete({QStringLiteral("taskpool"), QStringLiteral("run"), QStringLiteral("--ha")}),
                 (QStringList{"--halt-mode", "--halt-on-failures"}));
    }

    void completionOffersValues_data()
    {
        QTest::addColumn<QStringList>("words");
        QTest::addColumn<QStringList>("offered");
        const QStringList modes{"drain", "terminate"};
        const QStringList formats{"csv", "jsonl"};
        QTest::newRow("--halt-mode") << QStringList{"taskpool", "run", "--halt-mode", ""} << modes;
        QTest::newRow("--halt-mode d") << QStringList{"taskpool", "run", "--halt-mode", "d"} << QStringList{"drain"};
        QTest::newRow("--format") << QStringList{"taskpool", "export", "--format", ""} << formats;
        // bash splits --format=c at the = into three words.
        QTest::newRow("--format=") << QStringList{"taskpool", "export", "--format", "="} << formats;
        QTest::newRow("--format=j") << QStringList{"taskpool", "export", "--format", "=", "j"} << QStringList{"jsonl"};
        QTest::newRow("a number") << QStringList{"taskpool", "run", "--range", ""} << QStringList{};
        QTest::newRow("after a flag: a command") << QStringList{"taskpool", "run", "--worker", "printf"} << QStringList{"printf"};
        QTest::newRow("after --") << QStringList{"taskpool", "run", "-j", "2", "--", "printf"} << QStringList{"printf"};
        QTest::newRow("after --opt=value") << QStringList{"taskpool", "run", "--range", "=", "3", "printf"} << QStringList{"printf"};
        QTest::newRow("an option's value is no command") << QStringList{"taskpool", "run", "--retries", "printf"} << QStringList{};
        QTest::newRow("--attach") << QStringList{"taskpool", "gui", "--attach", ""} << QStringList{"ssh:"};
    }
    void completionOffersValues()
    {
        QFETCH(QStringList, words);
        QFETCH(QStringList, offered);
        QStringList got = complete(words);
        if (words.constLast() == QLatin1String("printf")) // PATH may hold printf-like names too
            got = got.filter(QRegularExpression(QStringLiteral("^printf$")));
        got.removeDuplicates(); // the builtin and /usr/bin/printf
        QCOMPARE(got, offered);
    }

    void completionOffersFilesAndDirectories()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("in dir")));
        QFile file(dir.filePath(QStringLiteral("inputs.txt")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        const QString prefix = dir.filePath(QStringLiteral("in"));
        QCOMPARE(complete({QStringLiteral("taskpool"), QStringLiteral("run"), QStringLiteral("--inputs"), prefix}),
                 (QStringList{dir.filePath(QStringLiteral("in dir")), dir.filePath(QStringLiteral("inputs.txt"))}));
        QCOMPARE(complete({QStringLiteral("taskpool"), QStringLiteral("run"), QStringLiteral("--chdir"), prefix}),
                 QStringList{dir.filePath(QStringLiteral("in dir"))});
        QCOMPARE(complete({QStringLiteral("taskpool"), QStringLiteral("export"), QStringLiteral("-o"), prefix}),
                 (QStringList{dir.filePath(QStringLiteral("in dir")), dir.filePath(QStringLiteral("inputs.txt"))}));
    }

    // --run and --delete offer the runs of the journal, the default one or
    // the one --journal names earlier on the line.
    void completionOffersRunIds()
    {
        QTemporaryDir dir;
        const QString journal = dir.filePath(QStringLiteral("other.sqlite"));
        for (int i = 0; i < 2; ++i)
            QCOMPARE(taskpool({QStringLiteral("run"), QStringLiteral("-q"), QStringLiteral("--no-monitor"), QStringLiteral("--range"),
                               QStringLiteral("1"), QStringLiteral("--"), QStringLiteral("true")})
                         .exitCode,
                     0);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(taskpool({QStringLiteral("run"), QStringLiteral("-q"), QStringLiteral("--no-monitor"), QStringLiteral("--journal"),
                               journal, QStringLiteral("--range"), QStringLiteral("1"), QStringLiteral("--"), QStringLiteral("true")})
                         .exitCode,
                     0);
        const QString self = QStringLiteral(TASKPOOL_PATH);
        QCOMPARE(complete({self, QStringLiteral("export"), QStringLiteral("--run"), QString()}), (QStringList{"1", "2"}));
        QCOMPARE(complete({self, QStringLiteral("runs"), QStringLiteral("--journal"), journal, QStringLiteral("--delete"), QString()}),
                 (QStringList{"1", "2", "3"}));
        QCOMPARE(complete({self, QStringLiteral("run"), QStringLiteral("--retry-failed"), QStringLiteral("--run"), QStringLiteral("=")}),
                 (QStringList{"1", "2"}));
    }

    void zshCompletionParses()
    {
        const QString zsh = QStandardPaths::findExecutable(QStringLiteral("zsh"));
        if (zsh.isEmpty())
            QSKIP("zsh is not installed");
        const Output o = run(zsh, {QStringLiteral("-n"), QStringLiteral(ZSH_COMPLETION_PATH)});
        QCOMPARE(o.err, QString());
        QCOMPARE(o.exitCode, 0);
        // Every command and every option of run is in it.
        const QString text = readText(QStringLiteral(ZSH_COMPLETION_PATH));
        for (const QString &command : listedCommands())
            QVERIFY2(text.contains(QLatin1Char('\'') + command + QLatin1Char(':')), qPrintable(command));
        for (const QString &option : listedOptions(QStringLiteral("run")))
            QVERIFY2(text.contains(QLatin1Char('\'') + option), qPrintable(option));
    }
};

QTEST_GUILESS_MAIN(TestCliDocs)
#include "tst_clidocs.moc"
