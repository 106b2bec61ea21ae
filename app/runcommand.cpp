#include "runcommand.h"

#include "followprinter.h"
#include "jobrun.h"
#include "resultsink.h"
#include "resultwriter.h"
#include "runjournal.h"
#include "runoptions.h"
#include "runpublisher.h"
#include "runrecorder.h"
#include "terminalprogress.h"
#include "unixsignals.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <csignal>
#include <memory>
#include <unistd.h>

namespace {

enum ExitCode { AllOk = 0, SomeFailed = 1, UsageError = 2, Interrupted = 130 };

int signalExitCode(int signal)
{
    return signal == SIGINT ? Interrupted : 128 + signal;
}

// The headless runner's RunRecorder: results go to a ResultSink (the journal
// on one thread, then the results output on another); the run's begin and
// end go to the journal directly. A journal that fails to begin the run is
// dropped: losing the journal must not lose the work.
class HeadlessRecorder final : public RunRecorder
{
public:
    HeadlessRecorder(RunJournal *journal, int resultsFd, const RunOptions &options)
        : m_journal(journal)
        , m_resultsFd(resultsFd)
        , m_keepOrder(options.keepOrder)
    {
    }

    void beginRun(const JobSpec &spec) override
    {
        QString error;
        if (m_journal && m_journal->beginRun(spec, &error) < 0) {
            printError(error + QStringLiteral(" - running without a journal"));
            m_journal = nullptr;
        }
        m_sink = std::make_unique<ResultSink>(std::make_unique<ResultWriter>(m_resultsFd, spec.mode, m_keepOrder,
                                                                              spec.parameterNames()),
                                              m_journal);
    }
    void recordAttempt(const TaskOutcome &outcome) override { m_sink->recordAttempt(outcome); }
    void recordResult(const TaskOutcome &outcome) override { m_sink->recordResult(outcome); }
    void endRun(const QString &state, const QString &message) override
    {
        QString error;
        if (m_sink->journaling() && !m_journal->endRun(state, message, &error))
            printError(error);
    }

    ResultSink &sink() { return *m_sink; } // after beginRun()
    qint64 journalRun() const { return m_journal ? m_journal->currentRun() : -1; }

private:
    RunJournal *m_journal;
    const int m_resultsFd;
    const bool m_keepOrder;
    std::unique_ptr<ResultSink> m_sink;
};

// Opens the journal unless --no-journal. -1 to go on (*journaling says
// whether the run is recorded), else the exit status.
int openJournal(const RunOptions &options, RunJournal *journal, bool *journaling)
{
    *journaling = options.journaling;
    if (!options.journaling)
        return -1;
    QString error;
    const bool opened = journal->open(options.journalPath.isEmpty() ? RunJournal::defaultPath() : options.journalPath,
                                      &error);
    if (!journal->notice().isEmpty())
        printError(journal->notice());
    if (opened)
        return -1;
    const bool needed = options.resume || options.retryFailed;
    if (needed && options.journalPath.isEmpty())
        return usageError(error);
    printError(error + QStringLiteral(" - running without a journal"));
    if (needed)
        return UsageError;
    *journaling = false;
    return -1;
}

// --retry-failed: the spec of the run whose failures are retried, and those inputs.
bool failedTasksOf(RunJournal &journal, qint64 runId, JobSpec *spec, RunInputs *inputs, QString *error)
{
    if (runId < 0)
        runId = journal.latestRun();
    RunInfo info;
    if (runId < 0 || !journal.run(runId, &info, error)) {
        if (runId < 0)
            *error = QStringLiteral("the journal has no runs to retry");
        return false;
    }
    QList<QByteArray> failed = journal.failedInputs(runId, error);
    if (!error->isEmpty())
        return false;
    *spec = info.spec;
    *inputs = RunInputs::exactly(std::move(failed));
    return true;
}

// Opens --results. A FIFO no one reads yet is waited for, like a shell's
// redirection, but a signal (Ctrl-C) ends the wait: *interruptedBy is then set.
int openResults(const QString &path, UnixSignals &unixSignals, bool quiet, int *interruptedBy, QString *error)
{
    bool noReader = false;
    int fd = ResultWriter::openFile(path, error, &noReader);
    if (fd >= 0 || !noReader)
        return fd;
    if (!quiet)
        printError(QStringLiteral("waiting for a reader of %1 (Ctrl-C to stop)").arg(path));
    QEventLoop loop;
    QTimer retry; // a FIFO says nothing when its reader comes: ask again
    retry.setInterval(50);
    QObject::connect(&retry, &QTimer::timeout, &loop, [&] {
        fd = ResultWriter::openFile(path, error, &noReader);
        if (fd >= 0 || !noReader)
            loop.quit();
    });
    QObject::connect(&unixSignals, &UnixSignals::received, &loop, [&](int received) {
        *interruptedBy = received;
        loop.quit();
    });
    retry.start();
    loop.exec();
    return fd;
}

// One run on the terminal: progress, log lines, signals, backpressure from the
// results output, and the wait for the last results to be read.
class HeadlessRun
{
public:
    HeadlessRun(JobRun &run, HeadlessRecorder &recorder, UnixSignals &unixSignals, const RunOptions &options)
        : m_run(run)
        , m_recorder(recorder)
        , m_signals(unixSignals)
        , m_quiet(options.quiet)
        , m_progress(run.pool(), options.progress)
    {
        if (options.monitor)
            publish();
        if (options.follow) {
            std::FILE *stream = options.resultsPath.isEmpty() ? stderr : stdout; // never into the results
            m_follow = std::make_unique<FollowPrinter>(
                [this, stream](const QByteArray &lines) { m_progress.printLines(stream, lines); });
        }
    }

