#include "timelineview.h"

#include "displayformat.h"
#include "statusstyle.h"

#include <QApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QHelpEvent>
#include <QImage>
#include <QKeyEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPaintEngine>
#include <QPainter>
#include <QScrollBar>
#include <QSvgGenerator>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <array>
#include <cmath>

namespace {

constexpr int MinTickSpacingPx = 90;
constexpr double MinMsPerPixel = 0.01; // 100 pixels a millisecond: as close as ms times allow
constexpr int MaxLabelWidthPx = 220;
constexpr int ExportMaxHeight = 16000; // a picture of thousands of lanes stops here

// A tick step that is a round number of ms, s, min or h.
double tickStep(double msPerPixel)
{
    static constexpr double steps[] = {1,     2,     5,      10,     20,      50,      100,     200,     500,
                                       1e3,   2e3,   5e3,    10e3,   15e3,    30e3,    60e3,    120e3,   300e3,
                                       600e3, 900e3, 1800e3, 3600e3, 7200e3,  14400e3, 21600e3, 43200e3, 86400e3};
    for (double step : steps) {
        if (step / msPerPixel >= MinTickSpacingPx)
            return step;
    }
    return 86400e3 * std::ceil(MinTickSpacingPx * msPerPixel / 86400e3);
}

QString tickLabel(double ms, double step)
{
    if (step < 1000) {
        const int decimals = step < 10 ? 3 : step < 100 ? 2 : 1;
        return QStringLiteral("%1 s").arg(ms / 1000.0, 0, 'f', decimals);
    }
    const qint64 s = qint64(std::llround(ms / 1000.0));
    const qint64 a = std::llabs(s);
    const QString sign = s < 0 ? QStringLiteral("-") : QString();
    if (a < 60)
        return sign + QStringLiteral("%1 s").arg(a);
    if (a < 3600)
        return sign + QStringLiteral("%1:%2").arg(a / 60).arg(a % 60, 2, 10, QLatin1Char('0'));
    return sign
        + QStringLiteral("%1:%2:%3").arg(a / 3600).arg((a / 60) % 60, 2, 10, QLatin1Char('0')).arg(a % 60, 2, 10, QLatin1Char('0'));
}

// As the workers table names hosts: the pool's "localhost" (or none, from an old journal) is "local".
QString hostName(const QString &host)
{
    return host.isEmpty() || host == QLatin1String("localhost") ? QStringLiteral("local") : host;
}

QString laneLabel(const TimelineModel::LaneInfo &lane)
{
    return QStringLiteral("%1 · worker %2").arg(hostName(lane.host)).arg(lane.slot);
}

QColor withAlpha(QColor color, double alpha)
{
    color.setAlphaF(float(std::clamp(alpha, 0.0, 1.0)));
    return color;
}

} // namespace

