#include "ipc/internal/ring.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

#include "ipc/errors.hpp"
#include "sync/internal/cpu_relax.hpp"

namespace mp::ipc::internal {

using sync::internal::cpu_relax;

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kRecordHeader = sizeof(std::uint32_t);
constexpr auto kSpinTime = std::chrono::microseconds(10);
constexpr int kLockSpins = 1000;
constexpr std::uint32_t kLostMask = 0x7fffffff;  // TakeState::lost has 31 bits

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

// Takes a side's lock, or returns false at `deadline`; counts owners found dead
// (the kernel has released the lock; ProcessMutex has made it consistent again).
// Held only for a copy or a decode at a time, so a short spin usually beats
// sleeping in the kernel (glibc's robust mutexes do not spin by themselves).
bool lock_side(sync::ProcessMutex& mutex, std::atomic<std::uint64_t>& deaths,
               Clock::time_point deadline = Clock::time_point::max()) {
    bool held = false;
    for (int attempt = 0; attempt < kLockSpins && !(held = mutex.try_lock()); ++attempt) cpu_relax();
    if (!held) {
        if (deadline == Clock::time_point::max()) {
            mutex.lock();
        } else if (!mutex.try_lock_until(deadline)) {
            return false;
        }
    }
    if (mutex.owner_died()) deaths.fetch_add(1);
    return true;
}

// Holds a side's lock for a scope.
class Locked {
public:
    Locked(sync::ProcessMutex& mutex, std::atomic<std::uint64_t>& deaths) : mutex_(mutex) {
        (void)lock_side(mutex, deaths);
    }
    ~Locked() { mutex_.unlock(); }
    Locked(const Locked&) = delete;
    Locked& operator=(const Locked&) = delete;

private:
    sync::ProcessMutex& mutex_;
};

// Sleeps on `event` until `ready()` or `deadline`; returns ready().
template <class Ready>
bool sleep_until(Ready ready, Event& event, Clock::time_point deadline) {
    for (;;) {
        const std::uint32_t seen = event.prepare();
        if (ready()) return true;
        if (Clock::now() >= deadline) return false;
        event.wait(seen, deadline);
    }
}

// Waits, holding no lock, until `ready()` or `deadline`; returns ready(). `word`
// is what the other side publishes when it changes something `ready` looks at.
// First spins a few microseconds watching the word (the other side is usually
// that close, and a futex sleep and wake cost two syscalls and two context
// switches), then sleeps.
template <class Ready>
bool wait(Ready ready, const std::atomic<std::uint64_t>& word, Event& event, Clock::time_point deadline) {
    if (ready()) return true;
    const auto spin_until = std::min(deadline, Clock::now() + kSpinTime);
    const std::uint64_t before = word.load(std::memory_order_relaxed);
    while (Clock::now() < spin_until) {
        for (int i = 0; i < 64; ++i) {
            if (word.load(std::memory_order_relaxed) != before) return ready() || sleep_until(ready, event, deadline);
            cpu_relax();
        }
    }
    return sleep_until(ready, event, deadline);
}

}  // namespace

Ring::Ring(std::size_t maxsize, std::size_t capacity_bytes) {
    if (capacity_bytes <= kRecordHeader || capacity_bytes > std::numeric_limits<std::uint32_t>::max())
        throw std::invalid_argument("ipc: Queue: capacity_bytes must be in (4, 4 GiB), not " +
                                    std::to_string(capacity_bytes));
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    const std::size_t header_size = round_up(sizeof(RingHeader), 64);
    mapping_size_ = round_up(header_size + capacity_bytes, page);
    void* memory = mmap(nullptr, mapping_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED)
        throw_errno("mmap(anonymous shared, " + std::to_string(mapping_size_) + " bytes for a Queue)");
    header_ = new (memory) RingHeader;
    header_->capacity = capacity_bytes;
    header_->maxsize = maxsize;
    data_ = static_cast<std::byte*>(memory) + header_size;
}

Ring::~Ring() {
    if (header_ != nullptr) munmap(header_, mapping_size_);
}

Ring::Ring(Ring&& other) noexcept
    : header_(std::exchange(other.header_, nullptr)),
      data_(std::exchange(other.data_, nullptr)),
      mapping_size_(std::exchange(other.mapping_size_, 0)) {}

Ring& Ring::operator=(Ring&& other) noexcept {
    std::swap(header_, other.header_);
    std::swap(data_, other.data_);
    std::swap(mapping_size_, other.mapping_size_);
    return *this;
}

