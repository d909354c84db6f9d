#include "sync/semaphore.hpp"

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <string>

#include "sync/errors.hpp"
#include "sync/internal/futex.hpp"

namespace mp::sync {

using internal::Kind;
using internal::SemaphoreState;
using internal::Shared;

namespace {

// How often a blocked acquirer wakes to look for slots of dead holders.
constexpr auto kReclaimSlice = std::chrono::milliseconds(50);

Shared<SemaphoreState> open_checked(std::string_view name, Kind kind, std::uint32_t value, SlotOwnership ownership,
                                    const Access& access) {
    const bool track = ownership == SlotOwnership::process;
    auto shared = Shared<SemaphoreState>::named(name, access, kind, value, kind == Kind::bounded_semaphore, track);
    const auto ownership_name = [](bool tracked) { return tracked ? "process" : "none"; };
    if (shared->initial != value || shared->track_holders != track)
        throw std::invalid_argument("sync: " + std::string(internal::kind_name(kind)) + " \"" + std::string(name) +
                                    "\" exists with value " + std::to_string(shared->initial) +
                                    " and slot ownership " + ownership_name(shared->track_holders) + ", not " +
                                    std::to_string(value) + " and " + ownership_name(track));
    return shared;
}

// Takes one slot if the count is above zero (the whole fast path, as sem_trywait).
bool take_slot(SemaphoreState& s) {
    std::uint32_t value = s.value.load(std::memory_order_relaxed);
    while (value > 0)
        if (s.value.compare_exchange_weak(value, value - 1, std::memory_order_acquire, std::memory_order_relaxed))
            return true;
    return false;
}

// Adds `n` slots, never above the initial value of a bounded semaphore; returns
// how many were added. `strict`: throw ValueError instead of clamping.
std::uint32_t add_slots(SemaphoreState& s, std::uint32_t n, bool strict) {
    std::uint32_t value = s.value.load(std::memory_order_relaxed);
    std::uint32_t added;
    do {
        const std::uint64_t limit = s.bounded ? s.initial : UINT32_MAX;
        if (strict && std::uint64_t{value} + n > limit) {
            if (s.bounded) throw ValueError("sync: BoundedSemaphore::release: released too many times");
            throw std::overflow_error("sync: Semaphore::release: count overflow");
        }
        added = static_cast<std::uint32_t>(std::min<std::uint64_t>(n, limit - std::min<std::uint64_t>(value, limit)));
    } while (!s.value.compare_exchange_weak(value, value + added, std::memory_order_seq_cst, std::memory_order_relaxed));
    // seq_cst pairs with the waiter's seq_cst increment of `waiters` before it
    // sleeps: either we see the waiter, or the waiter sees the new count and does
    // not sleep.
    if (added > 0 && s.waiters.load(std::memory_order_seq_cst) > 0)
        internal::futex_wake(s.value, static_cast<int>(std::min<std::uint32_t>(added, INT32_MAX)));
    return added;
}

// Returns the slots of dead holders to the pool.
std::uint32_t reclaim(SemaphoreState& s) {
    std::unique_lock guard(s.mutex);
    const std::uint32_t freed = s.holders.remove_dead();
    guard.unlock();
    return freed > 0 ? add_slots(s, freed, false) : 0;
}

}  // namespace

Semaphore::Semaphore(std::uint32_t value, SlotOwnership ownership)
    : shared_(Shared<SemaphoreState>::anonymous(Kind::semaphore, value, false, ownership == SlotOwnership::process)) {}

Semaphore Semaphore::open(std::string_view name, std::uint32_t value, SlotOwnership ownership,
                          const Access& access) {
    return Semaphore(open_checked(name, Kind::semaphore, value, ownership, access));
}

BoundedSemaphore::BoundedSemaphore(std::uint32_t value, SlotOwnership ownership)
    : Semaphore(
          Shared<SemaphoreState>::anonymous(Kind::bounded_semaphore, value, true, ownership == SlotOwnership::process)) {}

BoundedSemaphore BoundedSemaphore::open(std::string_view name, std::uint32_t value, SlotOwnership ownership,
                                        const Access& access) {
    return BoundedSemaphore(open_checked(name, Kind::bounded_semaphore, value, ownership, access));
}

bool Semaphore::try_acquire_until_steady(internal::SteadyTime deadline) {
    SemaphoreState& s = *shared_;
    bool reclaim_due = s.track_holders;
    for (;;) {
        if (take_slot(s)) {
            if (s.track_holders) {
                std::lock_guard guard(s.mutex);
                s.holders.add(internal::self_identity(), 1);
            }
            return true;
        }
        if (reclaim_due) {
            reclaim_due = false;
            if (reclaim(s) > 0) continue;
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        s.waiters.fetch_add(1, std::memory_order_seq_cst);
        const auto wake_by = s.track_holders && deadline - now > kReclaimSlice ? now + kReclaimSlice : deadline;
        // Sleeps only while the count is still 0: a release after our increment of
        // `waiters` either wakes us or has already made the count non-zero.
        const bool woken = internal::futex_wait_until(s.value, 0, wake_by);
        s.waiters.fetch_sub(1, std::memory_order_relaxed);
        if (!woken) reclaim_due = s.track_holders;  // a slice ended: look for dead holders again
    }
}

void Semaphore::release(std::uint32_t n) {
    if (n == 0) throw ValueError("sync: Semaphore::release: n must be one or more");
    SemaphoreState& s = *shared_;
    if (s.track_holders) {
        // The holder's record goes first: dying right after leaks a slot instead of
        // letting it be returned twice (which would exceed the limit).
        std::lock_guard guard(s.mutex);
        const std::uint32_t value = s.value.load(std::memory_order_relaxed);
        if (s.bounded && std::uint64_t{value} + n > s.initial)
            throw ValueError("sync: BoundedSemaphore::release: released too many times");
        s.holders.take(internal::self_identity(), n);
    }
    add_slots(s, n, true);
}

std::uint32_t Semaphore::value() const { return shared_->value.load(std::memory_order_relaxed); }

std::uint32_t Semaphore::reclaim_dead_holders() { return reclaim(*shared_); }

}  // namespace mp::sync
