#include "jobeditor.h"

#include "commandline.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <limits>

namespace {
QLabel *buddyLabel(const QString &text, QWidget *buddy, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setBuddy(buddy);
    return label;
}

void describe(QWidget *widget, const QString &name, const QString &tooltip)
{
    widget->setObjectName(name);
    widget->setToolTip(tooltip);
}
} // namespace

JobEditor::JobEditor(QWidget *parent)
    : QWidget(parent)
    , m_mode(new QComboBox(this))
    , m_program(new QLineEdit(this))
    , m_browseProgram(new QToolButton(this))
    , m_arguments(new QLineEdit(this))
    , m_shell(new QCheckBox(QStringLiteral("Run the command through sh -c"), this))
    , m_commandHint(new QLabel(this))
    , m_inputKind(new QComboBox(this))
    , m_retries(new QSpinBox(this))
    , m_timeout(new QDoubleSpinBox(this))
{
    m_mode->addItem(QStringLiteral("One process per task"), int(JobSpec::Mode::PerTask));
    m_mode->addItem(QStringLiteral("Long-lived workers (JSON Lines)"), int(JobSpec::Mode::Worker));
    describe(m_mode, QStringLiteral("jobMode"),
             QStringLiteral("One process per task runs the command once for every input, like xargs -P.\n"
                            "Long-lived workers start the command once per worker and send it tasks as JSON lines on stdin."));
    m_mode->setAccessibleName(QStringLiteral("Mode"));

    describe(m_program, QStringLiteral("jobProgram"), QStringLiteral("The program to run: a name found in PATH or a path"));
    m_program->setAccessibleName(QStringLiteral("Program"));
    m_program->setPlaceholderText(QStringLiteral("e.g. gzip or /usr/bin/python3"));
    m_program->setClearButtonEnabled(true);
    describe(m_browseProgram, QStringLiteral("jobBrowseProgram"), QStringLiteral("Choose the program file"));
    m_browseProgram->setText(QStringLiteral("Browse…"));
    m_browseProgram->setAccessibleName(QStringLiteral("Choose program"));

    describe(m_arguments, QStringLiteral("jobArguments"),
             QStringLiteral("Arguments, separated by spaces; quote an argument with spaces as in a shell (no shell runs).\n"
                            "{} is the input, {.} without extension, {/} basename, {//} directory, {#} task number."));
    m_arguments->setAccessibleName(QStringLiteral("Arguments"));
    m_arguments->setPlaceholderText(QStringLiteral("e.g. -k {}"));
    m_arguments->setClearButtonEnabled(true);

    describe(m_shell, QStringLiteral("jobShell"),
             QStringLiteral("Treat the program and arguments as a shell script (inputs are quoted safely)"));
    m_shell->setAccessibleName(QStringLiteral("Run through shell"));

    m_commandHint->setWordWrap(true);
    m_commandHint->setObjectName(QStringLiteral("jobCommandHint"));
    QFont hintFont = m_commandHint->font();
    hintFont.setPointSizeF(hintFont.pointSizeF() * 0.9);
    m_commandHint->setFont(hintFont);
    m_commandHint->setForegroundRole(QPalette::PlaceholderText);

    m_inputKind->addItem(QStringLiteral("Numbers 0 … N−1"), int(JobSpec::InputKind::Range));
    m_inputKind->addItem(QStringLiteral("Lines of a file"), int(JobSpec::InputKind::File));
    m_inputKind->addItem(QStringLiteral("Pasted list"), int(JobSpec::InputKind::List));
    describe(m_inputKind, QStringLiteral("jobInputKind"), QStringLiteral("Where the task inputs come from"));
    m_inputKind->setAccessibleName(QStringLiteral("Inputs"));
    m_inputPages = {buildRangePage(), buildFilePage(), buildListPage()};

    m_retries->setRange(0, 100);
    describe(m_retries, QStringLiteral("jobRetries"),
             QStringLiteral("Extra attempts for a task that fails, times out or crashes"));
    m_retries->setAccessibleName(QStringLiteral("Retries"));
    m_timeout->setRange(0, 7 * 24 * 3600);
    m_timeout->setDecimals(1);
    m_timeout->setSuffix(QStringLiteral(" s"));
    m_timeout->setSpecialValueText(QStringLiteral("No limit"));
    describe(m_timeout, QStringLiteral("jobTimeout"),
             QStringLiteral("End a task (its whole process tree) that runs longer than this; 0 = no limit"));
    m_timeout->setAccessibleName(QStringLiteral("Timeout"));

    auto *programRow = new QHBoxLayout;
    programRow->addWidget(m_program, 1);
    programRow->addWidget(m_browseProgram);

    auto *form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(buddyLabel(QStringLiteral("&Mode:"), m_mode, this), m_mode);
    form->addRow(buddyLabel(QStringLiteral("&Program:"), m_program, this), programRow);
    form->addRow(buddyLabel(QStringLiteral("&Arguments:"), m_arguments, this), m_arguments);
    form->addRow(QString(), m_shell);
    form->addRow(QString(), m_commandHint);
    form->addRow(buddyLabel(QStringLiteral("&Inputs:"), m_inputKind, this), m_inputKind);
    for (QWidget *page : std::as_const(m_inputPages))
        form->addRow(page);
    form->addRow(buddyLabel(QStringLiteral("Re&tries:"), m_retries, this), m_retries);
    form->addRow(buddyLabel(QStringLiteral("Time&out:"), m_timeout, this), m_timeout);

    connect(m_browseProgram, &QToolButton::clicked, this, &JobEditor::chooseProgram);
    connect(m_inputKind, &QComboBox::currentIndexChanged, this, &JobEditor::showInputPage);
    connect(m_mode, &QComboBox::currentIndexChanged, this, &JobEditor::updateHints);
    connect(m_shell, &QCheckBox::toggled, this, &JobEditor::updateHints);
    for (QComboBox *combo : {m_mode, m_inputKind})
        connect(combo, &QComboBox::currentIndexChanged, this, &JobEditor::edited);
    for (QLineEdit *edit : {m_program, m_arguments, m_inputFile})
        connect(edit, &QLineEdit::textEdited, this, &JobEditor::edited);
    for (QSpinBox *spin : {m_rangeCount, m_retries})
        connect(spin, &QSpinBox::valueChanged, this, &JobEditor::edited);
    connect(m_timeout, &QDoubleSpinBox::valueChanged, this, &JobEditor::edited);
    connect(m_shell, &QCheckBox::toggled, this, &JobEditor::edited);
    connect(m_nullSeparated, &QCheckBox::toggled, this, &JobEditor::edited);
    connect(m_inputList, &QPlainTextEdit::textChanged, this, &JobEditor::edited);
    showInputPage(0);
    updateHints();
}

