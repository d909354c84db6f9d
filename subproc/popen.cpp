#include "subproc/popen.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "subproc/internal/spawn.hpp"

extern char** environ;

namespace mp::subproc {

namespace {

using internal::UniqueFd;

void reject_run_only_options(const Options& options) {
    if (options.input || options.capture_output || options.timeout || options.check)
        throw std::invalid_argument(
            "subproc: input, capture_output, timeout and check are options of run() and pipeline(); "
            "Popen takes them as arguments of communicate() and wait()");
}

// One of the child's stdio fds: what it becomes in the child, and our end of it.
struct StdioPlan {
    UniqueFd child_end;  // ours to close once the child has its copy
    UniqueFd parent_end; // a pipe end we keep
    int source = -1;     // the fd the child gets; -1: inherit ours
};

StdioPlan plan_stream(const Stream& stream, int target) {
    static const char* const names[] = {"stdin", "stdout", "stderr"};
    const bool input = target == 0;
    StdioPlan plan;
    auto misuse = [&](const char* what) {
        throw std::invalid_argument(std::string("subproc: ") + what + " is not valid for " + names[target]);
    };
    switch (stream.kind()) {
        case Stream::Kind::inherit: break;
        case Stream::Kind::pipe: {
            internal::PipeEnds pipe = internal::make_pipe();
            plan.child_end = std::move(input ? pipe.read : pipe.write);
            plan.parent_end = std::move(input ? pipe.write : pipe.read);
            break;
        }
        case Stream::Kind::devnull:
            plan.child_end = internal::open_file("/dev/null", input ? O_RDONLY : O_WRONLY);
            break;
        case Stream::Kind::fd:
            if (stream.borrowed_fd() < 0) misuse("a negative fd");
            plan.source = stream.borrowed_fd();
            break;
        case Stream::Kind::read_file:
            if (!input) misuse("read_from()");
            plan.child_end = internal::open_file(stream.path(), O_RDONLY);
            break;
        case Stream::Kind::write_file:
            if (input) misuse("write_to()");
            plan.child_end = internal::open_file(stream.path(), O_WRONLY | O_CREAT | O_TRUNC);
            break;
        case Stream::Kind::append_file:
            if (input) misuse("append_to()");
            plan.child_end = internal::open_file(stream.path(), O_WRONLY | O_CREAT | O_APPEND);
            break;
        case Stream::Kind::to_stdout:
            if (target != 2) misuse("STDOUT");
            break;  // resolved by the caller, who knows where stdout goes
    }
    if (plan.child_end) plan.source = plan.child_end.get();
    return plan;
}

Environment current_environment() {
    Environment env;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const char* equals = std::strchr(*entry, '=');
        if (equals != nullptr) env.emplace(std::string(*entry, static_cast<std::size_t>(equals - *entry)), std::string(equals + 1));
    }
    return env;
}

std::optional<std::vector<std::string>> child_environment(const Options& options) {
    if (!options.env && options.extra_env.empty()) return std::nullopt;  // ours, as is
    Environment merged = options.env ? *options.env : current_environment();
    for (const auto& [name, value] : options.extra_env) merged[name] = value;
    std::vector<std::string> entries;
    entries.reserve(merged.size());
    for (const auto& [name, value] : merged) entries.push_back(name + "=" + value);
    return entries;
}

}  // namespace

