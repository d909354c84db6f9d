// Private: forking, waiting for and describing child processes, shared by Process,
// the fork server and the pool.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

namespace mp::pool::internal {

using Clock = std::chrono::steady_clock;

// fflush(nullptr), then fork(). Throws std::system_error("fork") on failure.
// Before the first fork, binds the library calls that only the children make (see
// exit_child).
pid_t fork_flushed();

// _exit(code), for a forked child. A program's first call of a library function
// goes through lazy binding: the dynamic linker looks the symbol up in every loaded
// library, faulting in pages of their symbol tables, and writes the answer into
// the caller's memory. A call only children make is looked up again by every child,
// in its own copy: about ten page faults a call, a sizable part of starting a
// worker. So _exit is called through a pointer filled in when the program was
// loaded, and fork_flushed makes the parent bind the other calls first.
[[noreturn]] void exit_child(int code);

// A pidfd for `pid` (Linux >= 5.3, close-on-exec), or -1 where the kernel or libc has
// none; callers then fall back to polling waitpid.
int open_pidfd(pid_t pid);

// Sends `signal` to the process `pidfd` refers to; a process that is gone (even if
// its pid was reused since) is left alone. Linux >= 5.1; a no-op without it.
void signal_pidfd(int pidfd, int signal);

// Reaps child `pid` if it has exited (waitpid with WNOHANG, EINTR retried): its wait
// status, or empty while it runs. Throws std::system_error("waitpid") when `pid` is
// not our child.
std::optional<int> try_reap(pid_t pid);

// Waits until child `pid` exits and reaps it, returning its wait status; empty when
// `deadline` passed first (the child is then still running and unreaped). Sleeps in
// poll() on `pidfd` when there is one (>= 0), else polls waitpid with a growing
// backoff. EINTR is retried. Throws std::system_error("waitpid") when `pid` is not
// our child (e.g. SIGCHLD set to SIG_IGN reaped it already).
std::optional<int> wait_for_exit(pid_t pid, int pidfd, std::optional<Clock::time_point> deadline);

// Python's exitcode for a wait status: the exit code, or minus the signal number.
int exitcode_of(int status);

// The exception being handled (call inside a catch block) as its demangled type
// name ("std::runtime_error") and message (what(), or "" for a non-std exception).
// A std::system_error also gives its error code (the message then stops before the
// code's own text, which a rebuilt system_error adds back).
struct ExceptionText {
    std::string type_name;
    std::string message;
    int error_code = 0;
    bool system_category = false;  // else generic
};
ExceptionText current_exception_text();

// The demangled form of a typeid name.
std::string demangle(const char* mangled);

}  // namespace mp::pool::internal
