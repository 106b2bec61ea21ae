#include "throughputchart.h"

#include "statusstyle.h"

#include <QChart>
#include <QGraphicsLayout>
#include <QLineSeries>
#include <QValueAxis>

#include <cmath>

namespace {
// 1, 2, 5, 10, 20, 50, ...: an axis maximum that gives round tick labels.
double niceCeiling(double value)
{
    if (value <= 1)
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (double step : {1.0, 2.0, 5.0, 10.0}) {
        if (value <= step * magnitude)
            return step * magnitude;
    }
    return 10 * magnitude;
}
} // namespace

ThroughputChart::ThroughputChart(QWidget *parent)
    : QChartView(parent)
    , m_series(new QLineSeries)
    , m_timeAxis(new QValueAxis)
    , m_rateAxis(new QValueAxis)
{
    auto *chart = new QChart;
    chart->legend()->hide();
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->setBackgroundRoundness(0);
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->addSeries(m_series);

    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    m_timeAxis->setLabelFormat(QStringLiteral("%.0f s"));
    m_timeAxis->setLabelsFont(small);
    m_timeAxis->setTickCount(5);
    m_rateAxis->setLabelFormat(QStringLiteral("%g/s"));
    m_rateAxis->setLabelsFont(small);
    m_rateAxis->setTickCount(3);
    chart->addAxis(m_timeAxis, Qt::AlignBottom);
    chart->addAxis(m_rateAxis, Qt::AlignLeft);
    m_series->attachAxis(m_timeAxis);
    m_series->attachAxis(m_rateAxis);

    setChart(chart);
    applyPalette();
    setRenderHint(QPainter::Antialiasing);
    setAccessibleName(QStringLiteral("Throughput chart"));
    setToolTip(QStringLiteral("Tasks finished per second over the run"));
    setFocusPolicy(Qt::NoFocus);
    reset();
}

void ThroughputChart::changeEvent(QEvent *event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

// QChart draws in its own theme's colours (white, whatever the palette): ours instead.
void ThroughputChart::applyPalette()
{
    const QPalette pal = palette();
    QChart *c = chart();
    c->setBackgroundBrush(pal.brush(QPalette::Base));
    c->setBackgroundPen(Qt::NoPen);
    c->setPlotAreaBackgroundVisible(false);
    setBackgroundBrush(pal.brush(QPalette::Base));
    QColor grid = pal.color(QPalette::Text);
    grid.setAlpha(40);
    QColor line = pal.color(QPalette::Text);
    line.setAlpha(110);
    for (QValueAxis *axis : {m_timeAxis, m_rateAxis}) {
        axis->setLabelsBrush(pal.brush(QPalette::Text));
        axis->setTitleBrush(pal.brush(QPalette::Text));
        axis->setGridLinePen(QPen(grid, 1));
        axis->setMinorGridLinePen(QPen(grid, 1));
        axis->setLinePen(QPen(line, 1));
    }
    QPen pen(StatusStyle::color(TaskStatus::Running, pal));
    pen.setWidthF(2);
    m_series->setPen(pen);
}

void ThroughputChart::reset()
{
    m_points.clear();
    m_series->clear();
    m_timeAxis->setRange(0, 60);
    m_rateAxis->setRange(0, 1);
}

void ThroughputChart::addSample(double elapsedSeconds, double tasksPerSecond)
{
    m_points.append(QPointF(elapsedSeconds, tasksPerSecond));
    while (m_points.size() > 1 && m_points.constLast().x() - m_points.constFirst().x() > WindowSeconds)
        m_points.removeFirst();
    m_series->replace(m_points); // one repaint per sample, not one per point

    double peak = 0;
    for (const QPointF &p : std::as_const(m_points))
        peak = qMax(peak, p.y());
    m_rateAxis->setRange(0, niceCeiling(peak * 1.1));
    // Whole minutes on the time axis keep the tick labels round (0, 15, 30 s …).
    const double start = std::floor(m_points.constFirst().x() / 60) * 60;
    m_timeAxis->setRange(start, start + std::ceil((elapsedSeconds - start) / 60 + 1e-9) * 60);
}
