#pragma once

#include <QTimer>
#include <QWidget>

class QAction;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QSplitter;
class QTableView;
class ResultDetailView;
class ResultFilterProxy;
class ResultTableModel;

// The results table with its status filter, text search, detail pane and the
// actions on results (retry, copy).
class ResultsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ResultsPanel(ResultTableModel *model, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    ResultFilterProxy *proxy() const { return m_proxy; }
    ResultDetailView *detail() const { return m_detail; }
    QComboBox *statusFilter() const { return m_statusFilter; }
    QLineEdit *searchField() const { return m_search; }
    QSplitter *splitter() const { return m_splitter; }
    QLabel *caption() const { return m_caption; }
    // Which run the table shows ("Run 12 · 14:02 · finished"); empty hides it.
    void setCaption(const QString &text, const QString &tooltip = {});

    QAction *retrySelectedAction() const { return m_retrySelected; }
    QAction *retryFailedAction() const { return m_retryFailed; }
    QAction *copyAction() const { return m_copy; }
    QAction *findAction() const { return m_find; }

    QList<int> selectedSourceRows() const;
    // Makes the task with this id the current, selected and visible row
    // (clearing a filter that hides it); false when no row holds it.
    bool selectTask(qint64 id);
    void setRetryEnabled(bool enabled);
    QString selectionAsText() const; // tab-separated, with a header line

Q_SIGNALS:
    void retryRequested(const QList<int> &sourceRows);
    void retryFailedRequested();

private:
    // The constructor's steps.
    QHBoxLayout *buildFilterBar();
    void setUpTable();
    void setUpSplitter();
    void createActions();
    void connectSignals();

    void placeParameterColumns();
    void updateFilterCounts();
    void showCurrent();
    void showContextMenu(const QPoint &pos);
    void copySelection();
    void updateActions();

    ResultTableModel *m_model;
    ResultFilterProxy *m_proxy;
    QLabel *m_caption;
    QComboBox *m_statusFilter;
    QLineEdit *m_search;
    QTableView *m_view;
    ResultDetailView *m_detail;
    QSplitter *m_splitter;
    QTimer m_searchDelay;
    QAction *m_retrySelected;
    QAction *m_retryFailed;
    QAction *m_copy;
    QAction *m_find;
    bool m_retryEnabled = true;
    QList<std::pair<bool, int>> m_fixedColumns; // hidden, width: kept across a change of columns
};
