#pragma once

#include <QByteArrayView>
#include <QtGlobal>

// /proc/PID/stat, read in one place for the product and the tests. The line is
// "pid (comm) state ppid pgrp ...", and comm may hold spaces and ')': the
// fields after it start at the LAST ')'. Numbers in brackets are proc(5)'s.
struct ProcStat
{
    qint64 pid = 0;         // (1)
    char state = 0;         // (3) R, S, D, T, Z (zombie), X (dead), ...
    qint64 ppid = 0;        // (4)
    qint64 pgrp = 0;        // (5)
    quint64 utime = 0;      // (14) clock ticks, user
    quint64 stime = 0;      // (15) clock ticks, system
    quint64 cutime = 0;     // (16) the same for reaped children
    quint64 cstime = 0;     // (17)
    quint64 startTicks = 0; // (22) start, in clock ticks after boot
    qint64 rssPages = 0;    // (24) resident set, in pages

    // A zombie or a process on its way out: it cannot run or be signalled.
    bool isDead() const { return state == 'Z' || state == 'X'; }
    // User and system time, including reaped children's.
    quint64 cpuTicks() const { return utime + stime + cutime + cstime; }

    // Parses one stat line; false (and *stat untouched) if it is not one.
    static bool parse(QByteArrayView line, ProcStat *stat);
    // Reads /proc/PID/stat with plain syscalls and no allocation (it runs for
    // every process, every second, while the app shows CPU and memory); false
    // when there is no such process.
    static bool read(qint64 pid, ProcStat *stat);
};

// Every process in /proc, one at a time, without allocating:
//     ProcScan scan;
//     for (ProcStat s; scan.next(&s);) ...
// A process that exits during the scan is passed over.
class ProcScan
{
public:
    ProcScan();
    ~ProcScan();
    ProcScan(const ProcScan &) = delete;
    ProcScan &operator=(const ProcScan &) = delete;

    // False when /proc cannot be read at all.
    bool isOpen() const { return m_dir != nullptr; }
    // False once every process was seen.
    bool next(ProcStat *stat);

private:
    void *m_dir; // DIR *
};
