#include "sweepeditor.h"

#include "commandtemplate.h"
#include "theme.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace {
enum Combine { Product, Zip, AsLoaded };
constexpr int LinkedRole = Qt::UserRole; // on the name item: a loaded job's :::+ link
constexpr int SourceRole = Qt::UserRole + 10; // on the values item: the source to save

const QString NameTip = QStringLiteral("The parameter's name: letters, digits and _, not starting with a digit.\n"
                                       "The command uses it as {name} (and {name.}, {name/} …).");
const QString ValuesTip = QStringLiteral("The values, as taskpool run --param takes them: a comma list (0.1,0.01),\n"
                                         "a range FROM..TO[:STEP] (1..10:2, 0..1:0.25), or @FILE (one value per line).");

void describe(QWidget *widget, const QString &name, const QString &accessibleName, const QString &tooltip)
{
    widget->setObjectName(name);
    widget->setAccessibleName(accessibleName);
    widget->setToolTip(tooltip);
}

// Values without their source text (a job from the CLI's ::: or an older
// file): as a comma list, which is what they read as.
QString valuesText(const SweepParameter &p)
{
    return p.source.isEmpty() ? p.values.join(QLatin1Char(',')) : p.source;
}
} // namespace

SweepEditor::SweepEditor(QWidget *parent)
    : QWidget(parent)
    , m_table(new QTableWidget(0, ColumnCount, this))
    , m_add(new QToolButton(this))
    , m_remove(new QToolButton(this))
    , m_up(new QToolButton(this))
    , m_down(new QToolButton(this))
    , m_browse(new QToolButton(this))
    , m_combine(new QComboBox(this))
    , m_errorLabel(new QLabel(this))
    , m_countLabel(new QLabel(this))
    , m_preview(new QPlainTextEdit(this))
    , m_previewTimer(new QTimer(this))
{
    m_table->setHorizontalHeaderLabels({QStringLiteral("Name"), QStringLiteral("Values")});
    m_table->horizontalHeader()->setSectionResizeMode(NameColumn, QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(NameColumn, 120);
    m_table->verticalHeader()->setVisible(false);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setTabKeyNavigation(false); // Tab leaves the table; arrows move, F2 or typing edits
    m_table->setEditTriggers(QAbstractItemView::AllEditTriggers);
    m_table->setMinimumHeight(m_table->verticalHeader()->defaultSectionSize() * 4 + m_table->horizontalHeader()->sizeHint().height());
    m_table->setMaximumHeight(m_table->verticalHeader()->defaultSectionSize() * 7 + m_table->horizontalHeader()->sizeHint().height());
    describe(m_table, QStringLiteral("sweepParameters"), QStringLiteral("Sweep parameters"),
             QStringLiteral("One row per parameter: its name and its values. Type to edit a cell.\n") + ValuesTip);

    m_add->setText(QStringLiteral("&Add"));
    describe(m_add, QStringLiteral("sweepAdd"), QStringLiteral("Add parameter"), QStringLiteral("Add a parameter row"));
    m_remove->setText(QStringLiteral("Remove"));
    describe(m_remove, QStringLiteral("sweepRemove"), QStringLiteral("Remove parameter"),
             QStringLiteral("Remove the selected parameter"));
    m_up->setText(QStringLiteral("Up"));
    describe(m_up, QStringLiteral("sweepUp"), QStringLiteral("Move parameter up"),
             QStringLiteral("Move the selected parameter up: the first parameter varies slowest"));
    m_down->setText(QStringLiteral("Down"));
    describe(m_down, QStringLiteral("sweepDown"), QStringLiteral("Move parameter down"),
             QStringLiteral("Move the selected parameter down: the last parameter varies fastest"));
    m_browse->setText(QStringLiteral("Values from file…"));
    describe(m_browse, QStringLiteral("sweepBrowse"), QStringLiteral("Values from file"),
             QStringLiteral("Choose a file with one value per line for the selected parameter (@FILE)"));

    m_combine->addItem(QStringLiteral("Every combination (product)"), int(Product));
    m_combine->addItem(QStringLiteral("Zip: linked, same length"), int(Zip));
    describe(m_combine, QStringLiteral("sweepCombine"), QStringLiteral("Combine parameters"),
             QStringLiteral("Every combination runs a task for each tuple of the product (like ::: sources);\n"
                            "zip pairs the first values, then the second ones … (like --zip; the lengths must match)."));

    m_errorLabel->setObjectName(QStringLiteral("sweepError"));
    m_errorLabel->setAccessibleName(QStringLiteral("Sweep error"));
    m_errorLabel->setWordWrap(true);
    Theme::keepErrorColor(m_errorLabel);
    m_errorLabel->hide();
    m_countLabel->setObjectName(QStringLiteral("sweepCount"));
    m_countLabel->setAccessibleName(QStringLiteral("Number of tasks"));
    m_countLabel->setToolTip(QStringLiteral("The number of tasks this sweep runs"));

    m_preview->setReadOnly(true);
    m_preview->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_preview->setTabChangesFocus(true);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_preview->setFixedHeight(m_preview->fontMetrics().lineSpacing() * (PreviewTasks + 1) + 12);
    describe(m_preview, QStringLiteral("sweepPreview"), QStringLiteral("Command preview"),
             QStringLiteral("The first commands as they will run (shell-quoted for reading)"));
    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(150);

    auto *buttons = new QHBoxLayout;
    for (QToolButton *b : {m_add, m_remove, m_up, m_down, m_browse})
        buttons->addWidget(b);
    buttons->addStretch(1);
    // On a line of its own: the job panel is narrow, and a wider form is cut off.
    auto *combine = new QHBoxLayout;
    auto *combineLabel = new QLabel(QStringLiteral("Com&bine:"), this);
    combineLabel->setBuddy(m_combine);
    combine->addWidget(combineLabel);
    combine->addWidget(m_combine);
    combine->addStretch(1);
    auto *previewLabel = new QLabel(QStringLiteral("First commands:"), this);
    previewLabel->setBuddy(m_preview);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
    layout->addLayout(buttons);
    layout->addLayout(combine);
    layout->addWidget(m_errorLabel);
    layout->addWidget(m_countLabel);
    layout->addWidget(previewLabel);
    layout->addWidget(m_preview);

    connect(m_add, &QToolButton::clicked, this, &SweepEditor::addRow);
    connect(m_remove, &QToolButton::clicked, this, &SweepEditor::removeRow);
    connect(m_up, &QToolButton::clicked, this, &SweepEditor::moveRowUp);
    connect(m_down, &QToolButton::clicked, this, &SweepEditor::moveRowDown);
    connect(m_browse, &QToolButton::clicked, this, &SweepEditor::chooseFile);
    connect(m_table, &QTableWidget::itemChanged, this, &SweepEditor::itemChanged);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &SweepEditor::updateButtons);
    connect(m_combine, &QComboBox::currentIndexChanged, this, [this] {
        if (m_updating)
            return;
        // Product or zip replaces a loaded job's own links.
        if (m_combine->currentData().toInt() != AsLoaded && m_combine->findData(int(AsLoaded)) >= 0)
            m_combine->removeItem(m_combine->findData(int(AsLoaded)));
        revalidate();
        Q_EMIT edited();
    });
    connect(m_previewTimer, &QTimer::timeout, this, &SweepEditor::updatePreview);
    revalidate();
    updateButtons();
}

