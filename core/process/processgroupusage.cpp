#include "processgroupusage.h"

#include "procstat.h"

#include <QSet>

#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

namespace {

bool readUptimeTicks(long ticksPerSecond, quint64 *ticks)
{
    const int fd = ::open("/proc/uptime", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char buffer[128];
    const ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
    ::close(fd);
    if (n <= 0)
        return false;
    buffer[n] = '\0';
    *ticks = quint64(std::strtod(buffer, nullptr) * double(ticksPerSecond));
    return true;
}

} // namespace

ProcessGroupUsage::ProcessGroupUsage()
    : m_ticksPerSecond(qMax(1L, ::sysconf(_SC_CLK_TCK)))
    , m_pageSize(qMax(1L, ::sysconf(_SC_PAGESIZE)))
{
}

bool ProcessGroupUsage::isAvailable()
{
    return ::access("/proc/self/stat", R_OK) == 0;
}

QHash<qint64, GroupUsage> ProcessGroupUsage::sample(const QList<qint64> &groups)
{
    QHash<qint64, GroupUsage> usage;
    QHash<qint64, Times> current;
    QHash<qint64, quint64> leaderStart;
    quint64 nowTicks = 0;
    if (groups.isEmpty() || !readUptimeTicks(m_ticksPerSecond, &nowTicks)) {
        m_previous.clear();
        return usage;
    }
    const QSet<qint64> wanted(groups.cbegin(), groups.cend());

    ProcScan scan;
    for (ProcStat stat; scan.next(&stat);) {
        if (!wanted.contains(stat.pgrp))
            continue;
        GroupUsage &group = usage[stat.pgrp];
        group.rssBytes = qMax<qint64>(0, group.rssBytes) + stat.rssPages * m_pageSize;
        ++group.processes;
        current[stat.pgrp].cpuTicks += stat.cpuTicks();
        if (stat.pid == stat.pgrp)
            leaderStart.insert(stat.pgrp, stat.startTicks);
    }

    for (auto it = current.begin(); it != current.end(); ++it) {
        it->atTicks = nowTicks;
        Times before;
        const auto previous = m_previous.constFind(it.key());
        if (previous != m_previous.constEnd())
            before = *previous;
        else if (leaderStart.contains(it.key()))
            before.atTicks = leaderStart.value(it.key()); // new group: average since it started
        else
            continue;
        if (nowTicks < before.atTicks + quint64(qMax(1L, m_ticksPerSecond / 10))) {
            *it = before; // too short a span for a meaningful share: measure from the same start next time
            continue;
        }
        // A member that exited takes its ticks along: never report a negative share.
        const quint64 used = it->cpuTicks > before.cpuTicks ? it->cpuTicks - before.cpuTicks : 0;
        usage[it.key()].cpuPercent = 100.0 * double(used) / double(nowTicks - before.atTicks);
    }
    m_previous = std::move(current);
    return usage;
}
