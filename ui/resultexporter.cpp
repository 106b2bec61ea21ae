#include "resultexporter.h"

#include "resultwriter.h"
#include "sweep.h"

#include <QSaveFile>

namespace {

constexpr qsizetype WriteChunk = 1 << 20;

} // namespace

ResultExporter::ResultExporter(QObject *parent)
    : QObject(parent)
{
}

ResultExporter::~ResultExporter()
{
    if (m_thread) {
        // Bounded: the thread only formats and writes what it was given.
        m_thread->wait();
        delete m_thread;
    }
}

ResultExporter::Format ResultExporter::formatForPath(const QString &path)
{
    return path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive) ? Format::Csv : Format::JsonLines;
}

bool ResultExporter::write(const ResultStorage::Snapshot &outcomes, JobSpec::Mode mode, const QString &path, Format format,
                           QString *error, const QStringList &parameterNames)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    QByteArray buffer;
    buffer.reserve(WriteChunk + 64 * 1024);
    // The same formats as `taskpool run` and `taskpool export` write, a
    // sweep's parameters included.
    const QList<QByteArray> jsonNames = Sweep::jsonNames(parameterNames);
    const int parameterCount = int(parameterNames.size());
    if (format == Format::Csv)
        ResultWriter::appendCsvHeader(buffer, mode, parameterNames);
    for (qsizetype row = 0; row < outcomes.size(); ++row) {
        const TaskOutcome o = outcomes.row(row).borrowOutcome(); // the snapshot outlives it
        if (format == Format::Csv)
            ResultWriter::appendCsv(buffer, o, mode, parameterCount);
        else
            ResultWriter::appendJson(buffer, o, mode, jsonNames);
        if (buffer.size() >= WriteChunk) {
            file.write(buffer);
            buffer.clear();
        }
    }
    file.write(buffer);
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void ResultExporter::start(const ResultStorage::Snapshot &outcomes, JobSpec::Mode mode, const QString &path,
                           Format format, const QStringList &parameterNames)
{
    Q_ASSERT(!m_thread);
    const qint64 rows = outcomes.size();
    m_thread = QThread::create([this, outcomes, mode, path, format, rows, parameterNames] {
        QString error;
        const bool ok = write(outcomes, mode, path, format, &error, parameterNames);
        QMetaObject::invokeMethod(this, [this, ok, path, error, rows] {
            m_thread->wait();
            delete m_thread;
            m_thread = nullptr;
            Q_EMIT finished(ok, path, rows, error);
        }, Qt::QueuedConnection);
    });
    m_thread->start();
}
