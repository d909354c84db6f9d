// Ring: the shared-memory byte ring behind Queue, JoinableQueue and SimpleQueue.
//
// One anonymous shared mapping (inherited across fork, shared by threads) holds a
// header and a circular data area of `capacity` bytes. Each item is a record: a
// 4-byte length and the payload, wrapping around the end of the area.
//
// Two locks, as in the classic two-lock queue: producers serialize on put_lock and
// own the tail, consumers serialize on get_lock and own the head, so a producer
// and a consumer never wait for each other's lock. Each side publishes its whole
// state in one 64-bit word (its offset in the ring and its item count, modulo
// 2^32), stored with release order after the record bytes are written or read;
// the other side reads it with acquire order.
//
// Crash consistency: because each side's state is one word, a process SIGKILLed
// anywhere inside put() or get(), even holding a lock, leaves the old state or the
// new one, never a mix. A half-written record lies beyond the tail and is
// overwritten later; a half-read one is still before the head and goes to the next
// getter. The next locker sees EOWNERDEAD, marks the lock consistent and carries
// on; nothing needs repair.
//
// Items lost with their getter: a get() holds get_lock from the moment it finds
// its item until it has returned it (decoded, and in its caller's hands), and the
// consumers' `take` word says so: "a take is pending; its commit makes the consumed
// count N". A live getter clears that mark before it lets the lock go, so whoever
// next takes get_lock and finds it set knows its holder died inside a take: if the
// consumed count is N, the commit happened and the item went with the dead getter
// (counted lost, in the same word); otherwise the item is still at the head and
// goes to the next getter. Every change to the word is one store, so a process
// killed while settling leaves it to be settled again, never counted twice; and
// the check needs no EOWNERDEAD (which a test or a lost() may have consumed).
//
// Cached words: each side keeps, under its lock and on its own cache line, the
// other side's word as it last read it. It is never ahead of the real one, so it
// can only understate the items (for consumers) or the room (for producers); the
// real word is read only when the cached one says "none". In a steady stream the
// two sides then mostly keep to their own lines.
//
// Waiting: spin a few microseconds watching the other side's word, then sleep on
// an Event (a futex; see event.hpp for why no wake-up is lost, and why a waiter
// killed in its sleep costs nothing). No one waits holding a lock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ipc/internal/event.hpp"
#include "sync/process_mutex.hpp"

namespace mp::ipc::internal {

// One side's published state: where it is in the ring, and how many items it has
// put (or got) so far, both modulo 2^32.
struct RingSide {
    std::uint32_t offset = 0;
    std::uint32_t count = 0;
    static RingSide unpack(std::uint64_t word) {
        return {static_cast<std::uint32_t>(word >> 32), static_cast<std::uint32_t>(word)};
    }
    std::uint64_t pack() const { return std::uint64_t{offset} << 32 | count; }
};

// The consumers' take word: a pending take and the items lost so far (see above).
struct TakeState {
    std::uint32_t commit_count = 0;  // the consumed count once the pending take commits
    bool pending = false;
    std::uint32_t lost = 0;  // items gone with a dead getter, modulo 2^31
    static TakeState unpack(std::uint64_t word) {
        return {static_cast<std::uint32_t>(word), ((word >> 32) & 1) != 0, static_cast<std::uint32_t>(word >> 33)};
    }
    std::uint64_t pack() const {
        return std::uint64_t{lost} << 33 | std::uint64_t{pending} << 32 | commit_count;
    }
};

// Each side's lock and cached words on lines of their own; each published word on
// a line of its own (read by the other side).
struct RingHeader {
    // Producers only. seen_consumed: `consumed` as a producer last read it.
    alignas(64) sync::ProcessMutex put_lock;
    std::atomic<std::uint64_t> seen_consumed{0};
    alignas(64) std::atomic<std::uint64_t> produced{0};
    // Consumers only. seen_produced: `produced` as a consumer last read it.
    alignas(64) sync::ProcessMutex get_lock;
    std::atomic<std::uint64_t> seen_produced{0};
    std::atomic<std::uint64_t> take{0};  // a TakeState
    alignas(64) std::atomic<std::uint64_t> consumed{0};
    // Looked at by the other side after every operation, written around sleeps.
    alignas(64) Event not_empty;
    alignas(64) Event not_full;
    // JoinableQueue's: written by task_done().
    alignas(64) Event all_done;
    std::atomic<std::uint32_t> tasks_done{0};  // task_done() calls, modulo 2^32
    // Read by everyone, written (almost) never.
    alignas(64) std::atomic<std::uint32_t> closed{0};
    std::atomic<std::uint64_t> owner_deaths{0};  // times a lock found its last owner dead
    std::uint64_t capacity = 0;
    std::uint64_t maxsize = 0;
};

// A snapshot of the ring's fill.
struct RingStats {
    std::size_t items = 0;
    std::size_t bytes = 0;
    std::size_t unfinished = 0;
    bool closed = false;
};

class Ring;

// A get() in progress, from its caller's side. Once Ring::get found an item, the
// Take holds get_lock and the item's bytes; commit() removes the item from the
// queue; destroying the Take counts the get as returned and lets the lock go.
// Create it in the function that returns the item, before Ring::get, so that it
// is destroyed after the item is in the caller's hands.
class Take {
public:
    Take() = default;
    ~Take() { finish(); }
    Take(const Take&) = delete;
    Take& operator=(const Take&) = delete;

