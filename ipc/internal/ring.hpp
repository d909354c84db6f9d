// Ring: the shared-memory byte ring behind Queue, JoinableQueue and SimpleQueue.
//
// One anonymous shared mapping (inherited across fork, shared by threads) holds a
// header and a circular data area of `capacity` bytes. Each item is a record: a
// 4-byte length and the payload, wrapping around the end of the area. Every
// operation takes the header's robust mutex, so items move whole and in order.
//
// Crash consistency: the queue's state (head, tail, counts, closed) lives in two
// slots; an operation writes the new state into the spare slot and then flips a
// single word to make it current. A process SIGKILLed anywhere inside an operation
// leaves either the old state or the new one, never a mix: a half-written record
// lies outside [head, tail) and is simply overwritten later. The next locker sees
// EOWNERDEAD, marks the mutex consistent and carries on; nothing needs repair.
// (What a killed getter had already taken is gone with it; a killed putter's item
// was never put, and its put never returned.)
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ipc/internal/event.hpp"
#include "ipc/internal/robust_mutex.hpp"

namespace mp::ipc::detail {

struct RingState {
    std::uint64_t head = 0;        // position of the oldest record (grows without bound)
    std::uint64_t tail = 0;        // position just past the newest record
    std::uint64_t items = 0;       // records in [head, tail)
    std::uint64_t unfinished = 0;  // items put and not yet task_done()
    std::uint32_t closed = 0;
};

struct RingHeader {
    RobustMutex mutex;
    RingState slots[2];
    std::atomic<std::uint32_t> current{0};  // the slot holding the state
    // Waiters counted under the mutex, so wakers skip the futex call when nobody
    // sleeps. A waiter killed while asleep stays counted: that costs a wasted
    // wake call per operation, never a lost one.
    std::uint32_t getters_waiting = 0;
    std::uint32_t putters_waiting = 0;
    std::uint32_t joiners_waiting = 0;
    Event not_empty;
    Event not_full;
    Event all_done;
    std::uint64_t owner_deaths = 0;  // times a lock found its last owner dead
    std::uint64_t capacity = 0;
    std::uint64_t maxsize = 0;
};

class Ring {
public:
    // Maps a new ring. `maxsize` limits the item count (0: only `capacity_bytes`
    // limits). Throws std::system_error (mmap), std::invalid_argument.
    Ring(std::size_t maxsize, std::size_t capacity_bytes);
    ~Ring();
    Ring(Ring&& other) noexcept;
    Ring& operator=(Ring&& other) noexcept;

    // Appends `item` once there is room, or returns false at `deadline`.
    // Throws QueueClosed, MessageTooLarge (the item can never fit).
    bool put(std::span<const std::byte> item, std::chrono::steady_clock::time_point deadline);
    // Moves the oldest item into `out`, or returns false at `deadline`. Throws
    // QueueClosed once the queue is closed and drained.
    bool get(std::vector<std::byte>& out, std::chrono::steady_clock::time_point deadline);
    void close();
    void task_done();
    bool join(std::chrono::steady_clock::time_point deadline);

    RingState state();
    std::size_t maxsize() const noexcept { return header_->maxsize; }
    std::size_t capacity() const noexcept { return header_->capacity; }
    // The largest item that fits.
    std::size_t max_item_size() const noexcept;
    // The shared header, for tests that play a process dying inside an operation.
    RingHeader& header() noexcept { return *header_; }

private:
    class Locked;
    template <class Ready>
    bool wait(Locked& lock, Event& event, std::uint32_t& waiters, Ready ready,
              std::chrono::steady_clock::time_point deadline);
    const RingState& current() const noexcept;
    void publish(const RingState& next) noexcept;
    void copy_in(std::uint64_t position, const void* data, std::size_t size) noexcept;
    void copy_out(std::uint64_t position, void* data, std::size_t size) const noexcept;

    RingHeader* header_ = nullptr;
    std::byte* data_ = nullptr;
    std::size_t mapping_size_ = 0;
};

}  // namespace mp::ipc::detail
