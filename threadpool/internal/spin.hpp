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

}  // namespace mp::threadpool::internal
