#pragma once

#include "timelinemodel.h"

#include <QImage>
#include <QPoint>
#include <QWidget>

#include <vector>

class QScrollBar;

// The timeline of a run, painted: a lane per worker slot under a header per
// host, a bar per attempt coloured by its status (StatusStyle), the running
// ones growing to now, and a time axis counted from the run's first start.
//
// It draws by level of detail: where a lane has few attempts in view each is
// a bar of its own; where it has more, each pixel column is one aggregate
// (TimelineModel::columns()): its colour the worst status in it, its strength
// how busy the slot was, so idle gaps stay visible at any zoom. A repaint
// costs about lanes x width whatever the number of attempts.
//
// Wheel zooms around the cursor (over the lane labels it scrolls the lanes),
// dragging pans, a click on a bar emits attemptClicked(); + - arrows Home End
// do the same from the keyboard. Fit all shows the
// whole run and keeps it whole as it grows, until the user zooms or pans;
// follow live keeps now at the right edge, until the user pans.
class TimelineView : public QWidget
{
    Q_OBJECT
public:
    explicit TimelineView(TimelineModel *model, QWidget *parent = nullptr);

    TimelineModel *model() const { return m_model; }

    void fitAll();
    bool isFittingAll() const { return m_autoFit; }
    void setFollowLive(bool follow);
    bool isFollowingLive() const { return m_follow; }
    // The time shown, in ms after the model's origin.
    double visibleFromMs() const { return m_fromMs; }
    double visibleToMs() const;
    double msPerPixel() const { return m_msPerPixel; }
    void setVisibleRange(double fromMs, double toMs); // as a zoom: stops fitting all

    // Where things are, for a click, a tooltip or a test.
    QRect plotRect() const;
    int xForTime(double ms) const;
    double timeAt(int x) const;
    int laneAt(int y) const; // -1: a header, the axis or below the last lane
    QRect laneRect(int lane) const;
    bool attemptAt(const QPoint &pos, TimelineModel::Attempt *out) const;
    QString toolTipAt(const QPoint &pos) const;

    // What the view shows, in words: its accessible description.
    QString summary() const;

    // Writes the view (the range shown, every lane) as PNG or, for a .svg
    // name, SVG. False (and why) when the file cannot be written.
    bool exportImage(const QString &path, QString *error) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void attemptClicked(qint64 taskId);
    void followLiveChanged(bool follow);
    void fitAllChanged(bool fitting);
    void rangeChanged();

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;

private:
    // Where each part goes in a picture of this size (the widget, or an export).
    struct Layout
    {
        QRect plot;        // lanes' bars and the axis' ticks
        int axisHeight = 0;
        int laneHeight = 0;
        int headerHeight = 0;
        int labelWidth = 0;
        int scrollY = 0;
        std::vector<int> laneTop;   // content y of each lane
        std::vector<int> headerTop; // content y of each host's header
        int contentHeight = 0;
    };
    Layout layoutFor(const QSize &size, int scrollY, int reservedRight) const;
    void paint(QPainter &painter, const Layout &layout) const;
    void paintAxis(QPainter &painter, const Layout &layout) const;
    void paintLane(QPainter &painter, const Layout &layout, int lane) const;
    void relayout();
    void onModelChanged();
    void applyAutoRange();
    void setRange(double fromMs, double msPerPixel);
    void zoom(int x, double notches); // around the time at x; negative notches zoom out
    void pan(int pixels);             // later by this many pixels; stops fitting and following
    void stopFitting();
    void updateDescription();
    double fullSpanMs() const;

    TimelineModel *m_model;
    QScrollBar *m_scroll;
    Layout m_layout;
    double m_fromMs = 0;
    double m_msPerPixel = 10;
    bool m_autoFit = true;
    bool m_follow = false;
    QPoint m_pressPos;
    double m_pressFromMs = 0;
    bool m_pressed = false;
    bool m_dragging = false;
    mutable std::vector<TimelineModel::Column> m_columns; // scratch for painting
    mutable QImage m_row;                                  // one lane's columns as pixels
};
