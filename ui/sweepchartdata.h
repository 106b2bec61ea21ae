#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QRegularExpression>
#include <QStringList>
#include <QTimer>

#include <cmath>
#include <vector>

class ResultTableModel;

// What the "By parameter" chart shows of a sweep's results: one numeric field
// of each result against the sweep's parameters, as a grid of cells (two
// parameters: the mean of each cell's results) and as points.
//
// The field is a number of the result JSON of a protocol worker (a member of
// its "result" object, {"loss": 0.12} -> "loss"; a bare number -> "result"),
// or a number found in a task's output by a regular expression (its first
// capture group, else the whole match).
//
// It follows the results model: rows it has not read yet are read on a zero
// timer, a few milliseconds at a time, so a big run never blocks the event
// loop; changed() follows each slice (a view coalesces its repaints). A
// retry's row, a new field or new axes read every row again. Per result it
// keeps 16 bytes (its value, cell and row) only while the run is a sweep.
class SweepChartData : public QObject
{
    Q_OBJECT
public:
    static constexpr int SliceMs = 6;              // reading rows, per event-loop turn
    static constexpr int FieldScanRows = 5000;     // results read for their JSON's fields
    static constexpr qsizetype OutputScanBytes = 64 * 1024; // of each output, for the pattern

    struct Cell
    {
        double sum = 0;
        int count = 0;
        int lastRow = -1; // the row of the latest result in it
        double mean() const { return count ? sum / count : std::nan(""); }
    };
    struct Point
    {
        float value;
        qint32 x;   // the x parameter's value, as an index into its values (as they came)
        qint32 y;   // the second parameter's (0 when none)
        qint32 row; // in the results model
    };

    explicit SweepChartData(ResultTableModel *results, QObject *parent = nullptr);

    ResultTableModel *results() const { return m_results; }
    bool isSweep() const { return !m_axes.isEmpty(); }

    // The numbers found in the results' JSON so far, in the order first seen.
    QStringList fields() const { return m_fields; }
    // The JSON member to show; clears the pattern.
    void setField(const QString &key);
    QString field() const { return m_field; }
    // A regular expression for each task's output; an empty one goes back to
    // the JSON field. False (and patternError()) when it does not compile.
    bool setPattern(const QString &pattern);
    QString pattern() const { return m_pattern.pattern(); }
    bool usesPattern() const { return !m_pattern.pattern().isEmpty(); }
    QString patternError() const { return m_patternError; }
    QString fieldLabel() const; // "loss", or "output =~ loss=([0-9.]+)"
    bool hasField() const { return usesPattern() || !m_field.isEmpty(); }

    // Axes: parameters by their index in the tuple; y -1 for none.
    QStringList parameterLabels() const; // "lr", "{1}"
    void setAxes(int xParameter, int yParameter);
    int xParameter() const { return m_x; }
    int yParameter() const { return m_y; }

    // The grid, in display order: columns the x parameter's values, rows the
    // y parameter's (one row without one); numbers ascending, else as given.
    int columnCount() const { return int(m_xOrder.size()); }
    int rowCount() const { return int(m_yOrder.size()); }
    QString columnValue(int column) const;
    QString rowValue(int row) const;
    Cell cell(int column, int row) const;
    double cellValue(int column, int row) const { return cell(column, row).mean(); } // NaN: empty
    int filledCells() const { return int(m_cells.size()); }
    // The range of the cells' means (NaN when none is filled).
    double minValue() const { updateRange(); return m_min; }
    double maxValue() const { updateRange(); return m_max; }
    // The points, with their range; their x and y are in display order via displayColumn/Row.
    const std::vector<Point> &points() const { return m_points; }
    int displayColumn(int x) const { return m_xDisplay.value(x, -1); }
    int displayRow(int y) const { return m_yDisplay.value(y, -1); }
    double minPointValue() const { return m_pointMin; }
    double maxPointValue() const { return m_pointMax; }

    // How far it has read the results; catchUp() reads the rest now (tests).
    int rowsRead() const { return m_next; }
    bool isCaughtUp() const;
    void catchUp();

    // In words, for the accessible description and the caption.
    QString heatmapSummary() const;
    QString pointsSummary() const;

Q_SIGNALS:
    void fieldsChanged();
    void axesChanged();  // parameters, axes or their values
    void changed();      // the numbers

private:
    struct Axis
    {
        QString label;
        QList<QByteArray> values;     // as they came (the spec's first)
        QHash<QByteArray, int> index; // value -> position in values
    };
    void resetParameters();
    void rebuild();           // forgets the numbers and reads every row again
    void schedule();
    void readSome();
    void readRow(int row);
    bool valueOf(int row, double *value);
    void scanFields(QByteArrayView result);
    int axisIndex(int parameter, QByteArrayView value); // adds a value first seen
    void reorder(); // display order of the axes' values
    QString cellText(int column, int row) const; // "lr=0.01 bs=64"

    ResultTableModel *m_results;
    QList<Axis> m_axes;
    int m_x = -1;
    int m_y = -1;
    QStringList m_fields;
    QString m_field;
    bool m_fieldChosen = false; // by the user: else the first field found
    QRegularExpression m_pattern;
    QString m_patternError;
    QList<int> m_xOrder, m_yOrder;       // display position -> index
    QHash<int, int> m_xDisplay, m_yDisplay; // index -> display position
    QHash<qint64, Cell> m_cells;         // key: x index << 32 | y index
    std::vector<Point> m_points;
    void updateRange() const;
    mutable double m_min = std::nan(""), m_max = std::nan("");
    mutable bool m_rangeDirty = true;
    double m_pointMin = std::nan(""), m_pointMax = std::nan("");
    int m_next = 0;       // the next row to read
    int m_scanned = 0;    // results read for fields
    bool m_orderDirty = false;
    QTimer m_timer;
};
