#pragma once

#include <QChartView>
#include <QList>
#include <QPointF>

class QLineSeries;
class QValueAxis;

// Tasks finished per second over the run, one point per second; the last
// WindowSeconds are shown so a long run keeps a readable scale.
class ThroughputChart : public QChartView
{
    Q_OBJECT
public:
    static constexpr int WindowSeconds = 300;

    explicit ThroughputChart(QWidget *parent = nullptr);

    void reset();
    void addSample(double elapsedSeconds, double tasksPerSecond);
    const QList<QPointF> &points() const { return m_points; }
    QValueAxis *timeAxis() const { return m_timeAxis; }
    QValueAxis *rateAxis() const { return m_rateAxis; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();

    QLineSeries *m_series;
    QValueAxis *m_timeAxis;
    QValueAxis *m_rateAxis;
    QList<QPointF> m_points;
};
