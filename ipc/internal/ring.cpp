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

namespace mp::ipc::detail {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kRecordHeader = sizeof(std::uint32_t);

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

}  // namespace

// Holds the ring's mutex for a scope.
class Ring::Locked {
public:
    explicit Locked(RingHeader& header) : header_(header) { relock(); }
    ~Locked() { header_.mutex.unlock(); }
    Locked(const Locked&) = delete;
    Locked& operator=(const Locked&) = delete;
    void unlock() noexcept { header_.mutex.unlock(); }
    void relock() {
        if (header_.mutex.lock()) ++header_.owner_deaths;
    }

private:
    RingHeader& header_;
};

Ring::Ring(std::size_t maxsize, std::size_t capacity_bytes) {
    if (capacity_bytes <= kRecordHeader || capacity_bytes > std::numeric_limits<std::uint32_t>::max())
        throw std::invalid_argument("Queue: capacity_bytes must be in (4, 4 GiB), not " +
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

const RingState& Ring::current() const noexcept {
    return header_->slots[header_->current.load(std::memory_order_relaxed)];
}

void Ring::publish(const RingState& next) noexcept {
    const std::uint32_t spare = 1 - header_->current.load(std::memory_order_relaxed);
    header_->slots[spare] = next;
    // Release: the slot (and the record bytes) are written before the flip.
    header_->current.store(spare, std::memory_order_release);
}

void Ring::copy_in(std::uint64_t position, const void* data, std::size_t size) noexcept {
    const std::size_t at = position % header_->capacity;
    const std::size_t first = std::min(size, header_->capacity - at);
    std::memcpy(data_ + at, data, first);
    std::memcpy(data_, static_cast<const std::byte*>(data) + first, size - first);
}

void Ring::copy_out(std::uint64_t position, void* data, std::size_t size) const noexcept {
    const std::size_t at = position % header_->capacity;
    const std::size_t first = std::min(size, header_->capacity - at);
    std::memcpy(data, data_ + at, first);
    std::memcpy(static_cast<std::byte*>(data) + first, data_, size - first);
}

template <class Ready>
bool Ring::wait(Locked& lock, Event& event, std::uint32_t& waiters, Ready ready, Clock::time_point deadline) {
    while (!ready()) {
        if (Clock::now() >= deadline) return false;
        ++waiters;
        const std::uint32_t seen = event.sequence();
        lock.unlock();
        event.wait(seen, deadline);
        lock.relock();
        --waiters;
    }
    return true;
}

bool Ring::put(std::span<const std::byte> item, Clock::time_point deadline) {
    if (item.size() > max_item_size())
        throw MessageTooLarge("Queue.put: an item of " + std::to_string(item.size()) +
                              " bytes is larger than the queue's capacity allows (" +
                              std::to_string(max_item_size()) + " bytes)");
    const std::uint64_t need = kRecordHeader + item.size();
    Locked lock(*header_);
    auto room = [&] {
        const RingState& s = current();
        return s.closed != 0 || (s.tail - s.head + need <= header_->capacity &&
                                 (header_->maxsize == 0 || s.items < header_->maxsize));
    };
    if (!wait(lock, header_->not_full, header_->putters_waiting, room, deadline)) return false;
    RingState next = current();
    if (next.closed != 0) throw QueueClosed("Queue.put: the queue is closed");
    const auto length = static_cast<std::uint32_t>(item.size());
    copy_in(next.tail, &length, kRecordHeader);
    copy_in(next.tail + kRecordHeader, item.data(), item.size());
    next.tail += need;
    ++next.items;
    ++next.unfinished;
    publish(next);
    if (header_->getters_waiting > 0) header_->not_empty.notify_one();
    return true;
}

bool Ring::get(std::vector<std::byte>& out, Clock::time_point deadline) {
    Locked lock(*header_);
    auto has_item = [&] { return current().items > 0 || current().closed != 0; };
    if (!wait(lock, header_->not_empty, header_->getters_waiting, has_item, deadline)) return false;
    RingState next = current();
    if (next.items == 0) throw QueueClosed("Queue.get: the queue is closed and empty");
    std::uint32_t length = 0;
    copy_out(next.head, &length, kRecordHeader);
    if (length > next.tail - next.head - kRecordHeader)
        throw std::runtime_error("Queue.get: the shared ring is corrupt (a record runs past the tail)");
    out.resize(length);
    copy_out(next.head + kRecordHeader, out.data(), length);
    next.head += kRecordHeader + length;
    --next.items;
    publish(next);
    // Wake every putter: the space freed may suit any of them, whatever their size.
    if (header_->putters_waiting > 0) header_->not_full.notify_all();
    return true;
}

void Ring::close() {
    Locked lock(*header_);
    RingState next = current();
    next.closed = 1;
    publish(next);
    header_->not_empty.notify_all();
    header_->not_full.notify_all();
}

void Ring::task_done() {
    Locked lock(*header_);
    RingState next = current();
    if (next.unfinished == 0)
        throw std::logic_error("JoinableQueue.task_done: called more times than items were put");
    --next.unfinished;
    publish(next);
    if (next.unfinished == 0 && header_->joiners_waiting > 0) header_->all_done.notify_all();
}

bool Ring::join(Clock::time_point deadline) {
    Locked lock(*header_);
    auto all_done = [&] { return current().unfinished == 0; };
    return wait(lock, header_->all_done, header_->joiners_waiting, all_done, deadline);
}

RingState Ring::state() {
    Locked lock(*header_);
    return current();
}

}  // namespace mp::ipc::detail
