#pragma once

#include "jobspec.h"
#include "machineload.h"

#include <QString>
#include <QtGlobal>

// The pool's start gates, GNU parallel's --memfree, --load and --delay: may a
// task start now, and if not, why not and when to look again. The machine's
// figures are sampled at most every SampleMs, and only while a gate that
// needs them is set; a job without gates costs one flag test per start.
//
//   memory  MemAvailable >= --memfree (below half of it, the pool ends the
//           youngest task to make room: TaskPool::relieveMemoryPressure())
//   load    the 1-minute load average < --load
//   delay   at least --delay seconds since the last start, across the pool
//
// Memory and load are this machine's: they hold starts on local slots; a
// remote slot waits only for the delay.
class StartGate
{
public:
    static constexpr qint64 SampleMs = 250; // how often a held pool looks again

    enum class Hold { None, Memory, Load, Delay };

    explicit StartGate(const JobSpec &spec);

    // For the tests: read these files instead of /proc's.
    void setMachine(const MachineLoad &machine) { m_machine = machine; }

    bool isSet() const { return m_memFree > 0 || m_loadBelow > 0 || m_delayMs > 0; }
    bool watchesMemory() const { return m_memFree > 0; }

    // Reads the machine's figures unless the last sample is recent (force: read now).
    void sample(qint64 nowMs, bool force = false);
    // What keeps a task from starting now on a local or a remote slot.
    Hold holds(qint64 nowMs, bool localSlot) const;
    // Counts a start for the delay.
    void started(qint64 nowMs) { m_lastStartMs = nowMs; }
    // When to look again while `hold` holds.
    qint64 retryInMs(Hold hold, qint64 nowMs) const;
    // "waiting for memory: 1.2 GiB free, needs 2 GiB"; empty for Hold::None.
    QString why(Hold hold, qint64 nowMs) const;

    // Available memory is known and under half of --memfree.
    bool underMemoryPressure() const { return m_memFree > 0 && m_memKnown && m_memAvailable * 2 < m_memFree; }
    qint64 memAvailable() const { return m_memAvailable; }
    qint64 memFree() const { return m_memFree; }
    // Set when a figure could not be read (the gate is then open), once.
    QString takeReadError();

private:
    MachineLoad m_machine;
    const qint64 m_memFree;
    const double m_loadBelow;
    const qint64 m_delayMs;
    qint64 m_sampledMs = -1;
    bool m_memKnown = false;
    qint64 m_memAvailable = 0;
    bool m_loadKnown = false;
    double m_load = 0;
    qint64 m_lastStartMs = -1;
    QString m_readError;
    bool m_readErrorTold = false;
};
