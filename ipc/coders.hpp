// Encoder and Decoder: the two ends of the codec (ipc/codec.hpp, which says what
// encodes and how). A Codec<T> writes a T to an Encoder and reads it back from a
// Decoder; a user type's mp_encode/mp_decode hooks get one of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "ipc/fd.hpp"

namespace mp::ipc {

// How to encode and decode a T: defined in ipc/codec.hpp.
template <class T, class Enable = void>
struct Codec;

// Encoder: appends encoded values to a byte vector it does not own; with `fds`,
// the descriptors of the Fds it encodes are appended there (not owned, not dup'ed).
class Encoder {
public:
    explicit Encoder(std::vector<std::byte>& out, std::vector<int>* fds = nullptr) : out_(out), fds_(fds) {}

    // Appends `value` (any encodable type).
    template <class T>
    void write(const T& value) {
        Codec<T>::encode(*this, value);
    }
    // Appends `size` raw bytes.
    void write_raw(const void* data, std::size_t size) {
        const std::size_t at = out_.size();
        out_.resize(at + size);  // cheaper than insert() for the few bytes of a number
        if (size != 0) std::memcpy(out_.data() + at, data, size);
    }
    // Appends a length or element count.
    void write_count(std::size_t count) {
        const std::uint64_t n = count;
        write_raw(&n, sizeof n);
    }

    // Appends a descriptor: its index in the list, which gets `fd`. Throws
    // std::invalid_argument without a list, or for a negative `fd`.
    void write_fd(int fd);

    std::vector<std::byte>& buffer() noexcept { return out_; }

private:
    std::vector<std::byte>& out_;
    std::vector<int>* fds_;
};

// ArrivingBytes: where a Decoder gets the rest of a message that is still arriving
// (Connection::recv decodes a large frame while it is read, so decoding overlaps
// the transfer). fetch writes at least `min` and at most `max` further bytes of the
// message in memory, right after the bytes that arrived before them, and returns
// how many; it throws when they cannot come (the peer closed).
class ArrivingBytes {
public:
    virtual std::size_t fetch(std::size_t min, std::size_t max) = 0;

protected:
    ~ArrivingBytes() = default;
};

// Decoder: reads encoded values from a span it does not own. Every read checks the
// bytes left and throws DecodeError when the input is short or malformed. `fds`:
// the descriptors that came with the bytes; read_fd moves them out (the caller
// closes the ones left). With `arriving`, the message is `in` followed by
// `pending` more bytes that `arriving` writes right after `in` as they are needed.
class Decoder {
public:
    explicit Decoder(std::span<const std::byte> in, std::span<Fd> fds = {}) : in_(in), fds_(fds) {}
    Decoder(std::span<const std::byte> in, std::span<Fd> fds, ArrivingBytes& arriving, std::size_t pending)
        : in_(in), fds_(fds), arriving_(&arriving), pending_(pending) {}

    // Decodes into `value`, replacing what it held.
    template <class T>
    void read(T& value) {
        Codec<T>::decode(*this, value);
    }
    template <class T>
    T read() {
        T value{};
        read(value);
        return value;
    }
    // Consumes the next `size` bytes and returns them.
    std::span<const std::byte> take(std::size_t size) {
        if (size > in_.size()) wait_for(size);
        const auto taken = in_.first(size);
        in_ = in_.subspan(size);
        return taken;
    }
    void read_raw(void* data, std::size_t size) {
        const auto bytes = take(size);
        if (size != 0) std::memcpy(data, bytes.data(), size);
    }
    // Reads an element count and checks that `count` elements of at least
    // `min_element_size` bytes each fit in what is left.
    std::size_t read_count(std::size_t min_element_size);
    // Reads a one-byte flag that must be 0 or 1.
    bool read_flag();
    // Throws DecodeError unless every byte was consumed.
    void finish() const;
    // Reads a descriptor index and takes that descriptor. Throws DecodeError when
    // the index is not one of `fds`, or its descriptor was taken already.
    Fd read_fd();

    // The bytes that have arrived and are not yet read, for a decoder of many small
    // values that reads them in a loop of its own; skip(n) then consumes n of them.
    std::span<const std::byte> arrived() const noexcept { return in_; }
    void skip(std::size_t size) noexcept { in_ = in_.subspan(size); }
    // The bytes of the message not yet read, arrived or not.
    std::size_t remaining() const noexcept { return in_.size() + pending_; }
    // The bytes still to arrive.
    std::size_t pending() const noexcept { return pending_; }

private:
    // Makes `size` bytes readable, fetching what has not arrived; throws DecodeError
    // when the message is shorter.
    void wait_for(std::size_t size);

    std::span<const std::byte> in_;
    std::span<Fd> fds_;
    ArrivingBytes* arriving_ = nullptr;
    std::size_t pending_ = 0;
};

}  // namespace mp::ipc