TimelineView::TimelineView(TimelineModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_scroll(new QScrollBar(Qt::Vertical, this))
{
    setObjectName(QStringLiteral("timelineView"));
    setAccessibleName(QStringLiteral("Timeline"));
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    m_scroll->setAccessibleName(QStringLiteral("Scroll timeline lanes"));
    m_scroll->hide();
    connect(m_scroll, &QScrollBar::valueChanged, this, [this] {
        relayout();
        update();
    });
    connect(m_model, &TimelineModel::changed, this, &TimelineView::onModelChanged);
    connect(m_model, &TimelineModel::cleared, this, [this] {
        m_scroll->setValue(0);
        if (!m_autoFit && !m_follow) { // a new run starts whole, unless the user follows now
            m_autoFit = true;
            Q_EMIT fitAllChanged(true);
        }
    });
    relayout();
    updateDescription();
}

QSize TimelineView::sizeHint() const
{
    return {800, 300};
}

QSize TimelineView::minimumSizeHint() const
{
    const int line = fontMetrics().height();
    return {line * 16, line * 6};
}

double TimelineView::visibleToMs() const
{
    return m_fromMs + std::max(1, m_layout.plot.width()) * m_msPerPixel;
}

QRect TimelineView::plotRect() const
{
    return m_layout.plot;
}

int TimelineView::xForTime(double ms) const
{
    return m_layout.plot.left() + int(std::floor((ms - m_fromMs) / m_msPerPixel));
}

double TimelineView::timeAt(int x) const
{
    return m_fromMs + (x - m_layout.plot.left() + 0.5) * m_msPerPixel;
}

// ---- Layout -------------------------------------------------------------------

TimelineView::Layout TimelineView::layoutFor(const QSize &size, int scrollY, int reservedRight) const
{
    Layout l;
    const QFontMetrics fm = fontMetrics();
    l.axisHeight = fm.height() + 10;
    l.laneHeight = fm.height() + 6;
    l.headerHeight = fm.height() + 6;
    int widest = fm.horizontalAdvance(QStringLiteral("localhost · worker 00"));
    for (int i = 0; i < m_model->laneCount(); ++i)
        widest = std::max(widest, fm.horizontalAdvance(laneLabel(m_model->lane(i))));
    l.labelWidth = std::min({widest + 16, MaxLabelWidthPx, size.width() / 3});
    int y = 0;
    int host = -1;
    for (int i = 0; i < m_model->laneCount(); ++i) {
        const TimelineModel::LaneInfo info = m_model->lane(i);
        if (info.hostIndex != host) {
            host = info.hostIndex;
            l.headerTop.push_back(y);
            y += l.headerHeight;
        }
        l.laneTop.push_back(y);
        y += l.laneHeight;
    }
    l.contentHeight = y;
    l.scrollY = scrollY;
    l.plot = QRect(l.labelWidth, l.axisHeight, std::max(1, size.width() - l.labelWidth - reservedRight),
                   std::max(1, size.height() - l.axisHeight));
    return l;
}

void TimelineView::relayout()
{
    const int viewHeight = height() - (fontMetrics().height() + 10);
    Layout probe = layoutFor(size(), 0, 0);
    const bool scrolls = probe.contentHeight > viewHeight;
    m_scroll->setVisible(scrolls);
    const int scrollWidth = scrolls ? m_scroll->sizeHint().width() : 0;
    if (scrolls) {
        m_scroll->setGeometry(width() - scrollWidth, probe.axisHeight, scrollWidth, height() - probe.axisHeight);
        m_scroll->setRange(0, probe.contentHeight - viewHeight);
        m_scroll->setPageStep(viewHeight);
        m_scroll->setSingleStep(probe.laneHeight);
    } else {
        m_scroll->setRange(0, 0);
    }
    m_layout = layoutFor(size(), m_scroll->value(), scrollWidth);
}

int TimelineView::laneAt(int y) const
{
    if (y < m_layout.plot.top())
        return -1;
    const int contentY = y - m_layout.plot.top() + m_layout.scrollY;
    const auto it = std::upper_bound(m_layout.laneTop.begin(), m_layout.laneTop.end(), contentY);
    if (it == m_layout.laneTop.begin())
        return -1;
    const int lane = int(it - m_layout.laneTop.begin()) - 1;
    return contentY < m_layout.laneTop[size_t(lane)] + m_layout.laneHeight ? lane : -1;
}

QRect TimelineView::laneRect(int lane) const
{
    if (lane < 0 || size_t(lane) >= m_layout.laneTop.size())
        return {};
    return QRect(m_layout.plot.left(), m_layout.plot.top() + m_layout.laneTop[size_t(lane)] - m_layout.scrollY,
                 m_layout.plot.width(), m_layout.laneHeight);
}

// ---- The visible range --------------------------------------------------------

double TimelineView::fullSpanMs() const
{
    return std::max<double>(1.0, double(m_model->endMs() - m_model->startMs()));
}

void TimelineView::setRange(double fromMs, double msPerPixel)
{
    msPerPixel = std::max(MinMsPerPixel, msPerPixel);
    if (fromMs == m_fromMs && msPerPixel == m_msPerPixel)
        return;
    m_fromMs = fromMs;
    m_msPerPixel = msPerPixel;
    update();
    updateDescription();
    Q_EMIT rangeChanged();
}

void TimelineView::applyAutoRange()
{
    const double width = std::max(1, m_layout.plot.width());
    if (m_autoFit) {
        // A little room at both ends, so the first and last bars do not touch the edges.
        const double span = fullSpanMs();
        const double margin = span * 0.02;
        setRange(double(m_model->startMs()) - margin, (span + 2 * margin) / width);
    } else if (m_follow) {
        setRange(double(m_model->endMs()) - width * m_msPerPixel * 0.98, m_msPerPixel);
    }
}

void TimelineView::fitAll()
{
    if (m_follow) { // the whole run, not the latest part of it
        m_follow = false;
        Q_EMIT followLiveChanged(false);
    }
    if (!m_autoFit) {
        m_autoFit = true;
        Q_EMIT fitAllChanged(true);
    }
    applyAutoRange();
}

void TimelineView::stopFitting()
{
    if (m_autoFit) {
        m_autoFit = false;
        Q_EMIT fitAllChanged(false);
    }
}

void TimelineView::setFollowLive(bool follow)
{
    if (follow == m_follow)
        return;
    m_follow = follow;
    if (follow)
        stopFitting(); // following keeps the zoom; fitting would change it
    applyAutoRange();
    Q_EMIT followLiveChanged(follow);
}

void TimelineView::setVisibleRange(double fromMs, double toMs)
{
    stopFitting();
    setRange(fromMs, (toMs - fromMs) / std::max(1, m_layout.plot.width()));
    applyAutoRange(); // following keeps now at the right edge
}

void TimelineView::onModelChanged()
{
    relayout();
    applyAutoRange();
    updateDescription();
    update();
}

// ---- Painting -----------------------------------------------------------------

void TimelineView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    paint(painter, m_layout);
}

