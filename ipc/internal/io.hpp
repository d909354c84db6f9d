// Blocking byte I/O on one fd with the project's reflexes: EINTR retried, a
// non-blocking fd waited on instead of failing, SIGPIPE never raised, and fds
// arriving by SCM_RIGHTS collected (close-on-exec) instead of lost.
#pragma once

#include <poll.h>
#include <sys/uio.h>

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "ipc/fd.hpp"
#include "sync/internal/deadline.hpp"

namespace mp::ipc::internal {

// Where the bytes go and how: sockets use sendmsg/recvmsg, pipes write/read.
struct Endpoint {
    int fd = -1;
    bool socket = false;
};

// The most descriptors one read accepts (Connection::kMaxFdsPerFrame).
inline constexpr std::size_t kMaxFdsPerRead = 64;

// Reads at most the bytes `iov` describes, filling its buffers in order (one
// readv / recvmsg); returns 0 at end of file. On a socket, descriptors that
// arrive with the bytes (close-on-exec) are appended to `received_fds`. Control
// data cut short (MSG_CTRUNC: more than kMaxFdsPerRead descriptors) or other than
// SCM_RIGHTS throws DecodeError after closing every descriptor of that read.
std::size_t read_some(Endpoint end, const iovec* iov, int iov_count, std::vector<Fd>& received_fds);

// Writes every byte described by `iov` (modified as it goes). `pass_fds` travel
// with the first bytes (sockets only). Throws BrokenPipeError when the reading end
// is closed.
void write_all(Endpoint end, iovec* iov, int iov_count, std::span<const int> pass_fds = {});

// Whether pipe writes use RWF_NOSIGNAL when the kernel has it (the default), or
// always block SIGPIPE around the write instead; tests switch it to cover both.
void use_rwf_nosignal(bool use) noexcept;

// The pipe buffer Pipe(false) asks for with F_SETPIPE_SZ (256 KiB by default);
// tests set one the kernel refuses.
std::size_t pipe_buffer_request() noexcept;
void set_pipe_buffer_request(std::size_t bytes) noexcept;

// Asks for a pipe buffer of at least `bytes` on the pipe of `fd`; whether the
// kernel agreed. It may refuse (an unprivileged user over
// /proc/sys/fs/pipe-max-size or pipe-user-pages-soft): the pipe then keeps its
// size, which costs speed, not correctness.
bool grow_pipe_buffer(int fd, std::size_t bytes) noexcept;

// Asks for a socket send buffer of at least `bytes` on `fd` (SO_SNDBUF; the kernel
// caps the request at net.core.wmem_max and doubles it for its bookkeeping). A
// larger buffer already there is kept; a failure leaves the socket as it was.
void grow_send_buffer(int fd, std::size_t bytes) noexcept;

// Waits until at least one of `fds` is readable (or at end of file / error) for at
// most `timeout`; nanoseconds::max() waits without limit. Sets each revents and
// returns whether any is ready.
bool wait_readable(std::span<pollfd> fds, sync::internal::SteadyTime deadline);

}  // namespace mp::ipc::internal
