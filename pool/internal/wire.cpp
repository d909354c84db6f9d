#include "pool/internal/wire.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace mp::pool::internal {

namespace {

// A frame longer than this is a corrupted stream, not a message.
constexpr std::uint64_t kMaxFrame = std::uint64_t{1} << 40;

[[noreturn]] void throw_errno(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

}  // namespace

void send_frame(int fd, std::span<const std::byte> head, std::span<const std::byte> body) {
    std::uint64_t size = head.size() + body.size();
    iovec parts[3] = {{&size, sizeof size},
                      {const_cast<std::byte*>(head.data()), head.size()},
                      {const_cast<std::byte*>(body.data()), body.size()}};
    iovec* next = parts;
    std::size_t count = 3;
    while (count > 0) {
        msghdr message{};
        message.msg_iov = next;
        message.msg_iovlen = count;
        ssize_t sent = sendmsg(fd, &message, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) continue;
            throw_errno("send");
        }
        while (count > 0 && static_cast<std::size_t>(sent) >= next->iov_len) {
            sent -= static_cast<ssize_t>(next->iov_len);
            ++next;
            --count;
        }
        if (count > 0) {
            next->iov_base = static_cast<char*>(next->iov_base) + sent;
            next->iov_len -= static_cast<std::size_t>(sent);
        }
    }
}

namespace {

// Reads exactly `size` bytes; false on EOF before the first byte.
bool recv_exactly(int fd, void* data, std::size_t size) {
    std::size_t filled = 0;
    while (filled < size) {
        const ssize_t n = recv(fd, static_cast<char*>(data) + filled, size - filled, 0);
        if (n > 0) {
            filled += static_cast<std::size_t>(n);
        } else if (n == 0) {
            if (filled == 0) return false;
            errno = EPIPE;
            throw_errno("recv: frame cut short");
        } else if (errno != EINTR) {
            throw_errno("recv");
        }
    }
    return true;
}

}  // namespace

bool recv_frame(int fd, Bytes& body) {
    std::uint64_t size = 0;
    if (!recv_exactly(fd, &size, sizeof size)) return false;
    if (size > kMaxFrame) throw std::runtime_error("recv: corrupted frame length");
    body.resize(size);
    if (size > 0 && !recv_exactly(fd, body.data(), size)) {
        errno = EPIPE;
        throw_errno("recv: frame cut short");
    }
    return true;
}

bool FrameReader::pump(int fd, std::vector<Bytes>& frames) {
    for (;;) {
        void* target;
        std::size_t want;
        if (!in_body_) {
            target = header_ + header_filled_;
            want = sizeof header_ - header_filled_;
        } else {
            target = body_.data() + body_filled_;
            want = body_.size() - body_filled_;
        }
        ssize_t n = 0;
        if (want > 0) {
            n = recv(fd, target, want, MSG_DONTWAIT);
            if (n == 0) return false;
            if (n < 0) {
                if (errno == EINTR) continue;
                return errno == EAGAIN || errno == EWOULDBLOCK;
            }
        }
        if (!in_body_) {
            header_filled_ += static_cast<std::size_t>(n);
            if (header_filled_ < sizeof header_) continue;
            std::uint64_t size;
            std::memcpy(&size, header_, sizeof size);
            if (size > kMaxFrame) return false;
            body_.assign(size, std::byte{0});
            body_filled_ = 0;
            header_filled_ = 0;
            in_body_ = true;
        } else {
            body_filled_ += static_cast<std::size_t>(n);
        }
        if (in_body_ && body_filled_ == body_.size()) {
            frames.push_back(std::move(body_));
            body_ = Bytes();
            in_body_ = false;
        }
    }
}

Writer& Writer::raw(const void* data, std::size_t size) {
    const auto* first = static_cast<const std::byte*>(data);
    bytes_.insert(bytes_.end(), first, first + size);
    return *this;
}

std::span<const std::byte> Reader::take(std::size_t size) {
    if (size > bytes_.size()) throw std::runtime_error("pool: malformed message from a worker");
    const auto part = bytes_.first(size);
    bytes_ = bytes_.subspan(size);
    return part;
}

std::uint32_t Reader::u32() {
    std::uint32_t value;
    std::memcpy(&value, take(sizeof value).data(), sizeof value);
    return value;
}

std::uint64_t Reader::u64() {
    std::uint64_t value;
    std::memcpy(&value, take(sizeof value).data(), sizeof value);
    return value;
}

std::string Reader::text(std::size_t size) {
    const auto part = take(size);
    return std::string(reinterpret_cast<const char*>(part.data()), part.size());
}

}  // namespace mp::pool::internal
