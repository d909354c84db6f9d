// Private: the frames and messages between the pool (parent) and its workers, over
// one SOCK_STREAM socketpair per worker. A frame is a u64 body length (host order:
// both ends are the same program) followed by the body; the body starts with a
// MessageKind byte. Payloads (callable bytes, arguments, results) are opaque here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mp::pool::internal {

using Bytes = std::vector<std::byte>;

enum class MessageKind : std::uint8_t {
    kTask = 1,         // parent -> worker: u64 task id, u64 runner address, payload
    kStop = 2,         // parent -> worker: finish and exit 0
    kReady = 3,        // worker -> parent: initializer done (sent once, first)
    kInitFailed = 4,   // worker -> parent: text; the worker then exits 1
    kResult = 5,       // worker -> parent: u64 task id, payload
    kError = 6,        // worker -> parent: u64 task id, u32 type length, type, message
};

// Writes one frame made of `head` then `body` (either may be empty), completely.
// Blocks while the socket is full; never raises SIGPIPE. Throws std::system_error
// ("send") when the peer is gone (EPIPE/ECONNRESET) or on another error.
void send_frame(int fd, std::span<const std::byte> head, std::span<const std::byte> body = {});

// Reads one whole frame body into `body`, blocking. False on a clean EOF before a
// frame starts; throws std::system_error on an error or a frame cut short.
bool recv_frame(int fd, Bytes& body);

// Reassembles frames from a socket without ever blocking: pump() reads what is there
// now and appends each completed frame body to `frames`. A stopped or slow peer
// therefore cannot stall the reader in the middle of a frame.
class FrameReader {
public:
    // False once the peer closed or the socket failed (a partial frame is dropped).
    bool pump(int fd, std::vector<Bytes>& frames);

private:
    std::byte header_[8]{};
    std::size_t header_filled_ = 0;
    Bytes body_;
    std::size_t body_filled_ = 0;
    bool in_body_ = false;
};

// Little helpers to build and read message bodies.
class Writer {
public:
    explicit Writer(MessageKind kind) { bytes_.push_back(static_cast<std::byte>(kind)); }
    Writer& u32(std::uint32_t value) { return raw(&value, sizeof value); }
    Writer& u64(std::uint64_t value) { return raw(&value, sizeof value); }
    Writer& text(const std::string& value) { return raw(value.data(), value.size()); }
    Writer& raw(const void* data, std::size_t size);
    const Bytes& bytes() const { return bytes_; }

private:
    Bytes bytes_;
};

class Reader {
public:
    explicit Reader(std::span<const std::byte> bytes) : bytes_(bytes) {}
    MessageKind kind() { return static_cast<MessageKind>(take(1)[0]); }
    std::uint32_t u32();
    std::uint64_t u64();
    std::string text(std::size_t size);
    std::span<const std::byte> rest() const { return bytes_; }

private:
    std::span<const std::byte> take(std::size_t size);
    std::span<const std::byte> bytes_;
};

}  // namespace mp::pool::internal