Popen::Popen(std::vector<std::string> args, Options options)
    : args_(std::move(args)),
      group_(options.group),
      on_destroy_(options.on_destroy),
      stop_(options.stop),
      wait_delay_(options.wait_delay) {
    if (args_.empty()) throw std::invalid_argument("subproc: empty command");
    reject_run_only_options(options);

    internal::SpawnRequest request;
    if (options.shell) {
        request.argv = {"/bin/sh", "-c"};
        request.argv.insert(request.argv.end(), args_.begin(), args_.end());
    } else {
        request.argv = args_;
    }
    request.env = child_environment(options);
    StdioPlan in = plan_stream(options.in, 0);
    StdioPlan out = plan_stream(options.out, 1);
    StdioPlan err = plan_stream(options.err, 2);
    if (options.err.kind() == Stream::Kind::to_stdout) err.source = out.source >= 0 ? out.source : 1;
    request.stdio[0] = in.source;
    request.stdio[1] = out.source;
    request.stdio[2] = err.source;
    request.pass_fds = options.pass_fds;
    request.close_fds = options.close_fds;
    request.cwd = options.cwd;
    request.group = options.group;
    request.umask = options.umask;
    request.die_with_parent = options.die_with_parent;
    request.preexec_fn = std::move(options.preexec_fn);

    // Our ends are set up first: nothing may throw once a child exists.
    stdout_piped_ = static_cast<bool>(out.parent_end);
    channels_.adopt(std::move(in.parent_end), std::move(out.parent_end), std::move(err.parent_end));
    pid_ = internal::spawn(request);
    // in/out/err.child_end close here: from now on only the child holds them.
}

Popen::~Popen() {
    if (pid_ < 0 || returncode_) return;
    try {
        if (on_destroy_ == OnDestroy::stop) {
            stop();
        } else {
            channels_.close_all();
            watch().wait_until(std::nullopt);
            reap();
        }
    } catch (...) {
        // A destructor cannot report; stop() only throws when the OS refuses a
        // wait, and then there is nothing left to do.
    }
}

Popen::Popen(Popen&& other) noexcept
    : args_(std::move(other.args_)),
      pid_(std::exchange(other.pid_, -1)),
      group_(other.group_),
      on_destroy_(other.on_destroy_),
      stop_(other.stop_),
      wait_delay_(other.wait_delay_),
      returncode_(other.returncode_),
      communication_started_(other.communication_started_),
      stdout_piped_(other.stdout_piped_),
      channels_(std::move(other.channels_)),
      watch_(std::move(other.watch_)),
      status_hold_(std::move(other.status_hold_)) {}

Popen& Popen::operator=(Popen&& other) noexcept {
    // Stopping our own child first is exactly the destructor's job; then we become
    // the moved-from object's twin, as the move constructor makes it.
    if (this != &other) {
        this->~Popen();
        new (this) Popen(std::move(other));
    }
    return *this;
}

internal::ExitWatch& Popen::watch() {
    if (!watch_) watch_.emplace(pid_);
    return *watch_;
}

TimeoutExpired Popen::timeout_error(Timeout timeout) const {
    return TimeoutExpired(args_, timeout.value_or(std::chrono::nanoseconds(0)),
                          channels_.out_data.substr(channels_.out_consumed), channels_.err_data);
}

void Popen::reap() {
    // waitpid(-1) would reap someone else's child.
    if (pid_ <= 0) throw std::logic_error("subproc: this Popen has no child (moved from)");
    int status = 0;
    pid_t result;
    do result = ::waitpid(pid_, &status, 0);
    while (result < 0 && errno == EINTR);
    record_wait(result, status);
}

void Popen::record_wait(pid_t result, int status) {
    // ECHILD: someone else's waitpid(-1) took the child and its status with it.
    // (SIGCHLD ignored cannot be the cause: status_hold_ resets it while we wait.)
    if (result < 0) {
        const int error = errno;
        if (error != ECHILD) internal::throw_errno("waitpid(" + std::to_string(pid_) + ")");
        status_hold_.release();
        watch_.reset();
        throw std::system_error(error, std::generic_category(),
                                "waitpid(" + std::to_string(pid_) + "): the exit status is lost (reaped elsewhere)");
    }
    if (result != pid_) return;
    returncode_ = WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
    status_hold_.release();
    watch_.reset();
}

Output Popen::communicate(std::string_view input, Timeout timeout) {
    const internal::Deadline deadline = internal::deadline_after(timeout);
    if (!communication_started_) {
        communication_started_ = true;
        if (!input.empty()) {
            if (!channels_.in) throw std::invalid_argument("subproc: communicate() input needs in = PIPE");
            channels_.input = input;
        }
    }
    if (!internal::pump(channels_, internal::Until::all_closed, deadline)) {
        channels_.keep_input();
        throw timeout_error(timeout);
    }
    if (!returncode_) {
        if (timeout && !watch().wait_until(deadline)) throw timeout_error(timeout);
        reap();
    }
    return {channels_.take_out(), channels_.take_err()};
}

