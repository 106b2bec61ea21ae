#pragma once

#include "jobspec.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QToolButton;

// The job form: what to run, on which inputs, and the limits that keep a run
// going (or stop it) when tasks misbehave. Settings the form does not show
// (working directory, output cap, progress pattern, ...) are kept from the
// job that was loaded, so saving never loses them.
class JobEditor : public QWidget
{
    Q_OBJECT
public:
    explicit JobEditor(QWidget *parent = nullptr);

    void setSpec(const JobSpec &spec);
    JobSpec spec() const;

Q_SIGNALS:
    void edited();

private:
    enum InputPage { RangePage, FilePage, ListPage };

    void chooseProgram();
    void chooseInputFile();
    void showInputPage(int page);
    void updateHints();
    void updateUnits();
    QLabel *sectionLabel(const QString &text);
    QWidget *buildRangePage();
    QWidget *buildFilePage();
    QWidget *buildListPage();

    JobSpec m_base;
    QComboBox *m_mode;
    QLineEdit *m_program;
    QToolButton *m_browseProgram;
    QLineEdit *m_arguments;
    QCheckBox *m_shell;
    QLabel *m_commandHint;
    QComboBox *m_inputKind;
    QList<QWidget *> m_inputPages; // one per InputPage; only the chosen one is shown
    QSpinBox *m_rangeCount = nullptr;
    QLineEdit *m_inputFile = nullptr;
    QToolButton *m_browseInputFile = nullptr;
    QCheckBox *m_nullSeparated = nullptr;
    QPlainTextEdit *m_inputList = nullptr;
    QSpinBox *m_retries;
    QDoubleSpinBox *m_timeout;
    QComboBox *m_timeoutUnit;      // seconds, or % of the median task time
    QDoubleSpinBox *m_stall;
    QDoubleSpinBox *m_halt;
    QComboBox *m_haltUnit;         // failed tasks, or % of finished tasks
    QComboBox *m_haltMode;         // drain or terminate
    QSpinBox *m_maxTasks;
    QSpinBox *m_maxMemory;
    QLabel *m_recycleNote;
};
