// Cooperative I/O: the calls of a gevent socket, on plain fds. The fd must be
// non-blocking (O_NONBLOCK; accept() makes its sockets so): each call tries the
// syscall and, while it would block, waits in the hub for the fd to become ready,
// so the other greenlets run meanwhile. A blocking fd blocks the whole thread.
// Errors: std::system_error naming the call and the fd; EINTR is retried. A call is
// bounded by a Timeout guard (timeout.hpp) around it.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>

#include "threadpool/errors.hpp"
#include "threadpool/green/hub.hpp"

namespace mp::threadpool::green {

// Blocks the calling greenlet until `fd` is readable / writable (or has an error or a
// hang-up, which the next call reports). The timeout forms throw TimeoutError.
void wait_readable(int fd);
void wait_writable(int fd);
template <class Rep, class Period>
void wait_readable(int fd, std::chrono::duration<Rep, Period> timeout) {
    if (!Hub::current().wait_fd(fd, POLLIN, mp::threadpool::internal::deadline_after(timeout)))
        throw TimeoutError("green: wait_readable: fd " + std::to_string(fd) + " not readable in time");
}
template <class Rep, class Period>
void wait_writable(int fd, std::chrono::duration<Rep, Period> timeout) {
    if (!Hub::current().wait_fd(fd, POLLOUT, mp::threadpool::internal::deadline_after(timeout)))
        throw TimeoutError("green: wait_writable: fd " + std::to_string(fd) + " not writable in time");
}

// What is there, at least one byte (waiting for it); 0 at end of file.
std::size_t read(int fd, void* buffer, std::size_t size);
std::size_t recv(int fd, void* buffer, std::size_t size, int flags = 0);
// All of `size` bytes (waiting for room as needed), like gevent's sendall; send adds
// MSG_NOSIGNAL (a closed peer is EPIPE, not SIGPIPE).
void write(int fd, const void* buffer, std::size_t size);
void send(int fd, const void* buffer, std::size_t size, int flags = 0);
// A connection on `listen_fd`: a new fd, non-blocking and close-on-exec, owned by the
// caller. `peer` and `length` as accept(2)'s.
int accept(int listen_fd, sockaddr* peer = nullptr, socklen_t* length = nullptr);
// Connects the non-blocking socket `fd`; throws std::system_error("connect") with the
// connection's error (ECONNREFUSED ...).
void connect(int fd, const sockaddr* address, socklen_t length);

}  // namespace mp::threadpool::green
