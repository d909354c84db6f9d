// wait_child: waits for a child process without blocking the other greenlets. It
// waits, by the first means the system has:
//   - a pidfd (Linux 5.3+), readable when the child ends;
//   - SIGCHLD read through a signalfd (Linux without pidfd_open): SIGCHLD is blocked
//     in the waiting thread while any of its greenlets waits this way (the thread's
//     mask is restored after the last one), and a SIGCHLD wakes the waiters to try
//     waitpid(WNOHANG). The signal is process-wide: another thread that does not
//     block it may take it, the signals of several children merge, and one waiter
//     may read the signal another was woken by, so a waiter also retries every 50 ms
//     instead of relying on each signal;
//   - otherwise, waitpid(WNOHANG) polled between green sleeps of 1 to 50 ms.
#pragma once

#include <sys/types.h>

namespace mp::threadpool::green {

enum class ChildWatch {
    best,     // the first of the means above that works here
    pidfd,    // a pidfd only
    sigchld,  // SIGCHLD through a signalfd only
};

// Blocks the calling greenlet until child `pid` ended, reaps it and returns its
// waitpid status (WIFEXITED / WEXITSTATUS ...). Throws std::system_error naming
// waitpid (ECHILD: not our child, or reaped already), pidfd_open, signalfd or
// pthread_sigmask; ENOSYS when `how` asks for a means this system lacks.
int wait_child(pid_t pid, ChildWatch how = ChildWatch::best);

}  // namespace mp::threadpool::green