void TimelineView::paint(QPainter &painter, const Layout &l) const
{
    const QPalette &pal = palette();
    const QRect all(0, 0, l.plot.right() + 1, l.plot.bottom() + 1);
    painter.fillRect(all, pal.color(QPalette::Base));
    if (m_model->isEmpty()) {
        painter.setPen(pal.color(QPalette::PlaceholderText));
        painter.drawText(all, Qt::AlignCenter, QStringLiteral("Each worker's attempts appear here as the run goes."));
        return;
    }
    painter.save();
    painter.setClipRect(QRect(0, l.plot.top(), all.width(), l.plot.height()));
    // Host headers across the whole width, lanes' labels on the left.
    QFont bold = painter.font();
    bold.setBold(true);
    const QStringList hosts = m_model->hosts();
    for (size_t h = 0; h < l.headerTop.size(); ++h) {
        const int y = l.plot.top() + l.headerTop[h] - l.scrollY;
        if (y + l.headerHeight < l.plot.top() || y > l.plot.bottom())
            continue;
        const QRect band(0, y, all.width(), l.headerHeight);
        painter.fillRect(band, pal.color(QPalette::AlternateBase).darker(106));
        painter.setFont(bold);
        painter.setPen(pal.color(QPalette::Text));
        int lanes = 0;
        for (int i = 0; i < int(l.laneTop.size()); ++i)
            lanes += m_model->lane(i).hostIndex == int(h) ? 1 : 0;
        const QString host = hostName(h < size_t(hosts.size()) ? hosts.at(qsizetype(h)) : QString());
        painter.drawText(band.adjusted(6, 0, -6, 0), Qt::AlignVCenter | Qt::AlignLeft,
                         QStringLiteral("%1 — %2 %3").arg(host).arg(lanes).arg(lanes == 1 ? QStringLiteral("worker") : QStringLiteral("workers")));
        painter.setFont(font());
    }
    // The lanes laid out at the last change: one added since shows with the next.
    for (int lane = 0; lane < int(l.laneTop.size()); ++lane) {
        const int y = l.plot.top() + l.laneTop[size_t(lane)] - l.scrollY;
        if (y + l.laneHeight < l.plot.top() || y > l.plot.bottom())
            continue;
        if (lane % 2)
            painter.fillRect(QRect(0, y, all.width(), l.laneHeight), pal.color(QPalette::AlternateBase));
        painter.setPen(pal.color(QPalette::Text));
        const QString label = painter.fontMetrics().elidedText(laneLabel(m_model->lane(lane)), Qt::ElideMiddle,
                                                               l.labelWidth - 12);
        painter.drawText(QRect(6, y, l.labelWidth - 12, l.laneHeight), Qt::AlignVCenter | Qt::AlignLeft, label);
        paintLane(painter, l, lane);
    }
    painter.restore();
    paintAxis(painter, l);
    painter.setPen(pal.color(QPalette::Mid));
    painter.drawLine(l.plot.left() - 1, l.plot.top(), l.plot.left() - 1, l.plot.bottom());
}

