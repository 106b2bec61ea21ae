#include "liveoutputview.h"

#include "displayformat.h"
#include "liveoutput.h"
#include "theme.h"
#include "workertablemodel.h"

#include <QAbstractItemModel>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTextCursor>
#include <QVBoxLayout>

namespace {
// The text holds at most this many tails' worth before it is drawn afresh from the tail.
constexpr int ShownTailsMax = 2;

QTextCharFormat stderrFormat(const QPalette &palette)
{
    QTextCharFormat format;
    format.setForeground(Theme::errorColor(palette)); // the red of failures
    return format;
}

QTextCharFormat separatorFormat(const QPalette &palette)
{
    QTextCharFormat format;
    format.setForeground(palette.color(QPalette::PlaceholderText));
    format.setFontItalic(true);
    return format;
}
} // namespace

LiveOutputView::LiveOutputView(const LiveOutput *output, const QAbstractItemModel *workers, QWidget *parent)
    : QWidget(parent)
    , m_output(output)
    , m_workers(workers)
    , m_header(new QLabel(this))
    , m_text(new QPlainTextEdit(this))
{
    m_header->setObjectName(QStringLiteral("liveOutputHeader"));
    m_header->setAccessibleName(QStringLiteral("Live output source"));
    m_header->setTextFormat(Qt::PlainText);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_text->setObjectName(QStringLiteral("liveOutputText"));
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setAccessibleName(QStringLiteral("Live output"));
    m_text->setAccessibleDescription(
        QStringLiteral("The selected worker's output as it is written: stdout, and stderr in red"));
    m_text->setToolTip(QStringLiteral("The newest %1 of the worker's output; scroll up to stop following it")
                           .arg(DisplayFormat::bytes(OutputTail::DefaultCapacity)));
    m_text->setPlaceholderText(QStringLiteral("Select a worker in the Workers table to see its output as it is written."));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addWidget(m_header);
    layout->addWidget(m_text);

    connect(m_output, &LiveOutput::changed, this, &LiveOutputView::refresh);
    connect(m_workers, &QAbstractItemModel::modelReset, this, &LiveOutputView::updateHeader);
    connect(m_workers, &QAbstractItemModel::dataChanged, this, &LiveOutputView::updateHeader);
    connect(m_workers, &QAbstractItemModel::rowsInserted, this, &LiveOutputView::updateHeader);
    connect(m_workers, &QAbstractItemModel::rowsRemoved, this, &LiveOutputView::updateHeader);
    updateHeader();
}

void LiveOutputView::setSlot(int slot)
{
    if (slot == m_slot)
        return;
    m_slot = slot;
    forget();
    updateHeader();
    refresh();
}

bool LiveOutputView::isFollowing() const
{
    const QScrollBar *bar = m_text->verticalScrollBar();
    return bar->value() >= bar->maximum();
}

void LiveOutputView::forget()
{
    m_text->clear();
    m_shownGeneration = m_output->generation();
    m_shownBegin = m_shownEnd = 0;
    m_lastTaskId = -2;
    m_atLineStart = true;
}

void LiveOutputView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh(); // what came while hidden
}

void LiveOutputView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_shownEnd > 0) {
        // The text's colours were fixed when it was added: drawn afresh in the new ones.
        forget();
        refresh();
    }
}

void LiveOutputView::refresh()
{
    if (!isVisible())
        return; // a hidden tab costs nothing; showEvent() catches up
    const OutputTail *tail = m_slot >= 0 ? m_output->tail(m_slot) : nullptr;
    if (m_shownGeneration != m_output->generation() || !tail) {
        if (m_shownEnd > 0 || m_shownGeneration != m_output->generation())
            forget(); // a new run
        if (!tail) {
            updateHeader();
            return;
        }
    }
    if (tail->endPosition() == m_shownEnd) {
        updateHeader(); // the dropped count may have changed
        return;
    }
    const bool follow = isFollowing();
    QScrollBar *bar = m_text->verticalScrollBar();
    const int scrolledTo = bar->value();
    // Drawn afresh when bytes were dropped before they were shown, or the text grew too long.
    if (tail->beginPosition() > m_shownEnd || tail->endPosition() - m_shownBegin > ShownTailsMax * tail->capacity())
        render(*tail);
    else
        appendFrom(*tail, m_shownEnd);
    bar->setValue(follow ? bar->maximum() : scrolledTo);
    updateHeader();
}

void LiveOutputView::render(const OutputTail &tail)
{
    m_text->clear();
    m_lastTaskId = -2;
    m_atLineStart = true;
    m_shownBegin = tail.beginPosition();
    appendFrom(tail, m_shownBegin);
}

void LiveOutputView::appendFrom(const OutputTail &tail, qint64 position)
{
    QTextCursor cursor(m_text->document());
    cursor.movePosition(QTextCursor::End);
    cursor.beginEditBlock();
    tail.forEachPiece(position, [&](qint64 taskId, OutputStream stream, QByteArrayView bytes) {
        insertPiece(cursor, taskId, stream, bytes);
    });
    cursor.endEditBlock();
    m_shownEnd = tail.endPosition();
}

void LiveOutputView::insertPiece(QTextCursor &cursor, qint64 taskId, OutputStream stream, QByteArrayView bytes)
{
    if (taskId != m_lastTaskId) {
        const QString title = taskId >= 0 ? QStringLiteral("── task %1 ──").arg(taskId)
                                          : QStringLiteral("── between tasks ──");
        if (!m_atLineStart)
            cursor.insertText(QStringLiteral("\n"));
        if (!cursor.atStart())
            cursor.insertText(QStringLiteral("\n"));
        cursor.insertText(title + QLatin1Char('\n'), separatorFormat(palette()));
        m_lastTaskId = taskId;
    }
    cursor.insertText(QString::fromUtf8(bytes),
                      stream == OutputStream::Stderr ? stderrFormat(palette()) : QTextCharFormat());
    m_atLineStart = bytes.endsWith('\n');
}

void LiveOutputView::updateHeader()
{
    if (m_slot < 0) {
        m_header->setText(QStringLiteral("No worker selected: select one in the Workers table."));
        return;
    }
    QString text = QStringLiteral("Worker %1").arg(m_slot);
    for (int row = 0; row < m_workers->rowCount(); ++row) {
        const QModelIndex slotIndex = m_workers->index(row, WorkerTableModel::SlotColumn);
        if (slotIndex.data(WorkerTableModel::SlotRole).toInt() != m_slot)
            continue;
        const qint64 taskId = slotIndex.data(WorkerTableModel::TaskIdRole).toLongLong();
        const QString state = m_workers->index(row, WorkerTableModel::StateColumn).data().toString();
        if (taskId >= 0) {
            const QString input = m_workers->index(row, WorkerTableModel::TaskColumn).data().toString();
            text += QStringLiteral(" · task %1 · input: %2").arg(taskId).arg(input);
        } else if (!state.isEmpty()) {
            text += QStringLiteral(" · ") + state;
        }
        break;
    }
    const OutputTail *tail = m_output->tail(m_slot);
    if (tail && tail->droppedBytes() > 0)
        text += QStringLiteral(" · the newest %1 kept, %2 earlier dropped")
                    .arg(DisplayFormat::bytes(tail->capacity()), DisplayFormat::bytes(tail->droppedBytes()));
    text += QStringLiteral(" · stderr in red");
    if (m_header->text() != text)
        m_header->setText(text);
}
