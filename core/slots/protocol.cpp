#include "protocol.h"

#include "json.h"
#include "sweep.h"

namespace Protocol {

void appendTaskLine(QByteArray &buffer, qint64 id, QByteArrayView input, const QList<QByteArray> &parameterNames)
{
    Json::Writer out(buffer, 32 + input.size());
    out.put("{\"id\":");
    Json::appendNumber(out, id);
    out.put(',');
    if (parameterNames.isEmpty())
        Json::appendInputMembers(out, input);
    else
        Sweep::appendInputAndParams(out, input, parameterNames);
    out.put("}\n");
}

bool parseWorkerLine(QByteArrayView line, WorkerMessage *message, QString *problem)
{
    Json::Reader reader(line);
    message->kind = WorkerMessage::Kind::Progress;
    message->id = -1;
    if (!reader.consume('{')) {
        *problem = QStringLiteral("not a JSON object");
        return false;
    }
    bool hasId = false, hasProgress = false, hasResult = false, hasError = false, hasReady = false;
    message->message.clear();
    message->error.clear();
    message->result = {};
    QByteArray key;
    if (!reader.consume('}')) {
        for (;;) {
            if (!reader.readString(&key) || !reader.consume(':')) {
                *problem = QStringLiteral("malformed JSON");
                return false;
            }
            bool ok = true;
            if (key == "id") {
                ok = reader.readInteger(&message->id);
                if (!ok) {
                    *problem = QStringLiteral("\"id\" must be an integer");
                    return false;
                }
                hasId = true;
            } else if (key == "progress") {
                double p;
                ok = reader.readNumber(&p);
                if (!ok) {
                    *problem = QStringLiteral("\"progress\" must be a number");
                    return false;
                }
                message->progress = p < 0 ? 0 : (p > 1 ? 1 : p);
                hasProgress = true;
            } else if (key == "message") {
                if (reader.peek() == '"')
                    ok = reader.readString(&message->message);
                else
                    ok = reader.skipValue();
            } else if (key == "result") {
                ok = reader.skipValue(&message->result);
                hasResult = true;
            } else if (key == "error") {
                if (reader.peek() == '"') {
                    ok = reader.readString(&message->error);
                } else {
                    QByteArrayView raw;
                    ok = reader.skipValue(&raw);
                    message->error = raw.toByteArray();
                }
                hasError = true;
            } else if (key == "ready") {
                ok = reader.skipValue();
                hasReady = true;
            } else {
                ok = reader.skipValue(); // unknown keys are allowed, for forward compatibility
            }
            if (!ok) {
                *problem = QStringLiteral("malformed JSON");
                return false;
            }
            if (reader.consume('}'))
                break;
            if (!reader.consume(',')) {
                *problem = QStringLiteral("malformed JSON");
                return false;
            }
        }
    }
    if (!reader.atEnd()) {
        *problem = QStringLiteral("trailing text after the JSON object");
        return false;
    }
    if (!hasId && hasReady && !hasProgress && !hasResult && !hasError) {
        message->kind = WorkerMessage::Kind::Ready;
        message->id = -1;
        return true;
    }
    if (!hasId) {
        *problem = QStringLiteral("missing \"id\"");
        if (hasResult != hasError)
            message->kind = hasResult ? WorkerMessage::Kind::Result : WorkerMessage::Kind::Error;
        return false;
    }
    if (hasResult && hasError) {
        *problem = QStringLiteral("has both \"result\" and \"error\"");
        return false;
    }
    if (hasResult)
        message->kind = WorkerMessage::Kind::Result;
    else if (hasError)
        message->kind = WorkerMessage::Kind::Error;
    else if (hasProgress)
        message->kind = WorkerMessage::Kind::Progress;
    else {
        *problem = QStringLiteral("needs one of \"progress\", \"result\" or \"error\"");
        return false;
    }
    return true;
}

} // namespace Protocol
