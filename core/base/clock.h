#pragma once

#include <QtGlobal>

// Milliseconds on a monotonic clock shared by the whole engine.
qint64 monotonicMs();
