#pragma once

#include <QTimer>
#include <QWidget>

class SweepChartData;

// The "By parameter" chart, painted: a heatmap of the grid of two parameters
// (each cell coloured by the mean of its results, its value printed when it
// fits, a colour scale beside it, cells not finished yet left empty), or the
// results as points against one parameter, coloured by a second.
//
// Repaints are coalesced to at most one per RepaintIntervalMs however fast
// results arrive. A click on a cell or a point emits resultClicked() with the
// task id of its (latest) result. Its accessible description says what it
// shows, in words, and follows the data.
class SweepChartView : public QWidget
{
    Q_OBJECT
public:
    enum class Kind { Heatmap, Points };
    static constexpr int RepaintIntervalMs = 100;

    explicit SweepChartView(SweepChartData *data, QWidget *parent = nullptr);

    SweepChartData *data() const { return m_data; }
    void setKind(Kind kind);
    Kind kind() const { return m_kind; }

    // Where things are, for a click, a tooltip or a test.
    QRect plotRect() const;
    QRect cellRect(int column, int row) const;  // heatmap, display order (row 0 at the bottom)
    bool cellAt(const QPoint &pos, int *column, int *row) const;
    QPoint pointPosition(std::size_t point) const; // points
    int pointAt(const QPoint &pos) const;        // index into data()->points(), -1 for none
    qint64 taskAt(const QPoint &pos) const;      // -1 for none
    QString toolTipAt(const QPoint &pos) const;

    QString summary() const; // the accessible description

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void resultClicked(qint64 taskId);
    void summaryChanged(const QString &summary);

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;

private:
    void scheduleRepaint();
    void repaintNow();
    void paintHeatmap(QPainter &p) const;
    void paintPoints(QPainter &p) const;
    void paintLegend(QPainter &p, double lo, double hi) const;
    void paintMessage(QPainter &p, const QString &text) const;
    QColor pointColour(int displayRow) const;
    int leftMargin() const;

    SweepChartData *m_data;
    Kind m_kind = Kind::Heatmap;
    QTimer m_repaint;
    bool m_dirty = false;
};