    // The item's bytes, valid until commit(): in the ring itself, or in the
    // scratch buffer given to Ring::get when the item wraps around the ring's end.
    std::span<const std::byte> bytes() const noexcept { return bytes_; }
    // Takes the item off the queue. From here until the Take is destroyed, the
    // item is counted lost if this process dies.
    void commit() noexcept;

private:
    friend class Ring;
    // Lets get_lock go, if held; a take still pending is first committed if it
    // was not (its decoding threw: the item is consumed, not offered again and
    // again) and marked returned.
    void finish() noexcept;

    RingHeader* header_ = nullptr;  // set while this holds get_lock
    std::span<const std::byte> bytes_;
    std::uint64_t consumed_after_ = 0;  // the consumed word the commit stores
    TakeState state_;                   // the take word while pending
    bool committed_ = false;
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
    // Waits for the oldest item, or returns false at `deadline`. On true, `take`
    // holds get_lock and the item's bytes (in `scratch` when they wrap around the
    // ring's end); commit it once decoded. Throws QueueClosed once the queue is
    // closed and drained.
    bool get(Take& take, std::vector<std::byte>& scratch, std::chrono::steady_clock::time_point deadline);
    void close();
    // Items taken by a get() whose process died before it returned. Waits for a
    // get in its take to finish (and settles a dead one's first).
    std::size_t lost() const;
    void task_done();
    bool join(std::chrono::steady_clock::time_point deadline);

    // Exact at the moment it is read; stale at once when others put and get.
    RingStats stats() const;
    std::size_t maxsize() const noexcept { return header_->maxsize; }
    std::size_t capacity() const noexcept { return header_->capacity; }
    // The largest item that fits.
    std::size_t max_item_size() const noexcept;
    // The shared header, for tests that play a process dying inside an operation.
    RingHeader& header() noexcept { return *header_; }

private:
    // Under get_lock: settles a take whose getter died holding the lock.
    void settle_dead_take() const;
    // Whether an item of `need` bytes (record header included) fits.
    bool fits(RingSide tail, RingSide head, std::size_t need) const noexcept;
    std::size_t used_bytes(RingSide tail, RingSide head) const noexcept;
    void copy_in(std::uint32_t offset, const void* data, std::size_t size) noexcept;
    void copy_out(std::uint32_t offset, void* data, std::size_t size) const noexcept;
    std::uint32_t advance(std::uint32_t offset, std::size_t size) const noexcept;

    RingHeader* header_ = nullptr;
    std::byte* data_ = nullptr;
    std::size_t mapping_size_ = 0;
};

}  // namespace mp::ipc::internal
