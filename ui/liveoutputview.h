#pragma once

#include "outputstream.h"

#include <QWidget>

class LiveOutput;
class OutputTail;
class QAbstractItemModel;
class QLabel;
class QPlainTextEdit;
class QTextCursor;

// The Live output tab: what one worker slot writes, as it writes it, under a
// header naming the worker, its task and the task's input. stderr shows in
// red; a line marks where a task's output begins. It follows the newest line
// unless the user scrolled up, and follows again once back at the bottom.
// Only what is new since the last refresh is added to the text, so a
// refresh costs the new bytes, not the whole tail.
class LiveOutputView : public QWidget
{
    Q_OBJECT
public:
    // workers: WorkerTableModel (rows by SlotRole, with TaskIdRole), for the header.
    LiveOutputView(const LiveOutput *output, const QAbstractItemModel *workers, QWidget *parent = nullptr);

    void setSlot(int slot); // -1: none
    int slot() const { return m_slot; }
    bool isFollowing() const; // showing the newest line
    QPlainTextEdit *textView() const { return m_text; }
    QLabel *header() const { return m_header; }

protected:
    void showEvent(QShowEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void refresh();
    void updateHeader();
    void render(const OutputTail &tail);
    void appendFrom(const OutputTail &tail, qint64 position);
    void insertPiece(QTextCursor &cursor, qint64 taskId, OutputStream stream, QByteArrayView bytes);
    void forget();

    const LiveOutput *m_output;
    const QAbstractItemModel *m_workers;
    QLabel *m_header;
    QPlainTextEdit *m_text;
    int m_slot = -1;
    // What the text shows: the tail's bytes [m_shownBegin, m_shownEnd) of this generation.
    quint64 m_shownGeneration = 0;
    qint64 m_shownBegin = 0;
    qint64 m_shownEnd = 0;
    qint64 m_lastTaskId = -2; // of the last piece shown; -2: none yet
    bool m_atLineStart = true;
};
