#include "sweepchartpanel.h"

#include "sweepchartdata.h"
#include "sweepchartview.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace {

QLabel *labelFor(const QString &text, QWidget *buddy, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setBuddy(buddy);
    return label;
}

} // namespace

SweepChartPanel::SweepChartPanel(ResultTableModel *results, QWidget *parent)
    : QWidget(parent)
    , m_data(new SweepChartData(results, this))
    , m_view(new SweepChartView(m_data, this))
    , m_field(new QComboBox(this))
    , m_pattern(new QLineEdit(this))
    , m_x(new QComboBox(this))
    , m_y(new QComboBox(this))
    , m_colour(new QComboBox(this))
    , m_kind(new QComboBox(this))
    , m_caption(new QLabel(this))
{
    m_field->setObjectName(QStringLiteral("sweepField"));
    m_field->setAccessibleName(QStringLiteral("Field to chart"));
    m_field->setToolTip(QStringLiteral("A number of the results' JSON (a worker's \"result\"), or the pattern's match in each task's output"));
    // Narrow combos, so the bar fits a small screen; the list pops up as wide as it needs.
    for (QComboBox *box : {m_field, m_x, m_y, m_colour}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(box == m_field ? 12 : 8);
    }
    m_pattern->setObjectName(QStringLiteral("sweepPattern"));
    m_pattern->setAccessibleName(QStringLiteral("Output pattern"));
    m_pattern->setToolTip(QStringLiteral("A regular expression for each task's output: its first group (or the whole match) is the number, e.g. loss=([0-9.eE+-]+)"));
    m_pattern->setPlaceholderText(QStringLiteral("or a pattern for the output: loss=([0-9.eE+-]+)"));
    m_pattern->setClearButtonEnabled(true);
    m_x->setObjectName(QStringLiteral("sweepX"));
    m_x->setAccessibleName(QStringLiteral("Parameter across"));
    m_x->setToolTip(QStringLiteral("The parameter along the horizontal axis"));
    m_y->setObjectName(QStringLiteral("sweepY"));
    m_y->setAccessibleName(QStringLiteral("Parameter up"));
    m_y->setToolTip(QStringLiteral("The parameter along the vertical axis of the heatmap"));
    m_colour->setObjectName(QStringLiteral("sweepColour"));
    m_colour->setAccessibleName(QStringLiteral("Colour by parameter"));
    m_colour->setToolTip(QStringLiteral("The parameter that colours the points"));
    m_kind->setObjectName(QStringLiteral("sweepKind"));
    m_kind->setAccessibleName(QStringLiteral("Chart kind"));
    m_kind->setToolTip(QStringLiteral("A heatmap of two parameters (the mean of each cell), or every result as a point"));
    m_kind->addItem(QStringLiteral("Heatmap"), int(SweepChartView::Kind::Heatmap));
    m_kind->addItem(QStringLiteral("Points"), int(SweepChartView::Kind::Points));
    m_caption->setObjectName(QStringLiteral("sweepCaption"));
    m_caption->setTextFormat(Qt::PlainText);
    m_caption->setWordWrap(true);
    m_patternDelay.setSingleShot(true);
    m_patternDelay.setInterval(300); // rereading every row per keystroke would lag the typing

    // Two lines, what is charted and how, so the bar fits a small screen.
    auto *fieldBar = new QHBoxLayout;
    fieldBar->addWidget(labelFor(QStringLiteral("&Field:"), m_field, this));
    fieldBar->addWidget(m_field);
    fieldBar->addWidget(m_pattern, 1);
    auto *bar = new QHBoxLayout;
    bar->addWidget(labelFor(QStringLiteral("&Across:"), m_x, this));
    bar->addWidget(m_x);
    m_yLabel = labelFor(QStringLiteral("&Up:"), m_y, this);
    bar->addWidget(m_yLabel);
    bar->addWidget(m_y);
    m_colourLabel = labelFor(QStringLiteral("&Colour by:"), m_colour, this);
    bar->addWidget(m_colourLabel);
    bar->addWidget(m_colour);
    bar->addSpacing(8);
    bar->addWidget(labelFor(QStringLiteral("&Kind:"), m_kind, this));
    bar->addWidget(m_kind);
    bar->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(fieldBar);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_caption);

    connect(m_field, &QComboBox::currentIndexChanged, this, [this] {
        if (m_updating || m_field->currentIndex() < 0)
            return;
        m_pattern->clear();
        m_patternDelay.stop();
        m_data->setField(m_field->currentData().toString());
    });
    connect(m_pattern, &QLineEdit::textChanged, &m_patternDelay, qOverload<>(&QTimer::start));
    connect(m_pattern, &QLineEdit::returnPressed, this, &SweepChartPanel::applyPattern);
    connect(&m_patternDelay, &QTimer::timeout, this, &SweepChartPanel::applyPattern);
    connect(m_x, &QComboBox::currentIndexChanged, this, &SweepChartPanel::applyAxes);
    connect(m_y, &QComboBox::currentIndexChanged, this, &SweepChartPanel::applyAxes);
    connect(m_colour, &QComboBox::currentIndexChanged, this, &SweepChartPanel::applyAxes);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &SweepChartPanel::applyKind);
    connect(m_data, &SweepChartData::fieldsChanged, this, &SweepChartPanel::updateFields);
    connect(m_data, &SweepChartData::axesChanged, this, &SweepChartPanel::updateParameters);
    connect(m_view, &SweepChartView::summaryChanged, this, &SweepChartPanel::updateCaption);
    updateFields();
    updateParameters();
    applyKind();
    updateCaption();
}