void TimelineView::paintAxis(QPainter &painter, const Layout &l) const
{
    const QPalette &pal = palette();
    const QRect axis(0, 0, l.plot.right() + 1, l.axisHeight);
    painter.fillRect(axis, pal.color(QPalette::Window));
    // Ticks count from the first start, at round steps of it.
    const double step = tickStep(m_msPerPixel);
    const double zero = double(m_model->startMs());
    const double first = zero + std::ceil((m_fromMs - zero) / step) * step;
    const double last = m_fromMs + l.plot.width() * m_msPerPixel;
    QColor grid = pal.color(QPalette::Text);
    grid.setAlpha(40);
    for (double t = first; t <= last; t += step) {
        const int x = l.plot.left() + int(std::floor((t - m_fromMs) / m_msPerPixel));
        painter.setPen(grid);
        painter.drawLine(x, l.plot.top(), x, l.plot.bottom());
        painter.setPen(pal.color(QPalette::WindowText));
        painter.drawLine(x, l.axisHeight - 5, x, l.axisHeight - 1);
        const QString text = tickLabel(t - zero, step);
        const int w = painter.fontMetrics().horizontalAdvance(text);
        painter.drawText(QRect(x - w / 2 - 2, 2, w + 4, l.axisHeight - 7), Qt::AlignCenter, text);
    }
    // Now, while attempts run.
    if (m_model->runningCount() > 0) {
        const int x = l.plot.left() + int(std::floor((double(m_model->now()) - m_fromMs) / m_msPerPixel));
        if (x >= l.plot.left() && x <= l.plot.right()) {
            painter.setPen(QPen(StatusStyle::color(TaskStatus::Running, pal), 1, Qt::DashLine));
            painter.drawLine(x, l.axisHeight - 6, x, l.plot.bottom());
        }
    }
    painter.setPen(pal.color(QPalette::Mid));
    painter.drawLine(0, l.axisHeight - 1, axis.right(), l.axisHeight - 1);
    painter.setPen(pal.color(QPalette::WindowText));
    painter.drawText(QRect(6, 2, l.labelWidth - 12, l.axisHeight - 7), Qt::AlignVCenter | Qt::AlignLeft,
                     QStringLiteral("Time from start"));
}

