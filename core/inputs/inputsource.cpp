#include "inputsource.h"

#include "jobspec.h"

#include "linesplitter.h"

#include <QFile>
#include <QMetaObject>
#include <QPointer>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

RangeInput::RangeInput(qint64 count, QObject *parent)
    : InputSource(parent)
    , m_count(count)
{
}

InputSource::Fetch RangeInput::next(QByteArray *input)
{
    if (m_next >= m_count)
        return Fetch::End;
    input->setNum(m_next++);
    return Fetch::Item;
}

ListInput::ListInput(QList<QByteArray> inputs, QObject *parent)
    : InputSource(parent)
    , m_inputs(std::move(inputs))
{
}

InputSource::Fetch ListInput::next(QByteArray *input)
{
    if (m_next >= m_inputs.size())
        return Fetch::End;
    *input = m_inputs.at(m_next++);
    return Fetch::Item;
}

SweepInput::SweepInput(const QList<SweepParameter> &parameters, QObject *parent)
    : InputSource(parent)
    , m_tuples(parameters)
{
}

InputSource::Fetch SweepInput::next(QByteArray *input)
{
    if (m_next >= m_tuples.count())
        return Fetch::End;
    m_tuples.tupleAt(m_next++, input);
    return Fetch::Item;
}

FilteredInput::FilteredInput(InputSource *inner, Keep keep, qint64 expectedSkips, QObject *parent)
    : InputSource(parent)
    , m_inner(inner)
    , m_keep(std::move(keep))
    , m_expectedSkips(expectedSkips)
{
    connect(inner, &InputSource::readyRead, this, &InputSource::readyRead);
}

InputSource::Fetch FilteredInput::next(QByteArray *input)
{
    for (;;) {
        const Fetch fetch = m_inner->next(input);
        if (fetch != Fetch::Item) {
            m_errorString = m_inner->errorString();
            if (fetch == Fetch::End)
                m_expectedSkips = m_skipped;
            return fetch;
        }
        if (m_keep(*input))
            return Fetch::Item;
        ++m_skipped;
    }
}

qint64 FilteredInput::total() const
{
    const qint64 inner = m_inner->total();
    return inner < 0 ? -1 : qMax<qint64>(0, inner - qMax(m_expectedSkips, m_skipped));
}

InputSource *InputSource::create(const JobSpec &spec, QObject *parent, QString *error)
{
    if (spec.isSweep()) {
        const QString problem = Sweep::validate(spec.parameters);
        if (!problem.isEmpty()) {
            *error = problem;
            return nullptr;
        }
        return new SweepInput(spec.parameters, parent);
    }
    switch (spec.inputKind) {
    case JobSpec::InputKind::Range:
        return new RangeInput(spec.rangeCount, parent);
    case JobSpec::InputKind::List: {
        QList<QByteArray> items;
        items.reserve(spec.inputList.size());
        for (const QString &s : spec.inputList)
            items.append(s.toUtf8());
        return new ListInput(std::move(items), parent);
    }
    case JobSpec::InputKind::File: {
        auto *input = new FileInput(spec.inputFile, spec.nullSeparated ? '\0' : '\n', parent);
        if (!input->open()) {
            *error = input->errorString();
            delete input;
            return nullptr;
        }
        return input;
    }
    }
    return nullptr;
}

namespace {
constexpr qsizetype BatchLines = 4096;
constexpr size_t MaxQueuedBatches = 16;      // read-ahead bound: ~64k lines
constexpr qsizetype MaxInputLength = 16 << 20; // a longer record stops the read with an error

qint64 countRecords(int fd, char separator)
{
    qint64 count = 0;
    char buf[1 << 16];
    bool lastWasSeparator = true;
    ssize_t n;
    off_t offset = 0;
    while ((n = ::pread(fd, buf, sizeof buf, offset)) > 0) {
        offset += n;
        const char *p = buf, *end = buf + n;
        while ((p = static_cast<const char *>(std::memchr(p, separator, size_t(end - p))))) {
            ++count;
            ++p;
        }
        lastWasSeparator = buf[n - 1] == separator;
    }
    if (n < 0)
        return -1;
    if (!lastWasSeparator)
        ++count; // unterminated last record
    return count;
}
} // namespace

