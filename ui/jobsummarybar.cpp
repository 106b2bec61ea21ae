#include "jobsummarybar.h"

#include "commandline.h"
#include "jobspec.h"

#include <QAction>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QToolButton>

JobSummaryBar::JobSummaryBar(QAction *showForm, QWidget *parent)
    : QWidget(parent)
    , m_expand(new QToolButton(this))
    , m_label(new QLabel(this))
{
    m_expand->setDefaultAction(showForm);
    m_expand->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_expand->setArrowType(Qt::RightArrow);
    m_expand->setAutoRaise(true);
    m_expand->setObjectName(QStringLiteral("showJobFormButton"));
    m_label->setObjectName(QStringLiteral("jobSummary"));
    m_label->setAccessibleName(QStringLiteral("Job summary"));
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_label->setMinimumWidth(0);
    m_label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // elided, never widens the window
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 0, 4, 0);
    layout->addWidget(m_expand);
    layout->addWidget(m_label, 1);
}

namespace {

QString inputsText(const JobSpec &spec)
{
    const QLocale locale;
    if (spec.isSweep()) {
        return QStringLiteral("sweep %1 (%2 tasks)")
            .arg(spec.parameterNames().join(QStringLiteral(" × ")), locale.toString(Sweep::taskCount(spec.parameters)));
    }
    switch (spec.inputKind) {
    case JobSpec::InputKind::Range:
        return spec.rangeCount > 0 ? QStringLiteral("numbers 0…%1").arg(locale.toString(spec.rangeCount - 1))
                                   : QStringLiteral("no inputs");
    case JobSpec::InputKind::File:
        return spec.inputFile == QLatin1String("-") ? QStringLiteral("lines of standard input")
                                                    : QStringLiteral("lines of %1").arg(QFileInfo(spec.inputFile).fileName());
    case JobSpec::InputKind::List:
        return QStringLiteral("%1 listed inputs").arg(locale.toString(spec.inputList.size()));
    }
    return {};
}

QString workersText(const JobSpec &spec, int workers)
{
    if (spec.hosts.isEmpty())
        return workers == 1 ? QStringLiteral("1 worker") : QStringLiteral("%1 workers").arg(workers);
    int slotTotal = 0;
    for (const HostSpec &host : spec.hosts)
        slotTotal += host.slotCount;
    return QStringLiteral("%1 slots on %2 host(s)").arg(slotTotal).arg(spec.hosts.size());
}

} // namespace

QString JobSummaryBar::summaryText(const JobSpec &spec, int workers)
{
    QStringList command = spec.command;
    if (!command.isEmpty())
        command.first() = QFileInfo(command.first()).fileName(); // the program's name says enough here
    const QString mode = spec.mode == JobSpec::Mode::Worker ? QStringLiteral(" (long-lived workers)") : QString();
    return QStringLiteral("%1 · %2 · %3%4")
        .arg(CommandLine::join(command), inputsText(spec), workersText(spec, workers), mode);
}

void JobSummaryBar::setJob(const JobSpec &spec, int workers)
{
    m_text = summaryText(spec, workers);
    m_label->setToolTip(QStringLiteral("The job: %1").arg(CommandLine::join(spec.command)));
    m_label->setAccessibleDescription(m_text);
    showElided();
}

void JobSummaryBar::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    showElided();
}

void JobSummaryBar::showElided()
{
    m_label->setText(m_label->fontMetrics().elidedText(m_text, Qt::ElideMiddle, std::max(0, m_label->width())));
}