void TimelineView::paintLane(QPainter &painter, const Layout &l, int lane) const
{
    const int top = l.plot.top() + l.laneTop[size_t(lane)] - l.scrollY + 2;
    const int height = l.laneHeight - 4;
    const int width = l.plot.width();
    const double to = m_fromMs + width * m_msPerPixel;
    auto x = [&](double ms) { return l.plot.left() + (ms - m_fromMs) / m_msPerPixel; };
    // The status colours of this palette, looked up once per lane rather than per bar or column.
    const QPalette &pal = palette();
    std::array<QColor, TaskStatusCount> colors;
    for (size_t s = 0; s < colors.size(); ++s)
        colors[s] = StatusStyle::color(TaskStatus(s), pal);
    auto statusColor = [&](TaskStatus s) { return size_t(s) < colors.size() ? colors[size_t(s)] : StatusStyle::color(s, pal); };
    // Retried attempts are hatched in the background colour: white on a light palette, dark on a dark one.
    QColor hatch = pal.color(QPalette::Base);
    hatch.setAlpha(150);
    painter.save();
    painter.setClipRect(QRect(l.plot.left(), l.plot.top(), width, l.plot.height()), Qt::IntersectClip);

    // Few attempts in view: each is a bar with an outline, so back-to-back ones stay apart.
    QList<TimelineModel::Attempt> attempts;
    if (m_model->attempts(lane, qint64(std::floor(m_fromMs)), qint64(std::ceil(to)) + 1, std::max(1, width / 4),
                          &attempts)) {
        for (const TimelineModel::Attempt &a : std::as_const(attempts)) {
            const double x0 = x(double(a.startMs));
            const double x1 = std::max(x0 + 1, x(double(a.endMs)));
            const QRectF bar(x0, top, x1 - x0, height);
            const QColor color = statusColor(a.status);
            painter.fillRect(bar, color);
            if (a.retried) // another attempt followed: hatched, so retries stand out from final failures
                painter.fillRect(bar, QBrush(hatch, Qt::BDiagPattern));
            if (bar.width() >= 4) {
                painter.setPen(color.darker(140));
                painter.drawRect(bar.adjusted(0, 0, -1, -1));
            }
        }
    } else if (painter.paintEngine()->type() != QPaintEngine::SVG) {
        // Many: one aggregate per pixel column; how strong its colour is says how busy the
        // slot was. On screen (and PNG) the columns are one row of pixels, stretched to the
        // lane's height: a single draw, where a rect per column would cost thousands.
        m_model->columns(lane, m_fromMs, m_msPerPixel, width, &m_columns);
        if (m_row.width() != width)
            m_row = QImage(width, 1, QImage::Format_ARGB32_Premultiplied);
        auto *pixels = reinterpret_cast<QRgb *>(m_row.scanLine(0));
        for (int c = 0; c < width; ++c) {
            const TimelineModel::Column &column = m_columns[size_t(c)];
            pixels[c] = column.attempts == 0
                ? 0
                : qPremultiply(withAlpha(statusColor(column.status), 0.3 + 0.7 * std::lround(column.busy * 4) / 4.0).rgba());
        }
        painter.drawImage(QRect(l.plot.left(), top, width, height), m_row);
    } else {
        // In SVG: rects, merged over runs of equal columns.
        m_model->columns(lane, m_fromMs, m_msPerPixel, width, &m_columns);
        int c = 0;
        while (c < width) {
            const TimelineModel::Column &column = m_columns[size_t(c)];
            if (column.attempts == 0) {
                ++c;
                continue;
            }
            const int strength = int(std::lround(column.busy * 4)); // five steps: runs of columns share a rect
            int end = c + 1;
            while (end < width && m_columns[size_t(end)].attempts > 0 && m_columns[size_t(end)].status == column.status
                   && int(std::lround(m_columns[size_t(end)].busy * 4)) == strength)
                ++end;
            painter.fillRect(QRect(l.plot.left() + c, top, end - c, height),
                             withAlpha(statusColor(column.status), 0.3 + 0.7 * strength / 4.0));
            c = end;
        }
    }
    TimelineModel::Attempt running;
    if (m_model->runningAttempt(lane, &running)) {
        const double x0 = x(double(running.startMs));
        const double x1 = std::max(x0 + 2, x(double(running.endMs)));
        const QRectF bar(x0, top, x1 - x0, height);
        const QColor color = statusColor(TaskStatus::Running);
        painter.fillRect(bar, withAlpha(color, 0.55));
        painter.fillRect(bar, QBrush(color, Qt::Dense6Pattern));
        painter.setPen(color);
        painter.drawRect(bar.adjusted(0, 0, -1, -1));
    }
    painter.restore();
}

// ---- Words: tooltip and accessible description --------------------------------

bool TimelineView::attemptAt(const QPoint &pos, TimelineModel::Attempt *out) const
{
    if (!m_layout.plot.contains(pos))
        return false;
    const int lane = laneAt(pos.y());
    if (lane < 0)
        return false;
    const double t = timeAt(pos.x());
    return m_model->attemptAt(lane, qint64(std::floor(t)), qint64(std::ceil(3 * m_msPerPixel)), out);
}

