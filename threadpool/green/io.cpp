#include "threadpool/green/io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace mp::threadpool::green {

namespace {

[[noreturn]] void fail_on_fd(const char* call, int fd) {
    throw std::system_error(errno, std::generic_category(), std::string(call) + "(fd " + std::to_string(fd) + ")");
}

// Runs `attempt` until it succeeds, waiting for `events` on fd while it would block.
template <class Attempt>
auto retry(const char* call, int fd, std::uint32_t events, Attempt attempt) {
    for (;;) {
        const auto n = attempt();
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) fail_on_fd(call, fd);
        Hub::current().wait_fd(fd, events);
    }
}

}  // namespace

void wait_readable(int fd) {
    Hub::current().wait_fd(fd, POLLIN);
}

void wait_writable(int fd) {
    Hub::current().wait_fd(fd, POLLOUT);
}

std::size_t read(int fd, void* buffer, std::size_t size) {
    return static_cast<std::size_t>(retry("read", fd, POLLIN, [&] { return ::read(fd, buffer, size); }));
}

std::size_t recv(int fd, void* buffer, std::size_t size, int flags) {
    return static_cast<std::size_t>(retry("recv", fd, POLLIN, [&] { return ::recv(fd, buffer, size, flags); }));
}

void write(int fd, const void* buffer, std::size_t size) {
    const char* at = static_cast<const char*>(buffer);
    while (size > 0) {
        const auto n = static_cast<std::size_t>(retry("write", fd, POLLOUT, [&] { return ::write(fd, at, size); }));
        at += n;
        size -= n;
    }
}

void send(int fd, const void* buffer, std::size_t size, int flags) {
    const char* at = static_cast<const char*>(buffer);
    while (size > 0) {
        const auto n = static_cast<std::size_t>(
            retry("send", fd, POLLOUT, [&] { return ::send(fd, at, size, flags | MSG_NOSIGNAL); }));
        at += n;
        size -= n;
    }
}

int accept(int listen_fd, sockaddr* peer, socklen_t* length) {
    return retry("accept", listen_fd, POLLIN,
                 [&] { return ::accept4(listen_fd, peer, length, SOCK_NONBLOCK | SOCK_CLOEXEC); });
}

void connect(int fd, const sockaddr* address, socklen_t length) {
    if (::connect(fd, address, length) == 0) return;
    if (errno != EINPROGRESS && errno != EINTR) fail_on_fd("connect", fd);
    // In progress (an interrupted connect goes on too): writable when it is done.
    Hub::current().wait_fd(fd, POLLOUT);
    int error = 0;
    socklen_t size = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) fail_on_fd("getsockopt(SO_ERROR)", fd);
    if (error != 0) {
        errno = error;
        fail_on_fd("connect", fd);
    }
}

}  // namespace mp::threadpool::green
