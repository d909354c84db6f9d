// --memfree's second half, as GNU parallel's kill_youngster_if_not_enough_mem: while
// less than half of SIZE is available, the running job with the highest sequence
// number (the youngest) is killed with --termseq and queued again; once it has
// ended memory is read again at once, and the next youngest killed if it is still
// short, down to the last job running. A slot whose job was killed starts it (or
// the next) only when SIZE is available again (Pacing::wait_turn).
#include <signal.h>

#include <algorithm>

#include "bin/pool_runner.hpp"

namespace mp::tools::pool {

namespace {

using namespace std::chrono_literals;

// How often memory is read while jobs run. GNU parallel reads it between 1 ms and
// 1 s apart (its main loop's backoff); a steady 100 ms costs little and reacts in time.
constexpr auto kMemoryCheck = 100ms;

}  // namespace

// Called by the supervisor on each tick, holding mutex_; `memory_read`: it read
// the memory this tick, and found it short (`short_of_memory`) or not.
void Runner::evict_youngest(bool memory_read, bool short_of_memory) {
    if (evicting_) {
        auto& [group, progress] = *evicting_;
        const auto job = running_.find(group);
        if (job != running_.end() && job->second.evicted) {
            escalate(progress, [group = group](int signal) { kill(-group, signal); });
            return;
        }
        evicting_.reset();
        memory_check_ = Clock::now();  // what its end freed counts before the next kill
        return;
    }
    if (!memory_read) return;
    memory_check_ = Clock::now() + kMemoryCheck;
    // After a stop (signal, --halt) a job queued again would never run: none is killed.
    if (!short_of_memory || stopping_) return;
    const auto youngest =
        std::max_element(running_.begin(), running_.end(),
                         [](const auto& a, const auto& b) { return a.second.seq < b.second.seq; });
    if (youngest == running_.end()) return;
    youngest->second.evicted = true;
    evicting_.emplace(youngest->first, TermProgress{.step = 0, .at = Clock::now()});
    escalate(evicting_->second, [group = youngest->first](int signal) { kill(-group, signal); });
}

// A job --memfree killed goes first in the queue (GNU parallel's unget), with the
// input it had: its sequence number, {#}, and --pipe's block stay its own.
void Runner::requeue(Job job, JobInput input) {
    std::lock_guard lock(mutex_);
    job.input = std::move(input);
    jobs_.push_front(std::move(job));
    changed_.notify_all();
}

}  // namespace mp::tools::pool
