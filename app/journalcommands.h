#pragma once

#include <QStringList>

// `taskpool export --journal FILE [--run ID] --format csv|jsonl [--output FILE]`
int exportCommand(const QStringList &arguments);
// `taskpool runs [--journal FILE] [--delete ID]`: past runs, newest first.
int runsCommand(const QStringList &arguments);
