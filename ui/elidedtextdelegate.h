#pragma once

#include <QStyledItemDelegate>

// The app's tables elide text that does not fit its cell; hovering such a
// cell shows the whole text, unless the model gives a tooltip of its own.
class ElidedTextDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    bool helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                   const QModelIndex &index) override;

    // Whether the cell's display text is wider than the room it is drawn in.
    bool isElided(const QStyleOptionViewItem &option, const QModelIndex &index) const;
};
