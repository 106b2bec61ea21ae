#include "procstat.h"

#include <cstdio>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

namespace {

// The next space-separated word of [*p, end), or an empty view at the end.
QByteArrayView nextWord(const char **p, const char *end)
{
    while (*p < end && (**p == ' ' || **p == '\n'))
        ++*p;
    const char *start = *p;
    while (*p < end && **p != ' ' && **p != '\n')
        ++*p;
    return QByteArrayView(start, *p - start);
}

// A decimal number, "-1" included (proc(5) prints some fields signed).
bool toNumber(QByteArrayView word, qint64 *value)
{
    const bool negative = word.startsWith('-');
    if (negative)
        word = word.sliced(1);
    if (word.isEmpty())
        return false;
    quint64 n = 0;
    for (char c : word) {
        if (c < '0' || c > '9')
            return false;
        n = n * 10 + quint64(c - '0');
    }
    *value = negative ? -qint64(n) : qint64(n);
    return true;
}

} // namespace

bool ProcStat::parse(QByteArrayView line, ProcStat *stat)
{
    const qsizetype open = line.indexOf('(');
    const qsizetype close = line.lastIndexOf(')');
    if (open < 0 || close < open)
        return false;
    ProcStat s;
    const char *p = line.data();
    if (!toNumber(nextWord(&p, line.data() + open), &s.pid))
        return false;
    p = line.data() + close + 1;
    const char *end = line.data() + line.size();
    const QByteArrayView state = nextWord(&p, end);
    if (state.size() != 1)
        return false;
    s.state = state.front();
    qint64 fields[25] = {};
    for (int field = 4; field <= 24; ++field) {
        if (!toNumber(nextWord(&p, end), &fields[field]))
            return false;
    }
    s.ppid = fields[4];
    s.pgrp = fields[5];
    s.utime = quint64(fields[14]);
    s.stime = quint64(fields[15]);
    s.cutime = quint64(fields[16]);
    s.cstime = quint64(fields[17]);
    s.startTicks = quint64(fields[22]);
    s.rssPages = fields[24];
    *stat = s;
    return true;
}

bool ProcStat::read(qint64 pid, ProcStat *stat)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(pid));
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char buffer[1024]; // a line is about 300 bytes; the 24 fields read here fit at their widest
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    ::close(fd);
    return n > 0 && parse(QByteArrayView(buffer, n), stat);
}

ProcScan::ProcScan()
    : m_dir(::opendir("/proc"))
{
}

ProcScan::~ProcScan()
{
    if (m_dir)
        ::closedir(static_cast<DIR *>(m_dir));
}

bool ProcScan::next(ProcStat *stat)
{
    if (!m_dir)
        return false;
    while (const dirent *entry = ::readdir(static_cast<DIR *>(m_dir))) {
        qint64 pid = 0;
        if (entry->d_name[0] < '1' || entry->d_name[0] > '9' || !toNumber(QByteArrayView(entry->d_name), &pid))
            continue;
        if (ProcStat::read(pid, stat))
            return true;
    }
    return false;
}
