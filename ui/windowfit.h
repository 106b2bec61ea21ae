#pragma once

#include <QByteArray>
#include <QRect>
#include <QSize>

class QWidget;

// Where the main window opens, so that it fits the screen it opens on at any
// scale factor: a laptop at 150 % has a logical screen of 910×512, and a
// geometry saved on a large monitor must not open larger than the laptop.
namespace WindowFit {

// The share of the available screen a first window takes; a small logical
// screen (under SmallScreen, e.g. a 1366×768 laptop at 150 %) is all used.
constexpr double FirstShare = 0.85;
constexpr QSize SmallScreen(1024, 640);

// A first window: FirstShare of the available geometry (all of a small one),
// centred on it, never smaller than `minimum` unless the screen itself is.
QRect firstGeometry(const QRect &available, const QSize &minimum);

// `frame` (a window's outer geometry) moved and shrunk as little as possible
// so that it lies wholly inside `available`.
QRect clamped(const QRect &frame, const QRect &available);

// Restores `saved` (QWidget::saveGeometry) onto `window`, or gives it a first
// geometry when there is none, then clamps it onto the screen it is on. Call
// before the window is shown.
void place(QWidget *window, const QByteArray &saved);

} // namespace WindowFit
