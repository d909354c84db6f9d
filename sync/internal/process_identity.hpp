// Telling whether a process recorded earlier is still alive, without being fooled
// by pid reuse: a process is its pid plus its start time (field 22 of
// /proc/<pid>/stat, in clock ticks since boot), and a zombie counts as dead.
// The one implementation for sync and for the libraries above it (shm's segment
// creators, semaphore and barrier holders).
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
// again) or its pid now belongs to another process. When /proc/<pid>/stat cannot
// be read, whatever the reason (no /proc, EACCES, a /proc mounted hidepid, which
// hides other users' processes as ENOENT), only kill(pid, 0) decides: the process
// is dead only if the pid no longer exists (ESRCH). A holder we merely cannot see
// into is alive: its lock or slot is never taken from it.
bool is_alive(const ProcessIdentity& process);

// What one read of /proc/<pid>/stat found: error 0 and the fields, or the errno.
struct StatReading {
    int error = 0;
    char state = '?';
    std::uint64_t start_time = 0;
};
StatReading read_stat(pid_t pid);

// is_alive's verdict given that reading (the seam that lets each failure of the
// read be tested; is_alive(p) is is_alive_given(p, read_stat(p.pid))).
bool is_alive_given(const ProcessIdentity& process, const StatReading& stat);

}  // namespace mp::sync::internal
