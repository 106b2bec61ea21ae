#include "jobeditor.h"

#include "commandline.h"
#include "commandtemplate.h"
#include "sweepeditor.h"
#include "theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QRegularExpression>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace {
QLabel *buddyLabel(const QString &text, QWidget *buddy, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setBuddy(buddy);
    return label;
}

constexpr qint64 MiB = 1024 * 1024;

void describe(QWidget *widget, const QString &name, const QString &tooltip)
{
    widget->setObjectName(name);
    widget->setToolTip(tooltip);
}

// Shows "2.5 s", not "2.500 s", yet keeps the precision a saved job may have.
class TrimmedSpinBox : public QDoubleSpinBox
{
public:
    using QDoubleSpinBox::QDoubleSpinBox;

protected:
    QString textFromValue(double value) const override
    {
        QString text = QDoubleSpinBox::textFromValue(value);
        const QChar point = locale().decimalPoint().at(0);
        if (text.contains(point)) {
            while (text.endsWith(QLatin1Char('0')))
                text.chop(1);
            if (text.endsWith(point))
                text.chop(1);
        }
        return text;
    }
};
} // namespace

// The widgets are created in the order Tab visits them (Qt's focus chain
// follows creation; the input pages come after these). The steps below set up
// each part of the form, then lay it out and wire it.
JobEditor::JobEditor(QWidget *parent)
    : QWidget(parent)
    , m_mode(new QComboBox(this))
    , m_program(new QLineEdit(this))
    , m_browseProgram(new QToolButton(this))
    , m_arguments(new QLineEdit(this))
    , m_shell(new QCheckBox(QStringLiteral("Run the command through sh -c"), this))
    , m_commandHint(new QLabel(this))
    , m_inputKind(new QComboBox(this))
    , m_hostsEdit(new QLineEdit(this))
    , m_hostsErrorLabel(new QLabel(this))
    , m_transfer(new QCheckBox(QStringLiteral("Transfer input files to remote hosts"), this))
    , m_returnFiles(new QLineEdit(this))
    , m_cleanup(new QCheckBox(QStringLiteral("Clean up the hosts after each task"), this))
    , m_retries(new QSpinBox(this))
    , m_timeout(new TrimmedSpinBox(this))
    , m_timeoutUnit(new QComboBox(this))
    , m_stall(new TrimmedSpinBox(this))
    , m_startup(new TrimmedSpinBox(this))
    , m_halt(new TrimmedSpinBox(this))
    , m_haltUnit(new QComboBox(this))
    , m_haltMode(new QComboBox(this))
    , m_memFree(new QSpinBox(this))
    , m_loadBelow(new TrimmedSpinBox(this))
    , m_startDelay(new TrimmedSpinBox(this))
    , m_maxTasks(new QSpinBox(this))
    , m_maxMemory(new QSpinBox(this))
    , m_recycleNote(new QLabel(this))
{
    setUpCommand();
    setUpInputs();
    setUpHosts();
    setUpRetriesAndTimeouts();
    setUpHalt();
    setUpStartGates();
    setUpRecycling();
    layOutForm();
    orderTabsAsShown();
    connectSignals();
    showInputPage(0);
    updateUnits();
    updateHints();
}

// The input pages are built after the rest of the form, so Tab (and a screen
// reader's walk) would reach their fields last: put them right after the
// input kind, where they are shown. Hidden pages' fields are skipped anyway.
void JobEditor::orderTabsAsShown()
{
    QList<QWidget *> chain{m_inputKind, m_rangeCount, m_inputFile, m_browseInputFile, m_nullSeparated, m_inputList};
    chain += m_sweep->focusChain();
    chain.append(m_hostsEdit);
    for (qsizetype i = 1; i < chain.size(); ++i)
        setTabOrder(chain.at(i - 1), chain.at(i));
}