QList<QWidget *> SweepEditor::focusChain() const
{
    return {m_table, m_add, m_remove, m_up, m_down, m_browse, m_combine, m_preview};
}

void SweepEditor::setParameters(const QList<SweepParameter> &parameters)
{
    m_updating = true;
    m_table->setRowCount(0);
    for (const SweepParameter &p : parameters)
        insertRow(m_table->rowCount(), p, valuesText(p));
    bool anyLinked = false, allLinked = parameters.size() > 1;
    for (qsizetype i = 1; i < parameters.size(); ++i) {
        anyLinked = anyLinked || parameters[i].linked;
        allLinked = allLinked && parameters[i].linked;
    }
    const int asLoaded = m_combine->findData(int(AsLoaded));
    if (anyLinked && !allLinked) {
        if (asLoaded < 0)
            m_combine->addItem(QStringLiteral("As loaded: some linked (:::+)"), int(AsLoaded));
        m_combine->setCurrentIndex(m_combine->findData(int(AsLoaded)));
    } else {
        if (asLoaded >= 0)
            m_combine->removeItem(asLoaded);
        m_combine->setCurrentIndex(m_combine->findData(int(allLinked ? Zip : Product)));
    }
    m_updating = false;
    revalidate();
    updateButtons();
    updatePreview(); // a loaded job shows its commands at once
}

