#include "ipc/fd.hpp"

#include <unistd.h>

namespace mp::ipc {

void Fd::reset(int fd) noexcept {
    // close() is not retried on EINTR: on Linux the fd is released either way.
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

}  // namespace mp::ipc