// Mode, program, arguments, the sh -c switch, and the hint below them.
void JobEditor::setUpCommand()
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
             QStringLiteral("Arguments, separated by spaces; quote an argument with spaces as in a shell (no shell runs;\n"
                            "with \"Run the command through sh -c\" the program and arguments are the script, as typed).\n"
                            "{} is the input, {.} without extension, {/} basename, {//} directory, {#} task number."));
    m_arguments->setAccessibleName(QStringLiteral("Arguments"));
    m_arguments->setPlaceholderText(QStringLiteral("e.g. -k {}"));
    m_arguments->setClearButtonEnabled(true);

    describe(m_shell, QStringLiteral("jobShell"),
             QStringLiteral("Treat the program and arguments as a shell script. An input is data wherever {} "
                            "stands (unquoted, in quotes, in $(…)): the shell never parses it."));
    m_shell->setAccessibleName(QStringLiteral("Run through shell"));

    m_commandHint->setWordWrap(true);
    m_commandHint->setObjectName(QStringLiteral("jobCommandHint"));
    QFont hintFont = m_commandHint->font();
    hintFont.setPointSizeF(hintFont.pointSizeF() * 0.9);
    m_commandHint->setFont(hintFont);
    m_commandHint->setForegroundRole(QPalette::PlaceholderText);
}

// Where the inputs come from, with one page of fields per kind.
void JobEditor::setUpInputs()
{
    m_inputKind->addItem(QStringLiteral("Numbers 0 … N−1"), int(JobSpec::InputKind::Range));
    m_inputKind->addItem(QStringLiteral("Lines of a file"), int(JobSpec::InputKind::File));
    m_inputKind->addItem(QStringLiteral("Pasted list"), int(JobSpec::InputKind::List));
    m_inputKind->addItem(QStringLiteral("Parameter sweep"), SweepKind);
    describe(m_inputKind, QStringLiteral("jobInputKind"),
             QStringLiteral("Where the task inputs come from. A parameter sweep runs a task for each combination of\n"
                            "its parameters' values (like taskpool run --param or ::: sources)."));
    m_inputKind->setAccessibleName(QStringLiteral("Inputs"));
    m_sweep = new SweepEditor(this);
    m_sweep->setObjectName(QStringLiteral("jobSweep"));
    m_inputPages = {buildRangePage(), buildFilePage(), buildListPage(), m_sweep};
}

// Where the slots run, and the file transfer that remote hosts may need.
void JobEditor::setUpHosts()
{
    describe(m_hostsEdit, QStringLiteral("jobHosts"),
             QStringLiteral("Where the worker slots run, as N/HOST separated by commas (like taskpool run --host):\n"
                            "4/localhost = 4 slots here, 8/ssh:user@node2 = 8 slots through ssh (a Host alias works),\n"
                            "16/srun = 16 Slurm job steps. Remote hosts need the same files at the same paths,\n"
                            "or Transfer input files.\n"
                            "Empty = every slot on this machine, as many as the toolbar's worker count."));
    m_hostsEdit->setAccessibleName(QStringLiteral("Hosts"));
    m_hostsEdit->setPlaceholderText(QStringLiteral("this machine only, e.g. 4/localhost, 8/ssh:user@node2"));
    m_hostsEdit->setClearButtonEnabled(true);
    m_hostsErrorLabel->setObjectName(QStringLiteral("jobHostsError"));
    m_hostsErrorLabel->setAccessibleName(QStringLiteral("Hosts error"));
    m_hostsErrorLabel->setWordWrap(true);
    Theme::keepErrorColor(m_hostsErrorLabel);
    m_hostsErrorLabel->hide();
    describe(m_transfer, QStringLiteral("jobTransfer"),
             QStringLiteral("For hosts without a shared file system: each input names a local file, copied to a scratch\n"
                            "directory on the remote host where the command then runs ({} is the copy). With long-lived\n"
                            "workers, each slot's worker runs in its scratch directory and gets the copy's path as the input."));
    m_transfer->setAccessibleName(QStringLiteral("Transfer input files"));
    describe(m_returnFiles, QStringLiteral("jobReturnFiles"),
             QStringLiteral("Files copied back after the command (or the worker's task) succeeds on a remote host, e.g. {.}.out;\nseparate several "
                            "with spaces (quote names with spaces). A missing file fails the task."));
    m_returnFiles->setAccessibleName(QStringLiteral("Return files"));
    m_returnFiles->setPlaceholderText(QStringLiteral("e.g. {.}.out"));
    describe(m_cleanup, QStringLiteral("jobCleanup"),
             QStringLiteral("Remove the copied input and the returned files on the host after each task."));
    m_cleanup->setAccessibleName(QStringLiteral("Clean up"));
}

