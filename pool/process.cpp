#include "pool/process.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "pool/internal/child.hpp"
#include "pool/internal/process_registry.hpp"

namespace mp::pool {

Process::Process(Process&& other) noexcept
    : target_(std::move(other.target_)),
      identity_(std::move(other.identity_)),
      name_(std::move(other.name_)),
      daemon_(other.daemon_),
      started_(other.started_),
      pid_(std::exchange(other.pid_, 0)),
      pidfd_(std::exchange(other.pidfd_, -1)),
      exitcode_(other.exitcode_) {}

Process& Process::operator=(Process&& other) noexcept {
    if (this != &other) {
        release();
        target_ = std::move(other.target_);
        identity_ = std::move(other.identity_);
        name_ = std::move(other.name_);
        daemon_ = other.daemon_;
        started_ = other.started_;
        pid_ = std::exchange(other.pid_, 0);
        pidfd_ = std::exchange(other.pidfd_, -1);
        exitcode_ = other.exitcode_;
    }
    return *this;
}

Process::~Process() { release(); }

void Process::release() noexcept {
    if (pid_ > 0 && !exitcode_) internal::registry_hand_over(pid_);
    if (pidfd_ >= 0) close(pidfd_);
    pidfd_ = -1;
}

namespace {

// mp::pool::exit on the thread running a Process target: carries the code out.
struct ExitRequest {
    int code;
};
thread_local bool running_process_target = false;

}  // namespace

void exit(int code) {
    if (running_process_target) throw ExitRequest{code};
    std::fflush(nullptr);
    std::exit(code);
}

std::vector<ActiveChild> active_children() {
    std::vector<ActiveChild> live;
    for (internal::ChildRecord& child : internal::registry_live_children())
        live.push_back({child.pid, std::move(child.name), child.daemon});
    return live;
}

void Process::start() {
    if (started_) throw std::logic_error("pool: Process::start: " + name_ + " was already started");
    const pid_t parent = getpid();
    const pid_t pid = internal::fork_flushed();
    if (pid == 0) {
        internal::registry_forget_after_fork();
        internal::become_child(name_, identity_, parent);
        running_process_target = true;
        int code = 0;
        try {
            target_();
        } catch (const ExitRequest& request) {
            code = request.code;
        } catch (...) {
            const internal::ExceptionText error = internal::current_exception_text();
            std::fprintf(stderr, "Process %s: uncaught %s: %s\n", name_.c_str(), error.type_name.c_str(),
                         error.message.c_str());
            code = 1;
        }
        running_process_target = false;
        std::fflush(nullptr);
        internal::registry_settle();
        internal::exit_child(code & 0xff);
    }
    started_ = true;
    pid_ = pid;
    internal::registry_add(pid, name_, daemon_);
}

void Process::record_exit(int status) {
    internal::registry_remove(pid_);
    exitcode_ = internal::exitcode_of(status);
    if (pidfd_ >= 0) close(pidfd_);
    pidfd_ = -1;
}

void Process::join() {
    if (!started_) throw std::logic_error("pool: Process::join: " + name_ + " was not started");
    if (exitcode_) return;
    record_exit(*internal::wait_for_exit(pid_, pidfd_, std::nullopt));
}

bool Process::join_until(sync::internal::SteadyTime deadline) {
    if (!started_) throw std::logic_error("pool: Process::join_for: " + name_ + " was not started");
    if (exitcode_) return true;
    if (deadline == sync::internal::kNoDeadline) {
        join();
        return true;
    }
    // Opened on first need: until we reap it, the pid cannot name another process.
    if (pidfd_ < 0) pidfd_ = internal::open_pidfd(pid_);
    const std::optional<int> status = internal::wait_for_exit(pid_, pidfd_, deadline);
    if (status) record_exit(*status);
    return status.has_value();
}

bool Process::is_alive() {
    if (!started_ || exitcode_) return false;
    return !join_for(std::chrono::nanoseconds(0));
}

void Process::send_signal(int signal) {
    // Once reaped, the pid may belong to someone else: never signal it then.
    if (pid_ > 0 && !exitcode_) ::kill(pid_, signal);
}

void Process::terminate() { send_signal(SIGTERM); }
void Process::kill() { send_signal(SIGKILL); }

void Process::set_daemon(bool daemon) {
    if (started_) throw std::logic_error("pool: Process::set_daemon: " + name_ + " was already started");
    daemon_ = daemon;
}

}  // namespace mp::pool
