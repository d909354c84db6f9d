// The epoll poller. An fd stays in the epoll set once added, EPOLLONESHOT: a report
// disarms it, and each watch re-arms it with one epoll_ctl(MOD) (a wait costs one
// system call, not an ADD and a DEL), while an fd nobody waits for cannot wake the
// loop more than once. An fd closed meanwhile has left the set by itself: MOD fails
// with ENOENT and it is added again (a new fd with the same number included).
#include "threadpool/green/internal/fd_poller.hpp"

#include <poll.h>

#include <stdexcept>

#if defined(__linux__)

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_set>

namespace mp::threadpool::green::internal {

namespace {

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

class EpollPoller final : public FdPoller {
public:
    ~EpollPoller() override {
        if (epoll_fd_ >= 0) close(epoll_fd_);
    }

    bool watch(int fd, std::uint32_t events) override {
        // Nothing to do for none: a disarmed fd stays so, an armed one reports once.
        if (events == 0) return true;
        if (epoll_fd_ < 0) {
            epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
            if (epoll_fd_ < 0) throw_errno("epoll_create1");
        }
        epoll_event ev{};
        ev.events = EPOLLONESHOT;
        if ((events & POLLIN) != 0) ev.events |= EPOLLIN | EPOLLRDHUP;
        if ((events & POLLOUT) != 0) ev.events |= EPOLLOUT;
        ev.data.fd = fd;
        if (added_.contains(fd)) {
            if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) == 0) return true;
            if (errno != ENOENT) throw_errno("epoll_ctl(MOD, fd " + std::to_string(fd) + ")");
        }
        if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0) {
            added_.insert(fd);
            return true;
        }
        if (errno == EPERM) return false;  // a regular file: always ready
        throw_errno("epoll_ctl(ADD, fd " + std::to_string(fd) + ")");
    }

    void wait(int timeout_ms, Ready& ready) override {
        if (epoll_fd_ < 0) {
            // No fd was ever watched: only the timeout can end the wait.
            if (timeout_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
            return;
        }
        epoll_event events[64];
        const int n = epoll_wait(epoll_fd_, events, 64, timeout_ms);
        if (n < 0) {
            if (errno == EINTR) return;
            throw_errno("epoll_wait");
        }
        for (int i = 0; i < n; ++i) {
            const std::uint32_t got = events[i].events;
            std::uint32_t as_poll = 0;
            if ((got & (EPOLLIN | EPOLLRDHUP)) != 0) as_poll |= POLLIN;
            if ((got & EPOLLOUT) != 0) as_poll |= POLLOUT;
            if ((got & (EPOLLERR | EPOLLHUP)) != 0) as_poll |= POLLERR;
            const int fd = events[i].data.fd;  // a copy: epoll_event is packed
            ready.emplace_back(fd, as_poll);
        }
    }

private:
    int epoll_fd_ = -1;               // made at the first watch
    std::unordered_set<int> added_;  // fds in the set (armed or not)
};

}  // namespace

std::unique_ptr<FdPoller> make_epoll_poller() {
    return std::make_unique<EpollPoller>();
}

}  // namespace mp::threadpool::green::internal

#else

namespace mp::threadpool::green::internal {

std::unique_ptr<FdPoller> make_epoll_poller() {
    throw std::invalid_argument("green: Hub: this build has no epoll backend");
}

}  // namespace mp::threadpool::green::internal

#endif
