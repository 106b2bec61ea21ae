#include "logview.h"

#include <QFontDatabase>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QTime>
#include <QVBoxLayout>

LogView::LogView(QWidget *parent)
    : QWidget(parent)
    , m_text(new QPlainTextEdit(this))
    , m_droppedNote(new QLabel(this))
{
    m_text->setObjectName(QStringLiteral("logText"));
    m_text->setReadOnly(true);
    m_text->setMaximumBlockCount(MaxLines);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setAccessibleName(QStringLiteral("Log"));
    m_text->setToolTip(QStringLiteral("Worker stderr and pool messages; the newest %1 lines are kept").arg(MaxLines));
    m_text->setPlaceholderText(QStringLiteral("Worker stderr, protocol errors and pool messages appear here."));

    m_droppedNote->setObjectName(QStringLiteral("logDroppedNote"));
    m_droppedNote->setAccessibleName(QStringLiteral("Dropped log lines"));
    m_droppedNote->setVisible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_droppedNote);
    layout->addWidget(m_text);

    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(100);
    connect(&m_flushTimer, &QTimer::timeout, this, &LogView::flush);
}

void LogView::appendLine(int slot, const QString &line)
{
    const QString source = slot >= 0 ? QStringLiteral("worker %1").arg(slot) : QStringLiteral("pool");
    appendMessage(source + QStringLiteral(": ") + line);
}

void LogView::appendMessage(const QString &line)
{
    m_pending.append(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")) + QLatin1Char(' ') + line);
    // A flood between two flushes is dropped here already, not after rendering.
    if (m_pending.size() > MaxLines) {
        m_pending.removeFirst();
        ++m_dropped;
    }
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void LogView::flush()
{
    m_flushTimer.stop();
    if (m_pending.isEmpty())
        return;
    const int count = int(m_pending.size());
    m_text->appendPlainText(m_pending.join(QLatin1Char('\n')));
    m_pending.clear();
    const int overflow = m_shown + count - MaxLines;
    if (overflow > 0)
        m_dropped += overflow; // the text view already let the oldest lines go
    m_shown = qMin(MaxLines, m_shown + count);
    updateDroppedNote();
    Q_EMIT linesAdded(count);
}

void LogView::clear()
{
    m_flushTimer.stop();
    m_pending.clear();
    m_text->clear();
    m_shown = 0;
    m_dropped = 0;
    updateDroppedNote();
}

void LogView::updateDroppedNote()
{
    m_droppedNote->setVisible(m_dropped > 0);
    if (m_dropped > 0)
        m_droppedNote->setText(QStringLiteral("%1 older lines were dropped; the newest %2 are shown.")
                                   .arg(QLocale().toString(m_dropped))
                                   .arg(QLocale().toString(MaxLines)));
}