// Retries and the time limits: timeout, stall limit, worker start-up.
void JobEditor::setUpRetriesAndTimeouts()
{
    m_retries->setRange(0, 100);
    describe(m_retries, QStringLiteral("jobRetries"),
             QStringLiteral("Extra attempts for a task that fails, times out or crashes"));
    m_retries->setAccessibleName(QStringLiteral("Retries"));
    m_timeout->setSpecialValueText(QStringLiteral("No limit"));
    describe(m_timeout, QStringLiteral("jobTimeout"),
             QStringLiteral("End a task (its whole process tree) that runs longer than this; 0 = no limit"));
    m_timeout->setAccessibleName(QStringLiteral("Timeout"));
    m_timeoutUnit->addItem(QStringLiteral("seconds"), false);
    m_timeoutUnit->addItem(QStringLiteral("% of median"), true);
    describe(m_timeoutUnit, QStringLiteral("jobTimeoutUnit"),
             QStringLiteral("Seconds, or a percentage of the median time of the tasks finished so far (at least 1 s): "
                            "300 % cuts outliers without guessing a number"));
    m_timeoutUnit->setAccessibleName(QStringLiteral("Timeout unit"));

    m_stall->setRange(0, 7 * 24 * 3600);
    m_stall->setDecimals(3);
    m_stall->setSuffix(QStringLiteral(" s"));
    m_stall->setSpecialValueText(QStringLiteral("Off"));
    describe(m_stall, QStringLiteral("jobStall"),
             QStringLiteral("End a task that printed nothing and reported no progress for this long; "
                            "it is recorded as stalled. 0 = off"));
    m_stall->setAccessibleName(QStringLiteral("Stall limit"));

    m_startup->setRange(0, 24 * 3600);
    m_startup->setDecimals(1);
    m_startup->setSuffix(QStringLiteral(" s"));
    m_startup->setSpecialValueText(QStringLiteral("None"));
    describe(m_startup, QStringLiteral("jobWorkerStartup"),
             QStringLiteral("How long a long-lived worker may take to start (imports, loading a model): its first "
                            "task gets this much more time before the timeout or stall limit ends it. A worker that "
                            "prints {\"ready\": true} when it is up has its first task's clock start then."));
    m_startup->setAccessibleName(QStringLiteral("Worker start-up allowance"));
}

// When the whole run stops after failures, and what happens to running tasks then.
void JobEditor::setUpHalt()
{
    m_halt->setSpecialValueText(QStringLiteral("Never"));
    describe(m_halt, QStringLiteral("jobHalt"),
             QStringLiteral("Stop the whole run after this many failed tasks, or once this percentage of the finished "
                            "tasks failed (judged after at least 10). 0 = never"));
    m_halt->setAccessibleName(QStringLiteral("Halt after failures"));
    m_haltUnit->addItem(QStringLiteral("failed tasks"), false);
    m_haltUnit->addItem(QStringLiteral("% failed"), true);
    describe(m_haltUnit, QStringLiteral("jobHaltUnit"), QStringLiteral("A number of failed tasks, or a percentage of the finished ones"));
    m_haltUnit->setAccessibleName(QStringLiteral("Halt unit"));
    m_haltMode->addItem(QStringLiteral("let running tasks finish"), false);
    m_haltMode->addItem(QStringLiteral("terminate running tasks"), true);
    describe(m_haltMode, QStringLiteral("jobHaltMode"),
             QStringLiteral("When the run halts: let the running tasks finish (drain), or end them at once"));
    m_haltMode->setAccessibleName(QStringLiteral("On halt"));
}

