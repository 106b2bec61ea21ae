#pragma once

#include <QObject>
#include <QString>

#include <cstdio>

class QTimer;
class TaskPool;

// The `--progress` display on stderr: a live bar with counts, throughput and ETA,
// redrawn ten times a second on a terminal (a plain line every few seconds when
// stderr is a file), ending in what holds tasks back when something does
// ("waiting for memory: 1.2 GiB free, needs 2 GiB"). Log lines are printed
// above it without tearing.
class TerminalProgress : public QObject
{
    Q_OBJECT
public:
    TerminalProgress(const TaskPool *pool, bool enabled, QObject *parent = nullptr);

    void printLine(const QString &line); // a log line, above the bar
    // Whole lines, each ending in '\n', to stdout or stderr: above the bar
    // even when both streams are the same terminal.
    void printLines(std::FILE *stream, QByteArrayView lines);
    void finish();                       // final redraw and newline

    static QString formatDuration(double seconds);

private:
    void redraw();
    QString statusLine(int width) const;
    void clearBar();

    const TaskPool *m_pool;
    QTimer *m_timer = nullptr;
    bool m_enabled;
    bool m_isTerminal;
    bool m_barShown = false;
    qint64 m_lastPlainMs = -1;
};
