#pragma once

#include "runjournal.h"
#include "taskpool.h"

#include <QAbstractTableModel>
#include <QList>

// Past runs from the journal, newest first: when, which job, counts, duration
// and how each ended. A new list is merged in by run id, so selections and the
// scroll position survive a refresh. The run this window is recording shows
// the pool's live counts instead of the journal's last commit.
class RunListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        IdColumn,
        StartedColumn,
        JobColumn,
        StateColumn,
        TasksColumn,
        OkColumn,
        FailedColumn,
        CancelledColumn,
        DurationColumn,
        ColumnCount
    };
    enum Role
    {
        RunIdRole = Qt::UserRole + 1, // qint64
        StateRole,                    // the journal's state word ("finished", "interrupted", ...)
    };

    explicit RunListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setRuns(const QList<RunInfo> &runs); // newest first, as RunJournal::runs() lists them
    void setLiveRun(qint64 runId, const PoolStats &stats);
    void clearLiveRun();
    qint64 liveRun() const { return m_liveRun; }

    const RunInfo &run(int row) const { return m_runs.at(row); }
    int rowOfRun(qint64 runId) const; // -1 if not listed

    // Words and colours shared with the results caption.
    static QString stateLabel(const QString &state);
    static QString jobText(const JobSpec &spec);      // short: program name and arguments
    static QString inputsText(const JobSpec &spec);   // "range of 200", "file …", "list of 3"
    static QString startedText(qint64 msSinceEpoch);  // "14:02", "Mon 14:02", "2024-06-03 14:02"

private:
    RunInfo shown(int row) const; // with the live counts applied
    static bool sameContent(const RunInfo &a, const RunInfo &b);

    QList<RunInfo> m_runs;
    qint64 m_liveRun = -1;
    PoolStats m_liveStats;
};