    // Runs to the end; the exit status.
    int exec()
    {
        m_run.holdEnd(); // until the last result is out
        m_runTime.start();
        m_run.start();
        if (m_publisher)
            m_publisher->setJournalRun(m_recorder.journalRun());
        connectRun();
        if (m_run.isActive())
            QCoreApplication::exec();
        m_shipTimer.stop();
        if (m_follow)
            m_follow->finish();
        waitForResults();
        m_progress.finish();
        const ResultWriter &writer = m_recorder.sink().writer();
        if (writer.hasError())
            m_run.outputFailed(writer.errorString(), writer.brokenPipe());
        m_run.recordEnd();
        if (m_publisher)
            m_publisher->linger(ViewerLingerMs);
        return exitStatus();
    }

private:
    // Viewers get a moment to read how the run ended; a stuck one is left behind.
    static constexpr int ViewerLingerMs = 1000;

    // On the monitor socket, for `taskpool gui` to watch. A run that cannot be
    // published (an unsafe runtime directory) goes ahead unwatched.
    void publish()
    {
        m_publisher = std::make_unique<RunPublisher>(&m_run);
        QString error;
        if (!m_publisher->listen(&error)) {
            m_publisher.reset();
            if (!m_quiet)
                printError(QStringLiteral("the run cannot be watched: %1").arg(error));
        }
    }

    void connectRun()
    {
        TaskPool *pool = m_run.pool();
        ResultSink &sink = m_recorder.sink();
        // Results go out on the sink's threads; when they fall behind (a slow
        // reader, --keep-order waiting on one long task) the pool stops reading
        // new input. JobRun recorded the result just before this.
        QObject::connect(pool, &TaskPool::taskFinished, &sink, [pool, &sink] {
            if (sink.isBehind())
                pool->holdNewTasks(true);
        });
        QObject::connect(&sink, &ResultSink::caughtUp, pool, [this] { applyBackpressure(); });
        QObject::connect(&sink, &ResultSink::problem, pool, [this](const QString &message) { report(message); });
        QObject::connect(&sink, &ResultSink::writeError, pool, [this](const QString &message, bool brokenPipe) {
            if (!brokenPipe)
                report(message);
            m_run.outputFailed(message, brokenPipe);
        });
        QObject::connect(pool, &TaskPool::logLine, pool, [this](int slot, const QString &line) {
            if (!m_quiet)
                m_progress.printLine(slot >= 0 ? QStringLiteral("taskpool: worker %1: %2").arg(slot).arg(line)
                                               : QStringLiteral("taskpool: %1").arg(line));
        });
        if (m_follow)
            connectFollow(pool);
        QObject::connect(&m_signals, &UnixSignals::received, pool, [this](int signal) {
            ++m_interrupts;
            if (!m_interruptedBy)
                m_interruptedBy = signal;
            m_run.interrupt();
        });
        m_shipTimer.setInterval(100); // results reach the journal and the file within a fraction of a second
        QObject::connect(&m_shipTimer, &QTimer::timeout, pool, [this] {
            m_recorder.sink().ship();
            applyBackpressure();
        });
        m_shipTimer.start();
        QObject::connect(&m_run, &JobRun::finished, QCoreApplication::instance(), &QCoreApplication::quit,
                         Qt::QueuedConnection);
    }

    void connectFollow(TaskPool *pool)
    {
        FollowPrinter *follow = m_follow.get();
        QObject::connect(pool, &TaskPool::taskOutput, pool, [follow](int slot, qint64 taskId, OutputStream stream, const QByteArray &bytes) {
            follow->add(slot, taskId, stream, bytes);
        });
        const auto attemptEnded = [follow](const TaskOutcome &outcome) {
            if (outcome.worker >= 0)
                follow->endTask(outcome.worker);
        };
        QObject::connect(pool, &TaskPool::attemptFailed, pool, attemptEnded);
        QObject::connect(pool, &TaskPool::taskFinished, pool, attemptEnded);
    }

    void applyBackpressure() { m_run.pool()->holdNewTasks(m_recorder.sink().isBehind()); }

    // Through the progress display, so a live progress line is not torn.
    void report(const QString &message) { m_progress.printLine(QStringLiteral("taskpool: ") + message); }

