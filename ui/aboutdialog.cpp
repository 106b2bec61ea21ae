#include "aboutdialog.h"

#include "runjournal.h"
#include "taskpoolversion.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

AboutDialog::AboutDialog(QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(QStringLiteral("About taskpool"));

    auto *icon = new QLabel(this);
    icon->setPixmap(QIcon(QStringLiteral(":/icons/taskpool.svg")).pixmap(64, 64));
    icon->setAccessibleName(QStringLiteral("taskpool icon"));
    icon->setAlignment(Qt::AlignTop);

    auto *title = new QLabel(QStringLiteral("<h2>%1</h2>").arg(versionText().toHtmlEscaped()), this);
    title->setObjectName(QStringLiteral("aboutVersion"));
    title->setAccessibleName(versionText());
    title->setTextInteractionFlags(Qt::TextSelectableByMouse);

    const QString body = QStringLiteral(
        "<p>Runs batch work on a pool of worker processes and shows every worker and every result live: "
        "parameter sweeps, file conversions, renders, data crunching.</p>"
        "<p>Released %1. Built with Qt %2, running on Qt %3.</p>"
        "<p>Run journal: <code>%4</code></p>"
        "<p>The command line: <code>taskpool --help</code>, <code>man taskpool</code>.</p>")
        .arg(QStringLiteral(TASKPOOL_RELEASE_DATE), QStringLiteral(QT_VERSION_STR), QString::fromLatin1(qVersion()),
             RunJournal::defaultPath().toHtmlEscaped());
    auto *text = new QLabel(body, this);
    text->setObjectName(QStringLiteral("aboutText"));
    text->setWordWrap(true);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    text->setAccessibleName(QStringLiteral("About taskpool"));
    text->setAccessibleDescription(text->text().remove(QRegularExpression(QStringLiteral("<[^>]*>"))));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setAccessibleName(QStringLiteral("Close"));
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *column = new QVBoxLayout;
    column->addWidget(title);
    column->addWidget(text);
    auto *row = new QHBoxLayout;
    row->addWidget(icon);
    row->addLayout(column, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(buttons);
    setMinimumWidth(420);
}

QString AboutDialog::versionText()
{
    return QStringLiteral("taskpool " TASKPOOL_VERSION);
}
