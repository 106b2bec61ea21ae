#pragma once

#include <QStringList>

// `taskpool demo-worker [--fast]`: a protocol worker built into the binary, so the
// demo job runs on a machine with nothing else installed. The default mode takes
// 0.3-3 s per task and reports progress; --fast answers at once (for benchmarks).
int demoWorkerMain(const QStringList &arguments);
