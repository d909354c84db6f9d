#include "subproc/internal/exit_watch.hpp"

#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace mp::subproc::internal {

Deadline deadline_after(Timeout timeout) {
    if (!timeout) return std::nullopt;
    const auto now = Clock::now();
    if (*timeout >= Clock::time_point::max() - now) return std::nullopt;  // beyond the clock: no limit
    return now + *timeout;
}

int poll_timeout_ms(Deadline deadline, int cap) {
    if (!deadline) return cap;
    const auto left = *deadline - Clock::now();
    if (left <= Clock::duration::zero()) return 0;
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    const int bounded = ms > 1000000 ? 1000000 : static_cast<int>(ms);
    return cap >= 0 && cap < bounded ? cap : bounded;
}

bool passed(Deadline deadline) { return deadline && Clock::now() >= *deadline; }

int ExitWatch::fd() {
    if (!pidfd_tried_) {
        pidfd_tried_ = true;
#ifdef SYS_pidfd_open
        const long fd = ::syscall(SYS_pidfd_open, pid_, 0);  // close-on-exec by definition
        if (fd >= 0) pidfd_.reset(static_cast<int>(fd));
#endif
    }
    return pidfd_.get();
}

bool ExitWatch::exited() const {
    siginfo_t info{};
    int result;
    do result = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
    while (result < 0 && errno == EINTR);
    if (result < 0) return errno == ECHILD;
    return info.si_pid != 0;
}

bool ExitWatch::wait_until(Deadline deadline) {
    Backoff backoff;
    for (;;) {
        if (exited()) return true;
        if (passed(deadline)) return false;
        const int pidfd = fd();
        if (pidfd >= 0) {
            pollfd entry{pidfd, POLLIN, 0};
            ::poll(&entry, 1, poll_timeout_ms(deadline));  // EINTR: loop and check again
        } else {
            const int ms = poll_timeout_ms(deadline, backoff.next_ms());
            ::poll(nullptr, 0, ms);
        }
    }
}

}  // namespace mp::subproc::internal
