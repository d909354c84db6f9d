// Event: a wake-up word in shared memory for waits made under a RobustMutex, a
// condition variable that survives its waiters being SIGKILLed. (A glibc
// pthread_cond_t keeps a killed waiter counted in its groups, and a later signal
// can be spent on it; a futex queue drops the dead waiter, so wakes reach the
// living.) The protocol, with the mutex held: seen = sequence(), unlock,
// wait(seen, deadline), lock, re-check. Whoever changes the condition does so
// under the mutex and then calls notify_one/notify_all, so no wake-up is lost.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace mp::ipc::detail {

class Event {
public:
    std::uint32_t sequence() const noexcept { return sequence_.load(std::memory_order_acquire); }
    // Sleeps while the sequence is still `seen`, until a notify or `deadline`
    // (steady clock; time_point::max() for none). May return early: re-check.
    void wait(std::uint32_t seen, std::chrono::steady_clock::time_point deadline) noexcept;
    void notify_one() noexcept;
    void notify_all() noexcept;

private:
    void bump_and_wake(int count) noexcept;

    std::atomic<std::uint32_t> sequence_{0};
};

}  // namespace mp::ipc::detail
