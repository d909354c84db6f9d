// Who made a segment, in a form that survives pid reuse: the pid plus the process's
// start time (Linux: field 22 of /proc/<pid>/stat, in clock ticks since boot). A pid
// that now belongs to a younger process is not the creator.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace mp::shm::internal {

// The start time of process `pid`, or 0 when it cannot be read (no /proc, no such
// process). 0 means "unknown" everywhere below.
std::uint64_t process_start_time(pid_t pid);

// True when process `pid` is running and, if `start_time` is known, started then.
// A zombie (exited, not yet reaped) is dead; a process we may not signal (EPERM)
// counts as alive.
bool process_alive(pid_t pid, std::uint64_t start_time);

}  // namespace mp::shm::internal
