#pragma once

#include "task.h"
#include "slot.h"

#include <QColor>
#include <QIcon>
#include <QString>

// How task statuses and worker states look everywhere in the app, so the
// results table, the filter and the summary agree on colours and words.
namespace StatusStyle {

QColor color(TaskStatus status);
QIcon icon(TaskStatus status);          // a coloured dot; the text is always shown too
QString label(TaskStatus status);       // "OK", "Failed", "Timed out", ...

QColor color(SlotState state);        // invalid QColor: the palette's text colour

// A journal run's state: running, finished, stopped, terminated, failed, interrupted.
QColor runStateColor(const QString &state);
QIcon runStateIcon(const QString &state);

} // namespace StatusStyle
