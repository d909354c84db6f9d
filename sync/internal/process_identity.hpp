// Telling whether a process recorded earlier is still alive, without being fooled
// by pid reuse: a process is its pid plus its start time (field 22 of
// /proc/<pid>/stat, in clock ticks since boot), and a zombie counts as dead.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace mp::sync::internal {

struct ProcessIdentity {
    pid_t pid = 0;
    std::uint64_t start_time = 0;  // 0 when unknown (no /proc): pid alone is checked
};

// This process's identity (computed once per process, again after fork).
ProcessIdentity self_identity();

// The identity of a live process `pid` (start time 0 if it cannot be read).
ProcessIdentity identity_of(pid_t pid);

// False when the process has exited (even if not yet reaped: a zombie never runs
// again) or its pid now belongs to another process.
bool is_alive(const ProcessIdentity& process);

}  // namespace mp::sync::internal
