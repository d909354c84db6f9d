// The poll(2) poller, for systems without epoll (and Backend::poll): each wait passes
// every watched fd to poll, which costs O(watched fds) per wait where epoll costs
// O(ready fds); a reported fd leaves the watch list, as an EPOLLONESHOT one is
// disarmed.
#include <poll.h>

#include <cerrno>
#include <system_error>
#include <unordered_map>

#include "threadpool/green/internal/fd_poller.hpp"

namespace mp::threadpool::green::internal {

namespace {

class PollPoller final : public FdPoller {
public:
    bool watch(int fd, std::uint32_t events) override {
        if (events == 0)
            watched_.erase(fd);
        else
            watched_[fd] = static_cast<short>(events & (POLLIN | POLLOUT));
        return true;  // poll reports a regular file as ready at once
    }

    void wait(int timeout_ms, Ready& ready) override {
        fds_.clear();
        for (const auto& [fd, events] : watched_) fds_.push_back({fd, events, 0});
        const int n = poll(fds_.data(), fds_.size(), timeout_ms);
        if (n < 0) {
            if (errno == EINTR) return;
            throw std::system_error(errno, std::generic_category(), "poll");
        }
        for (const pollfd& p : fds_) {
            if (p.revents == 0) continue;
            std::uint32_t got = p.revents & (POLLIN | POLLOUT);
            if ((p.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) got |= POLLERR;
            ready.emplace_back(p.fd, got);
            watched_.erase(p.fd);
        }
    }

private:
    std::unordered_map<int, short> watched_;
    std::vector<pollfd> fds_;  // the last wait's array, kept for its capacity
};

}  // namespace

std::unique_ptr<FdPoller> make_poll_poller() {
    return std::make_unique<PollPoller>();
}

}  // namespace mp::threadpool::green::internal
