#include "threadpool/green/child.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>
#include <system_error>

#if defined(__linux__)
#include <sys/signalfd.h>
#endif

#include "threadpool/green/hub.hpp"

namespace mp::threadpool::green {

namespace {

using namespace std::chrono_literals;

[[noreturn]] void fail_on_child(const char* call, pid_t pid) {
    throw std::system_error(errno, std::generic_category(), std::string(call) + "(" + std::to_string(pid) + ")");
}

[[noreturn]] void lacking(const char* call, pid_t pid) {
    errno = ENOSYS;
    fail_on_child(call, pid);
}

// waitpid without blocking: true and `status` once the child ended.
bool reaped(pid_t pid, int& status) {
    for (;;) {
        const pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid) return true;
        if (got == 0) return false;
        if (errno != EINTR) fail_on_child("waitpid", pid);
    }
}

struct CloseFd {
    int fd;
    ~CloseFd() { close(fd); }
};

// Through a pidfd: false (nothing waited) when the kernel has no pidfd_open.
bool wait_pidfd([[maybe_unused]] pid_t pid, [[maybe_unused]] int& status) {
#if defined(SYS_pidfd_open)
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) {
        if (errno == ENOSYS) return false;
        fail_on_child("pidfd_open", pid);
    }
    CloseFd closer{pidfd};
    while (!reaped(pid, status)) Hub::current().wait_fd(pidfd, POLLIN);
    return true;
#else
    return false;
#endif
}

#if defined(__linux__)
// SIGCHLD blocked in this thread while any of its greenlets waits through a signalfd:
// the first blocks it, the last restores the mask the thread had.
thread_local int t_sigchld_waiters = 0;
thread_local sigset_t t_mask_before;

struct BlockSigchld {
    explicit BlockSigchld(pid_t pid) {
        if (t_sigchld_waiters == 0) {
            sigset_t chld;
            sigemptyset(&chld);
            sigaddset(&chld, SIGCHLD);
            if (const int error = pthread_sigmask(SIG_BLOCK, &chld, &t_mask_before); error != 0) {
                errno = error;
                fail_on_child("pthread_sigmask", pid);
            }
        }
        ++t_sigchld_waiters;
    }
    ~BlockSigchld() {
        if (--t_sigchld_waiters == 0) pthread_sigmask(SIG_SETMASK, &t_mask_before, nullptr);
    }
    BlockSigchld(const BlockSigchld&) = delete;
    BlockSigchld& operator=(const BlockSigchld&) = delete;
};
#endif

// Through SIGCHLD read from a signalfd: false when the system has no signalfd.
bool wait_sigchld([[maybe_unused]] pid_t pid, [[maybe_unused]] int& status) {
#if defined(__linux__)
    BlockSigchld blocked(pid);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    const int fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) fail_on_child("signalfd", pid);
    CloseFd closer{fd};
    Hub& hub = Hub::current();
    while (!reaped(pid, status)) {
        // A signal another thread took, or another waiter of this thread read, is not
        // seen here: the bounded wait makes up for it.
        hub.wait_fd(fd, POLLIN, mp::threadpool::internal::deadline_after(50ms));
        signalfd_siginfo info;
        while (read(fd, &info, sizeof info) > 0) {
        }
    }
    return true;
#else
    return false;
#endif
}

}  // namespace

int wait_child(pid_t pid, ChildWatch how) {
    int status = 0;
    if (reaped(pid, status)) return status;
    switch (how) {
    case ChildWatch::pidfd:
        if (!wait_pidfd(pid, status)) lacking("pidfd_open", pid);
        return status;
    case ChildWatch::sigchld:
        if (!wait_sigchld(pid, status)) lacking("signalfd", pid);
        return status;
    case ChildWatch::best:
        break;
    }
    if (wait_pidfd(pid, status) || wait_sigchld(pid, status)) return status;
    auto pause = 1ms;
    while (!reaped(pid, status)) {
        sleep(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(50ms));
    }
    return status;
}

}  // namespace mp::threadpool::green
