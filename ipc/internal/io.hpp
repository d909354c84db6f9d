// Blocking byte I/O on one fd with the project's reflexes: EINTR retried, a
// non-blocking fd waited on instead of failing, SIGPIPE never raised, and fds
// arriving by SCM_RIGHTS collected (close-on-exec) instead of lost.
#pragma once

#include <sys/uio.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "ipc/fd.hpp"

namespace mp::ipc::detail {

// Where the bytes go and how: sockets use sendmsg/recvmsg, pipes write/read.
struct Endpoint {
    int fd = -1;
    bool socket = false;
};

// Reads at most `size` bytes; returns 0 at end of file. On a socket, descriptors
// that arrive with the bytes are appended to `received_fds`.
std::size_t read_some(Endpoint end, void* data, std::size_t size, std::vector<Fd>& received_fds);

// Writes every byte described by `iov` (modified as it goes). `pass_fd`, if >= 0,
// travels with the first byte (sockets only). Throws BrokenPipeError when the
// reading end is closed.
void write_all(Endpoint end, iovec* iov, int iov_count, int pass_fd = -1);

// Waits until `fd` is readable (or at end of file / error) for at most `timeout`;
// nanoseconds::max() waits without limit. Returns whether it is.
bool wait_readable(int fd, std::chrono::nanoseconds timeout);

}  // namespace mp::ipc::detail
