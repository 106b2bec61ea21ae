#include "jobrun.h"

#include "commandtemplate.h"
#include "inputsource.h"
#include "runjournal.h"
#include "runrecorder.h"

#include <QFileInfo>
#include <QStandardPaths>

namespace {

// Empty when program can be started from directory, else why not.
QString programProblem(const QString &program, const QString &directory)
{
    if (program.contains(QLatin1Char('/'))) {
        QFileInfo info(program);
        if (info.isRelative() && !directory.isEmpty())
            info.setFile(directory + QLatin1Char('/') + program);
        if (!info.exists())
            return QStringLiteral("cannot run \"%1\": no such file").arg(program);
        if (!info.isFile() || !info.isExecutable())
            return QStringLiteral("cannot run \"%1\": it is not an executable file").arg(program);
        return {};
    }
    if (QStandardPaths::findExecutable(program).isEmpty())
        return QStringLiteral("cannot run \"%1\": no such program in PATH").arg(program);
    return {};
}

} // namespace

RunInputs RunInputs::unfinished(QSet<quint64> finishedKeys)
{
    RunInputs r;
    r.kind = Kind::Unfinished;
    r.finishedKeys = std::move(finishedKeys);
    return r;
}

RunInputs RunInputs::exactly(QList<QByteArray> inputs)
{
    RunInputs r;
    r.kind = Kind::Exactly;
    r.inputs = std::move(inputs);
    return r;
}

QString JobRun::check(const JobSpec &spec)
{
    QString problem = spec.validate();
    if (!problem.isEmpty())
        return problem;
    // A program chosen per input, or up to the shell, or one that only the
    // remote hosts have, cannot be checked from here.
    const QString program = CommandTemplate(spec.command, spec.shell).fixedProgram();
    if (spec.hasLocalHost() && !program.isEmpty() && !spec.shell) {
        problem = programProblem(program, spec.workingDirectory);
        if (!problem.isEmpty())
            return problem;
    }
    for (const HostSpec &host : spec.hosts) {
        const QString launcher = host.launcherWords().value(0);
        if (host.isRemote() && !programProblem(launcher, {}).isEmpty())
            return QStringLiteral("cannot reach host %1: its launcher \"%2\" is not installed here (not found in PATH)")
                .arg(host.name(), launcher);
    }
    return {};
}

JobRun *JobRun::create(const JobSpec &jobSpec, const RunInputs &inputs, RunRecorder *recorder, QString *error,
                       QObject *parent)
{
    JobSpec spec = jobSpec;
    if (inputs.kind == RunInputs::Kind::Exactly) {
        // The journal records the inputs as a list; they run as the exact bytes.
        spec.inputKind = JobSpec::InputKind::List;
        spec.inputList.clear();
        for (const QByteArray &input : inputs.inputs)
            spec.inputList.append(QString::fromUtf8(input));
    }
    *error = check(spec);
    if (!error->isEmpty())
        return nullptr;
    InputSource *input = nullptr;
    if (inputs.kind == RunInputs::Kind::Exactly) {
        input = new ListInput(inputs.inputs);
    } else {
        input = InputSource::create(spec, nullptr, error);
        if (!input)
            return nullptr;
    }
    if (inputs.kind == RunInputs::Kind::Unfinished) {
        // A task is its command and input, wherever the input now sits.
        const quint64 command = RunJournal::commandHash(RunJournal::commandKey(spec));
        InputSource *all = input;
        input = new FilteredInput(
            all,
            [done = inputs.finishedKeys, command](const QByteArray &in) {
                return !done.contains(RunJournal::taskKey(command, in));
            },
            inputs.finishedKeys.size());
        all->setParent(input);
    }
    return new JobRun(spec, input, recorder, parent);
}

JobRun::JobRun(const JobSpec &spec, InputSource *input, RunRecorder *recorder, QObject *parent)
    : QObject(parent)
    , m_spec(spec)
    , m_pool(new TaskPool(spec, input, this))
    , m_recorder(recorder)
{
    input->setParent(m_pool); // read by the pool until its very end
    if (m_recorder) {
        connect(m_pool, &TaskPool::attemptFailed, this, [this](const TaskOutcome &o) { m_recorder->recordAttempt(o); });
        connect(m_pool, &TaskPool::taskFinished, this, [this](const TaskOutcome &o) { m_recorder->recordResult(o); });
    }
    connect(m_pool, &TaskPool::finished, this, &JobRun::onPoolFinished);
}