QString TimelineView::toolTipAt(const QPoint &pos) const
{
    TimelineModel::Attempt a;
    if (!attemptAt(pos, &a))
        return {};
    const TimelineModel::LaneInfo lane = m_model->lane(a.lane);
    QString status = StatusStyle::label(a.status);
    if (a.retried)
        status += QStringLiteral(" (retried)");
    const QString started = QLocale().toString(QDateTime::fromMSecsSinceEpoch(m_model->origin() + a.startMs).time(),
                                               QStringLiteral("HH:mm:ss.zzz"));
    return QStringLiteral("Task %1: %2\nStatus: %3\nDuration: %4%5\nWorker %6 on %7\nStarted %8")
        .arg(a.taskId)
        .arg(DisplayFormat::firstLineOfInput(a.input, 80), status, DisplayFormat::duration(a.endMs - a.startMs),
             a.running ? QStringLiteral(" so far") : QString())
        .arg(lane.slot)
        .arg(hostName(lane.host), started);
}

QString TimelineView::summary() const
{
    if (m_model->isEmpty())
        return QStringLiteral("No attempts yet: each worker's attempts appear here as the run goes.");
    const QLocale locale;
    const qint64 failed = m_model->count(TaskStatus::Failed) + m_model->count(TaskStatus::Timeout)
                        + m_model->count(TaskStatus::Crashed) + m_model->count(TaskStatus::Stalled);
    QString text = QStringLiteral("%1 attempts on %2 workers (%3 hosts) over %4; %5 failed, %6 retried")
                       .arg(locale.toString(m_model->attemptCount()))
                       .arg(m_model->laneCount())
                       .arg(m_model->hosts().size())
                       .arg(DisplayFormat::duration(m_model->endMs() - m_model->startMs()))
                       .arg(locale.toString(failed))
                       .arg(locale.toString(m_model->retriedCount()));
    if (m_model->runningCount() > 0)
        text += QStringLiteral(", %1 running").arg(m_model->runningCount());
    const double from = std::max(m_fromMs, double(m_model->startMs()));
    const double to = std::min(visibleToMs(), double(m_model->endMs()));
    const double zero = double(m_model->startMs());
    text += QStringLiteral(". Showing %1 to %2 after the start")
                .arg(tickLabel(from - zero, 1000), tickLabel(std::max(from, to) - zero, 1000));
    if (m_follow)
        text += QStringLiteral(", following live");
    return text + QLatin1Char('.');
}

void TimelineView::updateDescription()
{
    const QString text = summary();
    if (accessibleDescription() != text)
        setAccessibleDescription(text);
}

// ---- Input --------------------------------------------------------------------

bool TimelineView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty()) {
            QToolTip::hideText();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), text, this);
        }
        return true;
    }
    return QWidget::event(event);
}

void TimelineView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    relayout();
    applyAutoRange();
}

void TimelineView::wheelEvent(QWheelEvent *event)
{
    const QPoint pos = event->position().toPoint();
    const int delta = event->angleDelta().y();
    if (delta == 0) {
        event->ignore();
        return;
    }
    if (pos.x() < m_layout.plot.left()) { // over the labels: scroll the lanes
        m_scroll->setValue(m_scroll->value() - delta * 3 * m_layout.laneHeight / 120);
        event->accept();
        return;
    }
    zoom(pos.x(), delta / 120.0);
    event->accept();
}

void TimelineView::zoom(int x, double notches)
{
    const double anchor = timeAt(x);
    const double factor = std::pow(0.8, notches); // one notch: 20 % closer
    const double maxMsPerPixel = fullSpanMs() * 4 / std::max(1, m_layout.plot.width());
    const double msPerPixel = std::clamp(m_msPerPixel * factor, MinMsPerPixel, std::max(MinMsPerPixel, maxMsPerPixel));
    stopFitting();
    setRange(anchor - (x - m_layout.plot.left() + 0.5) * msPerPixel, msPerPixel);
    applyAutoRange(); // following: now stays at the right edge
}

