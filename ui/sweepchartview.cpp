#include "sweepchartview.h"

#include "resulttablemodel.h"
#include "sweepchartdata.h"
#include "theme.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <cmath>

namespace {

// Viridis: perceptually even, readable for most colour-blind people, dark to light.
QColor viridis(double t)
{
    static const QColor stops[] = {QColor(0x44, 0x01, 0x54), QColor(0x3b, 0x52, 0x8b), QColor(0x21, 0x91, 0x8c),
                                   QColor(0x5e, 0xc9, 0x62), QColor(0xfd, 0xe7, 0x25)};
    t = std::clamp(std::isnan(t) ? 0.5 : t, 0.0, 1.0) * 4;
    const int i = std::min(3, int(t));
    const double f = t - i;
    const QColor &a = stops[i], &b = stops[i + 1];
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * f), float(a.greenF() + (b.greenF() - a.greenF()) * f),
                            float(a.blueF() + (b.blueF() - a.blueF()) * f));
}

// Black or white, whichever contrasts more with this colour: at least 4.58:1 on any colour.
QColor textOn(const QColor &c)
{
    return Theme::contrastRatio(c, Qt::black) >= Theme::contrastRatio(c, Qt::white) ? QColor(Qt::black) : QColor(Qt::white);
}

QString number(double v)
{
    return QString::number(v, 'g', 4);
}

double fraction(double v, double lo, double hi)
{
    return hi > lo ? (v - lo) / (hi - lo) : 0.5;
}

constexpr int LegendWidth = 70;
constexpr int Pad = 8;

} // namespace

SweepChartView::SweepChartView(SweepChartData *data, QWidget *parent)
    : QWidget(parent)
    , m_data(data)
{
    setObjectName(QStringLiteral("sweepChartView"));
    setAccessibleName(QStringLiteral("Results by parameter"));
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
    m_repaint.setSingleShot(true);
    m_repaint.setInterval(RepaintIntervalMs);
    connect(&m_repaint, &QTimer::timeout, this, &SweepChartView::repaintNow);
    connect(data, &SweepChartData::changed, this, &SweepChartView::scheduleRepaint);
    connect(data, &SweepChartData::axesChanged, this, &SweepChartView::scheduleRepaint);
    connect(data, &SweepChartData::fieldsChanged, this, &SweepChartView::scheduleRepaint);
    repaintNow();
}

QSize SweepChartView::sizeHint() const { return {640, 400}; }
QSize SweepChartView::minimumSizeHint() const { return {160, 50}; }

void SweepChartView::setKind(Kind kind)
{
    if (m_kind == kind)
        return;
    m_kind = kind;
    repaintNow();
}

// At most one repaint (and description) per interval, whatever the rate of results.
void SweepChartView::scheduleRepaint()
{
    if (!m_repaint.isActive())
        m_repaint.start();
}

void SweepChartView::repaintNow()
{
    m_repaint.stop();
    const QString text = summary();
    if (accessibleDescription() != text) {
        setAccessibleDescription(text);
        Q_EMIT summaryChanged(text);
    }
    update();
}

QString SweepChartView::summary() const
{
    return m_kind == Kind::Heatmap ? m_data->heatmapSummary() : m_data->pointsSummary();
}

int SweepChartView::leftMargin() const
{
    const QFontMetrics fm = fontMetrics();
    int widest = fm.horizontalAdvance(QStringLiteral("0.0000"));
    if (m_kind == Kind::Heatmap) {
        for (int r = 0; r < m_data->rowCount(); ++r)
            widest = std::max(widest, fm.horizontalAdvance(m_data->rowValue(r)));
    }
    return std::min(widest, width() / 4) + fm.height() + 2 * Pad;
}

QRect SweepChartView::plotRect() const
{
    const QFontMetrics fm = fontMetrics();
    const int top = fm.height() + 2 * Pad;          // the title
    const int bottom = 2 * fm.height() + 2 * Pad;   // x values and the x title
    return QRect(QPoint(leftMargin(), top), QPoint(width() - LegendWidth - 2 * Pad, height() - bottom));
}

QRect SweepChartView::cellRect(int column, int row) const
{
    const int columns = m_data->columnCount(), rows = m_data->rowCount();
    if (column < 0 || row < 0 || column >= columns || row >= rows)
        return {};
    const QRect plot = plotRect();
    const int x0 = plot.left() + int(std::lround(double(plot.width()) * column / columns));
    const int x1 = plot.left() + int(std::lround(double(plot.width()) * (column + 1) / columns));
    // Row 0 at the bottom: values grow upwards, as on any axis.
    const int y0 = plot.bottom() + 1 - int(std::lround(double(plot.height()) * (row + 1) / rows));
    const int y1 = plot.bottom() + 1 - int(std::lround(double(plot.height()) * row / rows));
    return QRect(QPoint(x0, y0), QPoint(x1 - 1, y1 - 1));
}

