#include "resultdetailview.h"

#include "displayformat.h"
#include "statusstyle.h"

#include <QDateTime>
#include <QFontDatabase>

namespace {
void appendSection(QString &text, const QString &title, QByteArrayView bytes, bool truncatedByEngine)
{
    if (bytes.isEmpty())
        return;
    text += QStringLiteral("\n── %1 ──\n").arg(title);
    text += QString::fromUtf8(bytes.first(qMin(bytes.size(), ResultDetailView::MaxBytesShown)));
    if (!text.endsWith(QLatin1Char('\n')))
        text += QLatin1Char('\n');
    if (bytes.size() > ResultDetailView::MaxBytesShown)
        text += QStringLiteral("[… %1 more not shown here; export the results to see all of it]\n")
                    .arg(DisplayFormat::bytes(bytes.size() - ResultDetailView::MaxBytesShown));
    if (truncatedByEngine)
        text += QStringLiteral("[the task wrote more than the job's output limit; the rest was dropped]\n");
}
} // namespace

ResultDetailView::ResultDetailView(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setObjectName(QStringLiteral("resultDetail"));
    setReadOnly(true);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setAccessibleName(QStringLiteral("Task details"));
    setToolTip(QStringLiteral("Full output, result, error and stderr of the selected task"));
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
    showNothing();
}

void ResultDetailView::showNothing()
{
    clear();
    setPlaceholderText(QStringLiteral("Select a result to see its full output, stderr and error."));
}

void ResultDetailView::showOutcome(const TaskOutcome &o)
{
    QString text;
    text += QStringLiteral("Task %1: %2\n").arg(o.id).arg(StatusStyle::label(o.status));
    text += QStringLiteral("Input: %1\n").arg(DisplayFormat::firstLineOfInput(o.input, 2000));
    if (!o.error.isEmpty())
        text += QStringLiteral("Error: %1\n").arg(o.error);
    if (o.exitCode >= 0)
        text += QStringLiteral("Exit code: %1\n").arg(o.exitCode);
    text += QStringLiteral("Attempts: %1").arg(o.attempts);
    if (o.worker >= 0)
        text += QStringLiteral(" · worker %1").arg(o.worker);
    if (!o.host.isEmpty())
        text += QStringLiteral(" · host %1").arg(o.host);
    if (o.startedAtMs > 0)
        text += QStringLiteral(" · started %1 · took %2")
                    .arg(QDateTime::fromMSecsSinceEpoch(o.startedAtMs).toString(QStringLiteral("HH:mm:ss.zzz")),
                         DisplayFormat::duration(o.durationMs));
    text += QLatin1Char('\n');
    appendSection(text, QStringLiteral("result"), o.result, false);
    appendSection(text, QStringLiteral("output"), o.output, o.outputTruncated);
    appendSection(text, QStringLiteral("stderr"), o.errorOutput, false);
    setPlainText(text);
}
