#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include <memory>

class QSocketNotifier;

// Ends the process trees of a run when taskpool dies without ending them
// itself (kill -9, a crash, the OOM killer), so nothing a run started outlives
// it by more than the kill grace. PR_SET_PDEATHSIG alone reaches only each
// worker's direct child, and only if it does not ignore SIGTERM.
//
// start() forks one small guard process per run, twice, so it is never our
// zombie. The guard runs in a session of its own (a kill of taskpool's process
// group, Ctrl-C or a terminal hangup does not reach it), holds no descriptor
// but its end of a socket (not the results, the journal, stdin, nor
// taskpool's end), and re-executes this program (/proc/self/exe), whose
// start-up runs the guard before main(): a forked copy would keep alive every
// page taskpool changes afterwards (a window full of results). Should that
// exec fail, the guard runs in the fork, on async-signal-safe code only (no
// malloc: its table is allocated before the fork). It reads two records:
//   watch PGID   sent by each worker process itself, between fork and exec
//                (ProcessTree::prepare), so there is no moment in which a tree
//                could fork while unwatched;
//   forget PGID  forget(), once the group is gone or has been sent SIGKILL:
//                process group ids are recycled, and the guard must never
//                signal a group that is no longer ours.
// It reads records in batches, waking up at most every 20 ms, so it costs
// next to nothing however fast tasks go. At end of file — taskpool died, or
// close() at the end of the run — it sends SIGTERM to every group it still
// watches, SIGKILL after the grace to those still there, and exits. After a
// run that ended normally nothing is watched and it exits at once.
//
// Nothing here blocks taskpool: a forget the socket has no room for waits in
// memory for it; a new worker process waits at most half a second for room
// before its exec, then runs unwatched.
//
// Limits: a process that leaves its group (setsid, setpgid) is out of reach,
// as it is for timeouts and terminate. At most Capacity groups are watched at
// once. If the guard cannot be started, or is killed itself, the run goes on
// unguarded (PR_SET_PDEATHSIG still covers the direct children). A group that
// empties in the moment before taskpool learns of it and dies is signalled
// although gone: harmless, unless the kernel handed its id to a new group in
// those milliseconds (ids are allocated in a cycle: it would have to go round).
class OrphanGuard
{
public:
    static constexpr int Capacity = 65536;

    explicit OrphanGuard(int graceMs);
    ~OrphanGuard(); // close()
    OrphanGuard(const OrphanGuard &) = delete;
    OrphanGuard &operator=(const OrphanGuard &) = delete;

    // Forks the guard. False with *error if it cannot be started.
    bool start(QString *error);
    bool isRunning() const { return m_fd >= 0; }
    qint64 pid() const { return m_pid; } // the guard process, 0 before start()

    // Taskpool's end of the socket, for watchFromChild(); -1 when not running.
    // Close-on-exec: a worker has it only until its exec.
    int socket() const { return m_fd; }
    // In the child of a fork, before exec, after setpgid(0, 0): asks the guard
    // to watch the group this process leads. Async-signal-safe; fd -1 does
    // nothing. Waits at most half a second for room in the socket.
    static void watchFromChild(int fd);

    // The group is gone, or has been sent SIGKILL: never signal it again.
    void forget(qint64 pgid);
    // The run is over: the guard ends what it still watches and exits.
    void close();

private:
    bool sendNow(const char *record);
    void flush();

    const int m_graceMs;
    int m_fd = -1;
    qint64 m_pid = 0;
    bool m_guardGone = false; // it died: forgets go nowhere
    QByteArray m_pending; // forgets waiting for room in the socket, in order
    std::unique_ptr<QSocketNotifier> m_writable;
};
