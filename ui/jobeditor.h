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
class SweepEditor;

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
    // The job in the form. Hosts that do not parse are left out: check hostsError() first.
    JobSpec spec() const;
    // Empty when the Hosts field parses (or is empty), else why not.
    QString hostsError() const { return m_hostsError; }
    bool hasHosts() const { return !m_hosts.isEmpty(); } // as last parsed
    // Empty when the inputs are not a sweep or the sweep's rows parse, else why not.
    QString sweepError() const;
    // What keeps the form from making a job that can run or be saved as shown
    // (hosts, sweep), else empty. spec().validate() checks the rest.
    QString formError() const;
    SweepEditor *sweepEditor() const { return m_sweep; }
    bool isSweep() const; // "Parameter sweep" is the chosen inputs

    // The Hosts field's syntax, as `taskpool run --host` takes it, comma-separated.
    static bool parseHosts(const QString &text, QList<HostSpec> *hosts, QString *error);
    static QString formatHosts(const QList<HostSpec> &hosts);

Q_SIGNALS:
    void edited();
    void hostsChanged(); // the Hosts field became valid, invalid, empty or non-empty
    void formErrorChanged(); // formError() became empty or not

private:
    enum InputPage { RangePage, FilePage, ListPage, SweepPage };
    static constexpr int SweepKind = -1; // the input kind combo's data for a sweep

    // The constructor's steps: each part of the form, then its layout and wiring.
    void setUpCommand();
    void setUpInputs();
    void setUpHosts();
    void setUpRetriesAndTimeouts();
    void setUpHalt();
    void setUpStartGates();
    void setUpRecycling();
    void layOutForm();
    void orderTabsAsShown();
    void connectSignals();

    void chooseProgram();
    void chooseInputFile();
    void showInputPage(int page);
    void updateHints();
    void updateSweepPreview();
    void updateUnits();
    void checkHosts();
    void updateTransferControls();
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
    SweepEditor *m_sweep = nullptr;
    QLineEdit *m_hostsEdit;
    QLabel *m_hostsErrorLabel;
    QList<HostSpec> m_hosts;       // parsed from m_hostsEdit while it is valid
    QString m_hostsError;
    QCheckBox *m_transfer;         // file transfer for remote slots (taskpool run --transfer)
    QLineEdit *m_returnFiles;      // --return patterns, split like the arguments
    QCheckBox *m_cleanup;
    QSpinBox *m_retries;
    QDoubleSpinBox *m_timeout;
    QComboBox *m_timeoutUnit;      // seconds, or % of the median task time
    QDoubleSpinBox *m_stall;
    QDoubleSpinBox *m_startup;
    QDoubleSpinBox *m_halt;
    QComboBox *m_haltUnit;         // failed tasks, or % of finished tasks
    QComboBox *m_haltMode;         // drain or terminate
    QSpinBox *m_memFree;           // MB available to start a task (--memfree); 0 = off
    QDoubleSpinBox *m_loadBelow;   // --load; 0 = off
    QDoubleSpinBox *m_startDelay;  // --delay, seconds; 0 = none
    QSpinBox *m_maxTasks;
    QSpinBox *m_maxMemory;
    QLabel *m_recycleNote;
};