void SweepEditor::insertRow(int row, const SweepParameter &p, const QString &text)
{
    const bool wasUpdating = m_updating;
    m_updating = true;
    m_table->insertRow(row);
    auto *name = new QTableWidgetItem(p.name);
    name->setData(LinkedRole, p.linked);
    name->setToolTip(NameTip);
    auto *values = new QTableWidgetItem(text);
    // What the text parsed to: the loaded values stand until the text is edited.
    values->setData(ValuesRole, p.values);
    values->setData(ParsedTextRole, text);
    values->setData(SourceRole, p.source);
    values->setToolTip(ValuesTip);
    m_table->setItem(row, NameColumn, name);
    m_table->setItem(row, ValuesColumn, values);
    m_updating = wasUpdating;
}

QList<SweepParameter> SweepEditor::parameters() const
{
    QList<SweepParameter> list;
    const int combine = m_combine->currentData().toInt();
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QTableWidgetItem *name = m_table->item(row, NameColumn);
        const QTableWidgetItem *values = m_table->item(row, ValuesColumn);
        if (!name || !values)
            continue;
        SweepParameter p;
        p.name = name->text().trimmed();
        p.values = values->data(ValuesRole).toStringList();
        p.source = values->data(SourceRole).toString();
        p.linked = row > 0 && (combine == Zip || (combine == AsLoaded && name->data(LinkedRole).toBool()));
        list.append(p);
    }
    return list;
}

void SweepEditor::setCommand(const QStringList &command, bool shell, bool workerMode)
{
    if (command == m_command && shell == m_shell && workerMode == m_workerMode)
        return;
    m_command = command;
    m_shell = shell;
    m_workerMode = workerMode;
    schedulePreview();
}

void SweepEditor::itemChanged(QTableWidgetItem *item)
{
    if (m_updating)
        return;
    if (item->column() == ValuesColumn && item->text() != item->data(ParsedTextRole).toString())
        parseRow(item->row());
    revalidate();
    Q_EMIT edited();
}

// The row's values from its text, read now (an @FILE too), once per edit.
void SweepEditor::parseRow(int row)
{
    QTableWidgetItem *item = m_table->item(row, ValuesColumn);
    const QString text = item->text();
    QStringList values;
    QString error;
    if (text.isEmpty())
        error = QStringLiteral("give its values: a list such as 0.1,0.01, a range such as 1..10:2, or @FILE");
    else if (!Sweep::parseValues(text, &values, &error) && error.isEmpty())
        error = QStringLiteral("cannot read the values");
    m_updating = true;
    item->setData(ParsedTextRole, text);
    item->setData(RowErrorRole, error);
    item->setData(SourceRole, text);
    if (error.isEmpty())
        item->setData(ValuesRole, values);
    m_updating = false;
}

