#pragma once

#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class ResultTableModel;
class SweepChartData;
class SweepChartView;

// The "By parameter" tab: which number to show (a field of the results' JSON,
// or a pattern for the output), against which parameters, as a heatmap or as
// points, and the chart itself with a line saying what it shows.
class SweepChartPanel : public QWidget
{
    Q_OBJECT
public:
    explicit SweepChartPanel(ResultTableModel *results, QWidget *parent = nullptr);

    SweepChartData *data() const { return m_data; }
    SweepChartView *view() const { return m_view; }
    QComboBox *fieldBox() const { return m_field; }
    QLineEdit *patternBox() const { return m_pattern; }
    QComboBox *xBox() const { return m_x; }
    QComboBox *yBox() const { return m_y; }
    QComboBox *colourBox() const { return m_colour; }
    QComboBox *kindBox() const { return m_kind; }
    QLabel *caption() const { return m_caption; }

private:
    void updateFields();
    void updateParameters();
    void applyAxes();
    void applyKind();
    void applyPattern();
    void updateCaption();

    SweepChartData *m_data;
    SweepChartView *m_view;
    QComboBox *m_field;
    QLineEdit *m_pattern;
    QComboBox *m_x;
    QComboBox *m_y;
    QLabel *m_yLabel;
    QComboBox *m_colour;
    QLabel *m_colourLabel;
    QComboBox *m_kind;
    QLabel *m_caption;
    QTimer m_patternDelay;
    bool m_updating = false;
};
