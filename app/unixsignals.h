#pragma once

#include <QObject>

#include <csignal>

class QSocketNotifier;

// Turns SIGINT, SIGTERM and SIGHUP into a Qt signal (self-pipe), so they are
// handled in the event loop instead of in an async-signal context.
// A signal that was ignored when this object was made stays ignored, the Unix
// way: `nohup taskpool run … &` outlives the terminal, and a script's
// background job (SIGINT ignored by the shell) is not stopped by Ctrl-C.
// The destructor puts back what it replaced, and only that. One at a time.
class UnixSignals : public QObject
{
    Q_OBJECT
public:
    explicit UnixSignals(QObject *parent = nullptr);
    ~UnixSignals() override;

Q_SIGNALS:
    void received(int signal);

private:
    static constexpr int Count = 3;
    QSocketNotifier *m_notifier = nullptr;
    bool m_installed[Count] = {};
    struct sigaction m_previous[Count] = {};
};
