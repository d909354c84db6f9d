// Process: Python's multiprocessing.Process for C++. Any callable plus arguments,
// run in a forked child; nothing is serialized, the child is a copy of the parent.
//
//   mp::pool::Process p([](int n) { std::printf("hello %d\n", n); }, 42);
//   p.start();
//   p.join();                      // p.exitcode() == 0
//
// Operations: start, join / join(timeout), is_alive, pid, exitcode, terminate, kill,
// name / set_name, daemon / set_daemon.
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

namespace mp::pool {

class Process {
public:
    // Stores `target` and copies of `args`; nothing runs before start(). If the
    // target returns an int, that is the child's exit code (Python's sys.exit(n));
    // any other return value is ignored and the exit code is 0. An exception escaping
    // the target is printed on the child's stderr and gives exit code 1.
    template <class F, class... Args>
        requires std::invocable<std::decay_t<F>&, std::decay_t<Args>&...>
    explicit Process(F&& target, Args&&... args)
        : target_([f = std::forward<F>(target), tuple = std::make_tuple(std::forward<Args>(args)...)]() mutable {
              using R = std::invoke_result_t<std::decay_t<F>&, std::decay_t<Args>&...>;
              if constexpr (std::is_same_v<R, int>) {
                  return std::apply(f, tuple);
              } else {
                  std::apply(f, tuple);
                  return 0;
              }
          }),
          name_("Process-" + std::to_string(next_number())) {}

    Process(Process&& other) noexcept;
    Process& operator=(Process&& other) noexcept;
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    // A started process that was never joined: a daemon is killed (SIGKILL) and
    // reaped; any other is joined, waiting as long as it runs (Python joins non-daemon
    // children at exit). Never leaves a zombie.
    ~Process();

    // Flushes stdio and forks; the child runs the target. Throws std::logic_error when
    // already started, std::system_error("fork") when fork fails.
    void start();

    // Blocks until the process exits and reaps it. Requires start().
    void join();
    // Waits at most `timeout`; true when the process has exited (and is reaped),
    // false when it is still running. Sleeps on a pidfd, no busy polling (Linux;
    // elsewhere a waitpid poll with backoff).
    bool join(std::chrono::nanoseconds timeout);

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

    const std::string& name() const noexcept { return name_; }
    void set_name(std::string name) { name_ = std::move(name); }
    bool daemon() const noexcept { return daemon_; }
    // Requires: not started yet (std::logic_error otherwise).
    void set_daemon(bool daemon);

private:
    static int next_number();
    void send_signal(int signal);
    void record_exit(int status);
    void release() noexcept;

    std::function<int()> target_;
    std::string name_;
    bool daemon_ = false;
    bool started_ = false;
    pid_t pid_ = 0;
    int pidfd_ = -1;
    std::optional<int> exitcode_;
};

}  // namespace mp::pool
