#include "task.h"

namespace {
constexpr QByteArrayView statusNames[TaskStatusCount] = {"pending", "running", "ok",      "failed",
                                                         "timeout", "crashed", "stalled", "cancelled"};
}

QString taskStatusName(TaskStatus status)
{
    return QString::fromLatin1(statusNames[static_cast<int>(status)]);
}

QByteArrayView taskStatusKey(TaskStatus status)
{
    return statusNames[static_cast<int>(status)];
}

bool taskStatusFromName(const QString &name, TaskStatus *status)
{
    for (int i = 0; i < int(std::size(statusNames)); ++i) {
        if (name == QLatin1String(statusNames[i])) {
            *status = static_cast<TaskStatus>(i);
            return true;
        }
    }
    return false;
}

qint64 TaskCounts::count(TaskStatus status) const
{
    switch (status) {
    case TaskStatus::Ok: return ok;
    case TaskStatus::Failed: return failed;
    case TaskStatus::Timeout: return timedOut;
    case TaskStatus::Crashed: return crashed;
    case TaskStatus::Stalled: return stalled;
    case TaskStatus::Cancelled: return cancelled;
    case TaskStatus::Pending:
    case TaskStatus::Running: break;
    }
    return 0;
}

void TaskCounts::add(TaskStatus status, qint64 n)
{
    switch (status) {
    case TaskStatus::Ok: ok += n; break;
    case TaskStatus::Failed: failed += n; break;
    case TaskStatus::Timeout: timedOut += n; break;
    case TaskStatus::Crashed: crashed += n; break;
    case TaskStatus::Stalled: stalled += n; break;
    case TaskStatus::Cancelled: cancelled += n; break;
    case TaskStatus::Pending:
    case TaskStatus::Running: break;
    }
}

#include "clock.h"

#include <QElapsedTimer>

qint64 monotonicMs()
{
    static const QElapsedTimer clock = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return clock.elapsed();
}