bool SweepChartView::cellAt(const QPoint &pos, int *column, int *row) const
{
    const QRect plot = plotRect();
    if (!plot.contains(pos) || m_data->columnCount() == 0 || m_data->rowCount() == 0)
        return false;
    for (int c = 0; c < m_data->columnCount(); ++c) {
        for (int r = 0; r < m_data->rowCount(); ++r) {
            if (cellRect(c, r).contains(pos)) {
                *column = c;
                *row = r;
                return true;
            }
        }
    }
    return false;
}

QPoint SweepChartView::pointPosition(std::size_t index) const
{
    const auto &points = m_data->points();
    if (index >= points.size())
        return {};
    const SweepChartData::Point &pt = points[index];
    const QRect plot = plotRect();
    const int columns = std::max(1, m_data->columnCount());
    const double x = plot.left() + plot.width() * (m_data->displayColumn(pt.x) + 0.5) / columns;
    const double lo = m_data->minPointValue(), hi = m_data->maxPointValue();
    const double y = plot.bottom() - (plot.height() - 2 * Pad) * fraction(pt.value, lo, hi) - Pad;
    return QPoint(int(x), int(y));
}

int SweepChartView::pointAt(const QPoint &pos) const
{
    int best = -1;
    int bestDistance = 7 * 7;
    const auto &points = m_data->points();
    for (std::size_t i = 0; i < points.size(); ++i) {
        const QPoint d = pointPosition(i) - pos;
        const int distance = d.x() * d.x() + d.y() * d.y();
        if (distance <= bestDistance) {
            best = int(i);
            bestDistance = distance;
        }
    }
    return best;
}

qint64 SweepChartView::taskAt(const QPoint &pos) const
{
    int row = -1;
    if (m_kind == Kind::Heatmap) {
        int c, r;
        if (cellAt(pos, &c, &r))
            row = m_data->cell(c, r).lastRow;
    } else if (const int point = pointAt(pos); point >= 0) {
        row = m_data->points()[point].row;
    }
    ResultTableModel *results = m_data->results();
    return row >= 0 && row < results->rowCount() ? results->row(row).id() : -1;
}

QString SweepChartView::toolTipAt(const QPoint &pos) const
{
    const QStringList labels = m_data->parameterLabels();
    if (labels.isEmpty() || m_data->xParameter() < 0)
        return {};
    const auto where = [&](int c, int r) {
        QString text = QStringLiteral("%1 = %2").arg(labels.at(m_data->xParameter()), m_data->columnValue(c));
        if (m_data->yParameter() >= 0)
            text += QStringLiteral("\n%1 = %2").arg(labels.at(m_data->yParameter()), m_data->rowValue(r));
        return text;
    };
    if (m_kind == Kind::Heatmap) {
        int c, r;
        if (!cellAt(pos, &c, &r))
            return {};
        const SweepChartData::Cell cell = m_data->cell(c, r);
        if (cell.count == 0)
            return where(c, r) + QStringLiteral("\nno result yet");
        QString text = where(c, r) + QStringLiteral("\n%1 = %2").arg(m_data->fieldLabel(), number(cell.mean()));
        if (cell.count > 1)
            text += QStringLiteral(" (mean of %1)").arg(cell.count);
        return text + QStringLiteral("\nclick to see its result");
    }
    const int point = pointAt(pos);
    if (point < 0)
        return {};
    const SweepChartData::Point &pt = m_data->points()[point];
    return where(m_data->displayColumn(pt.x), m_data->displayRow(pt.y))
        + QStringLiteral("\n%1 = %2\nclick to see its result").arg(m_data->fieldLabel(), number(pt.value));
}

bool SweepChartView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

void SweepChartView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        const qint64 task = taskAt(event->position().toPoint());
        if (task >= 0)
            Q_EMIT resultClicked(task);
    }
    QWidget::mouseReleaseEvent(event);
}

// ---- Painting -----------------------------------------------------------------

void SweepChartView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setPen(palette().color(QPalette::Text));
    if (!m_data->isSweep() || !m_data->hasField() || m_data->xParameter() < 0)
        return paintMessage(p, summary());
    if (m_kind == Kind::Heatmap)
        paintHeatmap(p);
    else
        paintPoints(p);
}

void SweepChartView::paintMessage(QPainter &p, const QString &text) const
{
    p.drawText(rect().adjusted(2 * Pad, 2 * Pad, -2 * Pad, -2 * Pad), Qt::AlignCenter | Qt::TextWordWrap, text);
}

