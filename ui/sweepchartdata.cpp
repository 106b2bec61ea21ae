#include "sweepchartdata.h"

#include "json.h"
#include "resulttablemodel.h"
#include "sweepvalues.h"

#include <QLocale>

#include <algorithm>

namespace {

QString number(double v)
{
    return QString::number(v, 'g', 4);
}

} // namespace

SweepChartData::SweepChartData(ResultTableModel *results, QObject *parent)
    : QObject(parent)
    , m_results(results)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(0);
    connect(&m_timer, &QTimer::timeout, this, &SweepChartData::readSome);
    connect(results, &QAbstractItemModel::rowsInserted, this, &SweepChartData::schedule);
    connect(results, &QAbstractItemModel::modelReset, this, [this] {
        if (m_results->rowCount() == 0) { // a new run: its fields are to be found again
            m_fields.clear();
            m_scanned = 0;
            if (!m_fieldChosen)
                m_field.clear();
            Q_EMIT fieldsChanged();
        }
        resetParameters();
    });
    connect(results, &QAbstractItemModel::dataChanged, this, &SweepChartData::rebuild); // a retry's row
    resetParameters();
}

// The sweep's parameters and their values as the job gives them; the axes
// stay where they were when the parameters are the same.
void SweepChartData::resetParameters()
{
    const QList<SweepParameter> &parameters = m_results->parameters();
    QStringList before;
    for (const Axis &a : std::as_const(m_axes))
        before.append(a.label);
    m_axes.clear();
    for (const SweepParameter &p : parameters) {
        Axis axis;
        axis.label = SweepValues::label(p.name);
        for (const QString &v : p.values) {
            const QByteArray bytes = v.toUtf8();
            if (!axis.index.contains(bytes)) {
                axis.index.insert(bytes, int(axis.values.size()));
                axis.values.append(bytes);
            }
        }
        m_axes.append(axis);
    }
    if (parameterLabels() != before || m_x >= m_axes.size() || m_y >= m_axes.size()) {
        m_x = m_axes.isEmpty() ? -1 : 0;
        m_y = m_axes.size() > 1 ? 1 : -1;
    }
    rebuild();
    Q_EMIT axesChanged();
}

QStringList SweepChartData::parameterLabels() const
{
    QStringList labels;
    for (const Axis &a : m_axes)
        labels.append(a.label);
    return labels;
}

void SweepChartData::setAxes(int xParameter, int yParameter)
{
    if (xParameter < 0 || xParameter >= m_axes.size())
        xParameter = m_axes.isEmpty() ? -1 : 0;
    if (yParameter >= m_axes.size() || yParameter == xParameter)
        yParameter = -1;
    if (xParameter == m_x && yParameter == m_y)
        return;
    m_x = xParameter;
    m_y = yParameter;
    rebuild();
    Q_EMIT axesChanged();
}

void SweepChartData::setField(const QString &key)
{
    m_fieldChosen = !key.isEmpty();
    if (key == m_field && !usesPattern())
        return;
    m_field = key;
    m_pattern = QRegularExpression();
    m_patternError.clear();
    rebuild();
}

bool SweepChartData::setPattern(const QString &pattern)
{
    QRegularExpression re(pattern);
    if (!re.isValid()) {
        m_patternError = QStringLiteral("%1 (at %2)").arg(re.errorString()).arg(re.patternErrorOffset());
        return false;
    }
    m_patternError.clear();
    if (re.pattern() == m_pattern.pattern())
        return true;
    m_pattern = re;
    m_pattern.optimize();
    rebuild();
    return true;
}

QString SweepChartData::fieldLabel() const
{
    if (usesPattern())
        return QStringLiteral("output =~ %1").arg(m_pattern.pattern());
    return m_field;
}

void SweepChartData::rebuild()
{
    m_cells.clear();
    m_points.clear();
    m_pointMin = m_pointMax = std::nan("");
    m_rangeDirty = true;
    m_next = 0;
    reorder();
    schedule();
    Q_EMIT changed();
}

void SweepChartData::schedule()
{
    if (!m_timer.isActive())
        m_timer.start();
}

bool SweepChartData::isCaughtUp() const
{
    return m_next >= m_results->rowCount();
}

void SweepChartData::catchUp()
{
    m_results->flush();
    while (!isCaughtUp())
        readSome();
}

