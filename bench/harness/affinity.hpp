// Where a two-process scenario runs. Left to the scheduler, a stream's writer and
// reader share one CPU in some rounds and not in others, and a round that shares
// runs at a different speed (64 KiB over a socketpair: 10 us a message on one CPU,
// 16 us across two, and now and then 140 us when a side waits for its CPU's turn).
// Each side pinned to its own CPU, as on a quiet two-core machine, every round and
// every contender runs the same way.
#pragma once

#include <sched.h>

namespace mp::bench {

// Pins the calling thread (all that a benchmark's process has) to the `cpu`-th of
// the CPUs it may use, counted modulo their number, until the destructor. Does
// nothing when it may use fewer than two.
class PinnedToCpu {
public:
    explicit PinnedToCpu(int cpu);
    ~PinnedToCpu();
    PinnedToCpu(const PinnedToCpu&) = delete;
    PinnedToCpu& operator=(const PinnedToCpu&) = delete;

private:
    cpu_set_t saved_;      // the CPUs it may use again afterwards
    bool pinned_ = false;  // false: nothing to undo
};

}  // namespace mp::bench
