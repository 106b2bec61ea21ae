#include "inputsource.h"

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
    bool abandoned = false;
    QString error;
    QPointer<FileInput> owner; // only dereferenced through queued invocations
};

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
    }
}

bool FileInput::open()
{
    int fd;
    if (m_path == QLatin1String("-")) {
        fd = ::dup(STDIN_FILENO);
    } else {
        fd = ::open(QFile::encodeName(m_path).constData(), O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        m_errorString = QStringLiteral("cannot open %1: %2")
                            .arg(m_path == QLatin1String("-") ? QStringLiteral("standard input") : m_path,
                                 QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        ::close(fd);
        m_errorString = QStringLiteral("cannot read %1: it is a directory").arg(m_path);
        return false;
    }
    m_isRegularFile = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (m_isRegularFile && m_path != QLatin1String("-"))
        m_total = countRecords(fd, m_separator);

    m_shared = std::make_shared<Shared>();
    m_shared->owner = this;
    const char separator = m_separator;
    // The thread owns its copy of the shared state, so it may outlive this object
    // (a read() blocked on a terminal cannot be interrupted portably).
    std::thread([shared = m_shared, fd, separator] {
        LineSplitter splitter(MaxInputLength);
        splitter.setSeparator(separator);
        QList<QByteArray> batch;
        batch.reserve(BatchLines);
        auto publish = [&](bool last) {
            std::unique_lock lock(shared->mutex);
            shared->spaceAvailable.wait(lock, [&] {
                return shared->abandoned || shared->batches.size() < MaxQueuedBatches;
            });
            if (shared->abandoned)
                return false;
            if (!batch.isEmpty())
                shared->batches.push_back(std::move(batch));
            batch = {};
            batch.reserve(BatchLines);
            if (last)
                shared->finished = true;
            if (shared->consumerWaiting) {
                shared->consumerWaiting = false;
                QMetaObject::invokeMethod(shared->owner.data(), &InputSource::readyRead, Qt::QueuedConnection);
            }
            return true;
        };
        char buf[1 << 16];
        qint64 record = 0;
        bool tooLong = false;
        for (;;) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                std::lock_guard lock(shared->mutex);
                shared->error = QStringLiteral("read error: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
                break;
            }
            if (n == 0)
                break;
            splitter.feed(QByteArrayView(buf, n), [&](QByteArrayView line, bool truncated) {
                ++record;
                if (truncated && !tooLong) {
                    tooLong = true; // cutting it would run the wrong input
                    std::lock_guard lock(shared->mutex);
                    shared->error = QStringLiteral("input %1 is longer than %2 MiB").arg(record).arg(MaxInputLength >> 20);
                }
                if (!tooLong)
                    batch.append(line.toByteArray());
            });
            if (tooLong)
                break;
            if (batch.size() >= BatchLines && !publish(false)) {
                ::close(fd);
                return;
            }
        }
        if (!tooLong)
            splitter.finish([&](QByteArrayView line, bool) { batch.append(line.toByteArray()); });
        ::close(fd);
        publish(true);
    }).detach();
    return true;
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