int Popen::wait(Timeout timeout) {
    if (returncode_) return *returncode_;
    const internal::Deadline deadline = internal::deadline_after(timeout);
    bool exited = true;
    if (channels_.outputs_open()) exited = internal::pump(channels_, internal::Until::exited, deadline, &watch());
    else if (timeout) exited = watch().wait_until(deadline);
    if (!exited) throw TimeoutExpired(args_, *timeout);
    reap();
    return *returncode_;
}

std::optional<int> Popen::poll() {
    if (returncode_ || pid_ < 0) return returncode_;
    int status = 0;
    pid_t result;
    do result = ::waitpid(pid_, &status, WNOHANG);
    while (result < 0 && errno == EINTR);
    record_wait(result, status);
    return returncode_;
}

std::optional<std::string> Popen::readline(Timeout timeout) {
    if (!stdout_piped_) throw std::logic_error("subproc: readline() needs out = PIPE");
    internal::Channels& c = channels_;
    if (!internal::pump(c, internal::Until::line_ready, internal::deadline_after(timeout)))
        throw TimeoutExpired(args_, *timeout);
    const std::size_t left = c.out_data.size() - c.out_consumed;
    if (left == 0) return std::nullopt;
    const char* start = c.out_data.data() + c.out_consumed;
    const void* newline = std::memchr(start, '\n', left);
    const std::size_t length = newline != nullptr ? static_cast<std::size_t>(static_cast<const char*>(newline) - start) : left;
    std::string line(start, length);
    c.out_consumed += newline != nullptr ? length + 1 : length;
    // Drop what has been consumed once it is the bigger part of the buffer.
    if (c.out_consumed > 65536 && c.out_consumed * 2 > c.out_data.size()) {
        c.out_data.erase(0, c.out_consumed);
        c.out_consumed = 0;
    }
    return line;
}

pid_t Popen::signal_target(Scope scope) const {
    if (scope == Scope::process) return pid_;
    switch (group_.kind()) {
        case Group::Kind::own:
        case Group::Kind::session: return -pid_;
        case Group::Kind::join: return -group_.pgid();
        case Group::Kind::inherit: break;
    }
    throw std::invalid_argument("subproc: the child shares our process group; signal the process instead");
}

Scope Popen::widest_scope() const {
    const Group::Kind kind = group_.kind();
    return kind == Group::Kind::own || kind == Group::Kind::session ? Scope::group : Scope::process;
}

void Popen::send_signal(int signal, Scope scope) {
    if (pid_ < 0 || returncode_) return;
    // Unreaped, the child (or its zombie) still holds its pid and group id.
    if (::kill(signal_target(scope), signal) != 0 && errno != ESRCH)
        internal::throw_errno("kill(" + std::to_string(signal_target(scope)) + ", " + signal_name(signal) + ")");
}

int Popen::stop() {
    if (pid_ < 0) return 0;
    if (returncode_) return *returncode_;
    channels_.close_all();
    if (!watch().wait_until(internal::deadline_after(stop_.wait))) {
        const Scope scope = widest_scope();
        send_signal(stop_.signal, scope);
        watch().wait_until(internal::deadline_after(stop_.grace));
        // Also when the child has gone: group members that outlived it die with it.
        send_signal(SIGKILL, scope);
        send_signal(SIGKILL, Scope::process);
    }
    reap();
    return *returncode_;
}

Output Popen::kill_and_collect() {
    send_signal(SIGKILL, widest_scope());
    send_signal(SIGKILL, Scope::process);  // in case it left its group
    channels_.in.reset();
    channels_.input = {};
    internal::pump(channels_, internal::Until::all_closed, internal::deadline_after(wait_delay_));
    channels_.close_all();
    if (!returncode_) reap();
    return {channels_.take_out(), channels_.take_err()};
}

}  // namespace mp::subproc
