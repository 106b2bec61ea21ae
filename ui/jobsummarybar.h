#pragma once

#include <QWidget>

struct JobSpec;
class QAction;
class QLabel;
class QToolButton;

// The job form folded to one line while a run goes, so the monitor has the
// room: what runs, on which inputs, with how many workers, and a button
// (the window's "Job form" action) that unfolds the form again.
class JobSummaryBar : public QWidget
{
    Q_OBJECT
public:
    explicit JobSummaryBar(QAction *showForm, QWidget *parent = nullptr);

    void setJob(const JobSpec &spec, int workers);
    QString text() const { return m_text; }

    // "taskpool demo-worker · numbers 0…399 · 8 workers"
    static QString summaryText(const JobSpec &spec, int workers);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void showElided();

    QToolButton *m_expand;
    QLabel *m_label;
    QString m_text;
};
