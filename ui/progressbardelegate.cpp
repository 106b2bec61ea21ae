#include "progressbardelegate.h"

#include "theme.h"

#include <QApplication>
#include <QPainter>
#include <QStyleOptionProgressBar>

namespace {
constexpr double ChunkContrast = 5.5;
} // namespace

ProgressBarDelegate::ProgressBarDelegate(int progressColumn, int progressRole, QObject *parent)
    : ElidedTextDelegate(parent)
    , m_column(progressColumn)
    , m_role(progressRole)
{
}

void ProgressBarDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QVariant progress = index.data(m_role);
    if (index.column() != m_column || !progress.isValid()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    // Selection and focus background first, as for any other cell.
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);

    const double value = progress.toDouble();
    const QString text = index.data(Qt::DisplayRole).toString();
    if (value < 0 && text.isEmpty())
        return; // no task on this row: an empty cell reads better than an empty bar

    QStyleOptionProgressBar bar;
    if (widget)
        bar.initFrom(widget);
    bar.rect = option.rect.adjusted(2, 2, -2, -2);
    bar.state = (option.state & QStyle::State_Enabled) | QStyle::State_Horizontal;
    bar.minimum = 0;
    bar.maximum = 1000;
    bar.progress = value < 0 ? 0 : qBound(0, int(value * 1000 + 0.5), 1000);
    bar.text = text;
    bar.textVisible = !text.isEmpty();
    bar.textAlignment = Qt::AlignCenter;
    bar.palette = option.palette;
    // On a dark palette the groove (Base, outlined in a darker window colour) would vanish
    // into the cell: a step lighter, the empty part of the bar shows.
    if (Theme::isDark(bar.palette))
        bar.palette.setColor(QPalette::Base, bar.palette.color(QPalette::Base).lighter(170));
    // The text crosses the filled chunk (HighlightedText on Highlight) and the empty
    // groove (Text on Base): both readable, whatever palette or platform colours.
    // The chunk is darkened or lightened rather than the text, and beyond 4.5:1, as
    // styles shade it (Fusion: a gradient from a lighter highlight).
    const QColor highlightedText = bar.palette.color(QPalette::HighlightedText);
    bar.palette.setColor(QPalette::Highlight,
                         Theme::readableOn(bar.palette.color(QPalette::Highlight), {highlightedText}, ChunkContrast));
    bar.palette.setColor(QPalette::Text,
                         Theme::readableOn(bar.palette.color(QPalette::Text), {bar.palette.color(QPalette::Base)}));
    style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
}

QSize ProgressBarDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    if (index.column() == m_column)
        size.setWidth(qMax(size.width(), 110));
    return size;
}