// Reads rows for a few milliseconds, then yields to the event loop.
void SweepChartData::readSome()
{
    const int total = m_results->rowCount();
    if (m_next >= total)
        return;
    QElapsedTimer clock;
    clock.start();
    const int fieldsBefore = int(m_fields.size());
    while (m_next < total) {
        readRow(m_next++);
        if ((m_next & 127) == 0 && clock.elapsed() >= SliceMs)
            break;
    }
    if (m_orderDirty)
        reorder();
    if (m_next < total)
        m_timer.start();
    if (m_fields.size() != fieldsBefore) {
        if (!usesPattern() && !m_fields.contains(m_field)) {
            // Show something at once: the first number found (a field chosen
            // for an earlier run stays chosen while this one has it too).
            m_field = m_fields.first();
            Q_EMIT fieldsChanged();
            return rebuild();
        }
        Q_EMIT fieldsChanged();
    }
    Q_EMIT changed();
}

void SweepChartData::readRow(int row)
{
    const ResultStorage::RowView o = m_results->row(row);
    if (m_scanned < FieldScanRows && !o.result().isEmpty()) {
        ++m_scanned;
        scanFields(o.result());
    }
    if (m_x < 0)
        return;
    // Every finished tuple has its place on the axes, a number or not.
    const QByteArrayView input = o.input();
    const int x = axisIndex(m_x, SweepValues::value(input, m_x));
    const int y = m_y >= 0 ? axisIndex(m_y, SweepValues::value(input, m_y)) : 0;
    double value;
    if (!hasField() || !valueOf(row, &value))
        return;
    Cell &cell = m_cells[(qint64(x) << 32) | quint32(y)];
    cell.sum += value;
    ++cell.count;
    cell.lastRow = row;
    m_rangeDirty = true;
    m_points.push_back({float(value), x, y, row});
    if (std::isnan(m_pointMin) || value < m_pointMin)
        m_pointMin = value;
    if (std::isnan(m_pointMax) || value > m_pointMax)
        m_pointMax = value;
}

// The row's number: the field of its result JSON, or the pattern's match in its output.
bool SweepChartData::valueOf(int row, double *value)
{
    const ResultStorage::RowView o = m_results->row(row);
    if (usesPattern()) {
        const QByteArrayView output = o.output();
        const QString text = QString::fromUtf8(output.first(std::min(output.size(), OutputScanBytes)));
        const QRegularExpressionMatch m = m_pattern.match(text);
        if (!m.hasMatch())
            return false;
        bool ok = false;
        *value = (m_pattern.captureCount() > 0 ? m.captured(1) : m.captured(0)).trimmed().toDouble(&ok);
        return ok && std::isfinite(*value);
    }
    const QByteArrayView result = o.result();
    if (result.isEmpty())
        return false;
    Json::Reader reader(result);
    if (!reader.consume('{'))
        return m_field == QLatin1String("result") && reader.readNumber(value) && reader.atEnd();
    if (reader.consume('}'))
        return false;
    const QByteArray wanted = m_field.toUtf8();
    QByteArray key;
    for (;;) {
        if (!reader.readString(&key) || !reader.consume(':'))
            return false;
        if (key == wanted)
            return reader.readNumber(value);
        if (!reader.skipValue() || !reader.consume(','))
            return false;
    }
}

// Adds the numeric members of a result (or "result" for a bare number) to the fields.
void SweepChartData::scanFields(QByteArrayView result)
{
    Json::Reader reader(result);
    double number;
    if (!reader.consume('{')) {
        if (reader.readNumber(&number) && !m_fields.contains(QLatin1String("result")))
            m_fields.append(QStringLiteral("result"));
        return;
    }
    if (reader.consume('}'))
        return;
    QByteArray key;
    for (;;) {
        if (!reader.readString(&key) || !reader.consume(':'))
            return;
        Json::Reader probe = reader;
        if (probe.readNumber(&number)) {
            const QString name = QString::fromUtf8(key);
            if (!m_fields.contains(name))
                m_fields.append(name);
        }
        if (!reader.skipValue() || !reader.consume(','))
            return;
    }
}

int SweepChartData::axisIndex(int parameter, QByteArrayView value)
{
    Axis &axis = m_axes[parameter];
    const QByteArray bytes = value.toByteArray();
    const auto found = axis.index.constFind(bytes);
    if (found != axis.index.cend())
        return found.value();
    const int index = int(axis.values.size());
    axis.index.insert(bytes, index);
    axis.values.append(bytes);
    m_orderDirty = true;
    return index;
}

