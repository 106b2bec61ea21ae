#include "unixsignals.h"

#include <QSocketNotifier>

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {
int g_pipe[2] = {-1, -1};
const int handledSignals[] = {SIGINT, SIGTERM, SIGHUP};

void onSignal(int signal)
{
    const int savedErrno = errno;
    const char byte = char(signal);
    [[maybe_unused]] const auto n = ::write(g_pipe[1], &byte, 1);
    errno = savedErrno;
}

bool isIgnored(const struct sigaction &action)
{
    return !(action.sa_flags & SA_SIGINFO) && action.sa_handler == SIG_IGN;
}
} // namespace

static_assert(sizeof handledSignals / sizeof *handledSignals == 3, "UnixSignals::Count");

UnixSignals::UnixSignals(QObject *parent)
    : QObject(parent)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, g_pipe) != 0)
        return;
    m_notifier = new QSocketNotifier(g_pipe[0], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, [this] {
        char byte;
        while (::read(g_pipe[0], &byte, 1) == 1)
            Q_EMIT received(int(byte));
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (int i = 0; i < Count; ++i) {
        // Whoever started us asked for this signal to be ignored (nohup, `cmd &` in a script).
        if (::sigaction(handledSignals[i], nullptr, &m_previous[i]) != 0 || isIgnored(m_previous[i]))
            continue;
        m_installed[i] = ::sigaction(handledSignals[i], &action, nullptr) == 0;
    }
}

UnixSignals::~UnixSignals()
{
    for (int i = 0; i < Count; ++i) {
        if (m_installed[i])
            ::sigaction(handledSignals[i], &m_previous[i], nullptr);
    }
    ::close(g_pipe[0]);
    ::close(g_pipe[1]);
    g_pipe[0] = g_pipe[1] = -1;
}
