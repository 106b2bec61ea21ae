#pragma once

#include "task.h"
#include "slot.h"

#include <QColor>
#include <QIcon>
#include <QPalette>
#include <QString>

// How task statuses and worker states look everywhere in the app, so the
// results table, the filter and the summary agree on colours and words.
//
// The colours are text colours, made readable (Theme::TargetTextContrast) on
// the palette's Base, AlternateBase and Window: lighter under a dark palette,
// darker under a light one, the same hue. Without a palette, the application's
// (models cannot see a view's; views repaint when it changes).
namespace StatusStyle {

QColor color(TaskStatus status);
QColor color(TaskStatus status, const QPalette &palette);
QIcon icon(TaskStatus status);          // a coloured dot; the text is always shown too
QString label(TaskStatus status);       // "OK", "Failed", "Timed out", ...

QColor color(SlotState state);        // invalid QColor: the palette's text colour
QColor color(SlotState state, const QPalette &palette);

// A journal run's state: running, finished, stopped, terminated, failed, interrupted.
QColor runStateColor(const QString &state);
QColor runStateColor(const QString &state, const QPalette &palette);
QIcon runStateIcon(const QString &state);

} // namespace StatusStyle