void SweepChartData::reorder()
{
    m_orderDirty = false;
    const auto order = [this](int parameter, QList<int> *positions, QHash<int, int> *display) {
        positions->clear();
        display->clear();
        if (parameter < 0) {
            positions->append(0);
            display->insert(0, 0);
            return;
        }
        const Axis &axis = m_axes[parameter];
        const QList<QByteArray> sorted = SweepValues::axisOrder(axis.values);
        for (const QByteArray &v : sorted) {
            display->insert(axis.index.value(v), int(positions->size()));
            positions->append(axis.index.value(v));
        }
    };
    order(m_x, &m_xOrder, &m_xDisplay);
    order(m_y, &m_yOrder, &m_yDisplay);
    Q_EMIT axesChanged();
}

QString SweepChartData::columnValue(int column) const
{
    if (m_x < 0 || column < 0 || column >= m_xOrder.size())
        return {};
    return SweepValues::text(m_axes[m_x].values.at(m_xOrder.at(column)));
}

QString SweepChartData::rowValue(int row) const
{
    if (m_y < 0 || row < 0 || row >= m_yOrder.size())
        return {};
    return SweepValues::text(m_axes[m_y].values.at(m_yOrder.at(row)));
}

SweepChartData::Cell SweepChartData::cell(int column, int row) const
{
    if (column < 0 || column >= m_xOrder.size() || row < 0 || row >= m_yOrder.size())
        return {};
    return m_cells.value((qint64(m_xOrder.at(column)) << 32) | quint32(m_yOrder.at(row)));
}

void SweepChartData::updateRange() const
{
    if (!m_rangeDirty)
        return;
    m_rangeDirty = false;
    m_min = m_max = std::nan("");
    for (const Cell &c : m_cells) {
        const double mean = c.mean();
        if (std::isnan(m_min) || mean < m_min)
            m_min = mean;
        if (std::isnan(m_max) || mean > m_max)
            m_max = mean;
    }
}

QString SweepChartData::cellText(int column, int row) const
{
    QString text = QStringLiteral("%1=%2").arg(m_axes[m_x].label, columnValue(column));
    if (m_y >= 0)
        text += QStringLiteral(" %1=%2").arg(m_axes[m_y].label, rowValue(row));
    return text;
}

QString SweepChartData::heatmapSummary() const
{
    if (!isSweep())
        return QStringLiteral("Not a parameter sweep: a job with parameters (--param, ::: sources) shows its results by parameter here.");
    if (!hasField())
        return QStringLiteral("No number to show yet: results with numbers in their JSON give fields, or type a pattern for the output.");
    const QString by = m_y >= 0 ? QStringLiteral("%1 × %2").arg(m_axes[m_x].label, m_axes[m_y].label) : m_axes[m_x].label;
    const int cells = columnCount() * rowCount();
    QString text = QStringLiteral("Heatmap of %1 by %2: %3 of %4 cells filled")
                       .arg(fieldLabel(), by, QLocale().toString(filledCells()), QLocale().toString(cells));
    if (filledCells() == 0)
        return text + QLatin1Char('.');
    int minColumn = -1, minRow = -1, maxColumn = -1, maxRow = -1;
    for (int c = 0; c < columnCount(); ++c) {
        for (int r = 0; r < rowCount(); ++r) {
            const double v = cellValue(c, r);
            if (std::isnan(v))
                continue;
            if (minColumn < 0 || v < cellValue(minColumn, minRow))
                minColumn = c, minRow = r;
            if (maxColumn < 0 || v > cellValue(maxColumn, maxRow))
                maxColumn = c, maxRow = r;
        }
    }
    return text + QStringLiteral(", min %1 at %2, max %3 at %4.")
                      .arg(number(cellValue(minColumn, minRow)), cellText(minColumn, minRow),
                           number(cellValue(maxColumn, maxRow)), cellText(maxColumn, maxRow));
}

QString SweepChartData::pointsSummary() const
{
    if (!isSweep() || !hasField())
        return heatmapSummary();
    QString text = QStringLiteral("%1 against %2").arg(fieldLabel(), m_axes[m_x].label);
    if (m_y >= 0)
        text += QStringLiteral(", coloured by %1").arg(m_axes[m_y].label);
    text += QStringLiteral(": %1 results").arg(QLocale().toString(qint64(m_points.size())));
    if (m_points.empty())
        return text + QLatin1Char('.');
    const auto [lo, hi] = std::minmax_element(m_points.cbegin(), m_points.cend(),
                                              [](const Point &a, const Point &b) { return a.value < b.value; });
    return text + QStringLiteral(", min %1 at %2, max %3 at %4.")
                      .arg(number(lo->value), cellText(displayColumn(lo->x), displayRow(lo->y)),
                           number(hi->value), cellText(displayColumn(hi->x), displayRow(hi->y)));
}
