#include "terminalprogress.h"

#include "clock.h"
#include "taskpool.h"

#include <QTimer>

#include <cstdio>
#include <sys/ioctl.h>
#include <unistd.h>

namespace {
int terminalWidth()
{
    struct winsize ws;
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
        return ws.ws_col;
    return 100;
}

void writeStderr(const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    std::fflush(stderr);
}
} // namespace

TerminalProgress::TerminalProgress(const TaskPool *pool, bool enabled, QObject *parent)
    : QObject(parent)
    , m_pool(pool)
    , m_enabled(enabled)
    , m_isTerminal(::isatty(STDERR_FILENO))
{
    if (!m_enabled)
        return;
    m_timer = new QTimer(this);
    m_timer->setInterval(100);
    connect(m_timer, &QTimer::timeout, this, &TerminalProgress::redraw);
    m_timer->start();
}

QString TerminalProgress::formatDuration(double seconds)
{
    if (seconds < 0)
        return QStringLiteral("--:--");
    const qint64 s = qint64(seconds + 0.5);
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3").arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QString TerminalProgress::statusLine(int width) const
{
    const PoolStats s = m_pool->stats();
    const qint64 done = s.finished();
    QString counts = QStringLiteral(" %1/%2").arg(done).arg(s.total >= 0 ? QString::number(s.total) : QStringLiteral("?"));
    counts += QStringLiteral(" | ok %1").arg(s.ok);
    if (s.failures() > 0)
        counts += QStringLiteral(" failed %1").arg(s.failures());
    if (s.cancelled > 0)
        counts += QStringLiteral(" cancelled %1").arg(s.cancelled);
    counts += QStringLiteral(" | %1 running | %2/s | ETA %3")
                  .arg(s.running)
                  .arg(s.tasksPerSecond, 0, 'f', s.tasksPerSecond < 100 ? 1 : 0)
                  .arg(formatDuration(s.etaSeconds));
    // What holds tasks back (--memfree, --load, --delay) goes last: the bar
    // keeps its width, and a narrow terminal cuts the note, not the counts.
    const QString note = s.waiting.isEmpty() ? QString() : QStringLiteral(" | ") + s.waiting;
    if (s.total <= 0)
        return counts.trimmed() + note;
    const double fraction = qBound(0.0, double(done) / double(s.total), 1.0);
    const QString percent = QStringLiteral("%1%").arg(int(fraction * 100), 3);
    const int barWidth = qBound(10, width - int(counts.size()) - int(percent.size()) - 4, 40);
    const int filled = int(fraction * barWidth);
    QString bar = QStringLiteral("[") + QString(filled, QChar(0x2588)) + QString(barWidth - filled, QChar(0x2591))
        + QStringLiteral("] ") + percent;
    return bar + counts + note;
}

void TerminalProgress::clearBar()
{
    if (m_barShown && m_isTerminal)
        writeStderr("\r\033[K");
    m_barShown = false;
}

void TerminalProgress::redraw()
{
    if (m_isTerminal) {
        const int width = terminalWidth();
        QString line = statusLine(width);
        if (line.size() >= width)
            line.truncate(width - 1);
        writeStderr("\r\033[K" + line.toUtf8());
        m_barShown = true;
        return;
    }
    const qint64 now = monotonicMs();
    if (m_lastPlainMs < 0 || now - m_lastPlainMs >= 2000) {
        m_lastPlainMs = now;
        writeStderr(statusLine(100).toUtf8() + '\n');
    }
}

void TerminalProgress::printLine(const QString &line)
{
    printLines(stderr, QByteArray(line.toUtf8() + '\n'));
}

void TerminalProgress::printLines(std::FILE *stream, QByteArrayView lines)
{
    clearBar();
    std::fwrite(lines.data(), 1, size_t(lines.size()), stream);
    std::fflush(stream);
    if (m_enabled && m_isTerminal)
        redraw();
}

void TerminalProgress::finish()
{
    if (!m_enabled)
        return;
    m_timer->stop();
    if (m_isTerminal) {
        redraw();
        writeStderr("\n");
        m_barShown = false;
    } else {
        writeStderr(statusLine(100).toUtf8() + '\n');
    }
}
