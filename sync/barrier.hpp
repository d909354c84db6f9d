// Barrier: Python's Barrier between threads and processes. `parties` threads (in
// any processes) call wait(); each blocks until all have arrived, then all go on,
// and the barrier is ready for the next round.
//
// Placement as for Lock (lock.hpp): `Barrier b(3);` is anonymous (threads and
// forked children); `Barrier::open("start", 3)` creates or opens a named one.
//
// Broken state (Python's semantics): a wait that times out, abort(), or reset()
// while threads wait breaks the barrier; every waiter, and every later wait() until
// reset(), throws BrokenBarrierError.
// Dead parties: the barrier records which processes have threads waiting in it.
// When one of them dies, the waiters notice within about 50 ms and the barrier
// breaks, instead of everyone hanging for a party that will never leave. A party
// that dies before it arrives looks like a slow one: bound the wait with a timeout.
// Not supported: Python's `action` callable.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "sync/access.hpp"
#include "sync/internal/deadline.hpp"
#include "sync/internal/shared.hpp"
#include "sync/internal/states.hpp"

namespace mp::sync {

class Barrier {
public:
    // A new barrier for `parties` (at least 1) in an anonymous shared mapping.
    // Errors: std::invalid_argument (parties == 0), std::system_error.
    explicit Barrier(std::uint32_t parties);
    // Creates or opens the named barrier. Errors: std::invalid_argument (bad name,
    // another kind, exists with another number of parties), std::system_error.
    static Barrier open(std::string_view name, std::uint32_t parties, const Access& access = {});

    // Blocks until all parties have arrived; returns this thread's arrival index,
    // 0 to parties()-1 (exactly one waiter gets each).
    // Errors: BrokenBarrierError (see above).
    std::uint32_t wait() { return wait_until_steady(internal::SteadyTime::max()); }
    // As wait(), at most `timeout` / until `deadline`: when the time runs out the
    // barrier breaks and BrokenBarrierError is thrown, as in Python (a bounded wait
    // throws; it reports nothing, so it has no _for name).
    template <class Rep, class Period>
    std::uint32_t wait(const std::chrono::duration<Rep, Period>& timeout) {
        return wait_until_steady(internal::deadline_after(timeout));
    }
    template <class Clock, class Duration>
    std::uint32_t wait(const std::chrono::time_point<Clock, Duration>& deadline) {
        return wait_until_steady(internal::to_steady(deadline));
    }

    // Back to the empty state; threads waiting now get BrokenBarrierError.
    void reset();
    // Breaks the barrier: waiters and later wait() calls get BrokenBarrierError.
    void abort();

    std::uint32_t parties() const { return shared_->parties; }
    // Threads waiting now (a snapshot).
    std::uint32_t n_waiting() const;
    bool broken() const;

private:
    explicit Barrier(internal::Shared<internal::BarrierState> shared) : shared_(std::move(shared)) {}
    std::uint32_t wait_until_steady(internal::SteadyTime deadline);
    internal::Shared<internal::BarrierState> shared_;
};

}  // namespace mp::sync
