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

Shared<SemaphoreState> open_checked(std::string_view name, Kind kind, std::uint32_t value, SlotOwnership ownership) {
    const bool track = ownership == SlotOwnership::process;
    auto shared = Shared<SemaphoreState>::named(name, kind, value, kind == Kind::bounded_semaphore, track);
    if (shared->initial != value || shared->track_holders != track)
        throw std::invalid_argument("sync: " + std::string(internal::kind_name(kind)) + " \"" + std::string(name) +
                                    "\" exists with value " + std::to_string(shared->initial) +
                                    (shared->track_holders ? "" : " and no slot ownership") + ", not " +
                                    std::to_string(value));
    return shared;
}

// Returns the slots of dead holders to the pool; state mutex held.
std::uint32_t reclaim_locked(SemaphoreState& s) {
    const std::uint32_t freed = s.holders.remove_dead();
    if (freed == 0) return 0;
    const std::uint64_t value = std::uint64_t{s.value} + freed;
    s.value = static_cast<std::uint32_t>(s.bounded ? std::min<std::uint64_t>(value, s.initial)
                                                   : std::min<std::uint64_t>(value, UINT32_MAX));
    return freed;
}

}  // namespace

Semaphore::Semaphore(std::uint32_t value, SlotOwnership ownership)
    : shared_(Shared<SemaphoreState>::anonymous(Kind::semaphore, value, false, ownership == SlotOwnership::process)) {}

Semaphore Semaphore::open(std::string_view name, std::uint32_t value, SlotOwnership ownership) {
    return Semaphore(open_checked(name, Kind::semaphore, value, ownership));
}

BoundedSemaphore::BoundedSemaphore(std::uint32_t value, SlotOwnership ownership)
    : Semaphore(
          Shared<SemaphoreState>::anonymous(Kind::bounded_semaphore, value, true, ownership == SlotOwnership::process)) {}

BoundedSemaphore BoundedSemaphore::open(std::string_view name, std::uint32_t value, SlotOwnership ownership) {
    return BoundedSemaphore(open_checked(name, Kind::bounded_semaphore, value, ownership));
}

bool Semaphore::try_acquire_until_steady(internal::SteadyTime deadline) {
    SemaphoreState& s = *shared_;
    std::unique_lock guard(s.mutex);
    bool reclaim_due = s.track_holders;
    for (;;) {
        if (s.value == 0 && reclaim_due) {
            reclaim_locked(s);
            reclaim_due = false;
        }
        if (s.value > 0) {
            --s.value;
            if (s.track_holders) s.holders.add(internal::self_identity(), 1);
            return true;
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        // Read the wake sequence under the mutex: a release after we unlock bumps
        // it, so the futex wait below returns at once instead of missing the wake.
        const std::uint32_t seq = s.wake_seq.load(std::memory_order_relaxed);
        ++s.waiters;
        guard.unlock();
        const auto wake_by = s.track_holders && deadline - now > kReclaimSlice ? now + kReclaimSlice : deadline;
        const bool woken = internal::futex_wait_until(s.wake_seq, seq, wake_by);
        guard.lock();
        --s.waiters;
        if (!woken) reclaim_due = s.track_holders;  // a slice ended: look for dead holders again
    }
}

void Semaphore::release(std::uint32_t n) {
    SemaphoreState& s = *shared_;
    std::unique_lock guard(s.mutex);
    const std::uint64_t value = std::uint64_t{s.value} + n;
    if (s.bounded && value > s.initial) throw ValueError("BoundedSemaphore released too many times");
    if (value > UINT32_MAX) throw std::overflow_error("Semaphore::release: count overflow");
    s.value = static_cast<std::uint32_t>(value);
    if (s.track_holders) s.holders.take(internal::self_identity(), n);
    const bool wake = s.waiters > 0;
    if (wake) s.wake_seq.fetch_add(1, std::memory_order_relaxed);
    guard.unlock();
    // Woken after unlocking, so a waiter does not wake straight into a held mutex.
    if (wake) internal::futex_wake(s.wake_seq, static_cast<int>(std::min<std::uint32_t>(n, INT32_MAX)));
}

std::uint32_t Semaphore::value() const {
    std::lock_guard guard(shared_->mutex);
    return shared_->value;
}

std::uint32_t Semaphore::reclaim_dead_holders() {
    SemaphoreState& s = *shared_;
    std::unique_lock guard(s.mutex);
    const std::uint32_t freed = reclaim_locked(s);
    const bool wake = freed > 0 && s.waiters > 0;
    if (wake) s.wake_seq.fetch_add(1, std::memory_order_relaxed);
    guard.unlock();
    if (wake) internal::futex_wake(s.wake_seq, static_cast<int>(freed));
    return freed;
}

}  // namespace mp::sync
