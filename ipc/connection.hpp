// Connection: one end of a pipe or socketpair carrying length-prefixed frames, as
// Python's multiprocessing.connection.Connection. Pipe() makes a connected pair.
//
//     auto [parent, child] = mp::ipc::Pipe();        // duplex (a socketpair)
//     parent.send(std::vector<int>{1, 2, 3});
//     auto v = child.recv<std::vector<int>>();
//
// A frame is an 8-byte header (the payload length in the low 48 bits; in the top
// byte whether the frame carries descriptors, in the next one how many) followed by
// the payload. send/send_bytes write one
// frame synchronously: when they return, the whole frame is in the kernel's buffer
// (or the peer has it); there is no background thread and nothing is buffered in
// the process. Receiving reads ahead into a 4 KiB buffer, so small frames cost one
// read; large payloads are read straight into their destination, in the same call
// that reads ahead what follows them, so a stream of large frames costs one read
// per frame.
//
// Threads: sending and receiving share no state, so one thread may send while
// another receives on the same Connection (do that when both directions carry more
// than the socket buffer, ~400 KiB, or a one-thread "send all, then receive all"
// deadlocks against a peer doing the same). Two threads must not send at once, nor
// receive at once; nor two processes use the same end (frames would interleave).
//
// Errors worth branching on: EOFError (peer closed; or closed mid-frame),
// BrokenPipeError (sending to a closed peer), DecodeError (not the type asked for),
// MessageTooLarge (frame over max_message_size()). Everything else is a
// std::system_error naming the call.
//
// Descriptors (sockets only): send(value) passes every ipc::Fd inside `value` with
// the frame (SCM_RIGHTS, at most kMaxFdsPerFrame); recv<T>() gives them to the T
// as new close-on-exec fds it owns (received with MSG_CMSG_CLOEXEC); the sender
// keeps its own. A received descriptor never leaks: one the T does not take, one
// of a frame read as bytes, or of a frame that ends early, is closed. Control data
// that does not follow the framing (cut short by the kernel, MSG_CTRUNC; not
// SCM_RIGHTS; descriptors beyond what the frames announce) closes every descriptor
// received, throws DecodeError, and abandons the stream (later receives throw
// EOFError): which frame a descriptor belongs to can no longer be told.
#pragma once

#include <sys/uio.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ipc/codec.hpp"
#include "ipc/errors.hpp"
#include "ipc/fd.hpp"
#include "sync/internal/deadline.hpp"

namespace mp::ipc {

class Connection {
public:
    // The default largest frame accepted or sent: 64 MiB. Big enough for any message
    // that should travel through a pipe, small enough that a garbage length from a
    // confused peer cannot make us allocate gigabytes.
    static constexpr std::size_t kDefaultMaxMessageSize = std::size_t{64} << 20;
    // The most descriptors one frame may carry (the kernel's own limit is 253).
    static constexpr std::size_t kMaxFdsPerFrame = 64;

    // A closed connection.
    Connection() = default;
    // Adopts `fd` (a socket, or either end of a pipe). Readable and writable follow
    // the fd's access mode; fd passing needs a Unix socket.
    explicit Connection(Fd fd);

    Connection(Connection&&) noexcept = default;
    Connection& operator=(Connection&&) noexcept = default;
    // Closes the fd, and any received descriptor not yet taken by recv_fd.
    ~Connection() = default;

    // send_bytes: writes `message` as one frame. Blocks until the whole frame is in
    // the kernel (a full pipe blocks until the peer reads). Throws BrokenPipeError
    // when the peer has closed, MessageTooLarge (before writing anything) when
    // `message` is over max_message_size().
    void send_bytes(std::span<const std::byte> message);
    void send_bytes(std::string_view message) { send_bytes(std::as_bytes(std::span(message))); }

    // recv_bytes: the payload of the next frame. Blocks until a whole frame has
    // arrived. Throws EOFError at end of stream or on a truncated frame,
    // MessageTooLarge when the peer announces a frame over max_message_size()
    // (before allocating it), DecodeError when the frame carries descriptors
    // (the frame is consumed, its descriptors closed).
    // The new vector is zero-filled (as std::vector does) before the payload is
    // read into it; for a stream of large messages, recv_bytes_into(vector) saves
    // that pass and the allocation.
    std::vector<std::byte> recv_bytes();
    // recv_bytes_into(vector): as recv_bytes, reusing `out`'s capacity (no
    // allocation and no zero-filling once `out` is large enough).
    void recv_bytes_into(std::vector<std::byte>& out);
    // recv_bytes_into(span): writes the payload at the front of `out` and returns
    // its size. A payload larger than `out` is consumed and thrown as BufferTooShort.
    std::size_t recv_bytes_into(std::span<std::byte> out);

