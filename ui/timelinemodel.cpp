#include "timelinemodel.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

namespace {

constexpr quint8 RetriedBit = 0x80;
constexpr quint8 StatusMask = 0x7f;

// Which status a column shows when several attempts share it: the worst.
int severity(TaskStatus status)
{
    switch (status) {
    case TaskStatus::Pending: return 0;
    case TaskStatus::Running: return 1;
    case TaskStatus::Ok: return 2;
    case TaskStatus::Cancelled: return 3;
    case TaskStatus::Stalled: return 4;
    case TaskStatus::Timeout: return 5;
    case TaskStatus::Failed: return 6;
    case TaskStatus::Crashed: return 7;
    }
    return 0;
}

qint32 clampToInt32(qint64 value)
{
    return qint32(std::clamp<qint64>(value, std::numeric_limits<qint32>::min(), std::numeric_limits<qint32>::max()));
}

} // namespace

// An attempt that arrived and is not yet in its lane's arrays.
struct TimelineModel::Pending
{
    qint32 start;
    qint32 duration;
    quint32 taskId;
    quint8 status;
    QByteArray input;
};

// Bytes a deque of n T holds: libstdc++ allocates 512-byte blocks and a pointer to each.
template<typename T>
size_t dequeBytes(const std::deque<T> &d)
{
    const size_t blocks = (d.size() * sizeof(T) + 511) / 512 + 1;
    return blocks * (512 + sizeof(void *));
}

// One slot's attempts, in start order, column-wise so each costs ~17 bytes.
// Deques, not vectors: they grow block by block, so a lane of a long run is
// never copied whole (with vectors, every lane of a fast run doubles in the
// same tick, a stall the user would feel).
// A slot runs one attempt at a time, so attempts of a lane do not overlap: the
// only attempt that can reach into a time range from before it is the one
// that started last before it.
struct TimelineModel::Lane
{
    QString host;
    int slot = -1;
    std::deque<qint32> start;     // ms after the model's origin, ascending
    std::deque<quint32> busySum;  // durations of attempts 0..k summed (mod 2^32: differences stay exact)
    std::deque<quint32> taskId;
    std::deque<quint8> status;    // TaskStatus, | RetriedBit
    std::deque<quint32> inputEnd; // attempt k's input is inputs[inputEnd[k-1], inputEnd[k])
    std::deque<char> inputs;
    std::deque<quint32> notOk;    // positions of attempts that did not end ok, ascending
    std::vector<Pending> pending;

    bool running = false;
    qint64 runningTaskId = -1;
    QByteArray runningInput;
    qint64 runningStart = 0;

