#pragma once

#include "jobspec.h"
#include "taskpool.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QSet>

class InputSource;
class RunRecorder;

// Which of a job's inputs a run takes.
struct RunInputs
{
    enum class Kind { All, Unfinished, Exactly };
    Kind kind = Kind::All;
    QSet<quint64> finishedKeys; // Unfinished: RunJournal::taskKey of tasks finished in earlier runs
    QList<QByteArray> inputs;   // Exactly: these inputs, byte for byte (retries of failed tasks)

    static RunInputs all() { return {}; }
    static RunInputs unfinished(QSet<quint64> finishedKeys);
    static RunInputs exactly(QList<QByteArray> inputs);
};

// One run of a job, from its JobSpec to its end: the rules that `taskpool
// run` and the app share, written once. The callers only present it: the CLI
// parses options into a JobSpec, hands it over, prints progress and maps the
// end to an exit status; the app builds the spec from its form and shows what
// the run reports.
//
//   create()   checks the job (check()), opens its inputs, makes the pool
//   start()    the recorder begins the run, the pool starts
//   ...        every attempt and result goes to the recorder
//   finished() the pool has ended; end() says how, in the journal's words,
//              and the recorder ends the run (unless holdEnd() was asked for)
class JobRun : public QObject
{
    Q_OBJECT
public:
    // How a run ended: finished, stopped, terminated or failed, and why.
    struct End
    {
        QString state;
        QString message;
    };

    // Empty when the job can start, else what stops it, for the user: the
    // spec's own rules, the program (when a local slot will run it) and the
    // launcher of each remote host.
    static QString check(const JobSpec &spec);
    // The run of spec over inputs, recorded by recorder (null: not recorded).
    // Null with *error when the job cannot start or its inputs cannot be read.
    static JobRun *create(const JobSpec &spec, const RunInputs &inputs, RunRecorder *recorder, QString *error,
                          QObject *parent = nullptr);
    ~JobRun() override;

    // As recorded: a run of exact inputs is a List job of those inputs.
    const JobSpec &spec() const { return m_spec; }
    TaskPool *pool() const { return m_pool; }

    void start();
    void pause() { m_pool->pause(); }
    void unpause() { m_pool->unpause(); }
    void stop();      // drain; the run ends "stopped"
    void terminate(); // the run ends "terminated"
    void interrupt(); // terminate on a signal (Ctrl-C); ends "terminated" whatever else happened
    // The results output failed (the first report stands); an active run is
    // terminated, as its results have nowhere to go. A reader that went away
    // ends the run "terminated", any other error "failed".
    void outputFailed(const QString &message, bool brokenPipe);
    // The window or the program goes away while the run is active: its trees
    // end with the pool, and the run is recorded as terminated, for why.
    void abandon(const QString &why);
    // The caller still delivers results when the pool has finished (the CLI's
    // writer): it calls recordEnd() itself once they are out.
    void holdEnd() { m_endHeld = true; }
    void recordEnd();

    bool isActive() const { return m_pool->isActive(); }
    PoolStats stats() const { return m_pool->stats(); }
    // Why no task starts although one could (--memfree, --load, --delay), as
    // stats().waiting says; empty when nothing holds them back.
    QString waiting() const { return m_pool->waitingReason(); }
    End end() const;

    // "12 tasks in 3.40 s (3.5/s): 10 ok, 1 failed, 1 cancelled (2 retried)"
    static QString summaryText(const PoolStats &stats, double seconds);

Q_SIGNALS:
    void finished(); // once, after the pool's finished()

private:
    enum class EndRequest { None, Stop, Terminate, Interrupt };

    JobRun(const JobSpec &spec, InputSource *input, RunRecorder *recorder, QObject *parent);
    void onPoolFinished();

    const JobSpec m_spec;
    TaskPool *m_pool;
    RunRecorder *m_recorder;
    EndRequest m_endRequest = EndRequest::None;
    bool m_outputFailed = false;
    bool m_outputClosed = false; // the reader went away
    QString m_outputError;
    bool m_endHeld = false;
    bool m_endRecorded = false;
    bool m_finished = false;
};
