#include "statusstyle.h"

#include "theme.h"

#include <QGuiApplication>
#include <QHash>
#include <QPainter>
#include <QPixmap>

namespace StatusStyle {

namespace {
// The hues; readable() moves their lightness to suit the palette.
QColor hue(TaskStatus status)
{
    switch (status) {
    case TaskStatus::Pending: return QColor(0x75, 0x75, 0x75);
    case TaskStatus::Running: return QColor(0x15, 0x65, 0xc0);
    case TaskStatus::Ok: return QColor(0x2e, 0x7d, 0x32);
    case TaskStatus::Failed: return QColor(0xc6, 0x28, 0x28);
    case TaskStatus::Timeout: return QColor(0xe6, 0x5c, 0x00);
    case TaskStatus::Crashed: return QColor(0x8e, 0x24, 0xaa);
    case TaskStatus::Stalled: return QColor(0x8d, 0x6e, 0x63);
    case TaskStatus::Cancelled: return QColor(0x75, 0x75, 0x75);
    }
    return {};
}

QIcon dot(const QColor &color)
{
    static QHash<QRgb, QIcon> cache;
    auto it = cache.constFind(color.rgba());
    if (it != cache.constEnd())
        return *it;
    QIcon result;
    for (int size : {12, 16, 24}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(color);
        const qreal margin = size / 6.0;
        painter.drawEllipse(QRectF(margin, margin, size - 2 * margin, size - 2 * margin));
        painter.end();
        result.addPixmap(pixmap);
    }
    cache.insert(color.rgba(), result);
    return result;
}
} // namespace

QColor color(TaskStatus status, const QPalette &palette)
{
    return Theme::readable(hue(status), palette);
}

QColor color(TaskStatus status)
{
    return color(status, QGuiApplication::palette());
}

QIcon icon(TaskStatus status)
{
    return dot(color(status));
}

QString label(TaskStatus status)
{
    switch (status) {
    case TaskStatus::Pending: return QStringLiteral("Pending");
    case TaskStatus::Running: return QStringLiteral("Running");
    case TaskStatus::Ok: return QStringLiteral("OK");
    case TaskStatus::Failed: return QStringLiteral("Failed");
    case TaskStatus::Timeout: return QStringLiteral("Timed out");
    case TaskStatus::Crashed: return QStringLiteral("Crashed");
    case TaskStatus::Stalled: return QStringLiteral("Stalled");
    case TaskStatus::Cancelled: return QStringLiteral("Cancelled");
    }
    return {};
}

QColor color(SlotState state)
{
    return color(state, QGuiApplication::palette());
}

QColor color(SlotState state, const QPalette &palette)
{
    switch (state) {
    case SlotState::Busy: return color(TaskStatus::Running, palette);
    case SlotState::Crashed: return color(TaskStatus::Failed, palette);
    case SlotState::Stopping:
    case SlotState::Exited: return color(TaskStatus::Cancelled, palette);
    case SlotState::Starting:
    case SlotState::Idle: return {};
    }
    return {};
}

QColor runStateColor(const QString &state)
{
    return runStateColor(state, QGuiApplication::palette());
}

QColor runStateColor(const QString &state, const QPalette &palette)
{
    if (state == QLatin1String("running"))
        return color(TaskStatus::Running, palette);
    if (state == QLatin1String("finished"))
        return color(TaskStatus::Ok, palette);
    if (state == QLatin1String("failed"))
        return color(TaskStatus::Failed, palette);
    if (state == QLatin1String("interrupted"))
        return color(TaskStatus::Crashed, palette);
    if (state == QLatin1String("terminated"))
        return color(TaskStatus::Timeout, palette);
    return color(TaskStatus::Cancelled, palette); // stopped, or a state a newer taskpool wrote
}

QIcon runStateIcon(const QString &state)
{
    return dot(runStateColor(state));
}

} // namespace StatusStyle
