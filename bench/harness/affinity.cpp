#include "bench/harness/affinity.hpp"

namespace mp::bench {

PinnedToCpu::PinnedToCpu(int cpu) {
    if (sched_getaffinity(0, sizeof saved_, &saved_) != 0 || CPU_COUNT(&saved_) < 2) return;
    // The n-th CPU this process may use, so that a machine whose CPUs are numbered
    // from elsewhere (a cpuset) still gets two distinct ones.
    int chosen = -1;
    for (int c = 0, seen = 0; c < CPU_SETSIZE && chosen < 0; ++c)
        if (CPU_ISSET(c, &saved_) && seen++ == cpu % CPU_COUNT(&saved_)) chosen = c;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(chosen, &one);
    pinned_ = sched_setaffinity(0, sizeof one, &one) == 0;
}

PinnedToCpu::~PinnedToCpu() {
    if (pinned_) sched_setaffinity(0, sizeof saved_, &saved_);
}

}  // namespace mp::bench