    qsizetype size() const { return qsizetype(start.size()); }
    qint64 duration(qsizetype k) const { return qint64(quint32(busySum[k] - (k > 0 ? busySum[k - 1] : 0u))); }
    qint64 end(qsizetype k) const { return qint64(start[k]) + duration(k); }
    // Busy time of attempts [from, to) in full.
    qint64 busy(qsizetype from, qsizetype to) const
    {
        if (to <= from)
            return 0;
        return qint64(quint32(busySum[to - 1] - (from > 0 ? busySum[from - 1] : 0u)));
    }
    QByteArray input(qsizetype k) const
    {
        const quint32 begin = k > 0 ? inputEnd[k - 1] : 0;
        QByteArray text(qsizetype(inputEnd[k] - begin), Qt::Uninitialized);
        std::copy(inputs.begin() + begin, inputs.begin() + inputEnd[k], text.begin());
        return text;
    }
    // First attempt starting at or after time, at or after lo. Columns are read
    // left to right, so it gallops from lo: the cost follows the attempts in
    // one column (log k), not all of the lane's.
    qsizetype firstFrom(qint64 time, qsizetype lo = 0) const
    {
        const qint32 t = clampToInt32(time);
        const qsizetype n = size();
        qsizetype hi = lo;
        for (qsizetype step = 1; hi < n && start[size_t(hi)] < t; step *= 2) {
            lo = hi + 1;
            hi += step;
        }
        hi = std::min(hi, n);
        return std::lower_bound(start.begin() + lo, start.begin() + hi, t) - start.begin();
    }
    void append(const Pending &p)
    {
        const quint32 before = busySum.empty() ? 0u : busySum.back();
        if (quint8(p.status & StatusMask) != quint8(TaskStatus::Ok))
            notOk.push_back(quint32(start.size()));
        start.push_back(p.start);
        busySum.push_back(before + quint32(p.duration));
        taskId.push_back(p.taskId);
        status.push_back(p.status);
        inputs.insert(inputs.end(), p.input.constBegin(), p.input.constEnd());
        inputEnd.push_back(quint32(inputs.size()));
    }
    void fill(qsizetype k, int laneIndex, Attempt *a) const
    {
        a->taskId = taskId[size_t(k)];
        a->input = input(k);
        a->status = TaskStatus(status[size_t(k)] & StatusMask);
        a->retried = status[size_t(k)] & RetriedBit;
        a->running = false;
        a->startMs = start[size_t(k)];
        a->endMs = end(k);
        a->lane = laneIndex;
    }
    Pending take(qsizetype k) const
    {
        return Pending{start[k], qint32(duration(k)), taskId[k], status[k], input(k)};
    }
    void truncate(qsizetype k)
    {
        inputs.resize(k > 0 ? inputEnd[k - 1] : 0);
        start.resize(k);
        busySum.resize(k);
        taskId.resize(k);
        status.resize(k);
        inputEnd.resize(k);
        notOk.erase(std::lower_bound(notOk.begin(), notOk.end(), quint32(k)), notOk.end());
    }
    // Puts the pending attempts in start order. Usually they all start after
    // the last one in place and are appended; one that arrived late (a journal
    // read in task order, a slow report) makes the tail from its place onwards
    // be rewritten.
    void settle()
    {
        if (pending.empty())
            return;
        std::stable_sort(pending.begin(), pending.end(),
                         [](const Pending &a, const Pending &b) { return a.start < b.start; });
        const qsizetype from = std::upper_bound(start.begin(), start.end(), pending.front().start) - start.begin();
        std::vector<Pending> tail;
        tail.reserve(size_t(size() - from));
        for (qsizetype k = from; k < size(); ++k)
            tail.push_back(take(k));
        truncate(from);
        std::vector<Pending> merged;
        merged.reserve(tail.size() + pending.size());
        std::merge(tail.begin(), tail.end(), pending.begin(), pending.end(), std::back_inserter(merged),
                   [](const Pending &a, const Pending &b) { return a.start < b.start; });
        for (const Pending &p : merged)
            append(p);
        pending.clear();
    }
    size_t bytes() const
    {
        return dequeBytes(start) + dequeBytes(busySum) + dequeBytes(taskId) + dequeBytes(status)
            + dequeBytes(inputEnd) + dequeBytes(inputs) + dequeBytes(notOk);
    }
};

TimelineModel::TimelineModel(QObject *parent)
    : QObject(parent)
{
    m_settleTimer.setSingleShot(true);
    m_settleTimer.setInterval(SettleIntervalMs);
    connect(&m_settleTimer, &QTimer::timeout, this, &TimelineModel::flush);
}

TimelineModel::~TimelineModel()
{
    qDeleteAll(m_lanes);
}

qint64 TimelineModel::relative(qint64 epochMs)
{
    if (m_origin == 0)
        m_origin = epochMs;
    return epochMs - m_origin;
}

TimelineModel::Lane &TimelineModel::laneFor(const QString &host, int slot)
{
    // Few lanes (one per slot): a scan is cheaper than a hash for them.
    for (Lane *lane : m_lanes) {
        if (lane->slot == slot && lane->host == host)
            return *lane;
    }
    auto *lane = new Lane;
    lane->host = host;
    lane->slot = slot;
    m_lanes.push_back(lane);
    if (!m_hosts.contains(host))
        m_hosts.append(host);
    rebuildOrder();
    return *lane;
}

void TimelineModel::rebuildOrder()
{
    m_order.resize(m_lanes.size());
    for (size_t i = 0; i < m_lanes.size(); ++i)
        m_order[i] = int(i);
    std::stable_sort(m_order.begin(), m_order.end(), [this](int a, int b) {
        const Lane *la = m_lanes[size_t(a)];
        const Lane *lb = m_lanes[size_t(b)];
        const qsizetype ha = m_hosts.indexOf(la->host);
        const qsizetype hb = m_hosts.indexOf(lb->host);
        return ha != hb ? ha < hb : la->slot < lb->slot;
    });
}

