// Popen: one child process, started at construction, owned until reaped.
//
//   Popen p({"grep", "-c", "x"}, {.in = PIPE, .out = PIPE});
//   auto [out, err] = p.communicate("x\ny\nx\n", 5s);   // out == "2\n"
//
// Operations: communicate (feed stdin, collect stdout+stderr, wait), wait, poll,
// readline / lines (stdout incrementally), send_signal / terminate / kill (the child
// or its whole group), stop (the destructor's TERM-grace-KILL sequence).
//
// Guarantees:
// - No deadlock for any output size: every blocking call (communicate, wait,
//   readline) drains all of the child's pipes into buffers while it waits.
// - Every blocking call has a timed form that throws TimeoutExpired and leaves the
//   child running; call again to continue, or kill it. A zero timeout reads what is
//   already in the pipes before it throws (see Timeout).
// - The child sees only fds 0, 1, 2 and pass_fds (close_fds); every fd we create is
//   close-on-exec.
// - A missing or non-executable program is a SpawnError thrown by the constructor,
//   never a child that exits 127 (with shell=true, 127 is the shell's answer).
// - Destroying a Popen whose child still runs closes our pipe ends and waits for
//   it, as Python's `with Popen(...)` does; with Options::on_destroy =
//   OnDestroy::stop it runs Options::stop instead (TERM, grace, KILL of its group).
//   Either way it is reaped: no zombie.
// - Not thread-safe: one thread at a time per Popen.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "subproc/errors.hpp"
#include "subproc/internal/channels.hpp"
#include "subproc/options.hpp"
#include "subproc/internal/exit_status_hold.hpp"
#include "subproc/timeout.hpp"

namespace mp::subproc {

// What communicate() collected: the child's stdout and stderr (empty when not piped).
struct Output {
    std::string out;
    std::string err;
};

// Who a signal goes to: the child alone, or the whole process group it leads
// (Group::own, Group::session) or joined (Group::join).
enum class Scope { process, group };

class LineRange;

class Popen {
public:
    // Starts `args` (args[0] is looked up in PATH unless it holds a '/'), or with
    // options.shell the command line args[0] under /bin/sh -c. Returns once the
    // program runs. Throws SpawnError (ENOENT, EACCES...), std::system_error for a
    // file of a Stream that cannot be opened, std::invalid_argument for options that
    // make no sense (run-only options, STDOUT for stdin, an empty command).
    explicit Popen(std::vector<std::string> args, Options options = {});
    ~Popen();
    Popen(Popen&& other) noexcept;
    Popen& operator=(Popen&& other) noexcept;
    Popen(const Popen&) = delete;
    Popen& operator=(const Popen&) = delete;

    // Writes `input` to stdin (stdin must be PIPE when it is not empty) and closes it,
    // reads stdout and stderr to EOF, then waits for the exit. Blocks until all of
    // that is done or `timeout` passed, and then throws TimeoutExpired holding the
    // output so far; the child keeps running and a second call (whose input is
    // ignored) continues where the first stopped. `input` is written from the
    // caller's buffer, not copied (only the unwritten rest is, on a timeout).
    // Returns the output not yet read by readline(). Note: a grandchild that keeps
    // stdout open keeps this waiting.
    Output communicate(std::string_view input = {}, Timeout timeout = {});

    // Waits for the child to exit (draining piped stdout/stderr into the buffers that
    // communicate() returns, so a chatty child cannot block) and reaps it. Returns
    // returncode(). Throws TimeoutExpired when `timeout` passes first.
    int wait(Timeout timeout = {});

    // Reaps the child if it has exited; never blocks. Returns returncode().
    std::optional<int> poll();

    // The exit status once reaped, -N when signal N ended the child, empty before.
    std::optional<int> returncode() const { return returncode_; }
    pid_t pid() const { return pid_; }
    const std::vector<std::string>& args() const { return args_; }

    // The next line of stdout (which must be PIPE) without its '\n'; the last line may
    // lack one. Empty at EOF. Buffers stderr meanwhile. Throws TimeoutExpired.
    std::optional<std::string> readline(Timeout timeout = {});
    // for (const std::string& line : p.lines()) ...: readline() until EOF.
    LineRange lines();

    // Sends `signal`; to the group needs a group of the child's own (see Group).
    // Does nothing once the child has been reaped (its pid may belong to another
    // process by then). Throws std::invalid_argument for Scope::group with
    // Group::inherit (that group is ours).
    void send_signal(int signal, Scope scope = Scope::process);
    void terminate(Scope scope = Scope::process) { send_signal(SIGTERM, scope); }
    void kill(Scope scope = Scope::process) { send_signal(SIGKILL, scope); }

    // Runs the stop sequence of Options::stop (closing our pipe ends first) and reaps.
    // Returns returncode(). Never throws for a child that is already gone.
    int stop();

    // Our end of the child's stdin, stdout or stderr pipe (-1 when not piped), for
    // callers who do their own I/O; the fd stays owned by the Popen.
    int stdin_fd() const { return channels_.in.get(); }
    int stdout_fd() const { return channels_.out.get(); }
    int stderr_fd() const { return channels_.err.get(); }
    // Closes our end of the child's stdin: the child reads EOF.
    void close_stdin() { channels_.in.reset(); }

    // What run() does on a timeout: SIGKILL to the child's group (or the child;
    // nothing once it has been reaped), reads the pipes until EOF or for at most
    // Options::wait_delay (a grandchild that left the group may hold them), closes
    // them, reaps, and returns everything not yet returned.
    Output kill_and_collect();

private:
    friend class Pipeline;
    void reap();
    // Records what waitpid(pid_) returned; throws when the child was reaped elsewhere.
    void record_wait(pid_t result, int status);
    pid_t signal_target(Scope scope) const;
    // The scope that reaches the child and everything it started, as far as we may.
    Scope widest_scope() const;
    internal::ExitWatch& watch();
    // The output not yet returned, copied, for a TimeoutExpired of a call that may
    // be repeated.
    TimeoutExpired timeout_error(Timeout timeout) const;

    std::vector<std::string> args_;
    pid_t pid_ = -1;
    Group group_ = Group::own();
    OnDestroy on_destroy_ = OnDestroy::wait;
    StopSequence stop_;
    std::chrono::milliseconds wait_delay_{0};
    std::optional<int> returncode_;
    bool communication_started_ = false;
    bool stdout_piped_ = false;
    internal::Channels channels_;
    std::optional<internal::ExitWatch> watch_;
    internal::ExitStatusHold status_hold_;  // taken before the child exists
};

// The range returned by Popen::lines(): an input range of lines (see readline).
class LineRange {
public:
    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = std::string;
        using difference_type = std::ptrdiff_t;
        using pointer = const std::string*;
        using reference = const std::string&;

        iterator() = default;
        const std::string& operator*() const { return *line_; }
        const std::string* operator->() const { return &*line_; }
        iterator& operator++() {
            line_ = popen_->readline();
            return *this;
        }
        void operator++(int) { ++*this; }
        bool operator==(std::default_sentinel_t) const { return !line_; }

    private:
        friend class LineRange;
        explicit iterator(Popen* popen) : popen_(popen), line_(popen->readline()) {}
        Popen* popen_ = nullptr;
        std::optional<std::string> line_;
    };

    explicit LineRange(Popen& popen) : popen_(&popen) {}
    iterator begin() { return iterator(popen_); }
    std::default_sentinel_t end() { return {}; }

private:
    Popen* popen_;
};

inline LineRange Popen::lines() { return LineRange(*this); }

}  // namespace mp::subproc
