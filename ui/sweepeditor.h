#pragma once

#include "sweep.h"

#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QTableWidget;
class QTableWidgetItem;
class QTimer;
class QToolButton;

// The job form's "Parameter sweep" inputs: a table of parameters (a name, and
// values typed as `taskpool run --param` takes them: 0.1,0.01 or 1..10:2 or
// @FILE), how they combine (every combination, or zipped), the number of
// tasks, and a preview of the first commands. Values are parsed with the
// CLI's own functions (Sweep::parseValues), so the app and the CLI agree.
//
// A parameter loaded from a job keeps its values (what runs) and shows its
// source text; its values are parsed again only once that text is edited,
// so a job opened from a file runs what it ran, even if @FILE changed.
class SweepEditor : public QWidget
{
    Q_OBJECT
public:
    enum Column { NameColumn, ValuesColumn, ColumnCount };
    static constexpr int PreviewTasks = 5;

    explicit SweepEditor(QWidget *parent = nullptr);

    void setParameters(const QList<SweepParameter> &parameters);
    // The rows as parameters (a row in error keeps its last good values).
    QList<SweepParameter> parameters() const;
    // Empty when the rows make a sweep, else the first problem, for the user.
    QString error() const { return m_error; }
    // The number of tasks, -1 when too many to count.
    qint64 taskCount() const { return m_count; }
    // The command the preview expands (the form's), as the job will run it.
    void setCommand(const QStringList &command, bool shell, bool workerMode);

    QTableWidget *table() const { return m_table; }
    QLabel *countLabel() const { return m_countLabel; }
    QLabel *errorLabel() const { return m_errorLabel; }
    QPlainTextEdit *preview() const { return m_preview; }
    QComboBox *combineBox() const { return m_combine; }
    QList<QWidget *> focusChain() const;

    // "1,234,567 tasks (about 1.2 million)".
    static QString formatCount(qint64 count);
    // A word as a POSIX shell reads it back: plain, or in single quotes.
    static QString shellWord(const QByteArray &word);

public Q_SLOTS:
    void addRow();
    void removeRow();
    void moveRowUp();
    void moveRowDown();
    void chooseFile();

Q_SIGNALS:
    void edited();
    void validityChanged(); // error() became empty or not

private:
    enum Role { ValuesRole = Qt::UserRole, ParsedTextRole, RowErrorRole };
    void insertRow(int row, const SweepParameter &p, const QString &text);
    void itemChanged(QTableWidgetItem *item);
    void parseRow(int row);
    void moveRow(int from, int to);
    void revalidate();
    void schedulePreview();
    void updatePreview();
    void updateButtons();

    QTableWidget *m_table;
    QToolButton *m_add;
    QToolButton *m_remove;
    QToolButton *m_up;
    QToolButton *m_down;
    QToolButton *m_browse;
    QComboBox *m_combine;
    QLabel *m_errorLabel;
    QLabel *m_countLabel;
    QPlainTextEdit *m_preview;
    QTimer *m_previewTimer;
    QStringList m_command;
    bool m_shell = false;
    bool m_workerMode = false;
    bool m_updating = false;
    QString m_error;
    qint64 m_count = 0;
    QList<bool> m_loadedLinks; // a loaded job's :::+ links, kept while "As loaded" is chosen
};
