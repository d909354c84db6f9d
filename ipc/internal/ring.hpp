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
// Items lost with their getter: a get() takes an item in two steps, the commit
// under get_lock and the return to its caller after it. A getter killed between
// the two takes the item along. To report those, every get() holds a getter slot
// (a robust lock and a state word) from just before it takes get_lock until it
// returns (or finds nothing to take), and the slot's state says "holding an item"
// from the commit on. A slot whose owner died holding an item is counted lost by
// whoever next locks that slot (another get(), or lost()). The commit and the
// slot's mark are two stores; a getter killed between them holds get_lock, so the
// next get_lock holder settles it: it finds the dead getter's slot and expected
// count in `taker`, and the consumed count tells whether the commit happened. A
// dead slot is settled only after get_lock was (its settler takes get_lock
// first), so the two never disagree. Every state change is one store, so a
// process killed inside a settling leaves it to be done again, never counted
// twice.
//
// Waiting: spin a few microseconds watching the other side's word, then sleep on
// an Event (a futex; see event.hpp for why no wake-up is lost, and why a waiter
// killed in its sleep costs nothing).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ipc/internal/event.hpp"
#include "sync/process_mutex.hpp"

namespace mp::ipc::detail {

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

// A getter slot: held by one get() from before its commit until it returns.
struct GetterSlot {
    // The state word: the number of items lost by this slot's dead owners times
    // two, plus 1 while the owner holds a committed item it has not returned.
    static constexpr std::uint64_t kHolding = 1;
    static constexpr std::uint64_t kOneLost = 2;

    alignas(64) sync::ProcessMutex lock;
    std::atomic<std::uint64_t> state{0};
};

inline constexpr std::size_t kGetterSlots = 64;

struct RingHeader {
    // Producers' lock and their published tail, each on its own cache line (the
    // word is read by consumers; the lock is touched by producers only).
    alignas(64) sync::ProcessMutex put_lock;
    alignas(64) std::atomic<std::uint64_t> produced{0};
    alignas(64) sync::ProcessMutex get_lock;
    alignas(64) std::atomic<std::uint64_t> consumed{0};
    // Written under get_lock around a commit: (slot index + 1) << 32 | the consumed
    // count after the commit; 0 outside it. Consumers' only: a line of its own.
    alignas(64) std::atomic<std::uint64_t> taker{0};
    // Looked at by the other side after every operation, written around sleeps.
    alignas(64) Event not_empty;
    alignas(64) Event not_full;
    alignas(64) Event all_done;
    std::atomic<std::uint32_t> tasks_done{0};  // JoinableQueue: task_done() calls, modulo 2^32
    std::atomic<std::uint32_t> closed{0};
    std::atomic<std::uint64_t> owner_deaths{0};  // times a lock found its last owner dead
    std::uint64_t capacity = 0;
    std::uint64_t maxsize = 0;
    GetterSlot getters[kGetterSlots];
};

// A snapshot of the ring's fill.
struct RingStats {
    std::size_t items = 0;
    std::size_t bytes = 0;
    std::size_t unfinished = 0;
    bool closed = false;
};

class Ring;

// A get() in progress, from its caller's side: holds a getter slot from the take
// until it is destroyed, which is when the get counts as returned. Create one in
// the function that returns the item, before Ring::get, so that it is destroyed
// after the item is in the caller's hands.
class InFlight {
public:
    InFlight() = default;
    ~InFlight() { release(); }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

private:
    friend class Ring;
    // Marks the take returned and lets the slot go.
    void release();
    GetterSlot* slot_ = nullptr;
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
    // QueueClosed once the queue is closed and drained. `in_flight` holds a getter
    // slot from before the take until it is destroyed (a take counts as lost when
    // its process dies before that).
    bool get(std::vector<std::byte>& out, std::chrono::steady_clock::time_point deadline,
             InFlight& in_flight);
    void close();
    // Items taken by a get() whose process died before it returned. Settles the
    // slots of dead getters first (a slot held by a live get() is left to it).
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
    // Locks a free getter slot (settling it if its last owner died), or returns
    // nullptr at `deadline`.
    GetterSlot* claim_slot(std::chrono::steady_clock::time_point deadline) const;
    // After its owner died: counts the item it held, if any, as lost.
    void settle_dead_slot(GetterSlot& slot) const;
    // Under get_lock after its owner died inside a take: marks that owner's slot
    // as holding an item when its commit happened.
    void settle_dead_taker() const;
    std::size_t used_bytes(RingSide tail, RingSide head) const noexcept;
    void copy_in(std::uint32_t offset, const void* data, std::size_t size) noexcept;
    void copy_out(std::uint32_t offset, void* data, std::size_t size) const noexcept;
    std::uint32_t advance(std::uint32_t offset, std::size_t size) const noexcept;

    RingHeader* header_ = nullptr;
    std::byte* data_ = nullptr;
    std::size_t mapping_size_ = 0;
};

}  // namespace mp::ipc::detail