JobRun::~JobRun()
{
    delete m_pool; // its slots end their process trees; the input goes with it
}

void JobRun::start()
{
    if (m_recorder)
        m_recorder->beginRun(m_spec);
    m_pool->start();
}

void JobRun::stop()
{
    if (m_pool->isActive() && m_endRequest == EndRequest::None)
        m_endRequest = EndRequest::Stop;
    m_pool->stop();
}

void JobRun::terminate()
{
    if (m_pool->isActive() && m_endRequest != EndRequest::Interrupt)
        m_endRequest = EndRequest::Terminate;
    m_pool->terminate();
}

void JobRun::interrupt()
{
    m_endRequest = EndRequest::Interrupt;
    m_pool->terminate();
}

void JobRun::outputFailed(const QString &message, bool brokenPipe)
{
    if (!m_outputFailed) {
        m_outputFailed = true;
        m_outputError = message;
        m_outputClosed = brokenPipe;
    }
    if (m_pool->isActive())
        m_pool->terminate();
}

void JobRun::abandon(const QString &why)
{
    if (!m_pool->isActive() || m_endRecorded)
        return;
    m_endRecorded = true;
    if (m_recorder)
        m_recorder->endRun(QStringLiteral("terminated"), why);
}

void JobRun::onPoolFinished()
{
    if (m_finished)
        return; // told once per run is enough
    m_finished = true;
    if (!m_endHeld)
        recordEnd();
    Q_EMIT finished();
}

void JobRun::recordEnd()
{
    if (m_endRecorded)
        return;
    m_endRecorded = true;
    if (!m_recorder)
        return;
    const End e = end();
    m_recorder->endRun(e.state, e.message);
}

// The first reason that applies names the end: a signal, then the results
// output, then the pool's own failure or halt, then what the user asked for.
JobRun::End JobRun::end() const
{
    const QString fatal = m_pool->fatalError();
    if (m_endRequest == EndRequest::Interrupt)
        return {QStringLiteral("terminated"), fatal};
    if (m_outputFailed) {
        if (m_outputClosed)
            return {QStringLiteral("terminated"), QStringLiteral("the results output was closed (no one reads it any more)")};
        return {QStringLiteral("failed"), m_outputError};
    }
    if (!fatal.isEmpty())
        return {QStringLiteral("failed"), fatal};
    const QString halt = m_pool->haltReason();
    if (!halt.isEmpty())
        return {m_spec.haltTerminates ? QStringLiteral("terminated") : QStringLiteral("stopped"), halt};
    if (m_endRequest == EndRequest::Terminate)
        return {QStringLiteral("terminated"), {}};
    if (m_endRequest == EndRequest::Stop)
        return {QStringLiteral("stopped"), {}};
    return {QStringLiteral("finished"), {}};
}

QString JobRun::summaryText(const PoolStats &stats, double seconds)
{
    const double perSecond = seconds > 0 ? stats.finished() / seconds : 0;
    QString summary = QStringLiteral("%1 tasks in %2 s (%3/s): %4 ok")
                          .arg(stats.finished())
                          .arg(seconds, 0, 'f', 2)
                          .arg(perSecond, 0, 'f', perSecond < 100 ? 1 : 0)
                          .arg(stats.ok);
    const std::pair<qint64, const char *> others[] = {{stats.failed, "failed"},     {stats.timedOut, "timed out"},
                                                      {stats.crashed, "crashed"},   {stats.stalled, "stalled"},
                                                      {stats.cancelled, "cancelled"}};
    for (const auto &[count, word] : others) {
        if (count)
            summary += QStringLiteral(", %1 %2").arg(count).arg(QLatin1String(word));
    }
    if (stats.retried)
        summary += QStringLiteral(" (%1 retried)").arg(stats.retried);
    return summary;
}
