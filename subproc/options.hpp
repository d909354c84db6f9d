// How a child is started: where its stdin/stdout/stderr go (Stream), which process
// group it runs in (Group), how a running child is stopped (StopSequence), and the
// Options struct that gathers them for Popen, Pipeline, run() and pipeline().
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>
#include "subproc/timeout.hpp"

namespace mp::subproc {

// Stream: what one of the child's standard fds is connected to. Python's PIPE,
// DEVNULL, STDOUT, an fd or a file. Files are opened by the parent (O_CLOEXEC), so a
// bad path is a std::system_error naming it, raised before anything is started.
class Stream {
public:
    enum class Kind { inherit, pipe, devnull, fd, read_file, write_file, append_file, to_stdout };

    // The child shares ours (the default).
    static Stream inherit() { return Stream(Kind::inherit); }
    // A new pipe; the parent's end belongs to the Popen (communicate, readline...).
    static Stream pipe() { return Stream(Kind::pipe); }
    // /dev/null.
    static Stream devnull() { return Stream(Kind::devnull); }
    // An fd of ours, borrowed: the caller keeps owning and closing it.
    static Stream fd(int fd) { return Stream(Kind::fd, fd); }
    // A file opened for reading (stdin only).
    static Stream read_from(std::string path) { return Stream(Kind::read_file, -1, std::move(path)); }
    // A file created or truncated for writing (stdout/stderr only).
    static Stream write_to(std::string path) { return Stream(Kind::write_file, -1, std::move(path)); }
    // A file created or appended to (stdout/stderr only).
    static Stream append_to(std::string path) { return Stream(Kind::append_file, -1, std::move(path)); }
    // stderr only: wherever stdout goes (2>&1).
    static Stream to_stdout() { return Stream(Kind::to_stdout); }

    Kind kind() const { return kind_; }
    int borrowed_fd() const { return fd_; }
    const std::string& path() const { return path_; }

private:
    explicit Stream(Kind kind, int fd = -1, std::string path = {}) : kind_(kind), fd_(fd), path_(std::move(path)) {}
    Kind kind_;
    int fd_;
    std::string path_;
};

inline const Stream PIPE = Stream::pipe();
inline const Stream DEVNULL = Stream::devnull();
inline const Stream STDOUT = Stream::to_stdout();
inline const Stream INHERIT = Stream::inherit();

// Group: the process group the child runs in.
//  own()      a new group led by the child (the default): a timeout or a stop can
//             signal the child and every grandchild at once (kill(-pgid)). Gotcha:
//             the group is not the terminal's foreground group, so the terminal's
//             Ctrl-C does not reach it, and reading the terminal stops it (SIGTTIN).
//  inherit()  ours: signals reach the child alone; the terminal's Ctrl-C reaches it.
//  session()  a new session (setsid), hence also a new group led by the child.
//  join(id)   an existing group `id` (pipeline stages join the first stage's group).
class Group {
public:
    enum class Kind { own, inherit, session, join };
    static Group own() { return Group(Kind::own); }
    static Group inherit() { return Group(Kind::inherit); }
    static Group session() { return Group(Kind::session); }
    static Group join(pid_t pgid) { return Group(Kind::join, pgid); }
    Kind kind() const { return kind_; }
    pid_t pgid() const { return pgid_; }

private:
    explicit Group(Kind kind, pid_t pgid = 0) : kind_(kind), pgid_(pgid) {}
    Kind kind_;
    pid_t pgid_;
};

// What destroying a Popen (or a Pipeline) whose child still runs does.
enum class OnDestroy {
    // Close our ends of its pipes (a child reading stdin sees EOF; one still writing
    // to a closed stdout gets SIGPIPE) and wait for it to exit, however long it takes,
    // then reap: Python's `with Popen(...)`. The default.
    wait,
    // Run the StopSequence of Options::stop: a bounded end, for children that must
    // not outlive their owner.
    stop,
};

// StopSequence: what Popen::stop() does, and the destructor with OnDestroy::stop,
// after closing the parent's pipe ends: wait `wait` for a voluntary exit, send
// `signal` (to the child's group when it leads one, else to the child), wait
// `grace`, then SIGKILL the group (so no grandchild survives) and reap.
struct StopSequence {
    std::chrono::milliseconds wait{0};
    int signal = SIGTERM;
    std::chrono::milliseconds grace{1000};
};

using Environment = std::map<std::string, std::string>;

// Options: everything but the command. Use designated initializers, in this order:
//   run({"ls"}, {.out = PIPE, .cwd = "/tmp", .timeout = 2s, .check = true});
struct Options {
    // Run args[0] with `/bin/sh -c`; further args become $0, $1, ... (as Python).
    bool shell = false;
    Stream in = Stream::inherit();
    Stream out = Stream::inherit();
    Stream err = Stream::inherit();
    // The child's working directory (ours when empty).
    std::optional<std::string> cwd{};
    // The child's whole environment; ours when empty. PATH lookup of a bare program
    // name uses this environment's PATH.
    std::optional<Environment> env{};
    // Variables added to (or overriding) `env`, or ours when `env` is empty.
    Environment extra_env{};
    Group group = Group::own();
    // The child gets only 0, 1, 2 and pass_fds (close_range, not a loop over fds).
    bool close_fds = true;
    // Our fds the child keeps, at the same numbers (their close-on-exec is cleared
    // in the child only).
    std::vector<int> pass_fds{};
    // The child's umask (forces the fork+exec path: posix_spawn cannot set it).
    std::optional<mode_t> umask{};
    // Linux: the child is SIGKILLed when the thread that started it ends, the parent
    // killed by SIGKILL included (PR_SET_PDEATHSIG), so it cannot outlive a crashed
    // supervisor. If we are already gone by the time the child has set this up, the
    // child never runs the program. Beware: it is the starting *thread* whose end
    // kills the child, so start such children from a thread that outlives them. The
    // fork+exec path, made with vfork (the child shares our memory until exec: no page
    // tables copied). Elsewhere than Linux the start fails with SpawnError(ENOSYS).
    bool die_with_parent = false;
    // Python's preexec_fn: run in the child after fork, once the group, cwd, umask and
    // stdio are set up and the signals are back to their defaults, before close_fds
    // and exec. The child is a copy of this process holding only the calling thread:
    // if other threads exist, it may make only async-signal-safe calls (another
    // thread may have held a lock, malloc's included, at the fork). It may
    // `_exit(code)`, and the child then ends as if the program had exited with code
    // (never `exit`, which would flush copies of our stdio buffers). An exception
    // escaping it fails the start with SpawnError step "preexec_fn" (its errno when it
    // is a std::system_error, else ECANCELED). Forces a real fork.
    std::function<void()> preexec_fn{};
    OnDestroy on_destroy = OnDestroy::wait;
    StopSequence stop{};
    // After a timeout kills the group: how long to keep reading the pipes before
    // giving up on them (a grandchild that left the group may hold them). Go's WaitDelay.
    std::chrono::milliseconds wait_delay{500};

    // ---- run(), pipeline() and their family only (Popen/Pipeline reject these) ----
    // Written to stdin (stdin becomes a pipe). Not copied again on the way: std::move
    // a big buffer in, or use Popen::communicate(view) to avoid the copy altogether.
    std::optional<std::string> input{};
    // Capture stdout and stderr (both become pipes).
    bool capture_output = false;
    // For the whole call; on expiry the child's group is killed and reaped, and
    // TimeoutExpired carries what was captured.
    Timeout timeout{};
    // A non-zero return code throws CalledProcessError.
    bool check = false;
};

}  // namespace mp::subproc
