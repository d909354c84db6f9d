#include "threadpool/green/child.hpp"

#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>
#include <system_error>

#include "threadpool/green/hub.hpp"

namespace mp::threadpool::green {

namespace {

[[noreturn]] void fail(const char* call, pid_t pid) {
    throw std::system_error(errno, std::generic_category(), std::string(call) + "(" + std::to_string(pid) + ")");
}

// waitpid without blocking: true and `status` once the child ended.
bool reaped(pid_t pid, int& status) {
    for (;;) {
        const pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid) return true;
        if (got == 0) return false;
        if (errno != EINTR) fail("waitpid", pid);
    }
}

}  // namespace

int wait_child(pid_t pid) {
    int status = 0;
    if (reaped(pid, status)) return status;
#if defined(SYS_pidfd_open)
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (pidfd >= 0) {
        struct Close {
            int fd;
            ~Close() { close(fd); }
        } closer{pidfd};
        while (!reaped(pid, status)) Hub::current().wait_fd(pidfd, EPOLLIN);
        return status;
    }
    if (errno != ENOSYS) fail("pidfd_open", pid);
#endif
    auto pause = std::chrono::milliseconds(1);
    while (!reaped(pid, status)) {
        sleep(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
    return status;
}

}  // namespace mp::threadpool::green
