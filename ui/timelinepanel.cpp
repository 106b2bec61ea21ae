#include "timelinepanel.h"

#include "timelinemodel.h"
#include "timelineview.h"

#include <QAction>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QToolButton>
#include <QVBoxLayout>

TimelinePanel::TimelinePanel(TimelineModel *model, QWidget *parent)
    : QWidget(parent)
    , m_view(new TimelineView(model, this))
    , m_caption(new QLabel(this))
    , m_fitAll(new QAction(QStringLiteral("Fit all"), this))
    , m_followLive(new QAction(QStringLiteral("Follow live"), this))
    , m_export(new QAction(QStringLiteral("Export…"), this))
{
    m_fitAll->setToolTip(QStringLiteral("Show the whole run, and keep showing it whole as it grows"));
    m_fitAll->setCheckable(true);
    m_fitAll->setChecked(m_view->isFittingAll());
    m_followLive->setToolTip(QStringLiteral("Keep now at the right edge while the run goes (panning turns it off)"));
    m_followLive->setCheckable(true);
    m_export->setToolTip(QStringLiteral("Save the timeline as it is shown, as a PNG image or an SVG drawing"));

    connect(m_fitAll, &QAction::triggered, this, [this] {
        m_fitAll->setChecked(true); // fitting again, not a toggle off
        m_view->fitAll();
    });
    connect(m_followLive, &QAction::toggled, m_view, &TimelineView::setFollowLive);
    connect(m_view, &TimelineView::followLiveChanged, m_followLive, &QAction::setChecked);
    connect(m_view, &TimelineView::fitAllChanged, m_fitAll, &QAction::setChecked);
    connect(m_export, &QAction::triggered, this, &TimelinePanel::chooseExportFile);
    connect(model, &TimelineModel::changed, this, &TimelinePanel::updateCaption);
    connect(model, &TimelineModel::cleared, this, [this] { m_note.clear(); });

    m_caption->setObjectName(QStringLiteral("timelineCaption"));
    m_caption->setTextFormat(Qt::PlainText);
    m_caption->setAccessibleName(QStringLiteral("Timeline summary"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(buttonFor(m_fitAll, "timelineFitAll"));
    bar->addWidget(buttonFor(m_followLive, "timelineFollowLive"));
    bar->addWidget(buttonFor(m_export, "timelineExport"));
    bar->addSpacing(12);
    bar->addWidget(m_caption, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
    updateCaption();
}

QToolButton *TimelinePanel::buttonFor(QAction *action, const char *objectName)
{
    auto *button = new QToolButton(this);
    button->setDefaultAction(action);
    button->setObjectName(QLatin1String(objectName));
    button->setAccessibleName(action->text().remove(QStringLiteral("…")));
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    return button;
}

void TimelinePanel::updateCaption()
{
    const TimelineModel *model = m_view->model();
    QString text;
    if (!model->isEmpty()) {
        const QLocale locale;
        text = QStringLiteral("%1 attempts · %2 workers").arg(locale.toString(model->attemptCount())).arg(model->laneCount());
        if (model->runningCount() > 0)
            text += QStringLiteral(" · %1 running").arg(model->runningCount());
        text += QStringLiteral(" · wheel zooms, drag pans, click selects the result");
    }
    if (!m_note.isEmpty())
        text = text.isEmpty() ? m_note : m_note + QStringLiteral(" · ") + text;
    m_caption->setText(text);
}

// Asynchronous, as every dialog of the window: the run goes on while it is open.
void TimelinePanel::chooseExportFile()
{
    auto *dialog = new QFileDialog(this, QStringLiteral("Export timeline"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilters({QStringLiteral("PNG image (*.png)"), QStringLiteral("SVG drawing (*.svg)")});
    dialog->setDefaultSuffix(QStringLiteral("png"));
    dialog->selectFile(QStringLiteral("timeline.png"));
    connect(dialog, &QFileDialog::filterSelected, dialog, [dialog](const QString &filter) {
        dialog->setDefaultSuffix(filter.contains(QLatin1String("svg")) ? QStringLiteral("svg") : QStringLiteral("png"));
    });
    connect(dialog, &QFileDialog::fileSelected, this, &TimelinePanel::exportTo);
    dialog->open();
}

bool TimelinePanel::exportTo(const QString &path)
{
    QString error;
    const bool ok = m_view->exportImage(path, &error);
    m_note = ok ? QStringLiteral("Saved %1").arg(path) : error;
    updateCaption();
    Q_EMIT exported(ok, path, error);
    return ok;
}
