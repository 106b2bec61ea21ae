#include "summarypanel.h"

#include "displayformat.h"
#include "statusstyle.h"
#include "theme.h"
#include "throughputchart.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QVBoxLayout>

SummaryPanel::SummaryPanel(QWidget *parent)
    : QWidget(parent)
    , m_progress(new QProgressBar(this))
    , m_chart(new ThroughputChart(this))
    , m_hosts(new QLabel(this))
    , m_waiting(new QLabel(this))
{
    m_progress->setObjectName(QStringLiteral("overallProgress"));
    m_progress->setAccessibleName(QStringLiteral("Overall progress"));
    m_progress->setToolTip(QStringLiteral("Finished tasks out of all inputs"));
    m_progress->setTextVisible(true);

    auto *countsBox = new QWidget(this);
    m_counts = new QGridLayout(countsBox);
    m_counts->setContentsMargins(0, 0, 0, 0);
    m_counts->setHorizontalSpacing(10);
    m_counts->setVerticalSpacing(4);
    m_queued = addCount(QStringLiteral("queued"), QStringLiteral("Queued"), QStringLiteral("Tasks waiting for a worker"), 0, 0);
    m_running = addCount(QStringLiteral("running"), QStringLiteral("Running"), QStringLiteral("Tasks handed to a worker"), 1, 0);
    m_ok = addCount(QStringLiteral("ok"), QStringLiteral("Done"), QStringLiteral("Tasks that finished OK"), 2, 0);
    m_failed = addCount(QStringLiteral("failed"), QStringLiteral("Failed"), QStringLiteral("Tasks that failed, timed out, crashed or stalled (after retries)"), 0, 2);
    m_cancelled = addCount(QStringLiteral("cancelled"), QStringLiteral("Cancelled"), QStringLiteral("Tasks never run because the pool was stopped or terminated"), 1, 2);
    m_retried = addCount(QStringLiteral("retried"), QStringLiteral("Retried"), QStringLiteral("Attempts that were run again"), 2, 2);
    m_throughput = addCount(QStringLiteral("throughput"), QStringLiteral("Throughput"), QStringLiteral("Tasks finished per second over the last few seconds"), 0, 4);
    m_elapsed = addCount(QStringLiteral("elapsed"), QStringLiteral("Elapsed"), QStringLiteral("Time since the run started"), 1, 4);
    m_eta = addCount(QStringLiteral("eta"), QStringLiteral("ETA"), QStringLiteral("Estimated time until every task is done"), 2, 4);
    m_counts->setColumnStretch(6, 1);
    Theme::keepTextColor(m_ok, [](const QPalette &p) { return StatusStyle::color(TaskStatus::Ok, p); });
    Theme::keepTextColor(m_failed, [](const QPalette &p) { return StatusStyle::color(TaskStatus::Failed, p); });

    m_hosts->setObjectName(QStringLiteral("hostCounts"));
    m_hosts->setAccessibleName(QStringLiteral("Per-host counts"));
    m_hosts->setToolTip(QStringLiteral("Per host: live worker slots (of those wanted), slots with a task, tasks done and "
                                       "failed there; a down host is retried with backoff and its tasks go elsewhere"));
    m_hosts->setTextFormat(Qt::RichText);
    m_hosts->setWordWrap(true);
    m_hosts->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_waiting->setObjectName(QStringLiteral("startWaiting"));
    m_waiting->setAccessibleName(QStringLiteral("Waiting to start tasks"));
    m_waiting->setToolTip(QStringLiteral("No new task starts while the job's start limits hold them back: free "
                                         "memory, load average, or the delay between starts"));
    m_waiting->setWordWrap(true);
    m_waiting->setTextInteractionFlags(Qt::TextSelectableByMouse);
    Theme::keepTextColor(m_waiting, [](const QPalette &p) { return StatusStyle::color(TaskStatus::Stalled, p); });
    m_waiting->hide();

    auto *left = new QVBoxLayout;
    left->addWidget(m_progress);
    left->addWidget(countsBox);
    left->addWidget(m_waiting);
    left->addWidget(m_hosts);
    left->addStretch();

    m_chart->setMinimumSize(120, 70); // a small screen keeps the counts, the chart gives
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(left, 3);
    layout->addWidget(m_chart, 2);
    reset();
}

QLabel *SummaryPanel::addCount(const QString &name, const QString &caption, const QString &tooltip, int row, int column)
{
    auto *captionLabel = new QLabel(caption + QLatin1Char(':'), this);
    captionLabel->setToolTip(tooltip);
    auto *value = new QLabel(this);
    value->setObjectName(QStringLiteral("count_") + name);
    value->setAccessibleName(caption);
    value->setToolTip(tooltip);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setMinimumWidth(value->fontMetrics().horizontalAdvance(QStringLiteral("0 000 000")));
    QFont bold = value->font();
    bold.setBold(true);
    value->setFont(bold);
    m_counts->addWidget(captionLabel, row, column);
    m_counts->addWidget(value, row, column + 1);
    return value;
}

