#include "machineload.h"

#include <QLocale>

#include <cmath>

#include <fcntl.h>
#include <unistd.h>

namespace {

// Reads a small /proc file whole into buffer; its size, or -1.
qsizetype readSmallFile(const char *path, char *buffer, size_t size)
{
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t used = 0;
    while (used < size) {
        const ssize_t n = ::read(fd, buffer + used, size - used);
        if (n <= 0)
            break;
        used += size_t(n);
    }
    ::close(fd);
    return qsizetype(used);
}

} // namespace

MachineLoad::MachineLoad()
    : MachineLoad(QStringLiteral("/proc/meminfo"), QStringLiteral("/proc/loadavg"))
{
}

MachineLoad::MachineLoad(const QString &meminfoPath, const QString &loadavgPath)
    : m_meminfo(meminfoPath.toLocal8Bit())
    , m_loadavg(loadavgPath.toLocal8Bit())
{
}

bool MachineLoad::memAvailable(qint64 *bytes) const
{
    char buffer[4096]; // MemAvailable is the third line; the whole file is about 1.5 KB
    const qsizetype n = readSmallFile(m_meminfo.constData(), buffer, sizeof buffer);
    return n > 0 && parseMemAvailable(QByteArrayView(buffer, n), bytes);
}

bool MachineLoad::loadAverage(double *load) const
{
    char buffer[128];
    const qsizetype n = readSmallFile(m_loadavg.constData(), buffer, sizeof buffer);
    return n > 0 && parseLoadAverage(QByteArrayView(buffer, n), load);
}

// "MemAvailable:    3521436 kB"
bool MachineLoad::parseMemAvailable(QByteArrayView meminfo, qint64 *bytes)
{
    static constexpr QByteArrayView key("MemAvailable:");
    qsizetype at = 0;
    while (at < meminfo.size()) {
        qsizetype end = meminfo.indexOf('\n', at);
        if (end < 0)
            end = meminfo.size();
        const QByteArrayView line = meminfo.sliced(at, end - at);
        at = end + 1;
        if (!line.startsWith(key))
            continue;
        qsizetype p = key.size();
        while (p < line.size() && line[p] == ' ')
            ++p;
        qint64 value = 0;
        qsizetype digits = 0;
        while (p < line.size() && line[p] >= '0' && line[p] <= '9') {
            value = value * 10 + (line[p] - '0');
            ++p;
            ++digits;
        }
        if (digits == 0)
            return false;
        while (p < line.size() && line[p] == ' ')
            ++p;
        const QByteArrayView unit = line.sliced(p).trimmed();
        *bytes = unit == QByteArrayView("kB") ? value * 1024 : value;
        return true;
    }
    return false;
}

// "0.52 0.58 0.59 1/389 12345": the first figure.
bool MachineLoad::parseLoadAverage(QByteArrayView loadavg, double *load)
{
    qsizetype p = 0;
    while (p < loadavg.size() && loadavg[p] == ' ')
        ++p;
    double whole = 0;
    qsizetype digits = 0;
    while (p < loadavg.size() && loadavg[p] >= '0' && loadavg[p] <= '9') {
        whole = whole * 10 + (loadavg[p] - '0');
        ++p;
        ++digits;
    }
    if (p < loadavg.size() && loadavg[p] == '.') {
        ++p;
        double scale = 0.1;
        while (p < loadavg.size() && loadavg[p] >= '0' && loadavg[p] <= '9') {
            whole += (loadavg[p] - '0') * scale;
            scale /= 10;
            ++p;
            ++digits;
        }
    }
    if (digits == 0 || (p < loadavg.size() && loadavg[p] != ' ' && loadavg[p] != '\n'))
        return false;
    *load = whole;
    return true;
}

bool MachineLoad::parseSize(const QString &text, qint64 *bytes)
{
    QString t = text.trimmed();
    if (t.endsWith(QLatin1String("iB"), Qt::CaseInsensitive))
        t.chop(2); // "2GiB"
    else if (t.endsWith(QLatin1Char('B'), Qt::CaseInsensitive))
        t.chop(1); // "2GB", "12B"
    double factor = 1;
    if (!t.isEmpty()) {
        switch (t.back().toLower().unicode()) {
        case 'k': factor = 1024.0; break;
        case 'm': factor = 1024.0 * 1024; break;
        case 'g': factor = 1024.0 * 1024 * 1024; break;
        case 't': factor = 1024.0 * 1024 * 1024 * 1024; break;
        default: break;
        }
        if (factor > 1)
            t.chop(1);
    }
    t = t.trimmed();
    bool ok = false;
    const double n = t.toDouble(&ok); // C locale: "1.5"
    if (!ok || t.isEmpty() || !std::isfinite(n) || n < 0 || n * factor > 9.0e18)
        return false;
    *bytes = qint64(std::llround(n * factor));
    return true;
}

QString MachineLoad::formatSize(qint64 bytes)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = double(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    if (unit == 0)
        return QStringLiteral("%1 B").arg(bytes);
    // 2 GiB, 1.2 GiB, 500 MiB: one decimal below 10, none from there.
    const int decimals = value < 10 && std::fabs(value - std::round(value)) >= 0.05 ? 1 : 0;
    return QStringLiteral("%1 %2").arg(value, 0, 'f', decimals).arg(QLatin1String(units[unit]));
}