void SweepChartView::paintHeatmap(QPainter &p) const
{
    const QFontMetrics fm = fontMetrics();
    const QPalette &pal = palette();
    const QRect plot = plotRect();
    const QStringList labels = m_data->parameterLabels();
    const double lo = m_data->minValue(), hi = m_data->maxValue();
    p.drawText(QRect(0, Pad, width(), fm.height()), Qt::AlignCenter, summary().section(QLatin1Char(':'), 0, 0));

    for (int c = 0; c < m_data->columnCount(); ++c) {
        for (int r = 0; r < m_data->rowCount(); ++r) {
            const QRect cell = cellRect(c, r);
            const SweepChartData::Cell data = m_data->cell(c, r);
            if (data.count == 0) { // not finished yet: empty, outlined
                p.fillRect(cell, pal.color(QPalette::Base));
                p.setPen(QPen(pal.color(QPalette::Mid), 1, Qt::DotLine));
                p.drawRect(cell.adjusted(1, 1, -2, -2));
                continue;
            }
            const QColor colour = viridis(fraction(data.mean(), lo, hi));
            p.fillRect(cell, colour);
            const QString text = number(data.mean());
            if (cell.width() >= fm.horizontalAdvance(text) + 6 && cell.height() >= fm.height() + 2) {
                p.setPen(textOn(colour));
                p.drawText(cell, Qt::AlignCenter, text);
            }
        }
    }
    // Grid lines between cells, in the window's colour, so cells read apart.
    p.setPen(QPen(pal.color(QPalette::Base), 1));
    for (int c = 1; c < m_data->columnCount(); ++c)
        p.drawLine(cellRect(c, 0).left(), plot.top(), cellRect(c, 0).left(), plot.bottom());
    for (int r = 1; r < m_data->rowCount(); ++r)
        p.drawLine(plot.left(), cellRect(0, r).bottom() + 1, plot.right(), cellRect(0, r).bottom() + 1);

    // Axis values, then titles; values that do not fit are skipped, not overlapped.
    p.setPen(pal.color(QPalette::Text));
    int lastRight = -1000;
    for (int c = 0; c < m_data->columnCount(); ++c) {
        const QRect cell = cellRect(c, 0);
        const QString text = m_data->columnValue(c);
        const int w = fm.horizontalAdvance(text);
        const int left = cell.center().x() - w / 2;
        if (left < lastRight + 6)
            continue;
        p.drawText(QRect(left, plot.bottom() + 4, w, fm.height()), Qt::AlignCenter, text);
        lastRight = left + w;
    }
    p.drawText(QRect(plot.left(), plot.bottom() + 4 + fm.height(), plot.width(), fm.height()), Qt::AlignCenter,
               labels.value(m_data->xParameter()));
    if (m_data->yParameter() >= 0) {
        int lastTop = 100000;
        for (int r = 0; r < m_data->rowCount(); ++r) {
            const QRect cell = cellRect(0, r);
            if (cell.center().y() + fm.height() / 2 > lastTop - 2)
                continue;
            const QRect box(fm.height() + Pad, cell.center().y() - fm.height() / 2, plot.left() - fm.height() - 2 * Pad, fm.height());
            p.drawText(box, Qt::AlignRight | Qt::AlignVCenter, fm.elidedText(m_data->rowValue(r), Qt::ElideMiddle, box.width()));
            lastTop = box.top();
        }
        p.save();
        p.translate(Pad, plot.center().y());
        p.rotate(-90);
        p.drawText(QRect(-plot.height() / 2, 0, plot.height(), fm.height()), Qt::AlignCenter, labels.value(m_data->yParameter()));
        p.restore();
    }
    paintLegend(p, lo, hi);
}

void SweepChartView::paintLegend(QPainter &p, double lo, double hi) const
{
    if (std::isnan(lo))
        return;
    const QFontMetrics fm = fontMetrics();
    const QRect plot = plotRect();
    const QRect bar(plot.right() + 2 * Pad, plot.top(), 14, plot.height());
    for (int y = bar.top(); y <= bar.bottom(); ++y)
        p.fillRect(QRect(bar.left(), y, bar.width(), 1), viridis(1.0 - double(y - bar.top()) / std::max(1, bar.height() - 1)));
    p.setPen(palette().color(QPalette::Text));
    p.drawRect(bar.adjusted(0, 0, -1, -1));
    const int textLeft = bar.right() + 6;
    const int textWidth = width() - textLeft;
    const int ticks = bar.height() > 6 * fm.height() ? 4 : 1;
    for (int i = 0; i <= ticks; ++i) {
        const double v = hi - (hi - lo) * i / ticks;
        const int y = bar.top() + bar.height() * i / ticks;
        p.drawLine(bar.right() - 3, y, bar.right(), y); // inside the bar: outside it reads as a minus
        p.drawText(QRect(textLeft, y - fm.height() / 2, textWidth, fm.height()), Qt::AlignLeft | Qt::AlignVCenter, number(v));
    }
}