QWidget *JobEditor::buildRangePage()
{
    auto *page = new QWidget(this);
    m_rangeCount = new QSpinBox(page);
    m_rangeCount->setRange(0, std::numeric_limits<int>::max());
    m_rangeCount->setGroupSeparatorShown(true);
    describe(m_rangeCount, QStringLiteral("jobRangeCount"), QStringLiteral("Number of tasks: the inputs are 0, 1, … N−1"));
    m_rangeCount->setAccessibleName(QStringLiteral("Number of tasks"));
    auto *layout = new QFormLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addRow(buddyLabel(QStringLiteral("&N:"), m_rangeCount, page), m_rangeCount);
    return page;
}

QWidget *JobEditor::buildFilePage()
{
    auto *page = new QWidget(this);
    m_inputFile = new QLineEdit(page);
    describe(m_inputFile, QStringLiteral("jobInputFile"), QStringLiteral("A file with one input per line"));
    m_inputFile->setAccessibleName(QStringLiteral("Input file"));
    m_inputFile->setPlaceholderText(QStringLiteral("one input per line"));
    m_browseInputFile = new QToolButton(page);
    m_browseInputFile->setText(QStringLiteral("Browse…"));
    describe(m_browseInputFile, QStringLiteral("jobBrowseInputFile"), QStringLiteral("Choose the input file"));
    m_browseInputFile->setAccessibleName(QStringLiteral("Choose input file"));
    m_nullSeparated = new QCheckBox(QStringLiteral("Inputs end with NUL (find -print0)"), page);
    describe(m_nullSeparated, QStringLiteral("jobNullSeparated"),
             QStringLiteral("Split the file at NUL bytes instead of newlines"));
    m_nullSeparated->setAccessibleName(QStringLiteral("NUL-separated inputs"));
    auto *row = new QHBoxLayout;
    row->addWidget(m_inputFile, 1);
    row->addWidget(m_browseInputFile);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_nullSeparated);
    connect(m_browseInputFile, &QToolButton::clicked, this, &JobEditor::chooseInputFile);
    return page;
}