    // send: encodes `value` with the codec (type signature in front, see codec.hpp)
    // and sends it as one frame, with the descriptors of the ipc::Fds in it (the
    // caller keeps them). Same blocking and errors as send_bytes; with descriptors,
    // std::system_error(ENOTSOCK) on a pipe and std::invalid_argument for more than
    // kMaxFdsPerFrame or an empty Fd (from the codec), before writing anything.
    template <class T>
    void send(const T& value) {
        send_buffer_.assign(kHeaderSize, std::byte{0});
        send_fds_.clear();
        encode_message_into(send_buffer_, value, &send_fds_);
        send_framed(send_buffer_, send_fds_);
    }

    // recv: receives one frame and decodes a T from it, its ipc::Fds from the
    // descriptors that came with the frame. Throws DecodeError when the frame holds
    // another type or does not decode (the frame is consumed either way, its
    // descriptors closed), and what recv_bytes throws.
    // A large frame is decoded while it arrives, so decoding overlaps the transfer.
    template <class T>
    T recv() {
        std::vector<Fd> fds;
        ArrivingPayload arriving(*this);
        Decoder decoder = begin_decoding(fds, arriving);
        try {
            return decode_message<T>(decoder);
        } catch (...) {
            arriving.skip_rest();
            throw;
        }
    }

    // poll: whether something can be received without blocking: data, or the end of
    // the stream (then recv throws EOFError). Checks at once, or waits up to `timeout`
    // (Python's poll(timeout): a question, so it answers false when the time ran
    // out rather than throwing). True means at least the start of a
    // frame is there: a peer that stops mid-frame can still make recv wait.
    // Any std::chrono duration: zero or less polls once, one too long for the
    // clock (seconds::max()) waits as long as it takes.
    [[nodiscard]] bool poll() { return poll_until(std::chrono::steady_clock::now()); }
    template <class Rep, class Period>
    [[nodiscard]] bool poll(const std::chrono::duration<Rep, Period>& timeout) {
        return poll_until(sync::internal::deadline_after(timeout));
    }

    // has_buffered_input: whether something was already read ahead (or the stream
    // was abandoned): then recv will not wait for the fd, whatever poll(2) says.
    bool has_buffered_input() const noexcept { return buffered() > 0 || read_side_lost_; }

    // send_fd: sends a duplicate of `fd` (SCM_RIGHTS) as one frame; the caller keeps
    // `fd`. Needs a Unix socket (Pipe(true)); else std::system_error(ENOTSOCK).
    // (To send several, or descriptors with data: send(value) with ipc::Fds in it.)
    void send_fd(int fd);
    // recv_fd: receives a descriptor sent by send_fd, close-on-exec, owned by the
    // caller. Throws DecodeError when the next frame is not one descriptor alone (the
    // frame is consumed, its descriptors closed), and what recv_bytes throws.
    [[nodiscard]] Fd recv_fd();

    // close: closes the fd (and received descriptors not taken). Idempotent. Not
    // to be called while another thread is inside send or recv.
    void close() noexcept;

    int fileno() const noexcept { return fd_.get(); }
    bool closed() const noexcept { return !fd_; }
    bool readable() const noexcept { return readable_; }
    bool writable() const noexcept { return writable_; }

    std::size_t max_message_size() const noexcept { return max_message_size_; }
    // Sets the largest frame accepted or sent. Set it before use: it is read by both
    // the sending and the receiving side without a lock.
    void set_max_message_size(std::size_t bytes) noexcept { max_message_size_ = bytes; }

private:
    bool poll_until(sync::internal::SteadyTime deadline);
    friend std::vector<Connection*> wait_until(std::span<Connection* const>, sync::internal::SteadyTime);
    static constexpr std::size_t kHeaderSize = 8;
    enum class FrameKind : std::uint8_t { bytes = 0, fds = 1 };
    struct FrameHeader {
        std::size_t fd_count;  // 0 for FrameKind::bytes
        std::size_t length;
    };

    // Payloads up to this size are sent copied behind their header, as one buffer.
    static constexpr std::size_t kCoalesceLimit = 512;

    // Sends `framed` (kHeaderSize bytes of room for the header, then the payload)
    // with `fds`.
    void send_framed(std::vector<std::byte>& framed, std::span<const int> fds = {});
    // send_framed without the checks: fills in the header and writes the frame.
    void write_framed(std::vector<std::byte>& framed, std::span<const int> fds = {});
    // The payload of the frame recv<T> is decoding: what has arrived is at the front
    // of recv_buffer_, the rest is read in behind it as the decoder asks for it.
    class ArrivingPayload final : public ArrivingBytes {
    public:
        explicit ArrivingPayload(Connection& connection) : connection_(connection) {}
        void start(std::size_t arrived, std::size_t length) noexcept {
            arrived_ = arrived;
            length_ = length;
        }
        std::size_t fetch(std::size_t min, std::size_t max) override;
        // After a failed decode: reads and drops the rest of the frame, so the next
        // recv starts at a frame. Throws EOFError when the peer closed before the
        // frame's end: that, not what the decoder made of a part, is the error.
        void skip_rest();

