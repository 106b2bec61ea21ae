#include "confirmation.h"

#include <QPushButton>

Confirmation::Confirmation(QWidget *window)
    : QObject(window)
    , m_window(window)
{
}

void Confirmation::ask(QMessageBox::Icon icon, const QString &objectName, const QString &title, const QString &text,
                       const Button &accept, const Button &cancel, std::function<void()> onAccept)
{
    if (isOpen())
        return;
    auto *box = new QMessageBox(icon, title, text, QMessageBox::NoButton, m_window);
    box->setObjectName(objectName);
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *yes = box->addButton(accept.text, QMessageBox::DestructiveRole);
    yes->setObjectName(accept.objectName);
    QPushButton *no = box->addButton(cancel.text, QMessageBox::RejectRole);
    no->setObjectName(cancel.objectName);
    box->setDefaultButton(no);
    box->setEscapeButton(no);
    connect(box, &QMessageBox::finished, this, [this, box, yes, onAccept = std::move(onAccept)] {
        m_box = nullptr;
        if (box->clickedButton() == yes)
            onAccept();
    });
    m_box = box;
    box->open();
}
