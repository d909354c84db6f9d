// The bodies of the ipc fuzz targets, shared by the libFuzzer entry points
// (ipc_codec.cpp, ipc_framing.cpp) and by the suite that replays their corpus in
// `make test` (tests/ipc/fuzz_replay_test.cpp).
//
// The property: any input decodes to a value or fails with the documented error
// (DecodeError, EOFError, MessageTooLarge, BufferTooShort): no crash, no hang, no
// sanitizer report, no huge allocation. Values that decode and have one canonical
// encoding must encode back to exactly the input.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <unordered_map>
#include <variant>
#include <vector>

#include "ipc/codec.hpp"
#include "ipc/connection.hpp"

namespace mp::ipc::fuzz {

enum class Level : std::uint16_t { low, high };

struct Record {
    std::string name;
    std::vector<std::int32_t> values;
    std::optional<Level> level;
};
inline void mp_encode(Encoder& out, const Record& r) {
    out.write(r.name);
    out.write(r.values);
    out.write(r.level);
}
inline void mp_decode(Decoder& in, Record& r) {
    in.read(r.name);
    in.read(r.values);
    in.read(r.level);
}

// Decodes `bytes` as T; when `canonical`, a success must re-encode to `bytes`.
template <class T>
void decode_one(std::span<const std::byte> bytes, bool canonical) {
    try {
        const T value = decode<T>(bytes);
        if (canonical) {
            const auto again = encode(value);
            if (again.size() != bytes.size() || !std::equal(again.begin(), again.end(), bytes.begin())) std::abort();
        }
    } catch (const DecodeError&) {
    }
}

template <class T>
void decode_message_one(std::span<const std::byte> bytes) {
    try {
        (void)decode_message<T>(bytes);
    } catch (const DecodeError&) {
    }
}

// The first byte picks the type; the rest is the encoding.
inline void codec(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return;
    const auto bytes = std::as_bytes(std::span(data + 1, size - 1));
    switch (data[0] % 16) {
        case 0: decode_one<std::int64_t>(bytes, true); break;
        case 1: decode_one<bool>(bytes, true); break;
        case 2: decode_one<std::string>(bytes, true); break;
        case 3: decode_one<std::vector<std::int32_t>>(bytes, true); break;
        case 4: decode_one<std::vector<std::string>>(bytes, true); break;
        case 5: decode_one<std::vector<bool>>(bytes, true); break;
        case 6: decode_one<std::optional<std::string>>(bytes, true); break;
        case 7: decode_one<std::variant<std::int32_t, std::string, std::vector<double>>>(bytes, true); break;
        case 8: decode_one<std::tuple<std::int8_t, std::string, std::optional<bool>>>(bytes, true); break;
        // Map encodings are canonical only when the keys come sorted.
        case 9: decode_one<std::map<std::string, std::vector<std::int32_t>>>(bytes, false); break;
        case 10: decode_one<std::unordered_map<std::int32_t, std::string>>(bytes, false); break;
        case 11: decode_one<std::array<std::string, 3>>(bytes, true); break;
        case 12:
            decode_one<std::vector<std::map<std::int32_t, std::optional<std::tuple<std::string, bool>>>>>(bytes,
                                                                                                       false);
            break;
        case 13: decode_one<std::vector<Record>>(bytes, true); break;
        case 14: decode_message_one<std::vector<std::string>>(bytes); break;
        default: decode_message_one<Record>(bytes); break;
    }
}

// The first byte picks the transport and the sequence of receive calls; the rest
// is what the peer wrote before closing its end.
inline void framing(const std::uint8_t* data, std::size_t size) {
    // More than a pipe buffer could block the write: such inputs say nothing new.
    if (size == 0 || size > 48 * 1024) return;
    const std::uint8_t plan = data[0];
    auto [reader, writer] = Pipe((plan & 1) != 0);
    if (size > 1 && ::write(writer.fileno(), data + 1, size - 1) != static_cast<ssize_t>(size - 1)) std::abort();
    writer.close();
    reader.set_max_message_size(4096);
    for (unsigned call = plan >> 1;; call = call * 5 + 1) {
        try {
            std::array<std::byte, 16> small;
            switch (call % 6) {
                case 0: (void)reader.recv_bytes(); break;
                case 1: (void)reader.recv<std::string>(); break;
                case 2: (void)reader.recv<std::vector<std::int32_t>>(); break;
                case 3: (void)reader.recv<Record>(); break;
                case 4: (void)reader.recv_fd(); break;
                default: (void)reader.recv_bytes_into(std::span(small)); break;
            }
        } catch (const DecodeError&) {
        } catch (const BufferTooShort&) {
        } catch (const MessageTooLarge&) {
        } catch (const EOFError&) {
            return;
        }
    }
}

}  // namespace mp::ipc::fuzz
