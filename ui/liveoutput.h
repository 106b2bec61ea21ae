#pragma once

#include "outputtail.h"

#include <QObject>
#include <QTimer>

#include <map>

// The live output of the run the window shows: one OutputTail per slot (the
// newest 64 KB each), fed a chunk at a time. RunController feeds it from
// TaskPool::taskOutput(); a run watched through its monitor socket is fed
// the same chunks through append(). Views are told of new output at most
// NotifyIntervalMs apart, however fast it comes.
class LiveOutput : public QObject
{
    Q_OBJECT
public:
    static constexpr int NotifyIntervalMs = 100;

    explicit LiveOutput(QObject *parent = nullptr);

    void append(int slot, qint64 taskId, OutputStream stream, QByteArrayView bytes);
    void clear(); // a new run: every slot's output goes

    const OutputTail *tail(int slot) const; // null: no output from that slot yet
    // Changes with clear(): what a view showed before is no longer there.
    quint64 generation() const { return m_generation; }

Q_SIGNALS:
    void changed();

private:
    std::map<int, OutputTail> m_tails;
    QTimer m_notify;
    quint64 m_generation = 0;
};
