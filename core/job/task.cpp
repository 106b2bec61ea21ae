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
