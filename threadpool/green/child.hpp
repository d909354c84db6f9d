// wait_child: waits for a child process without blocking the other greenlets, through
// a pidfd (Linux 5.3+) readable when the child ends. Where the kernel has no pidfd_open
// (ENOSYS), the greenlet polls waitpid(WNOHANG) between green sleeps of 1 to 50 ms.
#pragma once

#include <sys/types.h>

namespace mp::threadpool::green {

// Blocks the calling greenlet until child `pid` ended, reaps it and returns its
// waitpid status (WIFEXITED / WEXITSTATUS ...). Throws std::system_error naming
// pidfd_open or waitpid (ECHILD: not our child, or reaped already).
int wait_child(pid_t pid);

}  // namespace mp::threadpool::green
