// Parameter sweeps (sweep.h): GNU parallel's ::: and :::: sources and named
// --param parameters, from the ranges and the tuples' order to the argv of a
// task, --shell, the protocol's "params", the results (JSON and CSV), resume
// of a half-done sweep, and the same output as GNU parallel itself.

#include "commandtemplate.h"
#include "inputsource.h"
#include "jobspec.h"
#include "protocol.h"
#include "resultwriter.h"
#include "sweep.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <csignal>

using namespace TestSupport;

Q_DECLARE_METATYPE(SweepParameter)

namespace {
using CliResult = ProgramRun;

// `taskpool run` in input order, unjournaled, unpublished, quiet.
QStringList quietRun(const QStringList &args)
{
    return QStringList{"run", "--no-journal", "--no-monitor", "-q", "--keep-order", "-j", "2"} + args;
}

QList<QByteArray> bytesList(const QStringList &list)
{
    QList<QByteArray> out;
    for (const QString &s : list)
        out.append(s.toUtf8());
    return out;
}

SweepParameter param(const QString &name, const QStringList &values, bool linked = false)
{
    SweepParameter p;
    p.name = name;
    p.values = values;
    p.linked = linked;
    return p;
}

// Every tuple of a sweep, as its values joined by spaces.
QStringList tuplesOf(const QList<SweepParameter> &parameters)
{
    SweepInput input(parameters);
    QStringList out;
    QByteArray tuple;
    while (input.next(&tuple) == InputSource::Fetch::Item)
        out.append(QString::fromUtf8(Sweep::displayInput(tuple)));
    return out;
}
} // namespace

class TestSweep : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dataHome;

