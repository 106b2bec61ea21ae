#pragma once

#include <QStringList>

// `taskpool run [options] [--] COMMAND [ARG...]`: the headless runner.
// Exit status: 0 all ok, 1 some task failed, 2 usage error or the command cannot
// start, 130 after Ctrl-C (143 after SIGTERM).
int runCommand(const QString &taskpoolPath, const QStringList &arguments);
