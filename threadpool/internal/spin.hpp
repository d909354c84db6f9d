// Short polls before a thread blocks: spin_until for a condition, lock_soon for a mutex.
//
// spin_until: polls a condition for a few microseconds before a thread goes to sleep.
// A producer's next item usually arrives sooner than a futex sleep/wake round trip
// takes, so a short spin saves both sides a system call; it gives the CPU away now
// and then, because on a machine with few cores the producer may need it.
#pragma once

#include <thread>

namespace mp::threadpool::internal {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

// Returns true as soon as `ready()` holds, false after `rounds` polls.
template <class Ready>
bool spin_until(Ready&& ready, int rounds = 1024) {
    for (int i = 0; i < rounds; ++i) {
        if (ready()) return true;
        if (i % 32 == 31)
            std::this_thread::yield();
        else
            cpu_relax();
    }
    return ready();
}

// Takes a mutex that is only ever held for a few instructions: it polls briefly
// before blocking, because a mutex that blocks at once turns every brief overlap of
// two threads into two futex calls (the waiter's sleep, the holder's wake-up). The
// poll is short, so a holder that was preempted costs little.
template <class Mutex>
void lock_soon(Mutex& mutex) {
    for (int i = 0; i < 100; ++i) {
        if (mutex.try_lock()) return;
        cpu_relax();
    }
    mutex.lock();
}

}  // namespace mp::threadpool::internal