QColor SweepChartView::pointColour(int displayRow) const
{
    // Tableau 10: categories told apart on light and dark backgrounds alike.
    static const QRgb colours[] = {0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f,
                                   0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac};
    if (m_data->yParameter() < 0)
        return QColor(colours[0]);
    const int rows = std::max(1, m_data->rowCount());
    if (rows <= 10)
        return QColor(colours[std::max(0, displayRow)]);
    return viridis(double(displayRow) / (rows - 1));
}

void SweepChartView::paintPoints(QPainter &p) const
{
    const QFontMetrics fm = fontMetrics();
    const QPalette &pal = palette();
    const QRect plot = plotRect();
    const QStringList labels = m_data->parameterLabels();
    p.drawText(QRect(0, Pad, width(), fm.height()), Qt::AlignCenter, summary().section(QLatin1Char(':'), 0, 0));
    p.setPen(pal.color(QPalette::Mid));
    p.drawRect(plot.adjusted(0, 0, -1, -1));
    // The y axis: the field's range.
    const double lo = m_data->minPointValue(), hi = m_data->maxPointValue();
    p.setPen(pal.color(QPalette::Text));
    if (!std::isnan(lo)) {
        for (int i = 0; i <= 4; ++i) {
            const double v = lo + (hi - lo) * i / 4;
            const int y = int(plot.bottom() - (plot.height() - 2 * Pad) * fraction(v, lo, hi) - Pad);
            p.drawLine(plot.left() - 3, y, plot.left(), y);
            p.drawText(QRect(0, y - fm.height() / 2, plot.left() - 6, fm.height()), Qt::AlignRight | Qt::AlignVCenter, number(v));
        }
    }
    const int columns = std::max(1, m_data->columnCount());
    int lastRight = -1000;
    for (int c = 0; c < m_data->columnCount(); ++c) {
        const int x = int(plot.left() + plot.width() * (c + 0.5) / columns);
        const QString text = m_data->columnValue(c);
        const int w = fm.horizontalAdvance(text);
        if (x - w / 2 < lastRight + 6)
            continue;
        p.drawText(QRect(x - w / 2, plot.bottom() + 4, w, fm.height()), Qt::AlignCenter, text);
        lastRight = x + w / 2;
    }
    p.drawText(QRect(plot.left(), plot.bottom() + 4 + fm.height(), plot.width(), fm.height()), Qt::AlignCenter,
               labels.value(m_data->xParameter()));
    p.save();
    p.translate(Pad, plot.center().y());
    p.rotate(-90);
    p.drawText(QRect(-plot.height() / 2, 0, plot.height(), fm.height()), Qt::AlignCenter, m_data->fieldLabel());
    p.restore();

    // The points: small discs, or single pixels when there are very many.
    const auto &points = m_data->points();
    const bool many = points.size() > 20000;
    p.setRenderHint(QPainter::Antialiasing, !many);
    p.setPen(Qt::NoPen);
    for (std::size_t i = 0; i < points.size(); ++i) {
        const QColor colour = pointColour(m_data->displayRow(points[i].y));
        const QPoint at = pointPosition(i);
        if (many) {
            p.fillRect(at.x(), at.y(), 2, 2, colour);
        } else {
            p.setBrush(colour);
            p.drawEllipse(at, 4, 4);
        }
    }
    p.setRenderHint(QPainter::Antialiasing, false);
    // The legend: a colour per value of the second parameter.
    if (m_data->yParameter() >= 0) {
        p.setPen(pal.color(QPalette::Text));
        const int left = plot.right() + 2 * Pad;
        p.drawText(QRect(left, plot.top() - fm.height() - 2, LegendWidth, fm.height()), Qt::AlignLeft,
                   labels.value(m_data->yParameter()));
        for (int r = 0; r < m_data->rowCount() && (r + 1) * fm.height() < plot.height(); ++r) {
            const int y = plot.top() + r * fm.height();
            p.fillRect(QRect(left, y + 3, 10, fm.height() - 6), pointColour(r));
            p.drawText(QRect(left + 14, y, LegendWidth - 14, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                       fm.elidedText(m_data->rowValue(r), Qt::ElideRight, LegendWidth - 14));
        }
    }
}
