#pragma once

#include <initializer_list>

class QTableView;

// How the app's tables behave, in one place so that they stay alike.
namespace TableSetup {

// One line of text per row (plus rowPadding pixels), picked as whole rows,
// without row numbers; Tab moves on to the next widget, not from cell to cell.
void rows(QTableView *view, int rowPadding);

// A list of records to pick from and act on through a context menu (results,
// past runs): several rows at once, striped so a wide row is easy to follow.
void pickList(QTableView *view);

// Column widths in digits (widths of '0'), one per column, so that they
// follow the font; `stretch` takes whatever room is left.
void columnWidths(QTableView *view, std::initializer_list<int> digits, int stretch);

} // namespace TableSetup