void TimelineModel::addAttempt(const TaskOutcome &outcome, bool retried)
{
    if (outcome.startedAtMs <= 0 || outcome.worker < 0)
        return; // never ran (cancelled before its start), or a journal too old to say when
    const qint64 start = relative(outcome.startedAtMs);
    const qint64 duration = std::max<qint64>(0, outcome.durationMs);
    Lane &lane = laneFor(outcome.host, outcome.worker);
    lane.pending.push_back(Pending{clampToInt32(start), clampToInt32(duration), quint32(outcome.id),
                                   quint8(quint8(outcome.status) | (retried ? RetriedBit : 0)),
                                   outcome.input.left(MaxInputBytes)});
    if (m_attemptCount == 0 && !m_hasPending) {
        m_minStart = start;
        m_maxEnd = start + duration;
    }
    m_minStart = std::min(m_minStart, start);
    m_maxEnd = std::max(m_maxEnd, start + duration);
    m_hasPending = true;
    scheduleChanged();
}

void TimelineModel::setRunning(const QList<SlotSnapshot> &snapshots, qint64 nowEpochMs)
{
    int running = 0;
    bool any = false;
    for (Lane *lane : m_lanes)
        lane->running = false;
    for (const SlotSnapshot &s : snapshots) {
        if (s.slot < 0)
            continue;
        Lane &lane = laneFor(s.host, s.slot);
        any = true;
        if (s.state != SlotState::Busy || s.taskId < 0)
            continue;
        lane.running = true;
        lane.runningTaskId = s.taskId;
        lane.runningInput = s.input.left(MaxInputBytes);
        lane.runningStart = relative(nowEpochMs - s.taskElapsedMs);
        if (m_attemptCount == 0 && !m_hasPending && running == 0)
            m_minStart = lane.runningStart;
        m_minStart = std::min(m_minStart, lane.runningStart);
        ++running;
    }
    if (any || running > 0 || m_runningCount > 0) {
        m_now = relative(nowEpochMs);
        m_runningCount = running;
        scheduleChanged();
    }
}

void TimelineModel::clear()
{
    qDeleteAll(m_lanes);
    m_lanes.clear();
    m_order.clear();
    m_hosts.clear();
    m_origin = 0;
    m_minStart = m_maxEnd = m_now = 0;
    m_attemptCount = m_retriedCount = 0;
    m_runningCount = 0;
    std::fill(std::begin(m_statusCounts), std::end(m_statusCounts), 0);
    m_hasPending = false;
    m_settleTimer.stop();
    Q_EMIT cleared();
    Q_EMIT changed();
}

void TimelineModel::scheduleChanged()
{
    if (!m_settleTimer.isActive())
        m_settleTimer.start();
}

void TimelineModel::settle()
{
    if (!m_hasPending)
        return;
    for (Lane *lane : m_lanes) {
        for (const Pending &p : lane->pending) {
            ++m_attemptCount;
            ++m_statusCounts[p.status & StatusMask];
            if (p.status & RetriedBit)
                ++m_retriedCount;
        }
        lane->settle();
    }
    m_hasPending = false;
}

void TimelineModel::flush()
{
    m_settleTimer.stop();
    settle();
    Q_EMIT changed();
}

TimelineModel::LaneInfo TimelineModel::lane(int lane) const
{
    const Lane *l = m_lanes[size_t(m_order[size_t(lane)])];
    return LaneInfo{l->host, l->slot, int(m_hosts.indexOf(l->host))};
}

qint64 TimelineModel::endMs() const
{
    return m_runningCount > 0 ? std::max(m_maxEnd, m_now) : m_maxEnd;
}

