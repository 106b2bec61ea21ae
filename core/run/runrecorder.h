#pragma once

#include "jobspec.h"
#include "task.h"

#include <QString>

// Where a run is recorded (the journal). JobRun calls beginRun() once, just
// before the pool starts; recordAttempt() for each attempt that will be run
// again and recordResult() for each task's final outcome, as they happen;
// endRun() once, with the state and message of JobRun::end(). Implementations
// must not block the caller for long: the app's records on a thread of its own.
class RunRecorder
{
public:
    virtual ~RunRecorder() = default;
    virtual void beginRun(const JobSpec &spec) = 0;
    virtual void recordAttempt(const TaskOutcome &outcome) = 0;
    virtual void recordResult(const TaskOutcome &outcome) = 0;
    virtual void endRun(const QString &state, const QString &message) = 0;
};