void TimelineView::pan(int pixels)
{
    stopFitting();
    if (m_follow) {
        m_follow = false;
        Q_EMIT followLiveChanged(false);
    }
    setRange(m_fromMs + pixels * m_msPerPixel, m_msPerPixel);
}

// The keyboard does what the mouse does: + and - zoom around the middle,
// the arrows pan, Home fits all, End follows live.
void TimelineView::keyPressEvent(QKeyEvent *event)
{
    const int middle = m_layout.plot.center().x();
    const int step = std::max(1, m_layout.plot.width() / 8);
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoom(middle, 1); break;
    case Qt::Key_Minus: zoom(middle, -1); break;
    case Qt::Key_Left: pan(-step); break;
    case Qt::Key_Right: pan(step); break;
    case Qt::Key_Home: fitAll(); break;
    case Qt::Key_End: setFollowLive(true); break;
    default: QWidget::keyPressEvent(event); return;
    }
    event->accept();
}

void TimelineView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QWidget::mousePressEvent(event);
        return;
    }
    m_pressed = true;
    m_dragging = false;
    m_pressPos = event->position().toPoint();
    m_pressFromMs = m_fromMs;
    event->accept();
}

void TimelineView::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_pressed || !(event->buttons() & Qt::LeftButton)) {
        QWidget::mouseMoveEvent(event);
        return;
    }
    const int dx = event->position().toPoint().x() - m_pressPos.x();
    if (!m_dragging && std::abs(dx) < QApplication::startDragDistance())
        return;
    if (!m_dragging) {
        m_dragging = true;
        setCursor(Qt::ClosedHandCursor);
    }
    pan(int(std::lround((m_pressFromMs - dx * m_msPerPixel - m_fromMs) / m_msPerPixel)));
    event->accept();
}

void TimelineView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || !m_pressed) {
        QWidget::mouseReleaseEvent(event);
        return;
    }
    m_pressed = false;
    if (m_dragging) {
        m_dragging = false;
        unsetCursor();
    } else {
        TimelineModel::Attempt a;
        if (attemptAt(event->position().toPoint(), &a))
            Q_EMIT attemptClicked(a.taskId);
    }
    event->accept();
}

// ---- Export -------------------------------------------------------------------

bool TimelineView::exportImage(const QString &path, QString *error) const
{
    // Every lane, not only those scrolled into view; the time range as shown.
    Layout l = layoutFor(QSize(width(), 1), 0, 0);
    const int height = std::min(ExportMaxHeight, l.axisHeight + std::max(l.contentHeight, fontMetrics().height() * 3));
    l = layoutFor(QSize(width() - (m_scroll->isVisible() ? m_scroll->width() : 0), height), 0, 0);
    // The plot keeps the widget's width, so the picture shows the same range at the same scale.
    l.plot.setWidth(m_layout.plot.width());
    const QSize size(l.plot.right() + 1, height);
    if (QFileInfo(path).suffix().compare(QLatin1String("svg"), Qt::CaseInsensitive) == 0) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(QStringLiteral("taskpool timeline"));
        svg.setDescription(summary());
        QPainter painter;
        if (!painter.begin(&svg)) {
            *error = QStringLiteral("cannot write %1").arg(path);
            return false;
        }
        painter.setFont(font());
        paint(painter, l);
        if (!painter.end()) {
            *error = QStringLiteral("cannot write %1").arg(path);
            return false;
        }
        if (!QFileInfo(path).isFile() || QFileInfo(path).size() == 0) {
            *error = QStringLiteral("cannot write %1").arg(path);
            return false;
        }
        return true;
    }
    const qreal ratio = devicePixelRatioF();
    QImage image(size * ratio, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(ratio);
    QPainter painter(&image);
    painter.setFont(font());
    paint(painter, l);
    painter.end();
    if (!image.save(path, "PNG")) {
        *error = QStringLiteral("cannot write %1").arg(path);
        return false;
    }
    return true;
}