    // The last results may still be on their way to a slow reader. Wait for
    // them; an interrupt now leaves them behind (they are in the journal).
    void waitForResults()
    {
        ResultSink &sink = m_recorder.sink();
        sink.finish();
        const int interruptsAtEnd = m_interrupts;
        QElapsedTimer waiting;
        waiting.start();
        bool told = false;
        while (!sink.waitFinished(50)) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
            if (m_interrupts > interruptsAtEnd)
                leaveResultsBehind();
            if (!told && waiting.elapsed() > 2000 && !m_quiet) {
                told = true;
                printError(QStringLiteral("waiting for the results to be read (Ctrl-C to stop waiting)"));
            }
        }
    }

    [[noreturn]] void leaveResultsBehind()
    {
        m_progress.finish();
        ResultSink &sink = m_recorder.sink();
        // Results reach the journal however stuck the output is.
        if (sink.journaling() && sink.waitJournaled(10000)) {
            const qint64 runId = m_recorder.journalRun(); // this run's, not the newest in a shared journal
            m_recorder.endRun(QStringLiteral("terminated"), QStringLiteral("stopped waiting for the results to be read"));
            printError(QStringLiteral("interrupted: the results not yet read are in the journal (taskpool export --run %1)")
                           .arg(runId));
        } else {
            printError(QStringLiteral("interrupted: the results not yet read are lost"));
        }
        // The writer's thread is stuck in write(); only exiting ends it.
        ::_exit(Interrupted);
    }

    int exitStatus() const
    {
        const PoolStats stats = m_run.stats();
        const QString fatal = m_run.pool()->fatalError();
        if (!m_quiet) // until the last result was written: the pool may end before the sink does
            printError(JobRun::summaryText(stats, qMax(stats.elapsedSeconds, m_runTime.elapsed() / 1000.0)));
        const ResultWriter &writer = m_recorder.sink().writer();
        if (writer.hasError() && !writer.brokenPipe())
            return SomeFailed;
        if (m_interruptedBy)
            return signalExitCode(m_interruptedBy);
        if (!fatal.isEmpty()) {
            if (m_quiet)
                printError(fatal);
            return UsageError;
        }
        if (writer.hasError())
            return 128 + SIGPIPE;
        return stats.failures() > 0 || stats.cancelled > 0 ? SomeFailed : AllOk;
    }

    JobRun &m_run;
    HeadlessRecorder &m_recorder;
    UnixSignals &m_signals;
    const bool m_quiet;
    TerminalProgress m_progress;
    std::unique_ptr<RunPublisher> m_publisher;
    std::unique_ptr<FollowPrinter> m_follow; // --follow
    QTimer m_shipTimer;
    QElapsedTimer m_runTime;
    int m_interruptedBy = 0;
    int m_interrupts = 0;
};

} // namespace

int runCommand(const QString &taskpoolPath, const QStringList &arguments)
{
    RunOptions options;
    if (const int status = options.parse(taskpoolPath, arguments); status >= 0)
        return status;
    RunJournal journal;
    bool journaling = false;
    if (const int status = openJournal(options, &journal, &journaling); status >= 0)
        return status;

    JobSpec spec = options.startSpec;
    RunInputs inputs = RunInputs::all();
    QString error;
    if (options.retryFailed && !failedTasksOf(journal, options.retryRun, &spec, &inputs, &error))
        return usageError(error);
    if (!options.applyTo(&spec, &error))
        return usageError(error);
    if (options.resume) {
        QSet<quint64> finished = journal.finishedKeys(spec, &error);
        if (!error.isEmpty()) {
            printError(error);
            return UsageError;
        }
        if (!options.quiet)
            printError(QStringLiteral("resuming: %1 tasks of this command already finished").arg(finished.size()));
        inputs = RunInputs::unfinished(std::move(finished));
    }

    // The outputs open before the journal records a run, so a run that cannot
    // start leaves no run behind.
    UnixSignals unixSignals;
    int resultsFd = STDOUT_FILENO;
    if (!options.resultsPath.isEmpty()) {
        int signal = 0;
        resultsFd = openResults(options.resultsPath, unixSignals, options.quiet, &signal, &error);
        if (signal) {
            printError(QStringLiteral("interrupted while waiting for a reader of %1").arg(options.resultsPath));
            return signalExitCode(signal);
        }
        if (resultsFd < 0) {
            printError(error);
            return UsageError;
        }
    }
    HeadlessRecorder recorder(journaling ? &journal : nullptr, resultsFd, options);
    std::unique_ptr<JobRun> run(JobRun::create(spec, inputs, &recorder, &error));
    if (!run) {
        printError(error);
        if (resultsFd != STDOUT_FILENO)
            ::close(resultsFd);
        return UsageError;
    }
    ::signal(SIGPIPE, SIG_IGN); // a closed pipe is reported by write() instead
    const int status = HeadlessRun(*run, recorder, unixSignals, options).exec();
    if (resultsFd != STDOUT_FILENO)
        ::close(resultsFd);
    return status;
}
