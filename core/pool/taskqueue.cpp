#include "taskqueue.h"

#include "inputsource.h"

TaskQueue::TaskQueue(InputSource *source)
    : m_source(source)
{
}

TaskQueue::Take TaskQueue::take(Task *task)
{
    if (!m_retries.empty()) {
        *task = std::move(m_retries.front());
        m_retries.pop_front();
        return Take::Task;
    }
    if (m_inputEnded)
        return Take::End;
    if (m_freshHeld)
        return Take::Wait;
    switch (m_source->next(&task->input)) {
    case InputSource::Fetch::Item:
        task->id = m_nextId++;
        task->attempts = 0;
        return Take::Task;
    case InputSource::Fetch::Wait:
        return Take::Wait;
    case InputSource::Fetch::End:
        m_inputEnded = true;
        return Take::End;
    }
    return Take::End;
}

void TaskQueue::requeue(Task task)
{
    m_retries.push_back(std::move(task));
}

void TaskQueue::requeueFront(Task task)
{
    m_retries.push_front(std::move(task));
}

qint64 TaskQueue::remaining() const
{
    const qint64 total = m_source->total();
    if (m_inputEnded)
        return qint64(m_retries.size());
    if (total < 0)
        return -1;
    return total - m_nextId + qint64(m_retries.size());
}
