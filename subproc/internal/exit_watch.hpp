// Waiting for one child to exit without reaping it. The unreaped child (a zombie
// once it exits) keeps its pid, and so its process-group id, from being reused: a
// kill(-pgid) sent before the reap can never hit a stranger.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>

#include "subproc/internal/fd.hpp"
#include "subproc/timeout.hpp"

namespace mp::subproc::internal {

using Clock = std::chrono::steady_clock;
// No value: no limit.
using Deadline = std::optional<Clock::time_point>;

Deadline deadline_after(Timeout timeout);
// Milliseconds until `deadline` for poll(), rounded up, at most `cap` (-1: none).
int poll_timeout_ms(Deadline deadline, int cap = -1);
bool passed(Deadline deadline);

class ExitWatch {
public:
    explicit ExitWatch(pid_t pid) : pid_(pid) {}

    // A pidfd that polls readable once the child has exited (Linux >= 5.3), opened
    // on first use; -1 when there is none: callers then poll exited() on a timer.
    int fd();
    // Whether the child has exited (it stays unreaped). True as well when it cannot
    // be waited for (ECHILD: SIGCHLD is ignored, so the kernel reaped it).
    bool exited() const;
    // Blocks until the child exits (true) or the deadline passes (false).
    bool wait_until(Deadline deadline);

private:
    pid_t pid_;
    UniqueFd pidfd_;
    bool pidfd_tried_ = false;
};

// The interval at which exited() is polled when there is no pidfd: it grows from
// 1 ms to 50 ms, so short children are noticed fast and long ones cost little.
class Backoff {
public:
    int next_ms() {
        const int now = ms_;
        ms_ = ms_ * 2 > 50 ? 50 : ms_ * 2;
        return now;
    }

private:
    int ms_ = 1;
};

}  // namespace mp::subproc::internal