// Starts that respect the machine: free memory, load average, delay (taskpool
// run --memfree, --load, --delay).
void JobEditor::setUpStartGates()
{
    m_memFree->setRange(0, 100'000'000);
    m_memFree->setGroupSeparatorShown(true);
    m_memFree->setSuffix(QStringLiteral(" MB"));
    m_memFree->setSpecialValueText(QStringLiteral("Off"));
    describe(m_memFree, QStringLiteral("jobMemFree"),
             QStringLiteral("Start a task only while this machine has at least this much memory available. Below "
                            "half of it, the youngest running task (with long-lived workers, its worker) is ended "
                            "and put back in the queue: not a failure, no attempt used; never the last running "
                            "task. 0 = off"));
    m_memFree->setAccessibleName(QStringLiteral("Memory free to start a task"));
    m_loadBelow->setRange(0, 100'000);
    m_loadBelow->setDecimals(2);
    m_loadBelow->setSpecialValueText(QStringLiteral("Off"));
    describe(m_loadBelow, QStringLiteral("jobLoadBelow"),
             QStringLiteral("Start a task only while this machine's 1-minute load average is below this. 0 = off"));
    m_loadBelow->setAccessibleName(QStringLiteral("Load average below"));
    m_startDelay->setRange(0, 24 * 3600);
    m_startDelay->setDecimals(3);
    m_startDelay->setSuffix(QStringLiteral(" s"));
    m_startDelay->setSpecialValueText(QStringLiteral("None"));
    describe(m_startDelay, QStringLiteral("jobStartDelay"),
             QStringLiteral("At least this long between two task starts, across all workers. 0 = none"));
    m_startDelay->setAccessibleName(QStringLiteral("Delay between starts"));
}

// When a long-lived worker is replaced, and the note that per-task runs have none.
void JobEditor::setUpRecycling()
{
    m_maxTasks->setRange(0, std::numeric_limits<int>::max());
    m_maxTasks->setGroupSeparatorShown(true);
    m_maxTasks->setSuffix(QStringLiteral(" tasks"));
    m_maxTasks->setSpecialValueText(QStringLiteral("Never"));
    describe(m_maxTasks, QStringLiteral("jobMaxTasksPerWorker"),
             QStringLiteral("Replace a long-lived worker after it has run this many tasks (against slow leaks). 0 = never"));
    m_maxTasks->setAccessibleName(QStringLiteral("Recycle after tasks"));
    m_maxMemory->setRange(0, 100'000'000);
    m_maxMemory->setGroupSeparatorShown(true);
    m_maxMemory->setSuffix(QStringLiteral(" MB"));
    m_maxMemory->setSpecialValueText(QStringLiteral("No limit"));
    describe(m_maxMemory, QStringLiteral("jobMaxWorkerMemory"),
             QStringLiteral("Replace a long-lived worker whose process tree uses more memory than this, after its "
                            "current task (checked every second). 0 = no limit"));
    m_maxMemory->setAccessibleName(QStringLiteral("Worker memory limit"));
    m_recycleNote->setObjectName(QStringLiteral("jobRecycleNote"));
    m_recycleNote->setText(QStringLiteral("Only long-lived workers are recycled."));
    m_recycleNote->setWordWrap(true);
    m_recycleNote->setFont(m_commandHint->font());
    m_recycleNote->setForegroundRole(QPalette::PlaceholderText);
}

// One form, top to bottom; the labels' mnemonics focus their buddies.
void JobEditor::layOutForm()
{
    auto *programRow = new QHBoxLayout;
    programRow->addWidget(m_program, 1);
    programRow->addWidget(m_browseProgram);

    auto *form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::WrapLongRows); // a narrow panel puts labels above their fields
    form->addRow(buddyLabel(QStringLiteral("&Mode:"), m_mode, this), m_mode);
    form->addRow(buddyLabel(QStringLiteral("&Program:"), m_program, this), programRow);
    form->addRow(buddyLabel(QStringLiteral("&Arguments:"), m_arguments, this), m_arguments);
    form->addRow(QString(), m_shell);
    form->addRow(QString(), m_commandHint);
    form->addRow(buddyLabel(QStringLiteral("&Inputs:"), m_inputKind, this), m_inputKind);
    for (QWidget *page : std::as_const(m_inputPages))
        form->addRow(page);
    auto pair = [](QWidget *value, QWidget *unit) {
        auto *row = new QHBoxLayout;
        row->addWidget(value, 1);
        row->addWidget(unit);
        return row;
    };
    form->addRow(buddyLabel(QStringLiteral("&Hosts:"), m_hostsEdit, this), m_hostsEdit);
    form->addRow(QString(), m_hostsErrorLabel);
    form->addRow(QString(), m_transfer);
    form->addRow(buddyLabel(QStringLiteral("Return files:"), m_returnFiles, this), m_returnFiles);
    form->addRow(QString(), m_cleanup);
    form->addRow(sectionLabel(QStringLiteral("When tasks fail or hang")));
    form->addRow(buddyLabel(QStringLiteral("Re&tries:"), m_retries, this), m_retries);
    form->addRow(buddyLabel(QStringLiteral("Time&out:"), m_timeout, this), pair(m_timeout, m_timeoutUnit));
    form->addRow(buddyLabel(QStringLiteral("Stalle&d after:"), m_stall, this), m_stall);
    form->addRow(buddyLabel(QStringLiteral("Worker start-up:"), m_startup, this), m_startup);
    form->addRow(buddyLabel(QStringLiteral("Halt aft&er:"), m_halt, this), pair(m_halt, m_haltUnit));
    form->addRow(buddyLabel(QStringLiteral("On halt:"), m_haltMode, this), m_haltMode);
    form->addRow(sectionLabel(QStringLiteral("Starting tasks")));
    form->addRow(buddyLabel(QStringLiteral("Memory free:"), m_memFree, this), m_memFree);
    form->addRow(buddyLabel(QStringLiteral("Load below:"), m_loadBelow, this), m_loadBelow);
    form->addRow(buddyLabel(QStringLiteral("Delay between starts:"), m_startDelay, this), m_startDelay);
    form->addRow(sectionLabel(QStringLiteral("Worker recycling")));
    form->addRow(buddyLabel(QStringLiteral("Re&cycle after:"), m_maxTasks, this), m_maxTasks);
    form->addRow(buddyLabel(QStringLiteral("Memor&y limit:"), m_maxMemory, this), m_maxMemory);
    form->addRow(QString(), m_recycleNote);
}

