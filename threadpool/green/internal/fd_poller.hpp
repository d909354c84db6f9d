// How a Hub learns that fds became ready: epoll (epoll_poller.cpp) where the system
// has it, poll(2) (poll_poller.cpp) on any POSIX system. The hub keeps who waits for
// which fd; a poller only watches the events it is told and reports them.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace mp::threadpool::green::internal {

class FdPoller {
public:
    virtual ~FdPoller() = default;

    // Reports `events` (POLLIN, POLLOUT) of `fd` at a coming wait, once: after a
    // report the fd is watched no more until the next watch. False when the fd cannot
    // be watched (a regular file under epoll): it counts as always ready.
    virtual bool watch(int fd, std::uint32_t events) = 0;

    // Waits up to `timeout_ms` (-1: no limit) and appends each ready fd with what it
    // got: POLLIN, POLLOUT, or POLLERR for an error, a hang-up or a closed fd. Returns
    // with nothing when a signal interrupted the wait. Throws std::system_error
    // naming the call.
    using Ready = std::vector<std::pair<int, std::uint32_t>>;
    virtual void wait(int timeout_ms, Ready& ready) = 0;
};

// make_epoll_poller throws std::invalid_argument on a build without epoll.
std::unique_ptr<FdPoller> make_epoll_poller();
std::unique_ptr<FdPoller> make_poll_poller();

}  // namespace mp::threadpool::green::internal
