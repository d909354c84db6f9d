#include "bin/pool_input.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace mp::tools::pool {

namespace {

// One write's worth of a file range: a pipe takes at most its capacity at once.
constexpr std::size_t kPiece = 1 << 20;

// The file range through our memory, where splice() cannot be used.
ssize_t copy_range(int file, off_t at, std::size_t length, int fd) {
    char buffer[64 * 1024];
    const ssize_t got = ::pread(file, buffer, std::min(length, sizeof buffer), at);
    if (got <= 0) return got;  // 0: the file shrank under us, as splice() says it
    return ::write(fd, buffer, static_cast<std::size_t>(got));  // what it did not take is read again
}

}  // namespace

JobInput JobInput::bytes(std::string data) {
    JobInput input;
    input.data_ = std::move(data);
    return input;
}

JobInput JobInput::file_range(int fd, off_t offset, std::size_t length) {
    JobInput input;
    input.file_ = fd;
    input.offset_ = offset;
    input.length_ = length;
    return input;
}

ssize_t JobInput::write_to(int fd, std::size_t from) const {
    if (file_ < 0) return ::write(fd, data_.data() + from, data_.size() - from);
    off_t at = offset_ + static_cast<off_t>(from);
    const std::size_t length = std::min(length_ - from, kPiece);
#ifdef SPLICE_F_NONBLOCK
    const ssize_t moved = ::splice(file_, &at, fd, nullptr, length, SPLICE_F_NONBLOCK);
    // EINVAL: a file system without splice support.
    if (moved >= 0 || errno != EINVAL) return moved;
#endif
    return copy_range(file_, at, length, fd);
}

}  // namespace mp::tools::pool
