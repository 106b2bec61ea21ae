#pragma once

#include "hostreachability.h"
#include "jobspec.h"
#include "processgroupusage.h"
#include "task.h"
#include "taskqueue.h"
#include "slot.h"
#include "startgate.h"

#include <QList>
#include <QObject>
#include <QPointer>

#include <deque>
#include <memory>

class InputSource;
class OrphanGuard;
class QTimer;

struct PoolStats : TaskCounts
{
    qint64 total = -1;       // inputs in the job, -1 while unknown
    qint64 issued = 0;       // read from the input so far
    qint64 queued = -1;      // not yet handed to a worker, -1 while unknown
    qint64 running = 0;      // handed to a worker, not finished
    int workers = 0;         // live worker slots
    double elapsedSeconds = 0;
    double tasksPerSecond = 0; // over the last few seconds
    double etaSeconds = -1;    // -1 while unknown
    // Why no task starts although one could (--memfree, --load, --delay):
    // "waiting for memory: 1.2 GiB free, needs 2 GiB"; empty when none holds.
    QString waiting;
};

// One host of the pool as the monitor shows it.
struct HostSnapshot
{
    QString name;               // "localhost", "user@node2", "srun"
    HostSpec::Kind kind = HostSpec::Kind::Local;
    int slotCount = 0;              // wanted
    int liveSlots = 0;          // slots not retiring (including ones waiting for the host)
    int busySlots = 0;          // slots with a task in hand
    bool down = false;          // unreachable: no new connections until the retry
    int failures = 0;           // connection failures since a task last finished there
    qint64 retryInMs = -1;      // when down: time until the next try
    QString lastError;          // why it went down last
    qint64 tasksOk = 0;         // attempts that finished there, by outcome
    qint64 tasksFailed = 0;
};

// Runs a job: N worker slots fed from a task queue, with retries, timeouts,
// live resizing, pause, drain and terminate. Every task taken from the input
// ends in exactly one taskFinished(). Observers poll stats() and
// slotSnapshots() for display; only final outcomes (and, for live
// display, running tasks' output) are signalled.
// Where to look: the dispatch loop is dispatch() and feedSlot(); the
// terminate chain is told at terminate() in taskpool.cpp; how a run ends is
// advanceTowardsEnd(); which hosts are up is HostReachability's.
class TaskPool : public QObject
{
    Q_OBJECT
public:
    // Idle -> Running (start()) <-> Paused (pause(), unpause());
    // Running, Paused -> Stopping (stop(), a halt policy): running tasks finish;
    // any but Finished -> Terminating (terminate(), a halt policy, a fatal error);
    // Running, Stopping, Terminating -> Finished, once every slot is gone.
    // Every task read has its one taskFinished() before finished().
    enum class State { Idle, Running, Paused, Stopping, Terminating, Finished };
    Q_ENUM(State)

    // The pool does not own the input source.
    TaskPool(const JobSpec &spec, InputSource *input, QObject *parent = nullptr);
    ~TaskPool() override;

    void start();
    void pause();
    void unpause();
    void stop();       // drain: no new tasks, running ones finish, the rest is cancelled
    void terminate();  // end every worker's process tree now; unfinished tasks are cancelled
    // Without hosts: the number of local slots. With hosts: the slots of the
    // first local host (or, without one, of the first host).
    // Backpressure from where results go: while held, only retries are
    // dispatched and no new input is read; the run is neither paused nor ended.
    void holdNewTasks(bool held);
    void setWorkerCount(int count);
    void setHostSlots(int hostIndex, int slotCount); // 0 parks a host

    int workerCount() const; // slots wanted, over all hosts
    State state() const { return m_state; }
    bool isActive() const { return m_state != State::Idle && m_state != State::Finished; }
    PoolStats stats() const;
    // Live slots; once the run ends, every slot's final figures (state exited).
    QList<SlotSnapshot> slotSnapshots() const;
    QList<HostSnapshot> hostSnapshots() const; // in JobSpec::effectiveHosts() order
    QString fatalError() const { return m_fatalError; }
    QString haltReason() const { return m_haltReason; } // set when the halt policy stopped the run
    qint64 effectiveTimeoutMs() const { return m_timeoutMs; }
    // What holds tasks back now (stats().waiting); empty when nothing does.
    QString waitingReason() const { return m_state == State::Running ? m_waiting : QString(); }
    // For the tests, before start(): the start gates read these files instead
    // of /proc/meminfo and /proc/loadavg.
    void setMachineLoad(const MachineLoad &machine) { m_gate.setMachine(machine); }
    const JobSpec &spec() const { return m_spec; }

Q_SIGNALS:
    void taskFinished(const TaskOutcome &outcome);
    void attemptFailed(const TaskOutcome &outcome); // an attempt that is being retried
    void logLine(int slot, const QString &line); // slot -1: the pool itself
    // A running task's output as it is written, a chunk at a time (see
    // Slot::output()); taskId -1: a worker's output between tasks.
    void taskOutput(int slot, qint64 taskId, OutputStream stream, const QByteArray &bytes);
    void stateChanged(TaskPool::State state);
    void finished();

private:
    void setState(State state);
    bool takesWork() const { return m_state == State::Running || m_state == State::Paused; }
    // Adds or retires slots to match each host's wanted count, adding at
    // most newSlotBudget (-1: no limit); returns how many it added.
    int reconcileSlots(qint64 newSlotBudget = -1);
    QList<Slot *> liveSlots(int hostIndex) const; // not retiring, in slot order
    Slot *addSlot(int hostIndex);
    // The dispatch loop: hands queued tasks to every slot with room.
    void dispatch();
    void feedSlot(Slot *worker);
    void checkCompletion();
    void advanceTowardsEnd();
    void endSlots(bool now);
    void cancelRemaining();
    void emitCancelled(const Task &task);
    void fail(const QString &message);
    void tick();
    void emitFinal(const TaskOutcome &outcome);
    void applyHaltPolicy();
    void adaptTimeout();
    void checkWorkerMemory();
    // The start gates (--memfree, --load, --delay): see "Start gates" in taskpool.cpp.
    StartGate::Hold startHold(Slot *worker, qint64 now);
    void holdBack(StartGate::Hold hold, qint64 now);
    void onGateTimer();
    void relieveMemoryPressure(qint64 now);

