#pragma once

#include <QtGlobal>

// Which of a process's output streams some bytes came from.
enum class OutputStream : quint8 { Stdout, Stderr };