std::size_t Ring::max_item_size() const noexcept { return header_->capacity - kRecordHeader; }

std::size_t Ring::used_bytes(RingSide tail, RingSide head) const noexcept {
    if (tail.count == head.count) return 0;
    const std::size_t capacity = header_->capacity;
    const std::size_t distance = tail.offset >= head.offset ? tail.offset - head.offset
                                                            : tail.offset + capacity - head.offset;
    return distance == 0 ? capacity : distance;  // items but no distance: full
}

bool Ring::fits(RingSide tail, RingSide head, std::size_t need) const noexcept {
    const std::uint32_t items = tail.count - head.count;
    const RingHeader& h = *header_;
    return used_bytes(tail, head) + need <= h.capacity && (h.maxsize == 0 || items < h.maxsize);
}

// No division: offsets stay below the capacity, and no size exceeds it.
std::uint32_t Ring::advance(std::uint32_t offset, std::size_t size) const noexcept {
    const std::size_t end = offset + size;
    return static_cast<std::uint32_t>(end >= header_->capacity ? end - header_->capacity : end);
}

void Ring::copy_in(std::uint32_t offset, const void* data, std::size_t size) noexcept {
    const std::size_t first = std::min<std::size_t>(size, header_->capacity - offset);
    std::memcpy(data_ + offset, data, first);
    std::memcpy(data_, static_cast<const std::byte*>(data) + first, size - first);
}

void Ring::copy_out(std::uint32_t offset, void* data, std::size_t size) const noexcept {
    const std::size_t first = std::min<std::size_t>(size, header_->capacity - offset);
    std::memcpy(data, data_ + offset, first);
    std::memcpy(static_cast<std::byte*>(data) + first, data_, size - first);
}

bool Ring::put(std::span<const std::byte> item, Clock::time_point deadline) {
    if (item.size() > max_item_size())
        throw MessageTooLarge("ipc: Queue::put: an item of " + std::to_string(item.size()) +
                              " bytes is larger than the queue's capacity allows (" +
                              std::to_string(max_item_size()) + " bytes)");
    RingHeader& h = *header_;
    const std::size_t need = kRecordHeader + item.size();
    auto room = [&] {
        return h.closed.load() != 0 || fits(RingSide::unpack(h.produced.load(std::memory_order_acquire)),
                                            RingSide::unpack(h.consumed.load(std::memory_order_acquire)), need);
    };
    for (;;) {
        {
            Locked lock(h.put_lock, h.owner_deaths);
            if (h.closed.load() != 0) throw QueueClosed("ipc: Queue::put: the queue is closed");
            const RingSide tail = RingSide::unpack(h.produced.load(std::memory_order_relaxed));
            RingSide head = RingSide::unpack(h.seen_consumed.load(std::memory_order_relaxed));
            if (!fits(tail, head, need)) {
                head = RingSide::unpack(h.consumed.load(std::memory_order_acquire));
                h.seen_consumed.store(head.pack(), std::memory_order_relaxed);
            }
            if (fits(tail, head, need)) {
                const auto length = static_cast<std::uint32_t>(item.size());
                copy_in(tail.offset, &length, kRecordHeader);
                copy_in(advance(tail.offset, kRecordHeader), item.data(), item.size());
                h.produced.store(RingSide{advance(tail.offset, need), tail.count + 1}.pack());  // seq_cst: see event.hpp
                h.not_empty.notify();
                return true;
            }
        }
        // Wait without the lock, so that a timed put behind a blocked one still
        // times out; then try again under it.
        if (!wait(room, h.consumed, h.not_full, deadline)) return false;
    }
}

