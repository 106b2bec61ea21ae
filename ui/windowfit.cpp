#include "windowfit.h"

#include <QGuiApplication>
#include <QScreen>
#include <QWidget>

#include <algorithm>

namespace WindowFit {

QRect firstGeometry(const QRect &available, const QSize &minimum)
{
    const bool small = available.width() < SmallScreen.width() || available.height() < SmallScreen.height();
    QSize size = small ? available.size() : (QSizeF(available.size()) * FirstShare).toSize();
    size = size.expandedTo(minimum).boundedTo(available.size());
    QRect geometry(QPoint(), size);
    geometry.moveCenter(available.center());
    return geometry;
}

QRect clamped(const QRect &frame, const QRect &available)
{
    QRect result(frame.topLeft(), frame.size().boundedTo(available.size()));
    result.moveLeft(std::clamp(result.left(), available.left(), available.right() - result.width() + 1));
    result.moveTop(std::clamp(result.top(), available.top(), available.bottom() - result.height() + 1));
    return result;
}

namespace {

// The screen a window at `geometry` would open on: the one holding its
// centre, else the primary one (a monitor that is gone).
QScreen *screenFor(const QRect &geometry)
{
    if (QScreen *screen = QGuiApplication::screenAt(geometry.center()))
        return screen;
    return QGuiApplication::primaryScreen();
}

} // namespace

void place(QWidget *window, const QByteArray &saved)
{
    // Decorations are not known before the window is shown (and not at all
    // offscreen); a title bar and a border are kept free so the frame fits too.
    const int titleBar = window->fontMetrics().height() + 12;
    constexpr int border = 4;
    const bool restored = !saved.isEmpty() && window->restoreGeometry(saved);
    QScreen *screen = restored ? screenFor(window->geometry()) : QGuiApplication::primaryScreen();
    if (!screen)
        return;
    const QRect available = screen->availableGeometry().adjusted(border, titleBar, -border, -border);
    // On a screen smaller than the window's natural minimum (683×384 at 200 %)
    // the panes give: the window never opens larger than the screen.
    const QSize minimum = window->minimumSizeHint().expandedTo(window->minimumSize());
    const QSize fits = minimum.boundedTo(available.size());
    if (fits != minimum)
        window->setMinimumSize(fits);
    if (!restored) {
        window->setGeometry(firstGeometry(available, fits));
        return;
    }
    if (window->isMaximized() || window->isFullScreen())
        return; // the window system sizes those to the screen
    const QRect fitted = clamped(window->geometry(), available);
    if (fitted != window->geometry())
        window->setGeometry(fitted);
}

} // namespace WindowFit
