#pragma once

#include <QMessageBox>
#include <QObject>
#include <QPointer>

#include <functional>

// The window's yes/no questions (terminate the pool? delete these runs?), one
// at a time. Each is window-modal and asynchronous, so the run keeps updating
// behind it; the "no" button is the default and answers Escape.
class Confirmation : public QObject
{
    Q_OBJECT
public:
    explicit Confirmation(QWidget *window);

    struct Button
    {
        QString text;
        QString objectName; // for tests and accessibility tools
    };

    bool isOpen() const { return m_box && m_box->isVisible(); }
    // Does nothing while another question is open; onAccept runs only if `accept` is clicked.
    void ask(QMessageBox::Icon icon, const QString &objectName, const QString &title, const QString &text,
             const Button &accept, const Button &cancel, std::function<void()> onAccept);

private:
    QWidget *m_window;
    QPointer<QMessageBox> m_box;
};