// Every change emits edited(); some also update the hints, units and
// enabled states. A signal's slots run in the order they are connected here.
void JobEditor::connectSignals()
{
    connect(m_browseProgram, &QToolButton::clicked, this, &JobEditor::chooseProgram);
    connect(m_inputKind, &QComboBox::currentIndexChanged, this, &JobEditor::showInputPage);
    connect(m_mode, &QComboBox::currentIndexChanged, this, &JobEditor::updateHints);
    connect(m_shell, &QCheckBox::toggled, this, &JobEditor::updateHints);
    for (QComboBox *combo : {m_mode, m_inputKind})
        connect(combo, &QComboBox::currentIndexChanged, this, &JobEditor::edited);
    connect(m_hostsEdit, &QLineEdit::textChanged, this, &JobEditor::checkHosts);
    for (QLineEdit *edit : {m_program, m_arguments, m_inputFile, m_hostsEdit})
        connect(edit, &QLineEdit::textEdited, this, &JobEditor::edited);
    for (QLineEdit *edit : {m_program, m_arguments})
        connect(edit, &QLineEdit::textEdited, this, &JobEditor::updateHints); // a shell script may be refused
    for (QSpinBox *spin : {m_rangeCount, m_retries})
        connect(spin, &QSpinBox::valueChanged, this, &JobEditor::edited);
    for (QComboBox *combo : {m_timeoutUnit, m_haltUnit, m_haltMode})
        connect(combo, &QComboBox::currentIndexChanged, this, &JobEditor::edited);
    for (QComboBox *combo : {m_timeoutUnit, m_haltUnit})
        connect(combo, &QComboBox::currentIndexChanged, this, &JobEditor::updateUnits);
    for (QSpinBox *spin : {m_maxTasks, m_maxMemory, m_memFree})
        connect(spin, &QSpinBox::valueChanged, this, &JobEditor::edited);
    for (QDoubleSpinBox *spin : {m_timeout, m_stall, m_startup, m_halt, m_loadBelow, m_startDelay})
        connect(spin, &QDoubleSpinBox::valueChanged, this, &JobEditor::edited);
    connect(m_halt, &QDoubleSpinBox::valueChanged, this, &JobEditor::updateHints);
    connect(m_shell, &QCheckBox::toggled, this, &JobEditor::edited);
    connect(m_nullSeparated, &QCheckBox::toggled, this, &JobEditor::edited);
    for (QCheckBox *box : {m_transfer, m_cleanup})
        connect(box, &QCheckBox::toggled, this, &JobEditor::edited);
    connect(m_transfer, &QCheckBox::toggled, this, &JobEditor::updateTransferControls);
    connect(m_returnFiles, &QLineEdit::textEdited, this, &JobEditor::edited);
    connect(m_inputList, &QPlainTextEdit::textChanged, this, &JobEditor::edited);
    connect(m_sweep, &SweepEditor::edited, this, &JobEditor::edited);
    connect(m_sweep, &SweepEditor::edited, this, &JobEditor::updateHints); // {name} may now be known
    connect(m_sweep, &SweepEditor::validityChanged, this, [this] {
        if (isSweep())
            Q_EMIT formErrorChanged();
    });
    connect(m_inputKind, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_sweep->error().isEmpty())
            Q_EMIT formErrorChanged();
        updateHints();
    });
    connect(this, &JobEditor::hostsChanged, this, &JobEditor::formErrorChanged);
}

