#pragma once

#include <QStringList>

class QTableView;

// How the app's tables behave, in one place so that they stay alike.
namespace TableSetup {

// One line of text per row (plus rowPadding pixels), picked as whole rows,
// without row numbers; Tab moves on to the next widget, not from cell to cell.
// Its minimum height is its header and a row or two.
void rows(QTableView *view, int rowPadding);

// A list of records to pick from and act on through a context menu (results,
// past runs): several rows at once, striped so a wide row is easy to follow.
void pickList(QTableView *view);

// Column widths from content: each column as wide as the widest of its
// header and `samples[column]` (the longest text it usually shows, e.g.
// "59 m 59 s"), so widths follow the font and the header is never cut.
// `stretch` takes whatever room is left; its sample is only its first width.
// Text that does not fit a cell is elided (ElidedTextDelegate shows it whole).
// `iconColumns` show a small icon (a status dot) before their text.
void fitColumns(QTableView *view, const QStringList &samples, int stretch, const QList<int> &iconColumns = {});

// The width fitColumns gives a column showing `sample` under `header`.
int columnWidth(const QTableView *view, const QString &header, const QString &sample);

} // namespace TableSetup
