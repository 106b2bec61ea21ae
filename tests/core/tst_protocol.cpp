#include "commandtemplate.h"
#include "jobspec.h"
#include "json.h"
#include "protocol.h"
#include "resultwriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryFile>
#include <QTest>

class TestProtocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void taskLinesAreValidJson_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::newRow("plain") << QByteArray("hello");
        QTest::newRow("quotes and backslashes") << QByteArray("a \"b\" \\c\\");
        QTest::newRow("control characters") << QByteArray("tab\there\nnew\x01\x1f");
        QTest::newRow("unicode") << QByteArray("h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("shell") << QByteArray("$(reboot); rm -rf ~ `id`");
    }
    void taskLinesAreValidJson()
    {
        QFETCH(QByteArray, input);
        QByteArray line;
        Protocol::appendTaskLine(line, 42, input);
        QVERIFY(line.endsWith('\n'));
        QCOMPARE(line.count('\n'), 1);
        QJsonParseError error;
        const QJsonObject obj = QJsonDocument::fromJson(line, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(obj.value("id").toInt(), 42);
        QCOMPARE(obj.value("input").toString().toUtf8(), input);
        QVERIFY(!obj.contains("input_base64")); // only for bytes that are not text
    }

    // File names are bytes: an input that is not UTF-8 still makes valid JSON,
    // its bytes shown as \xHH in "input" and kept exactly in "input_base64".
    void invalidUtf8InputsTravelExactly_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("shown");
        QTest::newRow("latin-1 name") << QByteArray("caf\xe9.txt") << QStringLiteral("caf\\xe9.txt");
        QTest::newRow("another byte") << QByteArray("caf\xe8.txt") << QStringLiteral("caf\\xe8.txt");
        QTest::newRow("valid and invalid") << QByteArray("h\xc3\xa9 \xff\xfe \"q\"") << QString::fromUtf8("h\xc3\xa9 \\xff\\xfe \"q\"");
        QTest::newRow("cut sequence") << QByteArray("ab\xe2\x9c") << QStringLiteral("ab\\xe2\\x9c");
    }
    void invalidUtf8InputsTravelExactly()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, shown);
        QByteArray line;
        Protocol::appendTaskLine(line, 1, input);
        QJsonParseError error;
        const QJsonObject obj = QJsonDocument::fromJson(line, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(obj.value("input").toString(), shown);
        QCOMPARE(QByteArray::fromBase64(obj.value("input_base64").toString().toLatin1()), input);
        QCOMPARE(QString::fromUtf8(Json::escapeInvalidUtf8(input)), shown);
    }

    void utf8Validation()
    {
        QVERIFY(!Json::isValidUtf8("\xc0\x80"));     // overlong
        QVERIFY(!Json::isValidUtf8("\xed\xa0\x80")); // surrogate
        QVERIFY(Json::isValidUtf8("\xf4\x8f\xbf\xbf"));
    }

    void workerLines_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<int>("kind");
        QTest::addColumn<qint64>("id");
        QTest::addColumn<QByteArray>("payload"); // raw result, error text or message
        using K = Protocol::WorkerMessage::Kind;
        QTest::newRow("result string") << QByteArray("{\"id\": 7, \"result\": \"x\"}") << true << int(K::Result) << 7LL << QByteArray("\"x\"");
        QTest::newRow("result object") << QByteArray("{\"result\": {\"a\": [1, 2.5e3, null, true]}, \"id\": 3}") << true << int(K::Result) << 3LL << QByteArray("{\"a\": [1, 2.5e3, null, true]}");
        QTest::newRow("result null") << QByteArray("{\"id\":1,\"result\":null}") << true << int(K::Result) << 1LL << QByteArray("null");
        QTest::newRow("error") << QByteArray("{\"id\":2,\"error\":\"bad \\\"x\\\"\\n\"}") << true << int(K::Error) << 2LL << QByteArray("bad \"x\"\n");
        QTest::newRow("progress") << QByteArray("{\"id\":2,\"progress\":0.25,\"message\":\"\\u00e9tape\"}") << true << int(K::Progress) << 2LL << QByteArray("\xc3\xa9tape");
        QTest::newRow("unknown keys ignored") << QByteArray("{\"id\":2,\"x\":{\"y\":[]},\"result\":1}") << true << int(K::Result) << 2LL << QByteArray("1");
        QTest::newRow("trailing spaces and CR") << QByteArray("{\"id\":5,\"result\":5} \r") << true << int(K::Result) << 5LL << QByteArray("5");
        QTest::newRow("number: sign, fraction, exponent") << QByteArray("{\"id\":1,\"result\":-0.5E+2}") << true << int(K::Result) << 1LL << QByteArray("-0.5E+2");
        QTest::newRow("number: zero") << QByteArray("{\"id\":1,\"result\":0}") << true << int(K::Result) << 1LL << QByteArray("0");
        for (const char *bad : {"1.", "1e", "1e+", "01", "-", ".5", "+1", "1.e3"})
            QTest::addRow("number: %s", bad) << QByteArray("{\"id\":1,\"result\":") + bad + "}" << false << 0 << 0LL << QByteArray();
        QTest::newRow("ready") << QByteArray("{\"ready\": true}") << true << int(K::Ready) << -1LL << QByteArray();
        QTest::newRow("ready with a task id") << QByteArray("{\"id\":1,\"ready\":true}") << false << 0 << 0LL << QByteArray();
        QTest::newRow("not json") << QByteArray("hello") << false << 0 << 0LL << QByteArray();
        QTest::newRow("array") << QByteArray("[1]") << false << 0 << 0LL << QByteArray();
        QTest::newRow("no id") << QByteArray("{\"result\":1}") << false << 0 << 0LL << QByteArray();
        QTest::newRow("string id") << QByteArray("{\"id\":\"1\",\"result\":1}") << false << 0 << 0LL << QByteArray();
        QTest::newRow("both") << QByteArray("{\"id\":1,\"result\":1,\"error\":\"x\"}") << false << 0 << 0LL << QByteArray();
        QTest::newRow("nothing to say") << QByteArray("{\"id\":1}") << false << 0 << 0LL << QByteArray();
        QTest::newRow("truncated") << QByteArray("{\"id\":1,\"result\":{\"a\":") << false << 0 << 0LL << QByteArray();
        QTest::newRow("trailing junk") << QByteArray("{\"id\":1,\"result\":1} x") << false << 0 << 0LL << QByteArray();
        QTest::newRow("invalid utf8 in string") << QByteArray("{\"id\":1,\"result\":\"\xc3\x28\"}") << false << 0 << 0LL << QByteArray();
        QTest::newRow("raw control char") << QByteArray("{\"id\":1,\"result\":\"a\tb\"}") << false << 0 << 0LL << QByteArray();
        QTest::newRow("deep nesting") << QByteArray("{\"id\":1,\"result\":") + QByteArray(100000, '[') << false << 0 << 0LL << QByteArray();
    }
    void workerLines()
    {
        QFETCH(QByteArray, line);
        QFETCH(bool, valid);
        QFETCH(int, kind);
        QFETCH(qint64, id);
        QFETCH(QByteArray, payload);
        Protocol::WorkerMessage m;
        QString problem;
        QCOMPARE(Protocol::parseWorkerLine(line, &m, &problem), valid);
        if (!valid) {
            QVERIFY(!problem.isEmpty());
            return;
        }
        QCOMPARE(int(m.kind), kind);
        QCOMPARE(m.id, id);
        switch (m.kind) {
        case Protocol::WorkerMessage::Kind::Result: QCOMPARE(m.result.toByteArray(), payload); break;
        case Protocol::WorkerMessage::Kind::Error: QCOMPARE(m.error, payload); break;
        case Protocol::WorkerMessage::Kind::Progress:
            QCOMPARE(m.message, payload);
            QCOMPARE(m.progress, 0.25);
            break;
        case Protocol::WorkerMessage::Kind::Ready: break;
        }
    }

    // A result or error that lacks only its "id" is not a valid message, but
    // still an answer (the worker fails the head task with it); the message
    // object, reused from line to line, keeps nothing of the line before.
    void answersWithoutAnIdSayWhichKind_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<int>("kind");
        using K = Protocol::WorkerMessage::Kind;
        QTest::newRow("result") << QByteArray("{\"result\":1}") << int(K::Result);
        QTest::newRow("error") << QByteArray("{\"error\":\"x\"}") << int(K::Error);
        QTest::newRow("progress: no answer") << QByteArray("{\"progress\":0.5}") << int(K::Progress);
        QTest::newRow("both: no answer") << QByteArray("{\"result\":1,\"error\":\"x\"}") << int(K::Progress);
        QTest::newRow("not json") << QByteArray("hello") << int(K::Progress);
    }
    void answersWithoutAnIdSayWhichKind()
    {
        QFETCH(QByteArray, line);
        QFETCH(int, kind);
        Protocol::WorkerMessage m;
        QString problem;
        QVERIFY(Protocol::parseWorkerLine("{\"id\":9,\"error\":\"y\"}", &m, &problem));
        QVERIFY(!Protocol::parseWorkerLine(line, &m, &problem));
        QCOMPARE(int(m.kind), kind);
        QCOMPARE(m.id, -1);
    }

    void randomBytesNeverCrashTheParser()
    {
        auto *rng = QRandomGenerator::global();
        const QByteArray alphabet = "{}[]\":,0123456789.eE+-truefalsn\\ u";
        Protocol::WorkerMessage m;
        QString problem;
        for (int i = 0; i < 20000; ++i) {
            QByteArray line(rng->bounded(1, 60), Qt::Uninitialized);
            for (char &c : line)
                c = rng->bounded(4) == 0 ? char(rng->bounded(256)) : alphabet.at(rng->bounded(int(alphabet.size())));
            if (i % 2)
                line.prepend("{\"id\":1,\"result\":");
            Protocol::parseWorkerLine(line, &m, &problem); // must simply return
        }
    }

    void resultLinesAreValidJson()
    {
        TaskOutcome o;
        o.id = 9;
        o.input = "in \"put\"";
        o.status = TaskStatus::Failed;
        o.exitCode = 4;
        o.output = "bin\xff\x00ary";
        o.errorOutput = "warn\n";
        o.error = QStringLiteral("exited with code 4");
        o.attempts = 2;
        o.worker = 1;
        o.durationMs = 12;
        QByteArray line;
        ResultWriter::appendJson(line, o, JobSpec::Mode::PerTask);
        const QJsonObject obj = QJsonDocument::fromJson(line).object();
        QCOMPARE(obj.value("id").toInt(), 9);
        QCOMPARE(obj.value("input").toString(), QStringLiteral("in \"put\""));
        QCOMPARE(obj.value("status").toString(), QStringLiteral("failed"));
        QCOMPARE(obj.value("exit_code").toInt(), 4);
        QCOMPARE(obj.value("output_lossy").toBool(), true);
        QCOMPARE(obj.value("stderr").toString(), QStringLiteral("warn\n"));
        QCOMPARE(obj.value("attempts").toInt(), 2);
        QCOMPARE(obj.value("worker").toInt(), 1);
        QCOMPARE(obj.value("duration_ms").toInt(), 12);

        o.result = "{\"x\":[1,2]}";
        o.exitCode = -1;
        line.clear();
        ResultWriter::appendJson(line, o, JobSpec::Mode::Worker);
        const QJsonObject obj2 = QJsonDocument::fromJson(line).object();
        QCOMPARE(obj2.value("result").toObject().value("x").toArray().size(), 2);
        QVERIFY(obj2.value("exit_code").isNull());
    }

    void keepOrderWritesInInputOrder()
    {
        QTemporaryFile file;
        QVERIFY(file.open());
        {
            ResultWriter writer(file.handle(), JobSpec::Mode::Worker, true);
            for (qint64 id : {3, 1, 0, 4, 2}) {
                TaskOutcome o;
                o.id = id;
                o.status = TaskStatus::Ok;
                writer.write(o);
            }
            QVERIFY(writer.finish());
            QCOMPARE(writer.written(), 5);
        }
        file.seek(0);
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 5);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(QJsonDocument::fromJson(lines[i]).object().value("id").toInt(), i);
    }

    void commandTemplates_data()
    {
        QTest::addColumn<QStringList>("words");
        QTest::addColumn<bool>("shell");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QStringList>("argv");
        QTest::newRow("appended") << QStringList{"gzip", "-k"} << false << QByteArray("a b.txt") << QStringList{"gzip", "-k", "a b.txt"};
        QTest::newRow("placeholder") << QStringList{"cp", "{}", "{}.bak"} << false << QByteArray("f") << QStringList{"cp", "f", "f.bak"};
        QTest::newRow("path parts") << QStringList{"x", "{.}", "{/}", "{//}", "{/.}", "{#}"} << false << QByteArray("dir/sub/file.tar.gz")
                                    << QStringList{"x", "dir/sub/file.tar", "file.tar.gz", "dir/sub", "file.tar", "8"};
        QTest::newRow("no dir, dotfile") << QStringList{"x", "{//}", "{.}"} << false << QByteArray(".bashrc") << QStringList{"x", ".", ".bashrc"};
        // With a shell, the values are sh's positional parameters; the script only expands variables.
        QTest::newRow("shell unquoted") << QStringList{"echo", "{}", "|", "wc", "-c"} << true << QByteArray("it's $(x)")
                                        << QStringList{"/bin/sh", "-c", "taskpool_input=$1; set --; echo \"${taskpool_input}\" | wc -c",
                                                       "sh", "it's $(x)"};
        QTest::newRow("shell contexts") << QStringList{"echo \"f: {}\" 'g: {/}' $(cat {})"} << true << QByteArray("d/x")
                                        << QStringList{"/bin/sh", "-c",
                                                       "taskpool_input=$1 taskpool_basename=$2; set --; echo \"f: ${taskpool_input}\" "
                                                       "'g: '\"${taskpool_basename}\"'' $(cat \"${taskpool_input}\")",
                                                       "sh", "d/x", "x"};
        QTest::newRow("shell appended") << QStringList{"ls", "-l"} << true << QByteArray("a;b")
                                        << QStringList{"/bin/sh", "-c", "taskpool_input=$1; set --; ls -l \"${taskpool_input}\"", "sh", "a;b"};
        QTest::newRow("shell number in arithmetic") << QStringList{"echo $(({#} * 2))"} << true << QByteArray("a")
                                                    << QStringList{"/bin/sh", "-c", "taskpool_number=$1; set --; echo $((${taskpool_number} * 2))", "sh", "8"};
        QTest::newRow("shell comment") << QStringList{"echo {} # not {} here"} << true << QByteArray("a")
                                       << QStringList{"/bin/sh", "-c", "taskpool_input=$1; set --; echo \"${taskpool_input}\" # not {} here", "sh", "a"};
    }
    void commandTemplates()
    {
        QFETCH(QStringList, words);
        QFETCH(bool, shell);
        QFETCH(QByteArray, input);
        QFETCH(QStringList, argv);
        QString error;
        QList<QByteArray> got;
        QVERIFY(CommandTemplate(words, shell).expand(input, 8, &got, &error));
        QStringList text;
        for (const QByteArray &word : got)
            text.append(QString::fromUtf8(word));
        QCOMPARE(text, argv);
    }

    // The argv carries the input's bytes, whatever they are, in every part.
    void commandTemplatesKeepBytes()
    {
        const QByteArray input("dir\xff/caf\xe9.tar\x80");
        QString error;
        QList<QByteArray> argv;
        QVERIFY(CommandTemplate({"x", "{}", "{.}", "{/}", "{//}", "{/.}", "pre-{}"}, false).expand(input, 1, &argv, &error));
        QCOMPARE(argv, (QList<QByteArray>{"x", input, "dir\xff/caf\xe9", "caf\xe9.tar\x80", "dir\xff", "caf\xe9",
                                          "pre-" + input}));
        QVERIFY(CommandTemplate({"sh-script {}"}, true).expand(input, 1, &argv, &error));
        QCOMPARE(argv.constLast(), input);
    }

    // Where no expansion can be exact, the template is refused before anything runs.
    void shellTemplatesThatCannotBeSafeAreRefused_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<QString>("message");
        QTest::newRow("backquotes") << "echo `cat {}`" << "inside `…`; use $(…) instead";
        QTest::newRow("parameter expansion") << "echo ${x:-{}}" << "inside ${…}";
        QTest::newRow("arithmetic") << "echo $(({} + 1))" << "evaluate the input as an expression";
        QTest::newRow("here-document") << "cat <<EOF\n{}\nEOF" << "here-document";
        QTest::newRow("unterminated quote") << "echo \"{}" << "unterminated quote";
        QTest::newRow("unterminated substitution") << "echo $(cat {}" << "unterminated";
    }
    void shellTemplatesThatCannotBeSafeAreRefused()
    {
        QFETCH(QString, script);
        QFETCH(QString, message);
        const CommandTemplate command({script}, true);
        QVERIFY2(command.errorString().contains(message), qPrintable(command.errorString()));
        QString error;
        QList<QByteArray> argv;
        QVERIFY(!command.expand("x", 1, &argv, &error));
        QCOMPARE(error, command.errorString());
        JobSpec spec;
        spec.command = {script};
        spec.shell = true;
        QCOMPARE(spec.validate(), command.errorString());
        QVERIFY(CommandTemplate({script}, false).errorString().isEmpty()); // no shell, no shell rules
    }
};

QTEST_GUILESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