QWidget *JobEditor::buildListPage()
{
    auto *page = new QWidget(this);
    m_inputList = new QPlainTextEdit(page);
    describe(m_inputList, QStringLiteral("jobInputList"), QStringLiteral("Paste the inputs here, one per line"));
    m_inputList->setAccessibleName(QStringLiteral("Input list"));
    m_inputList->setPlaceholderText(QStringLiteral("one input per line"));
    m_inputList->setTabChangesFocus(true);
    m_inputList->setMinimumHeight(80);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_inputList);
    return page;
}

void JobEditor::showInputPage(int page)
{
    // Hidden pages take no room, so a one-line page leaves no gap below it.
    for (int i = 0; i < m_inputPages.size(); ++i)
        m_inputPages.at(i)->setVisible(i == page);
}

void JobEditor::updateHints()
{
    const bool workerMode = m_mode->currentData().toInt() == int(JobSpec::Mode::Worker);
    if (workerMode)
        m_commandHint->setText(QStringLiteral("Each worker reads {\"id\":…, \"input\":…} lines on stdin and answers "
                                              "with {\"id\":…, \"result\":…} or {\"id\":…, \"error\":…}."));
    else if (m_shell->isChecked())
        m_commandHint->setText(QStringLiteral("The words form an sh -c script; {} is the input, single-quoted."));
    else
        m_commandHint->setText(QStringLiteral("{} is replaced by the input; without {} the input is added last."));
}

void JobEditor::chooseProgram()
{
    const QString start = QFileInfo(m_program->text()).isAbsolute() ? QFileInfo(m_program->text()).path() : QString();
    const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Choose the program"), start);
    if (path.isEmpty())
        return;
    m_program->setText(path);
    Q_EMIT edited();
}

void JobEditor::chooseInputFile()
{
    const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Choose the input file"),
                                                      QFileInfo(m_inputFile->text()).path());
    if (path.isEmpty())
        return;
    m_inputFile->setText(path);
    Q_EMIT edited();
}

void JobEditor::setSpec(const JobSpec &spec)
{
    const QSignalBlocker blocker(this);
    m_base = spec;
    m_mode->setCurrentIndex(m_mode->findData(int(spec.mode)));
    m_program->setText(spec.command.value(0));
    m_arguments->setText(CommandLine::join(spec.command.mid(1)));
    m_shell->setChecked(spec.shell);
    m_inputKind->setCurrentIndex(m_inputKind->findData(int(spec.inputKind)));
    showInputPage(m_inputKind->currentIndex());
    m_rangeCount->setValue(int(qBound<qint64>(0, spec.rangeCount, qint64(m_rangeCount->maximum()))));
    m_inputFile->setText(spec.inputFile);
    m_nullSeparated->setChecked(spec.nullSeparated);
    m_inputList->setPlainText(spec.inputList.join(QLatin1Char('\n')));
    m_retries->setValue(spec.retries);
    m_timeout->setValue(spec.timeoutSeconds);
    updateHints();
}

JobSpec JobEditor::spec() const
{
    JobSpec s = m_base;
    s.mode = JobSpec::Mode(m_mode->currentData().toInt());
    s.command.clear();
    const QString program = m_program->text().trimmed();
    if (!program.isEmpty())
        s.command = QStringList{program} + CommandLine::split(m_arguments->text());
    s.shell = m_shell->isChecked();
    s.inputKind = JobSpec::InputKind(m_inputKind->currentData().toInt());
    s.rangeCount = m_rangeCount->value();
    s.inputFile = m_inputFile->text().trimmed();
    s.nullSeparated = m_nullSeparated->isChecked();
    s.inputList.clear();
    const QStringList lines = m_inputList->toPlainText().split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        if (!line.isEmpty())
            s.inputList.append(line);
    }
    s.retries = m_retries->value();
    s.timeoutSeconds = m_timeout->value();
    return s;
}