void SweepEditor::revalidate()
{
    m_updating = true;
    QString first;
    QStringList seen;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        QTableWidgetItem *nameItem = m_table->item(row, NameColumn);
        QTableWidgetItem *valuesItem = m_table->item(row, ValuesColumn);
        if (!nameItem || !valuesItem)
            continue;
        const QString name = nameItem->text().trimmed();
        QString nameError;
        if (name.isEmpty())
            nameError = QStringLiteral("give the parameter a name, such as lr");
        else if (name != QString::number(row + 1)) // ::: sources are named 1, 2 …
            nameError = Sweep::nameProblem(name);
        if (nameError.isEmpty() && seen.contains(name))
            nameError = QStringLiteral("the parameter %1 is given twice").arg(name);
        seen.append(name);
        const QString valuesError = valuesItem->data(RowErrorRole).toString();
        const QBrush bad(QColor(0xc6, 0x28, 0x28, 60));
        nameItem->setToolTip(nameError.isEmpty() ? NameTip : nameError);
        nameItem->setBackground(nameError.isEmpty() ? QBrush() : bad);
        valuesItem->setToolTip(valuesError.isEmpty() ? ValuesTip + QStringLiteral("\n%1 values").arg(QLocale().toString(valuesItem->data(ValuesRole).toStringList().size()))
                                                     : valuesError);
        valuesItem->setBackground(valuesError.isEmpty() ? QBrush() : bad);
        const QString rowError = nameError.isEmpty() ? valuesError : nameError;
        if (first.isEmpty() && !rowError.isEmpty())
            first = QStringLiteral("Row %1%2: %3").arg(row + 1).arg(name.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(name), rowError);
    }
    m_updating = false;
    const QList<SweepParameter> params = parameters();
    if (first.isEmpty() && params.isEmpty())
        first = QStringLiteral("Add a parameter: its name and its values.");
    if (first.isEmpty() && m_combine->currentData().toInt() == Zip) {
        for (const SweepParameter &p : params) {
            if (p.values.size() != params.first().values.size()) {
                first = QStringLiteral("Zip needs as many values in each parameter: %1 has %2, %3 has %4")
                            .arg(params.first().name).arg(params.first().values.size()).arg(p.name).arg(p.values.size());
                break;
            }
        }
    }
    if (first.isEmpty())
        first = Sweep::validate(params);
    const bool wasValid = m_error.isEmpty();
    m_error = first;
    m_errorLabel->setText(m_error);
    m_errorLabel->setVisible(!m_error.isEmpty());
    m_count = Sweep::taskCount(params);
    m_countLabel->setText(formatCount(m_count));
    m_countLabel->setAccessibleDescription(m_countLabel->text());
    schedulePreview();
    if (wasValid != m_error.isEmpty())
        Q_EMIT validityChanged();
}

QString SweepEditor::formatCount(qint64 count)
{
    if (count < 0)
        return QStringLiteral("More tasks than can be counted");
    const QLocale locale;
    QString text = count == 1 ? QStringLiteral("1 task") : QStringLiteral("%1 tasks").arg(locale.toString(count));
    static const struct { double scale; const char *word; } units[] = {
        {1e18, "quintillion"}, {1e15, "quadrillion"}, {1e12, "trillion"}, {1e9, "billion"}, {1e6, "million"}};
    for (const auto &unit : units) {
        if (double(count) >= unit.scale) {
            text += QStringLiteral(" (about %1 %2)").arg(locale.toString(double(count) / unit.scale, 'g', 3),
                                                       QLatin1String(unit.word));
            break;
        }
    }
    return text;
}

QString SweepEditor::shellWord(const QByteArray &word)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_@%+=:,./-]+$"));
    const QString text = QString::fromUtf8(word);
    if (plain.match(text).hasMatch())
        return text;
    bool control = false;
    for (const QChar c : text)
        control = control || c.unicode() < 0x20 || c.unicode() == 0x7f;
    if (!control) {
        QString quoted = text;
        quoted.replace(QLatin1Char('\''), QLatin1String("'\\''"));
        return QLatin1Char('\'') + quoted + QLatin1Char('\'');
    }
    // A newline or tab in a value: $'…' keeps each command on one line.
    QString quoted = QStringLiteral("$'");
    for (const QChar c : text) {
        if (c == QLatin1Char('\n'))
            quoted += QLatin1String("\\n");
        else if (c == QLatin1Char('\t'))
            quoted += QLatin1String("\\t");
        else if (c == QLatin1Char('\\') || c == QLatin1Char('\''))
            quoted += QLatin1Char('\\') + c;
        else if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            quoted += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else
            quoted += c;
    }
    return quoted + QLatin1Char('\'');
}

void SweepEditor::schedulePreview()
{
    m_previewTimer->start(); // coalesces a burst of edits into one update
}