bool Ring::get(Take& take, std::vector<std::byte>& scratch, Clock::time_point deadline) {
    RingHeader& h = *header_;
    auto has_item = [&] {
        const RingSide head = RingSide::unpack(h.consumed.load(std::memory_order_acquire));
        const RingSide tail = RingSide::unpack(h.produced.load(std::memory_order_acquire));
        return tail.count != head.count || h.closed.load() != 0;
    };
    for (;;) {
        // Timed: the holder may be decoding a big item, or running a slow hook.
        if (!lock_side(h.get_lock, h.owner_deaths, deadline)) return false;
        take.header_ = &h;  // from here `take` unlocks, whatever happens
        settle_dead_take();
        const RingSide head = RingSide::unpack(h.consumed.load(std::memory_order_relaxed));
        RingSide tail = RingSide::unpack(h.seen_produced.load(std::memory_order_relaxed));
        if (tail.count == head.count) {
            tail = RingSide::unpack(h.produced.load(std::memory_order_acquire));
            h.seen_produced.store(tail.pack(), std::memory_order_relaxed);
        }
        if (tail.count != head.count) {
            std::uint32_t length = 0;
            copy_out(head.offset, &length, kRecordHeader);
            if (length + std::size_t{kRecordHeader} > used_bytes(tail, head))
                throw std::runtime_error("ipc: Queue::get: the shared ring is corrupt (a record runs past the tail)");
            // The bytes stay where they are until the commit: no producer writes
            // before the head. Only an item that wraps is copied out.
            const std::uint32_t start = advance(head.offset, kRecordHeader);
            if (start + std::size_t{length} <= h.capacity) {
                take.bytes_ = {data_ + start, length};
            } else {
                scratch.resize(length);
                copy_out(start, scratch.data(), length);
                take.bytes_ = scratch;
            }
            take.consumed_after_ = RingSide{advance(start, length), head.count + 1}.pack();
            take.state_ = TakeState::unpack(h.take.load(std::memory_order_relaxed));
            take.state_.pending = true;
            take.state_.commit_count = head.count + 1;
            h.take.store(take.state_.pack(), std::memory_order_release);
            return true;
        }
        const bool closed = h.closed.load() != 0;
        take.finish();  // hold no lock while waiting
        if (closed) throw QueueClosed("ipc: Queue::get: the queue is closed and empty");
        if (!wait(has_item, h.produced, h.not_empty, deadline)) return false;
    }
}

// Release order keeps the take word's stores and the commit in program order for
// whoever settles a dead getter (after taking get_lock).
void Take::commit() noexcept {
    header_->consumed.store(consumed_after_);  // seq_cst: see event.hpp
    committed_ = true;
    header_->not_full.notify();
}

void Take::finish() noexcept {
    if (header_ == nullptr) return;
    if (state_.pending) {
        if (!committed_) commit();
        state_.pending = false;
        header_->take.store(state_.pack(), std::memory_order_release);
    }
    header_->get_lock.unlock();
    header_ = nullptr;
    bytes_ = {};
    state_ = {};
    committed_ = false;
}

void Ring::settle_dead_take() const {
    RingHeader& h = *header_;
    TakeState state = TakeState::unpack(h.take.load());
    if (!state.pending) return;
    // No one has taken anything since the dead getter (it held get_lock), so the
    // consumed count is the one it expected exactly when its commit happened.
    if (RingSide::unpack(h.consumed.load()).count == state.commit_count) state.lost = (state.lost + 1) & kLostMask;
    state.pending = false;
    h.take.store(state.pack());
}

std::size_t Ring::lost() const {
    Locked lock(header_->get_lock, header_->owner_deaths);
    settle_dead_take();
    return TakeState::unpack(header_->take.load()).lost;
}

void Ring::close() {
    header_->closed.store(1);
    header_->not_empty.notify();
    header_->not_full.notify();
}

void Ring::task_done() {
    RingHeader& h = *header_;
    std::uint32_t done = h.tasks_done.load();
    for (;;) {
        const std::uint32_t put = RingSide::unpack(h.produced.load()).count;
        if (done == put) throw std::logic_error("ipc: JoinableQueue::task_done: called more times than items were put");
        if (h.tasks_done.compare_exchange_weak(done, done + 1)) {
            if (done + 1 == put) h.all_done.notify();
            return;
        }
    }
}

bool Ring::join(Clock::time_point deadline) {
    RingHeader& h = *header_;
    auto all_done = [&] { return RingSide::unpack(h.produced.load()).count == h.tasks_done.load(); };
    // No spinning: task_done() is usually far away.
    return sleep_until(all_done, h.all_done, deadline);
}

RingStats Ring::stats() const {
    // The head first: a get between the two loads can then only make the count
    // look larger, never negative.
    const RingSide head = RingSide::unpack(header_->consumed.load());
    const RingSide tail = RingSide::unpack(header_->produced.load());
    return {.items = static_cast<std::uint32_t>(tail.count - head.count),
            .bytes = used_bytes(tail, head),
            .unfinished = static_cast<std::uint32_t>(tail.count - header_->tasks_done.load()),
            .closed = header_->closed.load() != 0};
}

}  // namespace mp::ipc::internal