    void onCapacityAvailable(Slot *worker);
    void onSlotOutput(int slot, qint64 taskId, OutputStream stream, QByteArrayView bytes);
    void onAttemptFinished(Slot *worker, const Task &task, const TaskOutcome &outcome);
    void onTasksReturned(Slot *worker, const QList<Task> &tasks);
    void onSlotDied(Slot *worker, const QString &reason, bool finishedAnyTask);
    void onStartFailed(Slot *worker, const QString &reason);
    void onSlotRetired(Slot *worker);
    void onHostConnected(Slot *worker);
    void onHostLost(Slot *worker, const QString &reason);
    void setHostSlotsDown(int hostIndex, bool down);
    void probeHost(int hostIndex);
    void checkAllHostsDown();

    const JobSpec m_spec;
    InputSource *m_input;
    TaskQueue m_queue;
    QList<Slot *> m_slots;  // live and retiring slots, in slot order
    QList<SlotSnapshot> m_endedSlots; // slots as they were when the run ended
    // A host of the run: what it is, the slots wanted there, what ran there.
    // Whether it can be reached is m_reach's.
    struct Host
    {
        HostSpec spec;
        QString name;
        int slotCount = 0;
        qint64 tasksOk = 0;
        qint64 tasksFailed = 0;
    };
    std::vector<Host> m_hosts;
    HostReachability m_reach;
    QTimer *m_tick = nullptr;
    State m_state = State::Idle;
    // How far a run that is ending has got, whichever way it ends (m_state
    // says which). It only moves forward:
    //   NotYet         a slot that goes for good is replaced;
    //   SlotsEnding    every slot was told to retire (or to terminate), none
    //                  is replaced, and each keeps its final figures as it goes;
    //   CancellingRest the queue is being emptied into "cancelled" results and
    //                  the input stops; a pipe's reader may hand over more;
    //   RestCancelled  every task read has its result but those slots hold
    //                  (a lost host's tasks handed back are cancelled too);
    //                  Finished follows once every slot is gone.
    enum class Ending { NotYet, SlotsEnding, CancellingRest, RestCancelled };
    Ending m_ending = Ending::NotYet;
    // dispatch() and checkCompletion() are reached again from the signals they
    // cause (a slot with room, a slot retiring): such a call only asks the
    // pass under way to go round once more, instead of nesting.
    enum class Pass { None, Running, Again };
    Pass m_dispatchPass = Pass::None;
    Pass m_completionPass = Pass::None;
    QString m_fatalError;
    QString m_haltReason;
    qint64 m_timeoutMs = 0;
    std::deque<qint64> m_okDurations; // recent ok task durations, for the adaptive timeout
    std::unique_ptr<ProcessGroupUsage> m_usage; // only with a worker memory limit
    // From start() to the end of the run: ends the workers' trees should we die.
    std::shared_ptr<OrphanGuard> m_guard;
    qint64 m_lastMemoryCheckMs = 0;
    StartGate m_gate;
    QTimer *m_gateTimer = nullptr;   // looks again while a gate holds tasks back
    QString m_waiting;               // why, as waitingReason() says
    bool m_heldThisPass = false;     // a dispatch pass found the gate closed
    QPointer<Slot> m_requeueing;     // ended for memory; its tasks are not back yet
    qint64 m_nextRequeueMs = 0;      // no slot is ended for memory before then
    bool m_lastTaskNoted = false;    // said once that the last task is let run

    qint64 m_running = 0;
    TaskCounts m_counts;
    int m_consecutiveDeaths = 0; // worker deaths with no task finished in between
    int m_startFailures = 0;
    bool m_anyProcessRan = false;

    qint64 m_startedMs = 0;
    qint64 m_endedMs = -1;
    struct Sample { qint64 ms; qint64 finished; };
    std::deque<Sample> m_samples; // for the recent throughput
};