void TimelineModel::columns(int laneIndex, double fromMs, double msPerColumn, int count,
                            std::vector<Column> *out) const
{
    out->assign(size_t(std::max(0, count)), Column());
    if (laneIndex < 0 || laneIndex >= laneCount() || count <= 0 || msPerColumn <= 0)
        return;
    const Lane &lane = *m_lanes[size_t(m_order[size_t(laneIndex)])];
    qsizetype next = lane.firstFrom(qint64(std::ceil(fromMs)));
    for (int c = 0; c < count; ++c) {
        const double a = fromMs + c * msPerColumn;
        const double b = a + msPerColumn;
        // Attempts starting in [a, b): [first, next).
        const qsizetype first = next;
        next = lane.firstFrom(qint64(std::ceil(b)), first);
        Column &column = (*out)[size_t(c)];
        double busy = 0;
        int worst = 0;
        if (next > first) {
            column.attempts = quint32(next - first);
            busy = double(lane.busy(first, next));
            const double lastEnd = double(lane.end(next - 1));
            if (lastEnd > b)
                busy -= lastEnd - b; // the last one runs on into the next column
            // The worst status among them: only attempts that did not end ok count.
            auto bad = std::lower_bound(lane.notOk.begin(), lane.notOk.end(), quint32(first));
            if (bad != lane.notOk.end() && qsizetype(*bad) < next) {
                for (int seen = 0; bad != lane.notOk.end() && qsizetype(*bad) < next && seen < 16; ++bad, ++seen)
                    worst = std::max(worst, severity(TaskStatus(lane.status[*bad] & StatusMask)));
            } else {
                worst = severity(TaskStatus::Ok);
            }
        }
        if (first > 0) {
            // The attempt begun before the column may reach into it.
            const double end = double(lane.end(first - 1));
            if (end > a) {
                ++column.attempts;
                busy += std::min(end, b) - a;
                worst = std::max(worst, severity(TaskStatus(lane.status[size_t(first - 1)] & StatusMask)));
            }
        }
        if (lane.running && double(lane.runningStart) < b && double(m_now) > a)
            column.running = true;
        column.busy = float(std::clamp(busy / msPerColumn, 0.0, 1.0));
        // A zero-length attempt still happened: it shows, though it fills nothing.
        if (column.attempts > 0) {
            static constexpr TaskStatus bySeverity[] = {TaskStatus::Pending, TaskStatus::Running, TaskStatus::Ok,
                                                       TaskStatus::Cancelled, TaskStatus::Stalled, TaskStatus::Timeout,
                                                       TaskStatus::Failed, TaskStatus::Crashed};
            column.status = bySeverity[worst];
        }
    }
}

bool TimelineModel::attempts(int laneIndex, qint64 fromMs, qint64 toMs, int max, QList<Attempt> *out) const
{
    out->clear();
    if (laneIndex < 0 || laneIndex >= laneCount())
        return true;
    const Lane &lane = *m_lanes[size_t(m_order[size_t(laneIndex)])];
    qsizetype first = lane.firstFrom(fromMs);
    if (first > 0 && lane.end(first - 1) > fromMs)
        --first;
    const qsizetype last = lane.firstFrom(toMs, first);
    if (last - first > max)
        return false;
    out->reserve(last - first);
    for (qsizetype k = first; k < last; ++k) {
        Attempt a;
        lane.fill(k, laneIndex, &a);
        out->append(a);
    }
    return true;
}

bool TimelineModel::runningAttempt(int laneIndex, Attempt *out) const
{
    if (laneIndex < 0 || laneIndex >= laneCount())
        return false;
    const Lane &lane = *m_lanes[size_t(m_order[size_t(laneIndex)])];
    if (!lane.running)
        return false;
    out->taskId = lane.runningTaskId;
    out->input = lane.runningInput;
    out->status = TaskStatus::Running;
    out->retried = false;
    out->running = true;
    out->startMs = lane.runningStart;
    out->endMs = std::max(m_now, lane.runningStart);
    out->lane = laneIndex;
    return true;
}

bool TimelineModel::attemptAt(int laneIndex, qint64 timeMs, qint64 toleranceMs, Attempt *out) const
{
    if (laneIndex < 0 || laneIndex >= laneCount())
        return false;
    Attempt running;
    if (runningAttempt(laneIndex, &running) && timeMs >= running.startMs - toleranceMs
        && timeMs <= running.endMs + toleranceMs) {
        *out = running;
        return true;
    }
    const Lane &lane = *m_lanes[size_t(m_order[size_t(laneIndex)])];
    // The candidates: the last attempt starting at or before the time, and the next one.
    const qsizetype after = std::upper_bound(lane.start.begin(), lane.start.end(), clampToInt32(timeMs))
                          - lane.start.begin();
    qsizetype best = -1;
    qint64 bestDistance = toleranceMs + 1;
    for (qsizetype k : {after - 1, after}) {
        if (k < 0 || k >= lane.size())
            continue;
        const qint64 start = lane.start[size_t(k)];
        const qint64 end = lane.end(k);
        const qint64 distance = timeMs < start ? start - timeMs : timeMs > end ? timeMs - end : 0;
        if (distance < bestDistance) {
            best = k;
            bestDistance = distance;
        }
    }
    if (best < 0)
        return false;
    lane.fill(best, laneIndex, out);
    return true;
}

double TimelineModel::bytesPerAttempt() const
{
    if (m_attemptCount == 0)
        return 0;
    size_t bytes = 0;
    for (const Lane *lane : m_lanes)
        bytes += lane->bytes();
    return double(bytes) / double(m_attemptCount);
}
