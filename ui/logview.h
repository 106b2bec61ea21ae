#pragma once

#include <QStringList>
#include <QTimer>
#include <QWidget>

class QLabel;
class QPlainTextEdit;

// Worker stderr and pool messages. Lines are appended in batches; only the
// newest MaxLines are kept, and a note says how many older ones were dropped.
class LogView : public QWidget
{
    Q_OBJECT
public:
    static constexpr int MaxLines = 5000;

    explicit LogView(QWidget *parent = nullptr);

    void appendLine(int slot, const QString &line); // slot -1: the pool itself
    void appendMessage(const QString &line);
    void clear();
    void flush();

    qint64 droppedLines() const { return m_dropped; }
    QPlainTextEdit *textView() const { return m_text; }

Q_SIGNALS:
    void linesAdded(int count);

private:
    void updateDroppedNote();

    QPlainTextEdit *m_text;
    QLabel *m_droppedNote;
    QStringList m_pending;
    QTimer m_flushTimer;
    qint64 m_dropped = 0;
    int m_shown = 0;
};
