#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

// The JSON Lines protocol spoken with long-lived workers.
//   pool -> worker:  {"id": 17, "input": "..."}
//                    an input that is not valid UTF-8 (a file name is bytes) also has
//                    "input_base64": its exact bytes; "input" then shows them as \xHH
//                    A sweep's task (sweep.h) has its parameters beside the input:
//                    {"id": 7, "input": "0.1 32", "params": {"lr": "0.1", "bs": "32"}}
//                    "input" is the values joined by spaces; positional sources
//                    (::: …) are named "1", "2" …; every value is a string. When a
//                    value is not valid UTF-8, "input_base64" holds the tuple's exact
//                    bytes, the values separated by NUL bytes, and the texts show
//                    the invalid bytes as \xHH
//   worker -> pool:  {"id": 17, "progress": 0.4, "message": "..."}
//                    {"id": 17, "result": <any JSON>}   or   {"id": 17, "error": "text"}
//                    {"ready": true}   optional, once: a slow start-up (imports, a model
//                    to load) is over, so the first task's clock starts now
namespace Protocol {

// Appends one task line, newline included: {"id":N,"input":"…"}, plus
// "input_base64" with the exact bytes when the input is not valid UTF-8.
// For a sweep's task, parameterNames (Sweep::jsonNames()) name its tuple's
// values: "params" is added and "input" is the values joined by spaces.
void appendTaskLine(QByteArray &out, qint64 id, QByteArrayView input, const QList<QByteArray> &parameterNames = {});

struct WorkerMessage
{
    enum class Kind { Progress, Result, Error, Ready };
    Kind kind = Kind::Progress;
    qint64 id = -1;            // -1 for Ready
    double progress = 0;       // 0..1, clamped
    QByteArray message;        // optional progress message (UTF-8)
    QByteArrayView result;     // raw JSON, points into the parsed line
    QByteArray error;          // UTF-8
};

// Parses one line from a worker. On failure returns false and says why in
// *problem (the line is then not a protocol message and goes to the log);
// message->id is then -1 unless read, and a result or error that lacks only
// its "id" still sets message->kind to Result or Error (an answer, though
// nobody can tell for which task: the caller decides).
bool parseWorkerLine(QByteArrayView line, WorkerMessage *message, QString *problem);

} // namespace Protocol
