#include "processgroupusage.h"

#include <QSet>

#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

namespace {

struct ProcStat
{
    qint64 pid = 0;
    qint64 pgrp = 0;
    quint64 cpuTicks = 0;
    quint64 startTicks = 0;
    qint64 rssPages = 0;
};

// Reads a small /proc file with plain syscalls: QFile would cost more than the
// parsing for the hundreds of files a pass reads.
qsizetype readSmallFile(const char *path, char *buffer, qsizetype size)
{
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    const ssize_t n = ::read(fd, buffer, size_t(size - 1));
    ::close(fd);
    if (n <= 0)
        return -1;
    buffer[n] = '\0';
    return n;
}

bool readProcStat(qint64 pid, ProcStat *stat)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(pid));
    char buffer[1024];
    if (readSmallFile(path, buffer, sizeof buffer) < 0)
        return false;
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const char *p = std::strrchr(buffer, ')');
    if (!p)
        return false;
    p += 2;
    // Field numbers as in proc(5): 3 is the state, which we skip.
    unsigned long long fields[25] = {};
    for (int field = 3; field <= 24 && *p; ++field) {
        if (field > 3) {
            char *end = nullptr;
            fields[field] = std::strtoull(p, &end, 10);
            if (end == p)
                return false;
            p = end;
        } else {
            while (*p && *p != ' ')
                ++p;
        }
        while (*p == ' ')
            ++p;
    }
    stat->pid = pid;
    stat->pgrp = qint64(fields[5]);
    stat->cpuTicks = fields[14] + fields[15] + fields[16] + fields[17];
    stat->startTicks = fields[22];
    stat->rssPages = qint64(fields[24]);
    return true;
}

bool readUptimeTicks(long ticksPerSecond, quint64 *ticks)
{
    char buffer[128];
    if (readSmallFile("/proc/uptime", buffer, sizeof buffer) < 0)
        return false;
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

    DIR *dir = ::opendir("/proc");
    if (!dir)
        return usage;
    while (const dirent *entry = ::readdir(dir)) {
        if (entry->d_name[0] < '1' || entry->d_name[0] > '9')
            continue;
        ProcStat stat;
        if (!readProcStat(std::strtoll(entry->d_name, nullptr, 10), &stat) || !wanted.contains(stat.pgrp))
            continue;
        GroupUsage &group = usage[stat.pgrp];
        group.rssBytes = qMax<qint64>(0, group.rssBytes) + stat.rssPages * m_pageSize;
        ++group.processes;
        current[stat.pgrp].cpuTicks += stat.cpuTicks;
        if (stat.pid == stat.pgrp)
            leaderStart.insert(stat.pgrp, stat.startTicks);
    }
    ::closedir(dir);

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
