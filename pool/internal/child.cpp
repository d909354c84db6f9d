#include "pool/internal/child.hpp"

#include <cxxabi.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <system_error>
#include <thread>
#include <typeinfo>

namespace mp::pool::internal {

namespace {

// Filled in at load time, not at the first call (see exit_child); volatile, so that
// the compiler calls through it rather than calling _exit directly.
void (*volatile const load_time_exit)(int) = _exit;

// Calls, once in this process, each library function that otherwise only its
// children call (a worker's close_range, the fork server's signal-mask calls and
// errno), so that every child inherits it bound (see exit_child). No call changes
// anything. A call missing here costs only time.
void bind_child_calls() {
    static const bool bound = [] {
        close_range(~0u, ~0u, 0);  // closes nothing: no fd is that high
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        sigdelset(&set, SIGCHLD);
        sigprocmask(SIG_BLOCK, nullptr, &set);  // reads the mask only
        const volatile int last_error = errno;
        (void)last_error;
        return true;
    }();
    (void)bound;
}

}  // namespace

void exit_child(int code) {
    load_time_exit(code);
    __builtin_unreachable();  // _exit does not return
}

pid_t fork_flushed() {
    bind_child_calls();
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
    return pid;
}

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
    return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));  // PIDFD flags: none; always O_CLOEXEC
#else
    (void)pid;
    return -1;
#endif
}

void signal_pidfd(int pidfd, int signal) {
#ifdef SYS_pidfd_send_signal
    syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0);
#else
    (void)pidfd;
    (void)signal;
#endif
}

std::optional<int> try_reap(pid_t pid) {
    int status = 0;
    for (;;) {
        const pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid) return status;
        if (got == 0) return std::nullopt;
        if (errno != EINTR)
            throw std::system_error(errno, std::generic_category(), "waitpid(" + std::to_string(pid) + ")");
    }
}

namespace {

int millis_until(std::optional<Clock::time_point> deadline) {
    if (!deadline) return -1;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

}  // namespace

std::optional<int> wait_for_exit(pid_t pid, int pidfd, std::optional<Clock::time_point> deadline) {
    if (!deadline) {
        int status = 0;
        while (waitpid(pid, &status, 0) < 0)
            if (errno != EINTR)
                throw std::system_error(errno, std::generic_category(), "waitpid(" + std::to_string(pid) + ")");
        return status;
    }
    auto backoff = std::chrono::microseconds(100);
    for (;;) {
        if (auto status = try_reap(pid)) return status;
        const int wait_ms = millis_until(deadline);
        if (wait_ms == 0) return std::nullopt;
        if (pidfd >= 0) {
            pollfd entry{pidfd, POLLIN, 0};
            if (poll(&entry, 1, wait_ms) < 0 && errno != EINTR)
                throw std::system_error(errno, std::generic_category(), "poll(pidfd)");
        } else {
            // No pidfd: nothing to sleep on, so poll with a growing backoff.
            std::this_thread::sleep_for(std::min(backoff, std::chrono::microseconds(wait_ms < 0 ? 1 << 30 : wait_ms * 1000)));
            backoff = std::min(backoff * 2, decltype(backoff)(20000));
        }
    }
}

int exitcode_of(int status) {
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return WEXITSTATUS(status);
}

std::string demangle(const char* mangled) {
    int error = 0;
    std::unique_ptr<char, void (*)(void*)> plain(abi::__cxa_demangle(mangled, nullptr, nullptr, &error), std::free);
    return error == 0 && plain ? std::string(plain.get()) : std::string(mangled);
}

ExceptionText current_exception_text() {
    try {
        throw;
    } catch (const std::system_error& error) {
        ExceptionText text{demangle(typeid(error).name()), error.what(), error.code().value(),
                           error.code().category() == std::system_category()};
        const std::string own_text = error.code().message();
        if (text.message == own_text) text.message.clear();  // built without a what argument
        else if (text.message.ends_with(": " + own_text)) text.message.resize(text.message.size() - own_text.size() - 2);
        return text;
    } catch (const std::exception& error) {
        return {demangle(typeid(error).name()), error.what()};
    } catch (...) {
        const std::type_info* type = abi::__cxa_current_exception_type();
        return {type != nullptr ? demangle(type->name()) : "unknown exception", ""};
    }
}

}  // namespace mp::pool::internal