private Q_SLOTS:
    void initTestCase()
    {
        becomeSubreaper();
        qputenv("XDG_DATA_HOME", m_dataHome.path().toUtf8()); // keep runs out of the real journal
    }
    void cleanup() { QTRY_VERIFY_WITH_TIMEOUT(liveChildren().isEmpty(), 5000); }

    // ------------------------------------------------------------ values

    void ranges_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("values");
        QTest::newRow("integers") << "1..5" << QStringList{"1", "2", "3", "4", "5"};
        QTest::newRow("step") << "1..10:2" << QStringList{"1", "3", "5", "7", "9"};
        QTest::newRow("step past the end") << "0..10:4" << QStringList{"0", "4", "8"};
        QTest::newRow("decimal step, as seq") << "0..1:0.25" << QStringList{"0.00", "0.25", "0.50", "0.75", "1.00"};
        QTest::newRow("decimals") << "0.1..0.5:0.1" << QStringList{"0.1", "0.2", "0.3", "0.4", "0.5"};
        QTest::newRow("descending") << "5..1" << QStringList{"5", "4", "3", "2", "1"};
        QTest::newRow("descending step") << "10..1:3" << QStringList{"10", "7", "4", "1"};
        QTest::newRow("descending decimals") << "1..0:0.5" << QStringList{"1.0", "0.5", "0.0"};
        QTest::newRow("negative") << "-2..2:2" << QStringList{"-2", "0", "2"};
        QTest::newRow("negative decimals") << "-0.5..0.5:0.5" << QStringList{"-0.5", "0.0", "0.5"};
        QTest::newRow("one value") << "3..3" << QStringList{"3"};
    }
    void ranges()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, values);
        QStringList got;
        QString error;
        QVERIFY(Sweep::parseRange(text, &got, &error));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(got, values);
        // And in a --param list, among plain values.
        got.clear();
        QVERIFY(Sweep::parseValues(QStringLiteral("a,") + text + QStringLiteral(",b"), &got, &error));
        QCOMPARE(got, QStringList{"a"} + values + QStringList{"b"});
    }

    void badRangesAreErrors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("reason");
        QTest::newRow("zero step") << "1..5:0" << "step greater than 0";
        QTest::newRow("negative step") << "1..5:-1" << "positive step";
        QTest::newRow("text step") << "1..5:x" << "positive step";
        QTest::newRow("not a number") << "1.2.3..4" << "is not a range";
        QTest::newRow("open end") << "1..-" << "is not a range";
        QTest::newRow("too many") << "1..100000000" << "more than";
    }
    void badRangesAreErrors()
    {
        QFETCH(QString, text);
        QFETCH(QString, reason);
        QStringList values;
        QString error;
        QVERIFY(!Sweep::parseValues(text, &values, &error));
        QVERIFY2(error.contains(reason), qPrintable(error));
    }

    void valuesFromFiles()
    {
        QTemporaryDir dir;
        const QString list = dir.filePath("list.txt");
        QVERIFY(writeFile(list, "a b\n\n-x\n$(id)\nlast-unterminated"));
        QStringList values;
        QString error;
        QVERIFY2(Sweep::parseValues(QStringLiteral("@") + list, &values, &error), qPrintable(error));
        QCOMPARE(values, (QStringList{"a b", "", "-x", "$(id)", "last-unterminated"}));

        const QString nul = dir.filePath("nul.txt");
        QVERIFY(writeFile(nul, QByteArray("ok\nbad\0byte\n", 12)));
        values.clear();
        QVERIFY(!Sweep::readValues(nul, false, &values, &error));
        QVERIFY2(error.contains("line 2") && error.contains("NUL"), qPrintable(error));
        values.clear();
        QVERIFY(Sweep::readValues(nul, true, &values, &error)); // -0: NUL ends a value
        QCOMPARE(values, (QStringList{"ok\nbad", "byte\n"}));

        values.clear();
        QVERIFY(!Sweep::parseValues(QStringLiteral("@") + dir.filePath("missing.txt"), &values, &error));
        QVERIFY2(error.contains("cannot read") && error.contains("missing.txt"), qPrintable(error));
        QVERIFY(!Sweep::readValues(dir.path(), false, &values, &error));
        QVERIFY2(error.contains("cannot read"), qPrintable(error));
    }

    void names_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("letters") << "lr" << true;
        QTest::newRow("underscore, digits") << "_batch_size2" << true;
        QTest::newRow("digit first") << "2x" << false;
        QTest::newRow("dash") << "learning-rate" << false;
        QTest::newRow("dot") << "a.b" << false;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("a result field") << "status" << false;
        QTest::newRow("another") << "input" << false;
        QTest::newRow("non-ASCII") << QString::fromUtf8("λ") << false;
    }
    void names()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(Sweep::nameProblem(name).isEmpty(), valid);
    }

    // ------------------------------------------------------------ tuples

    void tupleOrder_data()
    {
        QTest::addColumn<QList<SweepParameter>>("parameters");
        QTest::addColumn<QStringList>("tuples");
        QTest::newRow("one source") << QList<SweepParameter>{param("1", {"a", "b"})} << QStringList{"a", "b"};
        QTest::newRow("product, first slowest")
            << QList<SweepParameter>{param("1", {"a", "b"}), param("2", {"1", "2", "3"})}
            << QStringList{"a 1", "a 2", "a 3", "b 1", "b 2", "b 3"};
        QTest::newRow("linked, shortest ends")
            << QList<SweepParameter>{param("1", {"a", "b", "c"}), param("2", {"1", "2"}, true)}
            << QStringList{"a 1", "b 2"};
        QTest::newRow("linked group crossed")
            << QList<SweepParameter>{param("1", {"a", "b"}), param("2", {"x", "y"}), param("3", {"1", "2", "3"}, true)}
            << QStringList{"a x 1", "a y 2", "b x 1", "b y 2"};
        QTest::newRow("three crossed")
            << QList<SweepParameter>{param("a", {"1", "2"}), param("b", {"x"}), param("c", {"p", "q"})}
            << QStringList{"1 x p", "1 x q", "2 x p", "2 x q"};
        QTest::newRow("empty source: no tasks")
            << QList<SweepParameter>{param("1", {"a", "b"}), param("2", {})} << QStringList{};
    }
    void tupleOrder()
    {
        QFETCH(QList<SweepParameter>, parameters);
        QFETCH(QStringList, tuples);
        QCOMPARE(SweepInput(parameters).total(), qint64(tuples.size()));
        QCOMPARE(Sweep::taskCount(parameters), qint64(tuples.size()));
        QCOMPARE(tuplesOf(parameters), tuples);
    }

    // The count is known before anything runs, and a huge product is not materialised.
    void hugeProductIsCountedNotHeld()
    {
        QStringList thousand;
        for (int i = 0; i < 1000; ++i)
            thousand.append(QString::number(i));
        const QList<SweepParameter> parameters{param("1", thousand), param("2", thousand), param("3", thousand),
                                               param("4", thousand)};
        SweepInput input(parameters);
        QCOMPARE(input.total(), qint64(1000) * 1000 * 1000 * 1000);
        QByteArray tuple;
        QCOMPARE(input.next(&tuple), InputSource::Fetch::Item);
        QCOMPARE(tuple, QByteArray("0\0" "0\0" "0\0" "0", 7));
        Sweep::Tuples tuples(parameters);
        tuples.tupleAt(input.total() - 1, &tuple);
        QCOMPARE(Sweep::displayInput(tuple), QByteArray("999 999 999 999"));
        tuples.tupleAt(1002003, &tuple); // mixed radix: 0, 1, 2, 3
        QCOMPARE(Sweep::displayInput(tuple), QByteArray("0 1 2 3"));

        QList<SweepParameter> tooMany;
        for (int i = 0; i < 7; ++i)
            tooMany.append(param(QString::number(i + 1), thousand));
        QVERIFY(Sweep::validate(tooMany).contains("too many"));
        QCOMPARE(Sweep::taskCount(parameters), qint64(1000) * 1000 * 1000 * 1000);
        QCOMPARE(Sweep::taskCount(tooMany), qint64(-1));
        QCOMPARE(Sweep::taskCount({}), qint64(0));
    }

    // ------------------------------------------------------------ templates

    void argvOfATask_data()
    {
        QTest::addColumn<QStringList>("command");
        QTest::addColumn<QStringList>("names");
        QTest::addColumn<QStringList>("values");
        QTest::addColumn<QStringList>("argv");
        const QStringList hostile{"a b", "\"q'", "$(echo hi)", ";ls", "", "-n"};
        const QStringList positional{"1", "2", "3", "4", "5", "6"};
        QTest::newRow("no replacement string: appended one by one")
            << QStringList{"prog"} << positional << hostile << QStringList{"prog"} + hostile;
        QTest::newRow("positional, each one word")
            << QStringList{"prog", "{6}", "{1}", "x{3}y", "{5}"} << positional << hostile
            << QStringList{"prog", "-n", "a b", "x$(echo hi)y", ""};
        QTest::newRow("{} joins with spaces")
            << QStringList{"prog", "{}"} << QStringList{"1", "2"} << QStringList{"a b", "c"}
            << QStringList{"prog", "a b c"};
        QTest::newRow("modifiers")
            << QStringList{"p", "{1.}", "{1/}", "{1//}", "{1/.}", "{2.}", "{2//}"} << QStringList{"1", "2"}
            << QStringList{"dir/sub/file.tar.gz", "plain"}
            << QStringList{"p", "dir/sub/file.tar", "file.tar.gz", "dir/sub", "file.tar", "plain", "."};
        QTest::newRow("named, with modifiers")
            << QStringList{"train", "--lr={lr}", "--out={img/.}.{seed}", "{img//}"} << QStringList{"lr", "img", "seed"}
            << QStringList{"0.1", "/data/cat.png", "7"}
            << QStringList{"train", "--lr=0.1", "--out=cat.7", "/data"};
        QTest::newRow("{N} in a named sweep")
            << QStringList{"p", "{2}", "{lr}"} << QStringList{"lr", "bs"} << QStringList{"0.1", "32"}
            << QStringList{"p", "32", "0.1"};
        QTest::newRow("{#} stays the task number")
            << QStringList{"p", "{#}", "{1}"} << QStringList{"1"} << QStringList{"v"} << QStringList{"p", "5", "v"};
        QTest::newRow("not a replacement string")
            << QStringList{"p", "{1a}", "{ lr}", "{lr", "${lr}"} << QStringList{"lr"} << QStringList{"v"}
            << QStringList{"p", "{1a}", "{ lr}", "{lr", "$v"};
    }
    void argvOfATask()
    {
        QFETCH(QStringList, command);
        QFETCH(QStringList, names);
        QFETCH(QStringList, values);
        QFETCH(QStringList, argv);
        const CommandTemplate tmpl(command, false, names);
        QVERIFY2(tmpl.errorString().isEmpty(), qPrintable(tmpl.errorString()));
        QList<QByteArray> got;
        QString error;
        QVERIFY2(tmpl.expand(Sweep::joinTuple(bytesList(values)), 5, &got, &error), qPrintable(error));
        QCOMPARE(got, bytesList(argv));
    }

    // A template that stands for what the sweep does not have is refused at once.
    void unknownReplacementStrings_data()
    {
        QTest::addColumn<QStringList>("command");
        QTest::addColumn<bool>("shell");
        QTest::addColumn<QString>("reason");
        QTest::newRow("unknown name") << QStringList{"p", "{rate}"} << false << "{rate}, but the sweep has no such parameter (it has: lr, bs)";
        QTest::newRow("unknown with a modifier") << QStringList{"p", "x{rate/.}"} << false << "{rate/.}";
        QTest::newRow("beyond the sources") << QStringList{"p", "{3}"} << false << "{3}, but the sweep has 2 source(s)";
        QTest::newRow("zero") << QStringList{"p", "{0}"} << false << "{0}";
        QTest::newRow("unknown, shell") << QStringList{"echo {rate}"} << true << "{rate}";
        QTest::newRow("shell context still refused") << QStringList{"echo `{lr}`"} << true << "inside `…`";
    }
    void unknownReplacementStrings()
    {
        QFETCH(QStringList, command);
        QFETCH(bool, shell);
        QFETCH(QString, reason);
        const CommandTemplate tmpl(command, shell, {"lr", "bs"});
        QVERIFY2(tmpl.errorString().contains(reason), qPrintable(tmpl.errorString()));
        JobSpec spec;
        spec.command = command;
        spec.shell = shell;
        spec.parameters = {param("lr", {"1"}), param("bs", {"2"})};
        QVERIFY2(spec.validate().contains(reason), qPrintable(spec.validate()));
        // Outside a sweep, {rate} is just text, as it always was.
        QVERIFY(shell || CommandTemplate(command, false).errorString().isEmpty());
    }

    // --shell: the values are data wherever they stand; sh never parses them.
    void shellKeepsValuesData_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("unquoted") << "printf '[%s]' {1} {2}" << QByteArray("[a b][$(echo pwned);x]");
        QTest::newRow("double quotes") << "printf '[%s]' \"<{1}>\" \"{4}\"" << QByteArray("[<a b>][-n]");
        QTest::newRow("single quotes") << "printf '[%s]' '<{2}>'" << QByteArray("[<$(echo pwned);x>]");
        QTest::newRow("in $(...)") << "printf '[%s]' \"$(printf %s {1})\"" << QByteArray("[a b]");
        QTest::newRow("assignment") << "v={2}; printf '[%s]' \"$v\"" << QByteArray("[$(echo pwned);x]");
        QTest::newRow("empty value") << "printf '[%s]' {3} x" << QByteArray("[][x]");
        QTest::newRow("{} joined") << "printf '[%s]' {}" << QByteArray("[a b $(echo pwned);x  -n]");
        QTest::newRow("appended, one word each") << "printf '[%s]'" << QByteArray("[a b][$(echo pwned);x][][-n]");
        QTest::newRow("modifier") << "printf '[%s]' {4/}{1.}" << QByteArray("[-na b]");
    }
    void shellKeepsValuesData()
    {
        QFETCH(QString, script);
        QFETCH(QByteArray, expected);
        const CliResult r = runCli(quietRun({"--shell", "--", script, ":::", "a b", ":::", "$(echo pwned);x", ":::", "",
                                              ":::", "-n"}));
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.outputs(), expected);
    }

    // Argv mode, end to end: each value is one argument, byte for byte.
    void hostileValuesReachTheCommand()
    {
        const QStringList values{"a b", "\"q'", "$(echo hi)", ";ls", "", "-n", "*", "\\"};
        QStringList args = quietRun({"--", testWorker(), "argv", "<{1}>", "{2}"});
        args << ":::" << values << ":::" << "x";
        const CliResult r = runCli(args);
        QCOMPARE(r.exitCode, 0);
        const QList<QJsonObject> results = r.results();
        QCOMPARE(results.size(), values.size());
        for (int i = 0; i < values.size(); ++i) {
            QCOMPARE(results[i].value("output").toString(), QStringLiteral("<%1>").arg(values[i]) + QChar(0)
                                                                 + QStringLiteral("x") + QChar(0));
            QCOMPARE(results[i].value("input").toString(), values[i] + QStringLiteral(" x"));
            QCOMPARE(results[i].value("params").toObject(), (QJsonObject{{"1", values[i]}, {"2", "x"}}));
        }
    }

    // ------------------------------------------------------------ the command line

    void namedParameters()
    {
        QTemporaryDir dir;
        const QString list = dir.filePath("imgs.txt");
        QVERIFY(writeFile(list, "cat.png\ndog.png\n"));
        const CliResult r = runCli(quietRun({"--param", "lr=0.1,0.01", "--param", "img=@" + list, "--param",
                                             "step=0..1:0.5", "--", "echo", "{lr}", "{img.}", "{step}"}));
        QCOMPARE(r.exitCode, 0);
        QByteArray expected;
        for (const char *lr : {"0.1", "0.01"})
            for (const char *img : {"cat", "dog"})
                for (const char *step : {"0.0", "0.5", "1.0"})
                    expected += QByteArray(lr) + ' ' + img + ' ' + step + '\n';
        QCOMPARE(r.outputs(), expected);
        const QJsonObject first = r.results().value(0);
        QCOMPARE(first.value("input").toString(), QStringLiteral("0.1 cat.png 0.0"));
        QCOMPARE(first.value("params").toObject(), (QJsonObject{{"lr", "0.1"}, {"img", "cat.png"}, {"step", "0.0"}}));
        QCOMPARE(first.value("params").toObject().keys().size(), 3);
        QVERIFY(r.out.startsWith("{\"id\":0,\"input\":\"0.1 cat.png 0.0\",\"params\":{\"lr\":\"0.1\",\"img\":\"cat.png\",\"step\":\"0.0\"},"));
    }

    void zipLinksNamedParameters()
    {
        const CliResult r = runCli(quietRun({"--zip", "--param", "a=1..3", "--param", "b=x,y,z", "--", "echo"}));
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.outputs(), QByteArray("1 x\n2 y\n3 z\n"));
    }

    void sourcesFromFilesAndStdin()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath("f.txt");
        QVERIFY(writeFile(file, "f1\nf2\n"));
        const CliResult r = runCli(quietRun({"--", "echo", ":::", "a", "b", "::::", file, "::::+", "-"}), "s1\ns2\ns3\n");
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.outputs(), QByteArray("a f1 s1\na f2 s2\nb f1 s1\nb f2 s2\n"));
    }

    void refusedCommandLines_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("reason");
        QTest::newRow("bad range") << QStringList{"--param", "x=1..5:0", "--", "echo"} << "step greater than 0";
        QTest::newRow("unknown name") << QStringList{"--param", "x=1", "--", "echo", "{y}"} << "no such parameter";
        QTest::newRow("beyond the sources") << QStringList{"--", "echo", "{2}", ":::", "a"} << "{2}, but the sweep has 1";
        QTest::newRow("missing file") << QStringList{"--", "echo", "::::", "/nonexistent/list"} << "cannot read /nonexistent/list";
        QTest::newRow("missing @file") << QStringList{"--param", "x=@/nonexistent/list", "--", "echo"} << "cannot read";
        QTest::newRow("bad name") << QStringList{"--param", "2x=1", "--", "echo"} << "not starting with a digit";
        QTest::newRow("field name") << QStringList{"--param", "status=1", "--", "echo"} << "taken by a result field";
        QTest::newRow("no =") << QStringList{"--param", "x", "--", "echo"} << "NAME=VALUES";
        QTest::newRow("twice") << QStringList{"--param", "x=1", "--param", "x=2", "--", "echo"} << "given twice";
        QTest::newRow("both kinds") << QStringList{"--param", "x=1", "--", "echo", ":::", "a"} << "not both";
        QTest::newRow("zip lengths") << QStringList{"--zip", "--param", "x=1,2", "--param", "y=1", "--", "echo"} << "as many values";
        QTest::newRow("zip without param") << QStringList{"--zip", "--", "echo", ":::", "a"} << "link ::: sources with :::+";
        QTest::newRow("with --range") << QStringList{"--range", "3", "--", "echo", ":::", "a"} << "no --inputs or --range";
        QTest::newRow(":::: without file") << QStringList{"--", "echo", "::::"} << "needs a file";
        QTest::newRow("transfer") << QStringList{"--host", "1/ssh:nowhere", "--transfer", "--", "echo", ":::", "a"} << "--transfer";
    }
    void refusedCommandLines()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, reason);
        const CliResult r = runCli(QStringList{"run", "--no-journal", "--no-monitor"} + args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(reason), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    void nulInAValueFileIsAnError()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath("nul.txt");
        QVERIFY(writeFile(file, QByteArray("a\nb\0c\n", 6)));
        const CliResult r = runCli({"run", "--no-journal", "--no-monitor", "--", "echo", "::::", file});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("line 2: a value holds a NUL byte"), r.err.constData());
    }

    // ------------------------------------------------------------ protocol, results, journal

    void workersGetParams()
    {
        const CliResult r = runCli(quietRun({"--worker", "--param", "lr=0.1,0.01", "--param", "bs=32", "--", testWorker(),
                                             "proto", "--echo-line"}));
        QCOMPARE(r.exitCode, 0);
        const QList<QJsonObject> results = r.results();
        QCOMPARE(results.size(), 2);
        QCOMPARE(results[1].value("result").toObject(),
                 (QJsonObject{{"id", 1}, {"input", "0.01 32"}, {"params", QJsonObject{{"lr", "0.01"}, {"bs", "32"}}}}));
        // Positional sources are named by their number; values stay strings.
        const CliResult p = runCli(quietRun({"--worker", "--", testWorker(), "proto", "--echo-line", ":::", "a b", ":::", "7"}));
        QCOMPARE(p.results().value(0).value("result").toObject().value("params").toObject(),
                 (QJsonObject{{"1", "a b"}, {"2", "7"}}));
    }

    void taskLineOfASweep()
    {
        QByteArray line;
        Protocol::appendTaskLine(line, 7, Sweep::joinTuple({"0.1", "3\"2"}), Sweep::jsonNames({"lr", "bs"}));
        QCOMPARE(line, QByteArray("{\"id\":7,\"input\":\"0.1 3\\\"2\",\"params\":{\"lr\":\"0.1\",\"bs\":\"3\\\"2\"}}\n"));
        line.clear();
        Protocol::appendTaskLine(line, 8, Sweep::joinTuple({"a", "caf\xe9"}), Sweep::jsonNames({"1", "2"}));
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        QCOMPARE(o.value("input").toString(), QStringLiteral("a caf\\xe9"));
        QCOMPARE(QByteArray::fromBase64(o.value("input_base64").toString().toLatin1()), QByteArray("a\0caf\xe9", 6));
        QCOMPARE(o.value("params").toObject().value("2").toString(), QStringLiteral("caf\\xe9"));
        // Not a sweep: the line is as it always was.
        line.clear();
        Protocol::appendTaskLine(line, 9, "x");
        QCOMPARE(line, QByteArray("{\"id\":9,\"input\":\"x\"}\n"));
    }

    void csvHasAColumnPerParameter()
    {
        QTemporaryDir dir;
        const QString journal = dir.filePath("j.sqlite");
        const CliResult r = runCli({"run", "--journal", journal, "--no-monitor", "-q", "--results", dir.filePath("r.jsonl"),
                                    "--", "true", ":::", "a,b", "c", ":::", "1"});
        QCOMPARE(r.exitCode, 0);
        for (const QStringList &extra : {QStringList{}, QStringList{"--job"}}) {
            const CliResult csv = runCli(QStringList{"export", "--journal", journal, "--format", "csv"} + extra);
            QCOMPARE(csv.exitCode, 0);
            QList<QByteArray> rows = csv.out.split('\n');
            QCOMPARE(rows.value(0), QByteArray("id,input,1,2,status,exit_code,output,error,stderr,truncated,attempts,"
                                               "worker,duration_ms,host\r"));
            rows.removeFirst();
            rows.removeAll(QByteArray());
            std::sort(rows.begin(), rows.end());
            QCOMPARE(rows.size(), 2);
            QVERIFY2(rows[0].startsWith("0,\"a,b 1\",\"a,b\",1,ok,0,,,,false,1,"), rows[0].constData());
            QVERIFY2(rows[1].startsWith("1,c 1,c,1,ok,0,,,,false,1,"), rows[1].constData());
            const CliResult jsonl = runCli(QStringList{"export", "--journal", journal} + extra);
            const QJsonObject first = QJsonDocument::fromJson(jsonl.out.split('\n').value(0)).object();
            QCOMPARE(first.value("params").toObject().size(), 2);
        }
        // The job's parameters are in the journal's spec.
        const CliResult named = runCli({"run", "--journal", journal, "--no-monitor", "-q", "--param", "lr=1,2", "--", "echo"});
        QCOMPARE(named.exitCode, 0);
        const CliResult csv = runCli({"export", "--journal", journal, "--format", "csv"});
        QVERIFY2(csv.out.startsWith("id,input,lr,status,"), csv.out.constData());
    }

    void resultWriterCsvOfOtherJobsIsUnchanged()
    {
        QByteArray header;
        ResultWriter::appendCsvHeader(header, JobSpec::Mode::PerTask);
        QCOMPARE(header, QByteArray("id,input,status,exit_code,output,error,stderr,truncated,attempts,worker,duration_ms,host\r\n"));
        header.clear();
        ResultWriter::appendCsvHeader(header, JobSpec::Mode::Worker, {"lr", "bs"});
        QCOMPARE(header, QByteArray("id,input,lr,bs,status,exit_code,result,error,stderr,truncated,attempts,worker,duration_ms,host\r\n"));
    }

    void jobFilesCarryParameters()
    {
        JobSpec spec = perTask({"{lr}"});
        spec.parameters = {param("lr", {"0.1", "", "a b"}), param("bs", {"1"}, true)};
        QString error;
        JobSpec back;
        QVERIFY(JobSpec::fromJson(spec.toJson(), &back, &error));
        QCOMPARE(back.parameters, spec.parameters);
        QCOMPARE(back.parameterNames(), (QStringList{"lr", "bs"}));
        // The values as typed go along ("source"); the values are what runs.
        QVERIFY(Sweep::parseParameter("n=1..5:2", &spec.parameters.first(), &error));
        QCOMPARE(spec.parameters.first().source, QStringLiteral("1..5:2"));
        QVERIFY(JobSpec::fromJson(spec.toJson(), &back, &error));
        QCOMPARE(back.parameters.first().source, QStringLiteral("1..5:2"));
        QCOMPARE(back.parameters.first().values, (QStringList{"1", "3", "5"}));
        QVERIFY(!spec.toJson().value("parameters").toArray().at(1).toObject().contains("source"));
        // Other jobs' files are as they were: no "parameters", and old files load.
        JobSpec plain = perTask({"{}"});
        QVERIFY(!plain.toJson().contains("parameters"));
        QVERIFY(JobSpec::fromJson(QJsonObject{{"command", QJsonArray{"echo"}}}, &back, &error));
        QVERIFY(!back.isSweep());

        // --job runs a saved sweep.
        QTemporaryDir dir;
        JobSpec saved;
        saved.command = {"echo", "{lr}"};
        saved.parameters = {param("lr", {"x", "y"})};
        QVERIFY(saved.save(dir.filePath("job.json"), &error));
        const CliResult r = runCli(quietRun({"--job", dir.filePath("job.json")}));
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.outputs(), QByteArray("x\ny\n"));
    }

    // A sweep cut short, then resumed: exactly the tuples that had not finished run.
    void resumeSkipsExactlyTheFinishedTuples()
    {
        QTemporaryDir dir;
        const QString journal = dir.filePath("j.sqlite");
        const QString gate = dir.filePath("gate");
        const QStringList job = {"-j", "1", "--keep-order", "--journal", journal, "--no-monitor", "--kill-grace", "0.3",
                                 "--", testWorker(), "task", "{1}", ":::", "p", "await:" + gate, "q", ":::", "1", "2"};
        QProcess first;
        first.start(QStringLiteral(TASKPOOL_PATH), QStringList{"run"} + job);
        QVERIFY(first.waitForStarted());
        // (p,1) and (p,2) finish; (await,1) waits for the gate.
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(gate + ".waiting"), 20000);
        ::kill(pid_t(first.processId()), SIGTERM);
        QVERIFY(first.waitForFinished(20000));
        const QList<QByteArray> firstLines = first.readAllStandardOutput().split('\n');
        QStringList finished;
        for (const QByteArray &line : firstLines) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.value("status").toString() == QLatin1String("ok"))
                finished.append(o.value("input").toString());
        }
        QCOMPARE(finished, (QStringList{"p 1", "p 2"}));

        QVERIFY(writeFile(gate, "open"));
        const CliResult again = runCli(QStringList{"run", "--resume"} + job);
        QCOMPARE(again.exitCode, 0);
        QVERIFY2(again.err.contains("resuming: 2 tasks of this command already finished"), again.err.constData());
        QStringList ran;
        for (const QJsonObject &o : again.results())
            ran.append(o.value("input").toString());
        QCOMPARE(ran, (QStringList{"await:" + gate + " 1", "await:" + gate + " 2", "q 1", "q 2"}));

        // And the job, exported, has every tuple once.
        const CliResult all = runCli({"export", "--journal", journal, "--job"});
        QCOMPARE(all.results().size(), 6);
    }

    // ------------------------------------------------------------ GNU parallel

    // The same sources give the same commands as GNU parallel, in the same order.
    void sameAsGnuParallel_data()
    {
        QTest::addColumn<QStringList>("command");
        QTest::addColumn<QStringList>("sources");
        QTest::newRow("product, appended") << QStringList{} << QStringList{":::", "a", "b", ":::", "1", "2", "3"};
        QTest::newRow("linked, shortest") << QStringList{} << QStringList{":::", "a", "b", "c", ":::+", "1", "2"};
        QTest::newRow("linked longer") << QStringList{} << QStringList{":::", "a", "b", ":::+", "1", "2", "3"};
        QTest::newRow("crossed and linked")
            << QStringList{"{3}", "{1}"} << QStringList{":::", "a", "b", ":::", "x", "y", ":::+", "1", "2", "3"};
        QTest::newRow("positional modifiers")
            << QStringList{"{2}", "{1.}", "{1/}", "{1//}", "{1/.}"}
            << QStringList{":::", "dir/sub/f.tar.gz", "/abs/x.y", "plain", "a.b/c", ":::", "k"};
        QTest::newRow("hostile values")
            << QStringList{"<{1}>", "{2}"}
            << QStringList{":::", "a b", "\"q'", "$(echo hi)", ";ls", "-n", "*", "\\", "", ":::", "x y", "-e"};
        // Where taskpool differs on purpose, the sources are left out: {} of
        // several sources is one word here (the values joined by spaces), several
        // words there; {.} of ".bashrc" is ".bashrc" here (no extension), "" there.
        QTest::newRow("{} of one source") << QStringList{"x{}y"} << QStringList{":::", "a", "b c"};
        QTest::newRow("files") << QStringList{"{2}-{1}"} << QStringList{"::::", "FILE", ":::", "x", "y"};
        QTest::newRow("linked file") << QStringList{} << QStringList{":::", "a", "b", "c", "::::+", "FILE"};
    }
    void sameAsGnuParallel()
    {
        QFETCH(QStringList, command);
        QFETCH(QStringList, sources);
        const QString parallel = QStandardPaths::findExecutable(QStringLiteral("parallel"));
        if (parallel.isEmpty())
            QSKIP("GNU parallel is not installed (apt-get install parallel)");
        QTemporaryDir dir;
        const QString file = dir.filePath("values.txt");
        QVERIFY(writeFile(file, "one two\n$(x)\n-f\n"));
        sources.replaceInStrings(QRegularExpression("^FILE$"), file);
        const QStringList words = QStringList{"printf", "[%s]\\n"} + command;
        // -q: parallel quotes the command's words, so it runs them as argv, as taskpool does.
        const CliResult theirs = runProgram(parallel, QStringList{"--will-cite", "-k", "-q", "-j", "2"} + words + sources);
        QCOMPARE(theirs.exitCode, 0);
        QVERIFY(!theirs.out.isEmpty());
        const CliResult ours = runCli(quietRun(QStringList{"--"} + words + sources));
        QCOMPARE(ours.exitCode, 0);
        QCOMPARE(ours.outputs(), theirs.out);
    }
};

QTEST_GUILESS_MAIN(TestSweep)
#include "tst_sweep.moc"