QLabel *JobEditor::sectionLabel(const QString &text)
{
    auto *label = new QLabel(text, this);
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    label->setContentsMargins(0, 8, 0, 0);
    return label;
}

void JobEditor::updateUnits()
{
    // Percentages up to 100 % for the halt; a count of failures is whole.
    const bool timeoutPercent = m_timeoutUnit->currentData().toBool();
    m_timeout->setDecimals(timeoutPercent ? 1 : 3);
    m_timeout->setRange(0, timeoutPercent ? 100'000 : 7 * 24 * 3600);
    m_timeout->setSuffix(timeoutPercent ? QStringLiteral(" %") : QStringLiteral(" s"));
    const bool haltPercent = m_haltUnit->currentData().toBool();
    m_halt->setDecimals(haltPercent ? 1 : 0);
    m_halt->setRange(0, haltPercent ? 100 : 1'000'000'000);
    m_halt->setSuffix(haltPercent ? QStringLiteral(" %") : QString());
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

bool JobEditor::parseHosts(const QString &text, QList<HostSpec> *hosts, QString *error)
{
    hosts->clear();
    const QStringList parts = text.split(QLatin1Char(','));
    for (const QString &part : parts) {
        if (part.trimmed().isEmpty())
            continue; // "4/localhost," while typing, or an empty field
        HostSpec host;
        QString why;
        if (!HostSpec::parse(part.trimmed(), &host, &why)) {
            // The core speaks in CLI terms ("--host X: ..."); the form has no options.
            if (why.startsWith(QLatin1String("--host ")))
                why = QStringLiteral("Host ") + why.mid(7);
            *error = why;
            hosts->clear();
            return false;
        }
        hosts->append(host);
    }
    return true;
}

QString JobEditor::formatHosts(const QList<HostSpec> &hosts)
{
    QStringList parts;
    for (const HostSpec &host : hosts)
        parts.append(host.toString());
    return parts.join(QStringLiteral(", "));
}

void JobEditor::checkHosts()
{
    const bool wasValid = m_hostsError.isEmpty();
    const bool hadHosts = !m_hosts.isEmpty();
    QString error;
    if (!parseHosts(m_hostsEdit->text(), &m_hosts, &error))
        m_hostsError = error;
    else
        m_hostsError.clear();
    m_hostsErrorLabel->setText(m_hostsError);
    m_hostsErrorLabel->setVisible(!m_hostsError.isEmpty());
    const QString errorBorder = QStringLiteral("QLineEdit { border: 1px solid %1; }").arg(Theme::errorColor(palette()).name());
    m_hostsEdit->setStyleSheet(m_hostsError.isEmpty() ? QString() : errorBorder);
    updateTransferControls();
    if (wasValid != m_hostsError.isEmpty() || hadHosts != !m_hosts.isEmpty())
        Q_EMIT hostsChanged();
}

// Transfer only means something on a remote host (per-task commands and
// long-lived workers alike).
void JobEditor::updateTransferControls()
{
    const bool remote = std::any_of(m_hosts.cbegin(), m_hosts.cend(), [](const HostSpec &h) { return h.isRemote(); });
    m_transfer->setEnabled(remote);
    const bool transferring = m_transfer->isEnabled() && m_transfer->isChecked();
    m_returnFiles->setEnabled(transferring);
    m_cleanup->setEnabled(transferring);
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
    m_haltMode->setEnabled(m_halt->value() > 0);
    m_maxTasks->setEnabled(workerMode);
    m_startup->setEnabled(workerMode);
    m_maxMemory->setEnabled(workerMode);
    m_recycleNote->setVisible(!workerMode);
    updateTransferControls();
    if (workerMode)
        m_commandHint->setText(QStringLiteral("Each worker reads {\"id\":…, \"input\":…} lines on stdin and answers "
                                              "with {\"id\":…, \"result\":…} or {\"id\":…, \"error\":…}."));
    else if (m_shell->isChecked()) {
        const JobSpec job = spec();
        const QString problem = CommandTemplate(job.command, true, job.parameterNames()).errorString();
        m_commandHint->setText(problem.isEmpty() ? QStringLiteral("The program and arguments are an sh -c script, as typed; {} is "
                                                                  "the input, passed as data wherever it stands.")
                                                 : problem);
    }
    else if (isSweep())
        m_commandHint->setText(QStringLiteral("{name} is a parameter's value, {} all the values; without either "
                                              "the values are added last."));
    else
        m_commandHint->setText(QStringLiteral("{} is replaced by the input; without {} the input is added last."));
    updateSweepPreview();
}

void JobEditor::updateSweepPreview()
{
    if (!isSweep())
        return;
    const JobSpec job = spec();
    m_sweep->setCommand(job.command, job.shell, job.mode == JobSpec::Mode::Worker);
}

bool JobEditor::isSweep() const
{
    return m_inputKind->currentData().toInt() == SweepKind;
}

QString JobEditor::sweepError() const
{
    return isSweep() ? m_sweep->error() : QString();
}

QString JobEditor::formError() const
{
    return m_hostsError.isEmpty() ? sweepError() : m_hostsError;
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
    QSignalBlocker blocker(this);
    m_base = spec;
    m_mode->setCurrentIndex(m_mode->findData(int(spec.mode)));
    if (spec.shell) {
        // A script is shown as typed: the first word in the program field, the rest verbatim.
        const QString script = spec.command.join(QLatin1Char(' ')).trimmed();
        const qsizetype space = script.indexOf(QRegularExpression(QStringLiteral("\\s")));
        m_program->setText(space < 0 ? script : script.left(space));
        m_arguments->setText(space < 0 ? QString() : script.mid(space + 1));
    } else {
        m_program->setText(spec.command.value(0));
        m_arguments->setText(CommandLine::join(spec.command.mid(1)));
    }
    m_shell->setChecked(spec.shell);
    m_inputKind->setCurrentIndex(m_inputKind->findData(spec.isSweep() ? SweepKind : int(spec.inputKind)));
    showInputPage(m_inputKind->currentIndex());
    m_sweep->setCommand(spec.command, spec.shell, spec.mode == JobSpec::Mode::Worker); // before: the preview shows at once
    m_sweep->setParameters(spec.parameters);
    m_rangeCount->setValue(int(qBound<qint64>(0, spec.rangeCount, qint64(m_rangeCount->maximum()))));
    m_inputFile->setText(spec.inputFile);
    m_nullSeparated->setChecked(spec.nullSeparated);
    m_inputList->setPlainText(spec.inputList.join(QLatin1Char('\n')));
    m_hostsEdit->setText(formatHosts(spec.hosts));
    m_transfer->setChecked(spec.transfer);
    m_returnFiles->setText(CommandLine::join(spec.returnFiles));
    m_cleanup->setChecked(spec.cleanup);
    m_retries->setValue(spec.retries);
    const bool timeoutPercent = spec.timeoutPercent > 0;
    m_timeoutUnit->setCurrentIndex(m_timeoutUnit->findData(timeoutPercent));
    const bool haltPercent = spec.haltFailurePercent > 0;
    m_haltUnit->setCurrentIndex(m_haltUnit->findData(haltPercent));
    updateUnits();
    m_timeout->setValue(timeoutPercent ? spec.timeoutPercent : spec.timeoutSeconds);
    m_stall->setValue(spec.stallSeconds);
    m_startup->setValue(spec.startupSeconds);
    m_halt->setValue(haltPercent ? spec.haltFailurePercent : spec.haltAfterFailures);
    m_haltMode->setCurrentIndex(m_haltMode->findData(spec.haltTerminates));
    m_maxTasks->setValue(spec.maxTasksPerWorker);
    m_maxMemory->setValue(int(qBound<qint64>(0, spec.maxWorkerMemoryMb, qint64(m_maxMemory->maximum()))));
    m_memFree->setValue(int(qBound<qint64>(0, (spec.memFreeBytes + MiB / 2) / MiB, qint64(m_memFree->maximum()))));
    m_loadBelow->setValue(spec.loadBelow);
    m_startDelay->setValue(spec.startDelaySeconds);
    updateHints();
    // The blocker kept checkHosts() (and the sweep) from saying so.
    blocker.unblock();
    Q_EMIT hostsChanged();
}

JobSpec JobEditor::spec() const
{
    JobSpec s = m_base;
    s.mode = JobSpec::Mode(m_mode->currentData().toInt());
    s.command.clear();
    const QString program = m_program->text().trimmed();
    s.shell = m_shell->isChecked();
    if (program.isEmpty())
        ;
    else if (s.shell) // the shell parses the script: keep its quotes as typed
        s.command = QStringList{QString(program + QLatin1Char(' ') + m_arguments->text()).trimmed()};
    else
        s.command = QStringList{program} + CommandLine::split(m_arguments->text());
    // A sweep keeps the other inputs as loaded (a job file has both); any
    // other kind is not a sweep.
    if (isSweep())
        s.parameters = m_sweep->parameters();
    else {
        s.parameters.clear();
        s.inputKind = JobSpec::InputKind(m_inputKind->currentData().toInt());
    }
    s.rangeCount = m_rangeCount->value();
    s.inputFile = m_inputFile->text().trimmed();
    s.nullSeparated = m_nullSeparated->isChecked();
    s.inputList.clear();
    const QStringList lines = m_inputList->toPlainText().split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        if (!line.isEmpty())
            s.inputList.append(line);
    }
    s.hosts = m_hosts;
    // The field has no launcher syntax: keep a loaded job's custom launchers.
    for (HostSpec &host : s.hosts) {
        for (const HostSpec &old : std::as_const(m_base.hosts)) {
            if (old.kind == host.kind && old.target == host.target) {
                host.launcher = old.launcher;
                break;
            }
        }
    }
    // Disabled controls (no remote host) leave the job without transfer.
    s.transfer = m_transfer->isEnabled() && m_transfer->isChecked();
    s.returnFiles = s.transfer ? CommandLine::split(m_returnFiles->text()) : QStringList();
    s.cleanup = s.transfer && m_cleanup->isChecked();
    s.retries = m_retries->value();
    // One timeout or the other, never both (JobSpec::validate() refuses that).
    const bool timeoutPercent = m_timeoutUnit->currentData().toBool();
    s.timeoutSeconds = timeoutPercent ? 0 : m_timeout->value();
    s.timeoutPercent = timeoutPercent ? m_timeout->value() : 0;
    s.stallSeconds = m_stall->value();
    s.startupSeconds = s.mode == JobSpec::Mode::Worker ? m_startup->value() : 0; // per-task runs have no start-up
    const bool haltPercent = m_haltUnit->currentData().toBool();
    s.haltAfterFailures = haltPercent ? 0 : int(m_halt->value());
    s.haltFailurePercent = haltPercent ? m_halt->value() : 0;
    s.haltTerminates = m_haltMode->currentData().toBool();
    s.maxTasksPerWorker = m_maxTasks->value();
    s.maxWorkerMemoryMb = m_maxMemory->value();
    // In whole MB; a loaded job's exact size stands while the field shows it.
    const qint64 memFreeMb = m_memFree->value();
    if (memFreeMb != (m_base.memFreeBytes + MiB / 2) / MiB || m_base.memFreeBytes < 0)
        s.memFreeBytes = memFreeMb * MiB;
    s.loadBelow = m_loadBelow->value();
    s.startDelaySeconds = m_startDelay->value();
    return s;
}
