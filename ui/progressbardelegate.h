#pragma once

#include "elidedtextdelegate.h"

// Draws a progress bar in a cell from a model role holding 0..1 (or -1 for
// "no progress known"), with the cell's display text on the bar.
class ProgressBarDelegate : public ElidedTextDelegate
{
    Q_OBJECT
public:
    ProgressBarDelegate(int progressColumn, int progressRole, QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_column;
    int m_role;
};
