#include "ipc/connection.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "ipc/internal/io.hpp"

namespace mp::ipc {
namespace {

// Read-ahead: enough for dozens of small frames per read, small enough that the
// start of a large payload copied out of it costs little (the rest of a large
// payload is read straight into its destination).
constexpr std::size_t kReadAhead = 4 * 1024;
// The header: kind in the top byte, descriptor count in the next, length below.
constexpr int kKindShift = 56;
constexpr int kCountShift = 48;
constexpr std::uint64_t kLengthMask = (std::uint64_t{1} << kCountShift) - 1;
// The send buffer Pipe(true) asks for on each end. The default (208 KiB on Linux)
// holds three 64 KiB frames; twice as much lets a writer of large messages run
// further ahead, so the reader gets a whole frame per read and both sides switch
// less often (about 1 read per 64 KiB frame instead of 1.2, and half the
// context switches, in bench/ipc_bench's stream).
constexpr std::size_t kSocketSendBuffer = 256 * 1024;
// Descriptors arrive with the first bytes of their frame, so those read ahead belong
// to at most the frame being read and the next one; more means a peer sending
// descriptors outside the framing (which could otherwise fill our fd table).
static_assert(Connection::kMaxFdsPerFrame == internal::kMaxFdsPerRead, "a frame's descriptors come in one read");
constexpr std::size_t kMaxPendingFds = 2 * Connection::kMaxFdsPerFrame;

std::string describe(int fd) { return "fd " + std::to_string(fd); }

}  // namespace

Connection::Connection(Fd fd) : fd_(std::move(fd)) {
    struct stat st {};
    if (::fstat(fd_.get(), &st) < 0) internal::throw_errno("fstat(" + describe(fd_.get()) + ")");
    const int flags = ::fcntl(fd_.get(), F_GETFL);
    if (flags < 0) internal::throw_errno("fcntl(" + describe(fd_.get()) + ", F_GETFL)");
    socket_ = S_ISSOCK(st.st_mode);
    readable_ = (flags & O_ACCMODE) != O_WRONLY;
    writable_ = (flags & O_ACCMODE) != O_RDONLY;
}

void Connection::require_open(bool usable, const char* what) const {
    if (!fd_) throw std::system_error(EBADF, std::generic_category(), "ipc: " + std::string(what) + ": the connection is closed");
    if (!usable)
        throw std::system_error(EBADF, std::generic_category(),
                                "ipc: " + std::string(what) + ": the connection is " + (readable_ ? "read-only" : "write-only"));
}

void Connection::check_sendable(std::size_t length, const char* what) const {
    require_open(writable_, what);
    if (length > max_message_size_)
        throw MessageTooLarge("ipc: " + std::string(what) + ": a message of " + std::to_string(length) +
                              " bytes is over the maximum of " + std::to_string(max_message_size_));
}

void Connection::send_bytes(std::span<const std::byte> message) {
    check_sendable(message.size(), "Connection::send_bytes");
    if (message.size() <= kCoalesceLimit) {
        // Copying a small payload behind its header costs less than the kernel
        // spends on a second iovec, and a socket can then use plain send().
        send_buffer_.resize(kHeaderSize);
        send_buffer_.insert(send_buffer_.end(), message.begin(), message.end());
        write_framed(send_buffer_);
        return;
    }
    const std::uint64_t header = message.size();
    iovec iov[2] = {{const_cast<std::uint64_t*>(&header), kHeaderSize},
                    {const_cast<std::byte*>(message.data()), message.size()}};
    internal::write_all({fd_.get(), socket_}, iov, 2);
}

void Connection::send_framed(std::vector<std::byte>& framed, std::span<const int> fds) {
    const char* what = fds.size() == 1 && framed.size() == kHeaderSize ? "Connection::send_fd" : "Connection::send";
    check_sendable(framed.size() - kHeaderSize, what);
    if (!fds.empty() && !socket_)
        throw std::system_error(ENOTSOCK, std::generic_category(),
                                "ipc: " + std::string(what) + ": passing descriptors needs a socket (Pipe(true)), not a pipe");
    write_framed(framed, fds);
}

void Connection::write_framed(std::vector<std::byte>& framed, std::span<const int> fds) {
    std::uint64_t header = framed.size() - kHeaderSize;
    if (!fds.empty())
        header |= std::uint64_t{static_cast<std::uint8_t>(FrameKind::fds)} << kKindShift |
                  std::uint64_t{fds.size()} << kCountShift;
    std::memcpy(framed.data(), &header, kHeaderSize);
    iovec iov{framed.data(), framed.size()};
    internal::write_all({fd_.get(), socket_}, &iov, 1, fds);
}

void Connection::send_fd(int fd) {
    send_buffer_.assign(kHeaderSize, std::byte{0});
    send_framed(send_buffer_, std::span(&fd, 1));
}

std::size_t Connection::read_into(const iovec* iov, int count) {
    std::size_t n;
    try {
        n = internal::read_some({fd_.get(), socket_}, iov, count, received_fds_);
    } catch (const DecodeError& e) {
        abandon(e.what());
    }
    if (received_fds_.size() > kMaxPendingFds)
        abandon("ipc: Connection::recv: " + std::to_string(received_fds_.size()) +
                " descriptors arrived that no frame announced; they were closed");
    return n;
}

void Connection::abandon(const std::string& why) {
    read_side_lost_ = true;
    received_fds_.clear();
    throw DecodeError(why + "; the stream cannot be followed any more");
}

std::vector<Fd> Connection::take_fds(std::size_t count) {
    if (received_fds_.size() < count)
        abandon("ipc: Connection::recv: a frame announced " + std::to_string(count) + " descriptors and " +
                std::to_string(received_fds_.size()) + " arrived");
    std::vector<Fd> fds(std::make_move_iterator(received_fds_.begin()),
                        std::make_move_iterator(received_fds_.begin() + static_cast<std::ptrdiff_t>(count)));
    received_fds_.erase(received_fds_.begin(), received_fds_.begin() + static_cast<std::ptrdiff_t>(count));
    return fds;
}

Connection::FrameHeader Connection::receive_header() {
    require_open(readable_, "Connection::recv");
    if (read_side_lost_)
        throw EOFError("ipc: Connection::recv: the stream was abandoned (a frame over the maximum size, or stray control data)");
    if (read_buffer_.empty()) read_buffer_.resize(kReadAhead);
    if (buffered() < kHeaderSize) {
        // Move the partial header to the front, then read ahead behind it.
        std::memmove(read_buffer_.data(), read_buffer_.data() + read_begin_, buffered());
        read_end_ = buffered();
        read_begin_ = 0;
        while (read_end_ < kHeaderSize) {
            const iovec ahead{read_buffer_.data() + read_end_, read_buffer_.size() - read_end_};
            const std::size_t n = read_into(&ahead, 1);
            if (n == 0) {
                if (read_end_ == 0) throw EOFError("ipc: Connection::recv: the peer closed the connection");
                throw EOFError("ipc: Connection::recv: truncated frame: the peer closed after " + std::to_string(read_end_) +
                               " of the 8 header bytes");
            }
            read_end_ += n;
        }
    }
    std::uint64_t header;
    std::memcpy(&header, read_buffer_.data() + read_begin_, kHeaderSize);
    read_begin_ += kHeaderSize;
    const auto kind = static_cast<std::uint8_t>(header >> kKindShift);
    const auto fd_count = static_cast<std::uint8_t>(header >> kCountShift);
    const std::uint64_t length = header & kLengthMask;
    if (length > max_message_size_) {
        read_side_lost_ = true;
        throw MessageTooLarge("ipc: Connection::recv: the peer announced a frame of " + std::to_string(length) +
                              " bytes, over the maximum of " + std::to_string(max_message_size_));
    }
    const bool with_fds = kind == static_cast<std::uint8_t>(FrameKind::fds);
    if ((kind != static_cast<std::uint8_t>(FrameKind::bytes) && !with_fds) || with_fds != (fd_count != 0) ||
        fd_count > kMaxFdsPerFrame)
        abandon("ipc: Connection::recv: not a frame header (kind " + std::to_string(kind) + ", " +
                std::to_string(fd_count) + " descriptors)");
    return {fd_count, static_cast<std::size_t>(length)};
}

std::size_t Connection::receive_payload_part(std::byte* out, std::size_t min, std::size_t max) {
    const std::size_t from_buffer = std::min(max, buffered());
    if (out != nullptr && from_buffer != 0) std::memcpy(out, read_buffer_.data() + read_begin_, from_buffer);
    read_begin_ += from_buffer;
    std::size_t done = from_buffer;
    while (done < min) {
        // The read-ahead is empty by now. The rest of the payload goes straight to
        // its destination, and the same read refills the read-ahead with what
        // follows (usually the next frame's header), so a stream of large frames
        // costs one read per frame. A dropped payload goes through the read-ahead.
        const std::size_t missing = max - done;
        iovec iov[2];
        int count = 0;
        if (out != nullptr) iov[count++] = {out + done, missing};
        iov[count++] = {read_buffer_.data(), read_buffer_.size()};
        const std::size_t n = read_into(iov, count);
        if (n == 0) break;
        const std::size_t payload_read = std::min(n, missing);
        const std::size_t direct = out != nullptr ? payload_read : 0;
        read_begin_ = payload_read - direct;  // payload bytes that landed in the read-ahead are skipped
        read_end_ = n - direct;
        done += payload_read;
    }
    return done;
}

void Connection::receive_payload(std::byte* out, std::size_t size) {
    const std::size_t received = receive_payload_part(out, size, size);
    if (received < size) throw_truncated(received, size);
}

void Connection::throw_truncated(std::size_t received, std::size_t length) {
    throw EOFError("ipc: Connection::recv: truncated frame: the peer closed after " + std::to_string(received) + " of " +
                   std::to_string(length) + " payload bytes");
}

Decoder Connection::begin_decoding(std::vector<Fd>& fds, ArrivingPayload& arriving) {
    const FrameHeader header = receive_header();
    fds = take_fds(header.fd_count);
    if (recv_buffer_.size() < header.length) recv_buffer_.resize(header.length);
    const std::size_t arrived = receive_payload_part(recv_buffer_.data(), 0, header.length);
    arriving.start(arrived, header.length);
    return Decoder(std::span<const std::byte>(recv_buffer_.data(), arrived), fds, arriving, header.length - arrived);
}

std::size_t Connection::ArrivingPayload::fetch(std::size_t min, std::size_t max) {
    const std::size_t n = connection_.receive_payload_part(connection_.recv_buffer_.data() + arrived_, min, max);
    arrived_ += n;
    if (n < min) throw_truncated(arrived_, length_);
    return n;
}

void Connection::ArrivingPayload::skip_rest() {
    if (connection_.read_side_lost_) return;
    const std::size_t missing = length_ - arrived_;
    arrived_ += connection_.receive_payload_part(nullptr, missing, missing);
    if (arrived_ < length_) throw_truncated(arrived_, length_);
}

void Connection::reject_frame(FrameHeader header, const char* call, const char* expected) {
    const std::vector<Fd> closed_on_return = take_fds(header.fd_count);
    receive_payload(nullptr, header.length);
    throw DecodeError("ipc: " + std::string(call) + ": the frame carries " + std::to_string(header.length) +
                      " bytes and " + std::to_string(header.fd_count) + " descriptors, not " + expected +
                      " (the descriptors were closed)");
}

void Connection::recv_bytes_into(std::vector<std::byte>& out) {
    const FrameHeader header = receive_header();
    if (header.fd_count != 0) reject_frame(header, "Connection::recv_bytes", "bytes alone (use recv<T>)");
    out.resize(header.length);
    receive_payload(out.data(), header.length);
}

std::vector<std::byte> Connection::recv_bytes() {
    std::vector<std::byte> out;
    recv_bytes_into(out);
    return out;
}

std::size_t Connection::recv_bytes_into(std::span<std::byte> out) {
    const FrameHeader header = receive_header();
    if (header.fd_count != 0) reject_frame(header, "Connection::recv_bytes_into", "bytes alone (use recv<T>)");
    if (header.length > out.size()) {
        std::vector<std::byte> message(header.length);
        receive_payload(message.data(), header.length);
        throw BufferTooShort("ipc: Connection::recv_bytes_into: a message of " + std::to_string(header.length) +
                                 " bytes does not fit in a buffer of " + std::to_string(out.size()),
                             std::move(message));
    }
    receive_payload(out.data(), header.length);
    return header.length;
}

Fd Connection::recv_fd() {
    const FrameHeader header = receive_header();
    if (header.fd_count != 1 || header.length != 0) reject_frame(header, "Connection::recv_fd", "one descriptor alone");
    return std::move(take_fds(1).front());
}

bool Connection::poll_until(sync::internal::SteadyTime deadline) {
    require_open(readable_, "Connection::poll");
    if (has_buffered_input()) return true;
    pollfd p{fd_.get(), POLLIN, 0};
    return internal::wait_readable(std::span(&p, 1), deadline);
}

void Connection::close() noexcept {
    fd_.reset();
    received_fds_.clear();
    read_begin_ = read_end_ = 0;
}

std::vector<Connection*> wait_until(std::span<Connection* const> connections, sync::internal::SteadyTime deadline) {
    std::vector<Connection*> ready;
    for (Connection* c : connections) {
        c->require_open(c->readable_, "wait");
        if (c->has_buffered_input()) ready.push_back(c);
    }
    if (!ready.empty()) return ready;
    std::vector<pollfd> fds;
    for (const Connection* c : connections) fds.push_back({c->fileno(), POLLIN, 0});
    if (!internal::wait_readable(fds, deadline)) return ready;
    for (std::size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].revents != 0) ready.push_back(connections[i]);
    }
    return ready;
}

std::pair<Connection, Connection> Pipe(bool duplex) {
    int fds[2];
    if (duplex) {
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
            internal::throw_errno("socketpair(AF_UNIX, SOCK_STREAM)");
        for (const int end : fds) internal::grow_send_buffer(end, kSocketSendBuffer);
    } else {
        if (::pipe2(fds, O_CLOEXEC) < 0) internal::throw_errno("pipe2");
        // Best effort: a refused request leaves a slower pipe, not a broken one.
        (void)internal::grow_pipe_buffer(fds[1], internal::pipe_buffer_request());
    }
    Fd first(fds[0]);
    Fd second(fds[1]);
    return {Connection(std::move(first)), Connection(std::move(second))};
}

}  // namespace mp::ipc
