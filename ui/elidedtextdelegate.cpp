#include "elidedtextdelegate.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QHelpEvent>
#include <QStyle>
#include <QToolTip>

namespace {
constexpr int MaxToolTipChars = 2000; // a whole output would not fit a screen anyway
}

bool ElidedTextDelegate::isElided(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem cell = option;
    initStyleOption(&cell, index);
    if (cell.text.isEmpty())
        return false;
    const QWidget *widget = option.widget;
    const QStyle *style = widget ? widget->style() : QApplication::style();
    const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, widget) + 1;
    const QRect textRect = style->subElementRect(QStyle::SE_ItemViewItemText, &cell, widget);
    const QString firstLine = cell.text.section(QLatin1Char('\n'), 0, 0);
    return firstLine != cell.text || cell.fontMetrics.horizontalAdvance(firstLine) > textRect.width() - 2 * margin;
}

bool ElidedTextDelegate::helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                                   const QModelIndex &index)
{
    if (event && event->type() == QEvent::ToolTip && index.isValid() && !index.data(Qt::ToolTipRole).isValid()) {
        if (isElided(option, index)) {
            const QString text = index.data(Qt::DisplayRole).toString().left(MaxToolTipChars);
            // As plain text: an input may look like markup.
            QToolTip::showText(event->globalPos(),
                               QStringLiteral("<p style='white-space:pre-wrap'>%1</p>").arg(text.toHtmlEscaped()),
                               view->viewport(), option.rect);
            return true;
        }
        QToolTip::hideText();
        return true;
    }
    return QStyledItemDelegate::helpEvent(event, view, option, index);
}