void SweepChartPanel::updateFields()
{
    m_updating = true;
    const QSignalBlocker blocker(m_field);
    m_field->clear();
    for (const QString &field : m_data->fields())
        m_field->addItem(field, field);
    if (m_data->fields().isEmpty())
        m_field->addItem(QStringLiteral("(none yet)"), QString());
    m_field->setCurrentIndex(std::max(0, m_field->findData(m_data->field())));
    m_field->setEnabled(!m_data->fields().isEmpty());
    m_updating = false;
}

void SweepChartPanel::updateParameters()
{
    const QStringList labels = m_data->parameterLabels();
    QStringList shown;
    for (int i = 0; i < m_x->count(); ++i)
        shown.append(m_x->itemText(i));
    m_updating = true;
    if (shown != labels) {
        const QSignalBlocker bx(m_x), by(m_y), bc(m_colour);
        m_x->clear();
        m_y->clear();
        m_colour->clear();
        m_y->addItem(QStringLiteral("(none)"), -1);
        m_colour->addItem(QStringLiteral("(none)"), -1);
        for (int i = 0; i < labels.size(); ++i) {
            m_x->addItem(labels.at(i), i);
            m_y->addItem(labels.at(i), i);
            m_colour->addItem(labels.at(i), i);
        }
    }
    {
        const QSignalBlocker bx(m_x), by(m_y), bc(m_colour);
        m_x->setCurrentIndex(m_x->findData(m_data->xParameter()));
        m_y->setCurrentIndex(std::max(0, m_y->findData(m_data->yParameter())));
        m_colour->setCurrentIndex(std::max(0, m_colour->findData(m_data->yParameter())));
    }
    const bool sweep = m_data->isSweep();
    m_x->setEnabled(sweep);
    m_y->setEnabled(labels.size() > 1);
    m_colour->setEnabled(labels.size() > 1);
    m_updating = false;
}

void SweepChartPanel::applyAxes()
{
    if (m_updating)
        return;
    const bool heatmap = m_view->kind() == SweepChartView::Kind::Heatmap;
    QComboBox *second = heatmap ? m_y : m_colour;
    const QObject *changed = sender();
    int y = second->currentData().toInt();
    const int x = m_x->currentData().toInt();
    if (changed == m_x && y == x) // the other way round, rather than the same twice
        y = m_data->xParameter();
    m_data->setAxes(x, y);
}

void SweepChartPanel::applyKind()
{
    const auto kind = SweepChartView::Kind(m_kind->currentData().toInt());
    m_view->setKind(kind);
    updateCaption();
    const bool heatmap = kind == SweepChartView::Kind::Heatmap;
    m_yLabel->setVisible(heatmap);
    m_y->setVisible(heatmap);
    m_colourLabel->setVisible(!heatmap);
    m_colour->setVisible(!heatmap);
    updateParameters();
}

void SweepChartPanel::applyPattern()
{
    m_patternDelay.stop();
    const QString pattern = m_pattern->text();
    if (pattern.isEmpty()) {
        m_pattern->setToolTip(QString());
        m_data->setField(m_field->currentData().toString());
        return;
    }
    if (!m_data->setPattern(pattern)) {
        m_caption->setText(QStringLiteral("The pattern does not compile: %1").arg(m_data->patternError()));
        return;
    }
    updateCaption();
}

void SweepChartPanel::updateCaption()
{
    if (!m_data->patternError().isEmpty() && !m_pattern->text().isEmpty())
        return;
    const QString text = m_view->summary();
    if (m_caption->text() != text)
        m_caption->setText(text);
}
