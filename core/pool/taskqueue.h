#pragma once

#include "task.h"

#include <QtGlobal>

#include <deque>

class InputSource;

// Pending tasks in FIFO order: tasks handed back for another attempt come first,
// then fresh ones pulled lazily from the input source (ids = input positions).
class TaskQueue
{
public:
    explicit TaskQueue(InputSource *source);

    enum class Take { Task, Wait, End };
    Take take(Task *task);
    void requeue(Task task);           // back of the retry line
    void requeueFront(Task task);      // a task that never started keeps its place
    // Held: take() gives only tasks handed back, and Wait instead of fresh ones.
    void holdFresh(bool held) { m_freshHeld = held; }
    bool freshHeld() const { return m_freshHeld; }

    qint64 issued() const { return m_nextId; }     // tasks read from the input so far
    qsizetype retryCount() const { return qsizetype(m_retries.size()); }
    // Tasks not yet handed out, or -1 if the input's size is unknown.
    qint64 remaining() const;
    bool inputExhausted() const { return m_inputEnded; }
    InputSource *source() const { return m_source; }

private:
    InputSource *m_source;
    std::deque<Task> m_retries;
    qint64 m_nextId = 0;
    bool m_inputEnded = false;
    bool m_freshHeld = false;
};
