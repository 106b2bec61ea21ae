#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QtGlobal>

// How busy this machine is, for the pool's start gates (--memfree, --load):
// MemAvailable from /proc/meminfo and the 1-minute load average from
// /proc/loadavg. Read with plain syscalls into a stack buffer, no allocation:
// the pool samples them a few times a second while a gate is set.
class MachineLoad
{
public:
    // The real files; the tests point a pool at files they write instead.
    MachineLoad();
    MachineLoad(const QString &meminfoPath, const QString &loadavgPath);

    // MemAvailable in bytes; false when the file cannot be read or has no such line.
    bool memAvailable(qint64 *bytes) const;
    // The 1-minute load average; false when the file cannot be read.
    bool loadAverage(double *load) const;

    // Parse the files' text (for the readers above and the tests).
    static bool parseMemAvailable(QByteArrayView meminfo, qint64 *bytes);
    static bool parseLoadAverage(QByteArrayView loadavg, double *load);

    // "2G", "500M", "1.5g", "64k", "2GiB", "1048576" (bytes). Binary units:
    // k = 1024, M = 1024², G = 1024³, T = 1024⁴. False for anything else or
    // below 0.
    static bool parseSize(const QString &text, qint64 *bytes);
    // "1.2 GiB", "500 MiB", "64 KiB", "12 B".
    static QString formatSize(qint64 bytes);

private:
    QByteArray m_meminfo;
    QByteArray m_loadavg;
};
