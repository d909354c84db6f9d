#include "sync/internal/fd.hpp"

#include <unistd.h>

namespace mp::sync::internal {

void Fd::reset(int fd) noexcept {
    // close() is not retried on EINTR: on Linux the fd is released either way.
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

}  // namespace mp::sync::internal