QString SummaryPanel::countText(const QString &name) const
{
    const auto *label = findChild<QLabel *>(QStringLiteral("count_") + name);
    return label ? label->text() : QString();
}

void SummaryPanel::reset()
{
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(QStringLiteral("Not started"));
    for (QLabel *label : {m_queued, m_running, m_ok, m_failed, m_cancelled, m_retried})
        label->setText(QStringLiteral("0"));
    m_throughput->setText(DisplayFormat::rate(0));
    m_elapsed->setText(QStringLiteral("—"));
    m_eta->setText(QStringLiteral("—"));
    m_chart->reset();
    updateHosts({});
    m_waiting->clear();
    m_waiting->hide();
    m_lastSampleSecond = 0;
    m_lastSampleElapsed = 0;
    m_lastSampleFinished = 0;
}

void SummaryPanel::update(const PoolStats &s, bool active)
{
    const QLocale locale;
    const qint64 finished = s.finished();
    if (s.total >= 0) {
        // QProgressBar counts in int: scale huge totals down.
        const int scale = s.total > 1'000'000'000 ? 1000 : 1;
        m_progress->setRange(0, int(qMax<qint64>(1, s.total / scale)));
        m_progress->setValue(int(finished / scale));
        const int percent = s.total > 0 ? int(finished * 100 / s.total) : 100;
        m_progress->setFormat(QStringLiteral("%1 of %2 tasks (%3%)")
                                  .arg(locale.toString(finished), locale.toString(s.total))
                                  .arg(percent));
    } else {
        m_progress->setRange(0, 0); // unknown total: a busy bar
        m_progress->setFormat(QStringLiteral("%1 tasks").arg(locale.toString(finished)));
    }
    m_queued->setText(s.queued >= 0 ? locale.toString(s.queued) : QStringLiteral("?"));
    m_running->setText(locale.toString(s.running));
    m_ok->setText(locale.toString(s.ok));
    m_failed->setText(locale.toString(s.failures()));
    m_cancelled->setText(locale.toString(s.cancelled));
    m_retried->setText(locale.toString(s.retried));
    m_throughput->setText(DisplayFormat::rate(s.tasksPerSecond));
    m_elapsed->setText(DisplayFormat::seconds(s.elapsedSeconds));
    m_eta->setText(active ? DisplayFormat::seconds(s.etaSeconds) : QStringLiteral("—"));
    // "Waiting for memory: 1.2 GiB free, needs 2 GiB"; same text, no relayout.
    QString waiting = active ? s.waiting : QString();
    if (!waiting.isEmpty())
        waiting[0] = waiting[0].toUpper();
    if (m_waiting->text() != waiting)
        m_waiting->setText(waiting);
    m_waiting->setVisible(!waiting.isEmpty());

    const qint64 second = qint64(s.elapsedSeconds);
    if (active && second > m_lastSampleSecond) {
        const double span = s.elapsedSeconds - m_lastSampleElapsed;
        m_chart->addSample(s.elapsedSeconds, span > 0 ? (finished - m_lastSampleFinished) / span : 0);
        m_lastSampleSecond = second;
        m_lastSampleElapsed = s.elapsedSeconds;
        m_lastSampleFinished = finished;
    }
}

void SummaryPanel::updateHosts(const QList<HostSnapshot> &hosts)
{
    const QLocale locale;
    QStringList lines;
    for (const HostSnapshot &h : hosts) {
        const QString name = h.kind == HostSpec::Kind::Local ? QStringLiteral("local") : h.name;
        QString slotText = locale.toString(h.liveSlots);
        if (h.liveSlots != h.slotCount)
            slotText += QStringLiteral("/%1").arg(locale.toString(h.slotCount));
        QString line = QStringLiteral("<b>%1</b>: %2 slots · %3 busy · %4 done · %5 failed")
                           .arg(name.toHtmlEscaped(), slotText, locale.toString(h.busySlots),
                                locale.toString(h.tasksOk), locale.toString(h.tasksFailed));
        if (h.down) {
            QString down = QStringLiteral("down");
            if (h.retryInMs >= 0)
                down += QStringLiteral(", retry in %1").arg(DisplayFormat::duration(h.retryInMs));
            if (!h.lastError.isEmpty())
                down += QStringLiteral(": ") + h.lastError.toHtmlEscaped();
            line += QStringLiteral(" · <span style=\"color:%1\">%2</span>")
                        .arg(StatusStyle::color(TaskStatus::Failed).name(), down);
        } else if (h.failures > 0) {
            line += QStringLiteral(" · %1 connection failure(s)").arg(h.failures);
        }
        lines.append(line);
    }
    // Same text, no relayout: this runs ten times a second.
    const QString text = lines.join(QStringLiteral("<br>"));
    if (m_hosts->text() != text)
        m_hosts->setText(text);
    m_hosts->setVisible(!hosts.isEmpty());
}
