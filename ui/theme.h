#pragma once

#include <QColor>
#include <QPalette>
#include <QString>

#include <functional>
#include <optional>

class QMenu;
class QWidget;

// The app's look: the platform's own, or Fusion with a light or dark palette
// of ours, and the arithmetic that keeps coloured text readable on either
// (WCAG 2.x contrast), so status colours, error text and charts can follow
// the palette instead of hard-coding one.
namespace Theme {

enum class Choice { System, Light, Dark };

QString toString(Choice choice);                         // "system", "light", "dark"
std::optional<Choice> fromString(const QString &text);   // nullopt for anything else

// The saved choice (QSettings "window/theme", default System) and saving one.
inline constexpr const char *SettingsKey = "window/theme";
Choice savedChoice();
void saveChoice(Choice choice);

// Light and Dark: Fusion and palette(choice). System: the style and palette the
// app started with, as they were before the first apply(). Any number of times,
// at any time: widgets get the usual palette-change events.
void apply(Choice choice);
Choice current();          // what apply() last set (System until then)
QPalette palette(Choice choice); // our complete palette for Light or Dark; System: the startup one

// A "View › Theme" submenu: System, Light, Dark, one checked; choosing applies and saves.
QMenu *menu(QWidget *parent);

// WCAG AA asks 4.5:1 for text; colours made here aim a little above it so a
// rounding step or an anti-aliased edge does not drop them under.
inline constexpr double MinTextContrast = 4.5;
inline constexpr double TargetTextContrast = 4.6;

bool isDark(const QPalette &palette); // by the window colour
double relativeLuminance(const QColor &color);           // WCAG 2.x, 0 (black) .. 1 (white)
double contrastRatio(const QColor &a, const QColor &b);  // 1 .. 21

// The colour with its hue and saturation, lighter (on dark backgrounds) or
// darker (on light ones) until it reaches ratio against every background.
QColor readableOn(const QColor &color, std::initializer_list<QColor> backgrounds, double ratio = TargetTextContrast);
// The same against the backgrounds text sits on in this palette: Base, AlternateBase and Window.
QColor readable(const QColor &color, const QPalette &palette, double ratio = TargetTextContrast);

// The red of failures and error messages, readable in this palette.
QColor errorColor(const QPalette &palette);

// Sets the widget's text colour (WindowText and Text) to colorFor(its palette),
// and again after every palette change, which a style sheet would not follow.
// colorFor must not depend on the text roles it sets.
void keepTextColor(QWidget *widget, std::function<QColor(const QPalette &)> colorFor);
void keepErrorColor(QWidget *widget); // keepTextColor with errorColor

} // namespace Theme
