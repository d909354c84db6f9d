#include "sync/barrier.hpp"

#include <mutex>
#include <stdexcept>
#include <string>

#include "sync/errors.hpp"
#include "sync/internal/futex.hpp"

namespace mp::sync {

using internal::BarrierPhase;
using internal::BarrierState;
using internal::Kind;
using internal::Shared;

namespace {

// How often a waiter wakes to check that the other waiting processes still live.
constexpr auto kLivenessSlice = std::chrono::milliseconds(50);

using Guard = std::unique_lock<ProcessMutex>;

void announce_change(BarrierState& s) {
    s.wake_seq.fetch_add(1, std::memory_order_relaxed);
    internal::futex_wake_all(s.wake_seq);
}

// The last thread out of a draining or resetting barrier makes it ready again.
void leave_if_last(BarrierState& s) {
    if (s.count == 0 && (s.phase == BarrierPhase::draining || s.phase == BarrierPhase::resetting)) {
        s.phase = BarrierPhase::filling;
        announce_change(s);
    }
}

// Forgets the waiters of dead processes; a filling barrier that lost one breaks.
void purge_dead_parties(BarrierState& s) {
    const std::uint32_t dead = s.waiting.remove_dead();
    if (dead == 0) return;
    s.count -= std::min(dead, s.count);
    if (s.phase == BarrierPhase::filling) s.phase = BarrierPhase::broken;
    leave_if_last(s);
    announce_change(s);
}

// Sleeps until the phase may have changed, at most one slice; false once the
// deadline has passed. Checks for dead parties after every slice.
bool await_change(BarrierState& s, Guard& guard, internal::SteadyTime deadline) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    const std::uint32_t seq = s.wake_seq.load(std::memory_order_relaxed);
    guard.unlock();
    const auto wake_by = deadline - now > kLivenessSlice ? now + kLivenessSlice : deadline;
    internal::futex_wait_until(s.wake_seq, seq, wake_by);
    guard.lock();
    purge_dead_parties(s);
    return true;
}

[[noreturn]] void throw_broken() { throw BrokenBarrierError("sync: Barrier::wait: the barrier is broken"); }

}  // namespace

Barrier::Barrier(std::uint32_t parties)
    : shared_(parties == 0 ? throw std::invalid_argument("sync: Barrier: parties must be at least 1")
                           : Shared<BarrierState>::anonymous(Kind::barrier, parties)) {}

Barrier Barrier::open(std::string_view name, std::uint32_t parties, const Access& access) {
    if (parties == 0) throw std::invalid_argument("sync: Barrier: parties must be at least 1");
    auto shared = Shared<BarrierState>::named(name, access, Kind::barrier, parties);
    if (shared->parties != parties)
        throw std::invalid_argument("sync: Barrier \"" + std::string(name) + "\" exists with " +
                                    std::to_string(shared->parties) + " parties, not " + std::to_string(parties));
    return Barrier(std::move(shared));
}

std::uint32_t Barrier::wait_until_steady(internal::SteadyTime deadline) {
    BarrierState& s = *shared_;
    Guard guard(s.mutex);
    // Python's _enter: wait for the previous round to drain or a reset to finish.
    while (s.phase == BarrierPhase::draining || s.phase == BarrierPhase::resetting) {
        if (!await_change(s, guard, deadline)) {
            s.phase = BarrierPhase::broken;
            announce_change(s);
        }
    }
    if (s.phase == BarrierPhase::broken) throw_broken();

    const std::uint32_t index = s.count++;
    const internal::ProcessIdentity self = internal::self_identity();
    s.waiting.add(self, 1);
    // Python's finally: this thread leaves, whatever happens.
    struct Leave {
        BarrierState& s;
        internal::ProcessIdentity self;
        ~Leave() {
            s.waiting.take(self, 1);
            if (s.count > 0) --s.count;
            leave_if_last(s);
        }
    } leave{s, self};

    if (index + 1 == s.parties) {
        s.phase = BarrierPhase::draining;
        announce_change(s);
        return index;
    }
    while (s.phase == BarrierPhase::filling) {
        if (!await_change(s, guard, deadline)) {
            s.phase = BarrierPhase::broken;
            announce_change(s);
        }
    }
    if (s.phase == BarrierPhase::broken || s.phase == BarrierPhase::resetting) throw_broken();
    return index;
}

void Barrier::reset() {
    BarrierState& s = *shared_;
    Guard guard(s.mutex);
    purge_dead_parties(s);
    if (s.count > 0) {
        if (s.phase == BarrierPhase::filling || s.phase == BarrierPhase::broken) s.phase = BarrierPhase::resetting;
    } else {
        s.phase = BarrierPhase::filling;
    }
    announce_change(s);
}

void Barrier::abort() {
    BarrierState& s = *shared_;
    Guard guard(s.mutex);
    s.phase = BarrierPhase::broken;
    announce_change(s);
}

std::uint32_t Barrier::n_waiting() const {
    Guard guard(shared_->mutex);
    return shared_->phase == BarrierPhase::filling ? shared_->count : 0;
}

bool Barrier::broken() const {
    Guard guard(shared_->mutex);
    return shared_->phase == BarrierPhase::broken;
}

}  // namespace mp::sync
