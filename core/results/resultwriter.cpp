#include "resultwriter.h"

#include "json.h"
#include "sweep.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace {
constexpr qsizetype FlushThreshold = 256 * 1024;
constexpr qint64 WaitingOverhead = 96; // a map node and the line's allocation header
} // namespace

ResultWriter::ResultWriter(int fd, JobSpec::Mode mode, bool keepOrder, const QStringList &parameterNames)
    : m_fd(fd)
    , m_mode(mode)
    , m_keepOrder(keepOrder)
    , m_parameterNames(Sweep::jsonNames(parameterNames))
{
    m_buffer.reserve(FlushThreshold + 4096);
}

ResultWriter::~ResultWriter()
{
    flush();
}

int ResultWriter::openFile(const QString &path, QString *error, bool *noReader)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK, 0666);
    if (noReader)
        *noReader = fd < 0 && errno == ENXIO;
    if (fd < 0) {
        *error = errno == ENXIO ? QStringLiteral("cannot write %1: no one reads it").arg(path)
                                : QStringLiteral("cannot write %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return -1;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK); // the writer's thread may block: it is its own
    return fd;
}

void ResultWriter::appendJson(QByteArray &buffer, const TaskOutcome &o, JobSpec::Mode mode,
                              const QList<QByteArray> &parameterNames)
{
    Json::Writer out(buffer, 200 + o.input.size() + o.output.size() + o.result.size() + o.errorOutput.size());
    out.put("{\"id\":");
    Json::appendNumber(out, o.id);
    out.put(',');
    if (parameterNames.isEmpty())
        Json::appendInputMembers(out, o.input);
    else
        Sweep::appendInputAndParams(out, o.input, parameterNames);
    out.put(",\"status\":\"");
    out.put(taskStatusKey(o.status));
    out.put("\",\"exit_code\":");
    if (o.exitCode >= 0)
        Json::appendNumber(out, o.exitCode);
    else
        out.put("null");
    if (mode == JobSpec::Mode::PerTask) {
        out.put(",\"output\":");
        if (!Json::appendString(out, o.output))
            out.put(",\"output_lossy\":true"); // not UTF-8: invalid bytes became U+FFFD
    } else {
        out.put(",\"result\":");
        out.put(o.result.isEmpty() ? QByteArrayView("null") : QByteArrayView(o.result));
    }
    out.put(",\"error\":");
    if (o.error.isEmpty())
        out.put("null");
    else
        Json::appendText(out, o.error);
    if (!o.errorOutput.isEmpty()) {
        out.put(",\"stderr\":");
        Json::appendString(out, o.errorOutput);
    }
    if (o.outputTruncated)
        out.put(",\"truncated\":true");
    out.put(",\"attempts\":");
    Json::appendNumber(out, o.attempts);
    out.put(",\"worker\":");
    if (o.worker >= 0)
        Json::appendNumber(out, o.worker);
    else
        out.put("null");
    out.put(",\"host\":");
    if (o.host.isEmpty())
        out.put("null");
    else
        Json::appendText(out, o.host);
    out.put(",\"duration_ms\":");
    Json::appendNumber(out, o.durationMs);
    out.put("}\n");
}

namespace {
// RFC 4180: quote every field that needs it, double the quotes inside.
void appendCsvField(QByteArray &out, QByteArrayView text)
{
    const bool quote = text.contains(',') || text.contains('"') || text.contains('\n') || text.contains('\r')
        || (!text.isEmpty() && (text.front() == ' ' || text.back() == ' '));
    if (!quote) {
        out.append(text);
        return;
    }
    out.append('"');
    for (char c : text) {
        if (c == '"')
            out.append('"');
        out.append(c);
    }
    out.append('"');
}
} // namespace

void ResultWriter::appendCsvHeader(QByteArray &out, JobSpec::Mode mode, const QStringList &parameterNames)
{
    out.append("id,input,");
    for (const QString &name : parameterNames) {
        appendCsvField(out, name.toUtf8());
        out.append(',');
    }
    out.append(mode == JobSpec::Mode::PerTask
                   ? "status,exit_code,output,error,stderr,truncated,attempts,worker,duration_ms,host\r\n"
                   : "status,exit_code,result,error,stderr,truncated,attempts,worker,duration_ms,host\r\n");
}

void ResultWriter::appendCsv(QByteArray &out, const TaskOutcome &o, JobSpec::Mode mode, int parameterCount)
{
    Json::appendNumber(out, o.id);
    out.append(',');
    if (parameterCount == 0) {
        appendCsvField(out, o.input);
        out.append(',');
    } else {
        appendCsvField(out, Sweep::displayInput(o.input));
        out.append(',');
        const QList<QByteArray> values = Sweep::splitTuple(o.input);
        for (int i = 0; i < parameterCount; ++i) {
            appendCsvField(out, values.value(i));
            out.append(',');
        }
    }
    out.append(taskStatusName(o.status).toLatin1());
    out.append(',');
    if (o.exitCode >= 0)
        Json::appendNumber(out, o.exitCode);
    out.append(',');
    appendCsvField(out, mode == JobSpec::Mode::PerTask ? QByteArrayView(o.output) : QByteArrayView(o.result));
    out.append(',');
    appendCsvField(out, o.error.toUtf8());
    out.append(',');
    appendCsvField(out, o.errorOutput);
    out.append(o.outputTruncated ? ",true," : ",false,");
    Json::appendNumber(out, o.attempts);
    out.append(',');
    if (o.worker >= 0)
        Json::appendNumber(out, o.worker);
    out.append(',');
    Json::appendNumber(out, o.durationMs);
    out.append(',');
    appendCsvField(out, o.host.toUtf8());
    out.append("\r\n");
}

void ResultWriter::write(const TaskOutcome &outcome)
{
    if (!m_keepOrder) {
        append(outcome);
        return;
    }
    if (outcome.id != m_nextId) {
        QByteArray line;
        appendJson(line, outcome, m_mode, m_parameterNames);
        line.squeeze(); // it may wait long: keep only its bytes
        m_waitingBytes += line.capacity() + WaitingOverhead;
        m_waiting.emplace(outcome.id, std::move(line));
        return;
    }
    append(outcome);
    ++m_nextId;
    for (auto it = m_waiting.begin(); it != m_waiting.end() && it->first == m_nextId; it = m_waiting.erase(it)) {
        m_buffer.append(it->second);
        m_waitingBytes -= it->second.capacity() + WaitingOverhead;
        ++m_nextId;
        ++m_written;
    }
    if (m_buffer.size() >= FlushThreshold)
        flush();
}

void ResultWriter::append(const TaskOutcome &outcome)
{
    appendJson(m_buffer, outcome, m_mode, m_parameterNames);
    ++m_written;
    if (m_buffer.size() >= FlushThreshold)
        flush();
}

bool ResultWriter::finish()
{
    // Gaps can only remain if the input was abandoned mid-way; keep what we have.
    for (auto &entry : m_waiting) {
        m_buffer.append(entry.second);
        ++m_written;
    }
    m_waiting.clear();
    m_waitingBytes = 0;
    return flush();
}

bool ResultWriter::flush()
{
    if (m_buffer.isEmpty())
        return m_error.isEmpty();
    const char *p = m_buffer.constData();
    qsizetype left = m_buffer.size();
    while (left > 0 && m_error.isEmpty()) {
        const ssize_t n = ::write(m_fd, p, size_t(left));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            m_brokenPipe = errno == EPIPE;
            m_error = QStringLiteral("cannot write results: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
            break;
        }
        p += n;
        left -= n;
    }
    m_buffer.clear();
    return m_error.isEmpty();
}
