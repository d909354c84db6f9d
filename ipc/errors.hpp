// The semantic outcomes of ipc, named as in Python. OS failures are reported as
// std::system_error naming the call ("recvmsg(fd 5): Connection reset by peer").
#pragma once

#include <cerrno>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "sync/errors.hpp"
#include "sync/internal/os_error.hpp"

namespace mp::ipc {

// EOFError: the peer closed its end (no more frames will come), or it closed in the
// middle of a frame (a truncated frame: the message says how much was missing).
class EOFError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// BrokenPipeError: a send found the reading end closed (EPIPE / ECONNRESET). It is a
// std::system_error, so code() gives the errno; SIGPIPE is never raised.
class BrokenPipeError : public std::system_error {
public:
    BrokenPipeError(int error, const std::string& what) : std::system_error(error, std::generic_category(), what) {}
};

// DecodeError: bytes that do not decode as the requested type (another type was
// sent, the payload is short or has trailing bytes, a bool is neither 0 nor 1, ...).
// The frame is consumed; the connection stays usable.
class DecodeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// MessageTooLarge: a frame (sent or announced by the peer) longer than the
// connection's max_message_size(), or an item larger than a Queue's capacity.
// Raised before anything of that size is allocated or written. On the receiving
// side the byte stream can no longer be followed, so the read side is closed:
// later receives throw EOFError.
class MessageTooLarge : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// BufferTooShort: recv_bytes_into(span) was given a span smaller than the frame.
// The frame is consumed and kept here, as Python keeps it in e.args[0].
class BufferTooShort : public std::runtime_error {
public:
    BufferTooShort(const std::string& what, std::vector<std::byte> message)
        : std::runtime_error(what), message_(std::move(message)) {}
    const std::vector<std::byte>& message() const noexcept { return message_; }

private:
    std::vector<std::byte> message_;
};

// QueueFull: put(item, timeout) found no room before its timeout (or at once, for
// put_nowait). try_put / try_put_for report it as false instead.
class QueueFull : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// QueueEmpty: get(timeout) found no item before its timeout (or at once, for
// get_nowait). try_get / try_get_for report it as nullopt instead.
class QueueEmpty : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// QueueClosed: any put on a closed queue, or any get on a closed queue that is
// drained: the try_ forms too (closure is not a timing outcome; a polling loop must
// not spin on it).
class QueueClosed : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// TimeoutError: sync's, the one type for sync, ipc, shm and pool.
using TimeoutError = sync::TimeoutError;

namespace internal {
// Throws std::system_error(errno) whose message is "<call>: <strerror>".
using sync::internal::throw_errno;
}  // namespace internal

// ManagerError: a Manager's server cannot be reached — it was shut down or died, the
// address is not a Manager, the authkey is wrong, or it runs another build.
class ManagerError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace mp::ipc
