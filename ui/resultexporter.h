#pragma once

#include "jobspec.h"
#include "resultstore.h"

#include <QObject>
#include <QPointer>
#include <QThread>

// Writes results to a CSV or JSON Lines file on a background thread, so a few
// hundred thousand rows do not freeze the window. JSON Lines is the exact
// format of `taskpool run`; CSV has the same fields as columns.
class ResultExporter : public QObject
{
    Q_OBJECT
public:
    enum class Format { Csv, JsonLines };

    explicit ResultExporter(QObject *parent = nullptr);
    ~ResultExporter() override;

    static Format formatForPath(const QString &path); // .csv is CSV, anything else JSON Lines
    // The outcomes come as ResultTableModel stores them; a sweep's parameter
    // names (JobSpec::parameterNames()) add its "params" (JSON) and columns (CSV).
    static bool write(const ResultStorage::Snapshot &outcomes, JobSpec::Mode mode, const QString &path, Format format,
                      QString *error, const QStringList &parameterNames = {});

    bool isRunning() const { return m_thread != nullptr; }
    // The snapshot shares the model's storage: the model keeps appending to it.
    void start(const ResultStorage::Snapshot &outcomes, JobSpec::Mode mode, const QString &path, Format format,
               const QStringList &parameterNames = {});

Q_SIGNALS:
    void finished(bool ok, const QString &path, qint64 rows, const QString &error);

private:
    QThread *m_thread = nullptr;
};
