#pragma once

#include <QDialog>

// Help › About taskpool: the version (from CMake's project(VERSION), the same
// as `taskpool --version`), what taskpool is, the Qt it runs on, where its
// journal is, and where the rest of the documentation lives.
class AboutDialog : public QDialog
{
    Q_OBJECT

public:
    explicit AboutDialog(QWidget *parent = nullptr);

    // "taskpool 0.1.0", as the dialog shows it.
    static QString versionText();
};
