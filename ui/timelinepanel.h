#pragma once

#include <QWidget>

class QAction;
class QLabel;
class QToolButton;
class TimelineModel;
class TimelineView;

// The Timeline tab: the view with its buttons (Fit all, Follow live, Export)
// and a line saying what it shows.
class TimelinePanel : public QWidget
{
    Q_OBJECT
public:
    explicit TimelinePanel(TimelineModel *model, QWidget *parent = nullptr);

    TimelineView *view() const { return m_view; }
    QAction *fitAllAction() const { return m_fitAll; }
    QAction *followLiveAction() const { return m_followLive; }
    QAction *exportAction() const { return m_export; }
    QLabel *caption() const { return m_caption; }

    // Writes the view to path (PNG, or SVG for a .svg name); the caption says how it went.
    bool exportTo(const QString &path);

Q_SIGNALS:
    void exported(bool ok, const QString &path, const QString &error);

private:
    QToolButton *buttonFor(QAction *action, const char *objectName);
    void chooseExportFile();
    void updateCaption();

    TimelineView *m_view;
    QLabel *m_caption;
    QAction *m_fitAll;
    QAction *m_followLive;
    QAction *m_export;
    QString m_note; // the last export's outcome, shown until the timeline changes
};