// The first tuples only: each parameter cut to its first PreviewTasks values
// gives the same first tuples (mixed radix, the last group fastest).
void SweepEditor::updatePreview()
{
    m_previewTimer->stop();
    QList<SweepParameter> params = parameters();
    QStringList lines;
    if (params.isEmpty() || m_count == 0) {
        m_preview->setPlainText(params.isEmpty() ? QString() : QStringLiteral("(no tasks: a parameter has no values)"));
        return;
    }
    QStringList names;
    for (SweepParameter &p : params) {
        names.append(p.name);
        if (p.values.size() > PreviewTasks)
            p.values.resize(PreviewTasks);
    }
    const Sweep::Tuples tuples(params);
    const qint64 shown = qMin<qint64>(tuples.count(), PreviewTasks);
    QByteArray input;
    if (m_workerMode) {
        for (qint64 i = 0; i < shown; ++i) {
            tuples.tupleAt(i, &input);
            const QList<QByteArray> values = Sweep::splitTuple(input);
            QStringList pairs;
            for (qsizetype v = 0; v < values.size(); ++v)
                pairs.append(names.value(v) + QLatin1Char('=') + shellWord(values[v]));
            lines.append(QStringLiteral("task %1: %2").arg(i + 1).arg(pairs.join(QLatin1Char(' '))));
        }
    } else if (m_command.isEmpty() || m_command.first().isEmpty()) {
        lines.append(QStringLiteral("(give a program to see the commands)"));
    } else {
        const CommandTemplate command(m_command, m_shell, names);
        if (!command.errorString().isEmpty()) {
            lines.append(QStringLiteral("(%1)").arg(command.errorString()));
        } else {
            for (qint64 i = 0; i < shown; ++i) {
                tuples.tupleAt(i, &input);
                QList<QByteArray> argv;
                QString error;
                if (!command.expand(input, i + 1, &argv, &error)) {
                    lines.append(QStringLiteral("(%1)").arg(error));
                    break;
                }
                QStringList words;
                for (const QByteArray &word : std::as_const(argv))
                    words.append(shellWord(word));
                lines.append(words.join(QLatin1Char(' ')));
            }
        }
    }
    if (m_count > shown || m_count < 0)
        lines.append(m_count < 0 ? QStringLiteral("… and more") : QStringLiteral("… and %1 more").arg(QLocale().toString(m_count - shown)));
    const QString text = lines.join(QLatin1Char('\n'));
    if (m_preview->toPlainText() != text)
        m_preview->setPlainText(text);
}

void SweepEditor::updateButtons()
{
    const int row = m_table->currentRow();
    const bool selected = row >= 0 && !m_table->selectedItems().isEmpty();
    m_remove->setEnabled(selected);
    m_up->setEnabled(selected && row > 0);
    m_down->setEnabled(selected && row < m_table->rowCount() - 1);
}

void SweepEditor::addRow()
{
    const int row = m_table->rowCount();
    insertRow(row, SweepParameter{}, QString());
    parseRow(row); // empty: says what to type
    m_table->setCurrentCell(row, NameColumn);
    revalidate();
    updateButtons();
    Q_EMIT edited();
    if (m_table->isVisible())
        m_table->editItem(m_table->item(row, NameColumn));
}

void SweepEditor::removeRow()
{
    const int row = m_table->currentRow();
    if (row < 0)
        return;
    m_table->removeRow(row);
    revalidate();
    updateButtons();
    Q_EMIT edited();
}

void SweepEditor::moveRow(int from, int to)
{
    if (from < 0 || to < 0 || from >= m_table->rowCount() || to >= m_table->rowCount())
        return;
    m_updating = true;
    for (int column = 0; column < ColumnCount; ++column) {
        QTableWidgetItem *a = m_table->takeItem(from, column);
        QTableWidgetItem *b = m_table->takeItem(to, column);
        m_table->setItem(from, column, b);
        m_table->setItem(to, column, a);
    }
    m_updating = false;
    m_table->setCurrentCell(to, m_table->currentColumn() < 0 ? NameColumn : m_table->currentColumn());
    revalidate();
    updateButtons();
    Q_EMIT edited();
}

void SweepEditor::moveRowUp()
{
    moveRow(m_table->currentRow(), m_table->currentRow() - 1);
}

void SweepEditor::moveRowDown()
{
    moveRow(m_table->currentRow(), m_table->currentRow() + 1);
}

void SweepEditor::chooseFile()
{
    if (m_table->currentRow() < 0)
        addRow();
    const int row = m_table->currentRow();
    QTableWidgetItem *item = m_table->item(row, ValuesColumn);
    const QString current = item->text().startsWith(QLatin1Char('@')) ? item->text().mid(1) : QString();
    const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Choose a file of values (one per line)"),
                                                      QFileInfo(current).path());
    if (path.isEmpty())
        return;
    item->setText(QLatin1Char('@') + path); // itemChanged() reads it
}