struct FileInput::Shared
{
    std::mutex mutex;
    std::condition_variable spaceAvailable;
    std::deque<QList<QByteArray>> batches;
    bool finished = false;
    bool consumerWaiting = false;
    bool abandoned = false;     // the FileInput is gone
    bool stopRequested = false; // stopReading(): hand over what was read, read no more
    QString error;
    QPointer<FileInput> owner;  // only dereferenced through queued invocations
    int wakeFd = -1;            // eventfd that wakes the reader out of poll()

    ~Shared()
    {
        if (wakeFd >= 0)
            ::close(wakeFd);
    }
    void wakeReader()
    {
        const quint64 one = 1;
        [[maybe_unused]] const auto n = ::write(wakeFd, &one, sizeof one);
    }
};

namespace {

// The reader thread: splits the file into records and hands them to the
// consumer in batches. Owns fd.
class RecordReader
{
public:
    RecordReader(std::shared_ptr<FileInput::Shared> shared, int fd, char separator)
        : m_shared(std::move(shared))
        , m_fd(fd)
        , m_splitter(MaxInputLength)
    {
        m_splitter.setSeparator(separator);
    }

    void run()
    {
        pollfd fds[2] = {{m_fd, POLLIN, 0}, {m_shared->wakeFd, POLLIN, 0}};
        bool endOfInput = false;
        for (;;) {
            // The producer has nothing more for now: what was read runs now
            // rather than when a batch fills up.
            if (!m_batch.isEmpty() && !readableNow(m_fd) && !publish(false))
                return finishAbandoned();
            const int ready = ::poll(fds, 2, -1);
            if (ready < 0 && errno == EINTR)
                continue;
            if (ready < 0) {
                setError(QStringLiteral("read error: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
                break;
            }
            if (fds[1].revents)
                break; // stopReading() or the FileInput went away
            const ssize_t n = ::read(m_fd, m_buffer, sizeof m_buffer);
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (n < 0) {
                setError(QStringLiteral("read error: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
                break;
            }
            if (n == 0) {
                endOfInput = true;
                break;
            }
            if (!split(QByteArrayView(m_buffer, n)))
                break;
            if (m_batch.size() >= BatchLines && !publish(false))
                return finishAbandoned();
        }
        // A record cut off by stopReading() is not one the producer finished.
        if (endOfInput && !m_tooLong)
            m_splitter.finish([&](QByteArrayView line, bool) { m_batch.append(line.toByteArray()); });
        ::close(m_fd);
        publish(true);
    }

private:
    static bool readableNow(int fd)
    {
        pollfd p = {fd, POLLIN, 0};
        return ::poll(&p, 1, 0) > 0;
    }

    void setError(const QString &error)
    {
        std::lock_guard lock(m_shared->mutex);
        m_shared->error = error;
    }

    // False when a record is too long: cutting it would run the wrong input.
    bool split(QByteArrayView data)
    {
        m_splitter.feed(data, [&](QByteArrayView line, bool truncated) {
            ++m_record;
            if (truncated && !m_tooLong) {
                m_tooLong = true;
                setError(QStringLiteral("input %1 is longer than %2 MiB").arg(m_record).arg(MaxInputLength >> 20));
            }
            if (!m_tooLong)
                m_batch.append(line.toByteArray());
        });
        return !m_tooLong;
    }

    // Hands the batch over, merged into the last one while that is small, so
    // the read-ahead stays bounded in records however the producer trickles.
    // False when the consumer is gone.
    bool publish(bool last)
    {
        Shared &shared = *m_shared;
        std::unique_lock lock(shared.mutex);
        shared.spaceAvailable.wait(lock, [&] {
            return shared.abandoned || shared.stopRequested || shared.batches.size() < MaxQueuedBatches;
        });
        if (shared.abandoned)
            return false;
        if (!m_batch.isEmpty()) {
            if (!shared.batches.empty() && shared.batches.back().size() + m_batch.size() <= BatchLines)
                shared.batches.back().append(std::move(m_batch));
            else
                shared.batches.push_back(std::move(m_batch));
            m_batch = {};
        }
        if (last)
            shared.finished = true;
        if (shared.consumerWaiting) {
            shared.consumerWaiting = false;
            QMetaObject::invokeMethod(shared.owner.data(), &InputSource::readyRead, Qt::QueuedConnection);
        }
        return true;
    }

    void finishAbandoned() { ::close(m_fd); }

    using Shared = FileInput::Shared;
    std::shared_ptr<Shared> m_shared;
    const int m_fd;
    LineSplitter m_splitter;
    QList<QByteArray> m_batch;
    qint64 m_record = 0;
    bool m_tooLong = false;
    char m_buffer[1 << 16];
};

} // namespace

FileInput::FileInput(const QString &path, char separator, QObject *parent)
    : InputSource(parent)
    , m_path(path)
    , m_separator(separator)
{
}

FileInput::~FileInput()
{
    if (m_shared) {
        std::lock_guard lock(m_shared->mutex);
        m_shared->abandoned = true;
        m_shared->spaceAvailable.notify_all();
        m_shared->wakeReader();
    }
}

bool FileInput::open()
{
    const bool isStdin = m_path == QLatin1String("-");
    // O_NONBLOCK: opening a FIFO must not wait for its writer (the reader
    // thread polls for it). Standard input is shared with the shell, whose
    // file flags are not ours to change: it is only polled.
    const int fd = isStdin ? ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0)
                           : ::open(QFile::encodeName(m_path).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        m_errorString = QStringLiteral("cannot open %1: %2")
                            .arg(isStdin ? QStringLiteral("standard input") : m_path,
                                 QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        ::close(fd);
        m_errorString = QStringLiteral("cannot read %1: it is a directory").arg(m_path);
        return false;
    }
    const int wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakeFd < 0) {
        m_errorString = QStringLiteral("cannot read %1: %2").arg(m_path, QString::fromLocal8Bit(std::strerror(errno)));
        ::close(fd);
        return false;
    }
    m_isRegularFile = S_ISREG(st.st_mode);
    if (m_isRegularFile && !isStdin)
        m_total = countRecords(fd, m_separator);

    m_shared = std::make_shared<Shared>();
    m_shared->owner = this;
    m_shared->wakeFd = wakeFd;
    // The thread owns its copy of the shared state, so it may outlive this object.
    std::thread([reader = std::make_unique<RecordReader>(m_shared, fd, m_separator)] { reader->run(); }).detach();
    return true;
}

void FileInput::stopReading()
{
    if (!m_shared || m_isRegularFile)
        return; // a file's remaining records can all be read without waiting
    std::lock_guard lock(m_shared->mutex);
    if (m_shared->finished || m_shared->stopRequested)
        return;
    m_shared->stopRequested = true;
    m_shared->spaceAvailable.notify_all();
    m_shared->wakeReader();
}

InputSource::Fetch FileInput::next(QByteArray *input)
{
    if (m_batchPos < m_batch.size()) {
        *input = std::move(m_batch[m_batchPos++]);
        return Fetch::Item;
    }
    if (!m_shared)
        return Fetch::End;
    std::lock_guard lock(m_shared->mutex);
    if (!m_shared->batches.empty()) {
        m_batch = std::move(m_shared->batches.front());
        m_shared->batches.pop_front();
        m_shared->spaceAvailable.notify_all();
        m_batchPos = 0;
        *input = std::move(m_batch[m_batchPos++]);
        return Fetch::Item;
    }
    if (m_shared->finished) {
        m_errorString = m_shared->error;
        return Fetch::End;
    }
    m_shared->consumerWaiting = true;
    return Fetch::Wait;
}