    private:
        Connection& connection_;
        std::size_t arrived_ = 0;
        std::size_t length_ = 0;
    };
    // Reads the next frame's header, takes its descriptors into `fds`, and returns a
    // Decoder over its payload (what the read-ahead holds now, the rest to come).
    Decoder begin_decoding(std::vector<Fd>& fds, ArrivingPayload& arriving);
    // One read on the fd (internal::read_some), keeping the descriptors that arrive;
    // control data that breaks the framing abandons the stream (see the top).
    std::size_t read_into(const iovec* iov, int count);
    // Closes every received descriptor, abandons the read side, throws DecodeError.
    [[noreturn]] void abandon(const std::string& why);
    // The `count` descriptors of the frame whose header was just read.
    std::vector<Fd> take_fds(std::size_t count);
    void require_open(bool usable, const char* what) const;
    // Throws unless a message of `length` bytes may be sent (open, writable, not
    // over the maximum); `what` names the call in the error.
    void check_sendable(std::size_t length, const char* what) const;
    // Reads the next frame's header; checks its length against the maximum.
    FrameHeader receive_header();
    // Reads `size` payload bytes into `out` (nullptr: read and drop them).
    void receive_payload(std::byte* out, std::size_t size);
    // Reads at least `min` and at most `max` payload bytes into `out` (nullptr:
    // read and drop them), as many as the reads give; returns how many, fewer than
    // `min` only when the peer closed.
    std::size_t receive_payload_part(std::byte* out, std::size_t min, std::size_t max);
    [[noreturn]] static void throw_truncated(std::size_t received, std::size_t length);
    // Consumes a frame of the wrong kind (closing its descriptors), then throws
    // DecodeError naming the call and what it expected.
    [[noreturn]] void reject_frame(FrameHeader header, const char* call, const char* expected);
    std::size_t buffered() const noexcept { return read_end_ - read_begin_; }

    Fd fd_;
    bool socket_ = false;
    bool readable_ = false;
    bool writable_ = false;
    std::size_t max_message_size_ = kDefaultMaxMessageSize;

    // Sending side.
    std::vector<std::byte> send_buffer_;
    std::vector<int> send_fds_;  // of send(value): borrowed from the value

    // Receiving side.
    std::vector<std::byte> read_buffer_;  // read-ahead; [read_begin_, read_end_) unread
    std::size_t read_begin_ = 0;
    std::size_t read_end_ = 0;
    bool read_side_lost_ = false;          // a frame too large, or stray control data, left the stream unreadable
    std::vector<Fd> received_fds_;         // arrived by SCM_RIGHTS, not yet taken by their frame, oldest first
    std::vector<std::byte> recv_buffer_;   // payload of recv<T>; never shrinks, so it is not cleared again
};

// wait: the connections among `connections` that can receive without blocking
// (a frame read ahead, data on the fd, or the end of the stream), waiting up to
// `timeout` (without one: as long as it takes) for at least one. Empty when the
// timeout ran out. As Python's multiprocessing.connection.wait. Every connection
// must be open and readable (else std::system_error(EBADF)).
// The timeout is any std::chrono duration, as poll's.
[[nodiscard]] std::vector<Connection*> wait_until(std::span<Connection* const> connections,
                                                  sync::internal::SteadyTime deadline);
template <class Rep, class Period>
[[nodiscard]] std::vector<Connection*> wait(std::span<Connection* const> connections,
                                            const std::chrono::duration<Rep, Period>& timeout) {
    return wait_until(connections, sync::internal::deadline_after(timeout));
}
[[nodiscard]] inline std::vector<Connection*> wait(std::span<Connection* const> connections) {
    return wait_until(connections, sync::internal::kNoDeadline);
}

// Pipe: a connected pair of Connections. Duplex (the default) is a Unix socketpair,
// both ends read and write, and descriptors can be passed; each end asks for a
// 256 KiB send buffer (SO_SNDBUF, capped by the kernel). One-way (duplex = false)
// is a pipe: `first` only receives, `second` only sends, as in Python; it asks
// for a 256 KiB pipe buffer (F_SETPIPE_SZ) so that a writer of 64 KiB messages
// can run ahead of the reader, and keeps the default size if the kernel refuses.
// All fds are close-on-exec.
[[nodiscard]] std::pair<Connection, Connection> Pipe(bool duplex = true);

}  // namespace mp::ipc
