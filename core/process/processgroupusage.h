#pragma once

#include <QHash>
#include <QList>
#include <QtGlobal>

// CPU and memory of whole process groups, read from /proc. Every worker leads
// its own group, so a group is the worker's whole tree, grandchildren included.
struct GroupUsage
{
    double cpuPercent = -1; // of one core; -1 while unknown
    qint64 rssBytes = -1;   // resident memory summed over the group; -1 while unknown
    int processes = 0;
};

class ProcessGroupUsage
{
public:
    ProcessGroupUsage();

    // One pass over /proc. CPU % is measured since the previous sample of the
    // same group, or since its leader started for a group seen the first time.
    QHash<qint64, GroupUsage> sample(const QList<qint64> &groups);

    static bool isAvailable();

private:
    struct Times
    {
        quint64 cpuTicks = 0;   // user + system, including reaped children
        quint64 atTicks = 0;    // clock ticks since boot
    };

    QHash<qint64, Times> m_previous;
    long m_ticksPerSecond;
    long m_pageSize;
};
