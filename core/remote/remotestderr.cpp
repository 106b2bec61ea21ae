#include "remotestderr.h"

namespace {
constexpr qsizetype LauncherLineMax = 4096;
} // namespace

void RemoteStderr::reset(const QByteArray &token)
{
    m_state = State::Connecting;
    m_token = token;
    m_pending.clear();
    m_lastLauncherLine.clear();
    m_exitStatus = -1;
}

void RemoteStderr::launcherLineDone(QByteArrayView line, const LineSink &launcherLine)
{
    while (!line.isEmpty() && (line.back() == '\r' || line.back() == '\n'))
        line.chop(1);
    if (line.trimmed().isEmpty())
        return;
    m_lastLauncherLine = QString::fromUtf8(line.first(qMin(line.size(), LauncherLineMax)));
    if (launcherLine)
        launcherLine(m_lastLauncherLine);
}

void RemoteStderr::feed(QByteArrayView data, const LineSink &launcherLine, const DataSink &commandData)
{
    if (data.isEmpty() || m_state == State::Exited)
        return;
    if (m_state == State::Up) {
        feedUp(data, commandData);
        return;
    }
    m_pending.append(data);
    const QByteArray upLine = m_token + " up";
    qsizetype start = 0;
    for (;;) {
        const qsizetype nl = m_pending.indexOf('\n', start);
        if (nl < 0)
            break;
        QByteArrayView line = QByteArrayView(m_pending).sliced(start, nl - start);
        if (line.endsWith('\r'))
            line.chop(1);
        if (line == upLine) {
            m_state = State::Up;
            const QByteArray rest = m_pending.mid(nl + 1);
            m_pending.clear();
            feedUp(rest, commandData);
            return;
        }
        launcherLineDone(line, launcherLine);
        start = nl + 1;
    }
    m_pending.remove(0, start);
    if (m_pending.size() > LauncherLineMax) { // a launcher that never ends its line
        launcherLineDone(m_pending, launcherLine);
        m_pending.clear();
    }
}

void RemoteStderr::feedUp(QByteArrayView data, const DataSink &commandData)
{
    if (data.isEmpty() && m_pending.isEmpty())
        return;
    QByteArray buffer = m_pending + data.toByteArray();
    m_pending.clear();
    const qsizetype at = buffer.indexOf(m_token);
    if (at >= 0) {
        if (at > 0 && commandData)
            commandData(QByteArrayView(buffer).first(at));
        const qsizetype nl = buffer.indexOf('\n', at);
        if (nl < 0) {
            m_pending = buffer.mid(at); // the closing line is still arriving
            return;
        }
        const QByteArray line = buffer.mid(at + m_token.size(), nl - at - m_token.size()).trimmed();
        bool ok = false;
        const int status = line.startsWith("exit ") ? line.mid(5).toInt(&ok) : -1;
        if (ok) {
            m_state = State::Exited;
            m_exitStatus = status;
            return;
        }
        // Not the guard's line after all: pass it on as the command's own.
        if (commandData)
            commandData(QByteArrayView(buffer).sliced(at, nl + 1 - at));
        feedUp(QByteArrayView(buffer).sliced(nl + 1), commandData);
        return;
    }
    // Hold back only a tail that could be the start of the token, so the
    // command's lines are not delayed.
    qsizetype hold = qMin(buffer.size(), m_token.size() - 1);
    while (hold > 0 && !QByteArrayView(m_token).startsWith(QByteArrayView(buffer).last(hold)))
        --hold;
    if (buffer.size() > hold && commandData)
        commandData(QByteArrayView(buffer).first(buffer.size() - hold));
    m_pending = buffer.last(hold);
}

void RemoteStderr::finish(const LineSink &launcherLine, const DataSink &commandData)
{
    if (m_state == State::Connecting) {
        if (!m_pending.isEmpty())
            launcherLineDone(m_pending, launcherLine);
    } else if (m_state == State::Up && !m_pending.isEmpty() && commandData) {
        commandData(m_pending);
    }
    m_pending.clear();
}
