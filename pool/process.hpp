// Process: Python's multiprocessing.Process for C++. Any callable plus arguments,
// run in a forked child; nothing is serialized, the child is a copy of the parent.
//
//   mp::pool::Process p([](int n) { std::printf("hello %d\n", n); }, 42);
//   p.start();
//   p.join();                      // p.exitcode() == 0
//
//   mp::ipc::Queue<int> q, r;
//   mp::pool::Process writer(put_items, std::ref(q));   // q itself, as the child sees it
//   mp::pool::Process owner(drain, std::move(r));      // moved in: move-only is fine
//
// Operations: start, join / join_for(timeout), is_alive, pid, exitcode, terminate, kill,
// name / set_name, daemon / set_daemon; active_children() and exit(n) below.
//
// Lifetime, as Python's: destroying a Process does not wait for its child. A
// started child whose Process is gone is reaped once it exits (at the next start()
// or active_children()), and at exit the program waits for its non-daemon children
// and terminates (SIGTERM, SIGKILL a second later) its daemon ones. A Process child does the same with its
// own children before it leaves. No zombie is left either way.
//
// Exit code, as Python's: the target's return value is ignored (0); an uncaught
// exception prints "Process <name>: uncaught <type>: <message>" on the child's
// stderr and gives 1; mp::pool::exit(n) gives n; a signal N gives -N.
//
// A lambda capturing by reference reads the parent's memory as it was at start():
// the child is a fork made then (Python's fork start method does the same).
//
// Fork rules: stdio is flushed before fork; the child runs the target and leaves with
// _exit (no atexit handlers, no double-flushed buffers); the parent reaps. When the
// parent has other threads, the child inherits any lock another thread held at the
// fork: a target that takes such a lock hangs. Start processes before threads, or use
// Pool, whose workers are forked by a single-threaded fork server.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <concepts>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "pool/internal/identity.hpp"
#include "pool/internal/unique_function.hpp"
#include "sync/internal/deadline.hpp"

namespace mp::pool {

class Process {
public:
    // Stores `target` and `args` (moved or copied in; std::ref(x) passes x itself,
    // as the child sees it at start()); nothing runs before start(). Move-only
    // arguments (ipc::Queue, ipc::Connection, sync::Lock, shm::Value) are fine.
    template <class F, class... Args>
        requires std::invocable<std::decay_t<F>&, std::unwrap_ref_decay_t<Args>&...>
    explicit Process(F&& target, Args&&... args)
        : target_([f = std::forward<F>(target), tuple = std::make_tuple(std::forward<Args>(args)...)]() mutable {
              std::apply(f, tuple);
          }),
          identity_(internal::child_identity(internal::next_child_number())),
          name_("Process-" + identity_) {}

    Process(Process&& other) noexcept;
    Process& operator=(Process&& other) noexcept;
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    // Does not wait: a child still running (or exited but not reaped) is handed to
    // the program's registry of children (see Lifetime above).
    ~Process();

    // Flushes stdio and forks; the child runs the target. Throws std::logic_error when
    // already started, std::system_error("fork") when fork fails.
    void start();

    // Blocks until the process exits and reaps it. Requires start().
    void join();
    // Waits at most `timeout`; true when the process has exited (and is reaped),
    // false when it is still running (never throws on expiry). Sleeps on a pidfd, no busy polling (Linux;
    // elsewhere a waitpid poll with backoff). Any std::chrono duration: zero or less
    // polls once, one too long for the clock (seconds::max()) waits without limit.
    template <class Rep, class Period>
    [[nodiscard]] bool join_for(const std::chrono::duration<Rep, Period>& timeout) {
        return join_until(sync::internal::deadline_after(timeout));
    }

    // True between start() and the moment the child is seen to exit (which reaps it).
    bool is_alive();
    // The child's pid after start(), else 0.
    pid_t pid() const noexcept { return pid_; }
    // Empty while the child runs (or before start); then its exit code, or minus the
    // signal number that killed it (-9 after kill()).
    std::optional<int> exitcode() const noexcept { return exitcode_; }

    // Sends SIGTERM / SIGKILL; does nothing once the child has been reaped. Does not
    // wait: join() afterwards.
    void terminate();
    void kill();

    // "Process-N" unless set; the child's current_process().name (set it before
    // start()).
    const std::string& name() const noexcept { return name_; }
    void set_name(std::string name) { name_ = std::move(name); }
    bool daemon() const noexcept { return daemon_; }
    // Requires: not started yet (std::logic_error otherwise).
    void set_daemon(bool daemon);

private:
    bool join_until(sync::internal::SteadyTime deadline);
    void send_signal(int signal);
    void record_exit(int status);
    void release() noexcept;

    internal::UniqueFunction<void> target_;
    std::string identity_;  // "1", "1:2": numbers its children's names (see current_process.hpp)
    std::string name_;
    bool daemon_ = false;
    bool started_ = false;
    pid_t pid_ = 0;
    int pidfd_ = -1;
    std::optional<int> exitcode_;
};

// A live child started by a Process of this program (Python's active_children()
// returns its Process objects; these are what identifies them).
struct ActiveChild {
    pid_t pid;
    std::string name;
    bool daemon;
};

// The children started by Process that are still running, whether or not their
// Process objects still exist. Reaps the finished ones that no Process owns.
std::vector<ActiveChild> active_children();

// Python's sys.exit(n). On the thread running a Process target: unwinds the
// target's stack (destructors run), then the child flushes stdio, settles its own
// children and leaves with exit code n. Anywhere else: flushes stdio and calls
// std::exit(n) (atexit handlers run: the program's children are settled).
[[noreturn]] void exit(int code);

}  // namespace mp::pool
