#pragma once

#include "task.h"

#include <QPlainTextEdit>

// Everything about one finished task: status, error, the full result or output
// and stderr, each cut at MaxBytesShown so a huge output cannot stall the UI.
class ResultDetailView : public QPlainTextEdit
{
    Q_OBJECT
public:
    static constexpr qsizetype MaxBytesShown = 64 * 1024;

    explicit ResultDetailView(QWidget *parent = nullptr);

    void showOutcome(const TaskOutcome &outcome);
    void showNothing();
};
