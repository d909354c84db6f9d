// The codec: turns C++ values into bytes and back, for Connection::send/recv, Queue
// items, and anyone who ships values by other means (encode/decode on a buffer).
//
// Encodable: arithmetic types, enums, std::string (string literals, C strings and
// std::string_view encode as one: the peer decodes a std::string), std::vector, std::array,
// std::pair, std::tuple, std::optional, std::variant, std::map, std::unordered_map,
// any nesting of those, trivially copyable structs (copied bytewise), and user types
// that provide the hook below. Other pointers are refused at compile time; a null C
// string is refused with std::invalid_argument.
//
// The user hook, found by argument-dependent lookup (declare both next to the type):
//
//     namespace geo {
//     struct Place { std::string name; double lat = 0, lon = 0; };
//     void mp_encode(mp::ipc::Encoder& out, const Place& p) { out.write(p.name); out.write(p.lat); out.write(p.lon); }
//     void mp_decode(mp::ipc::Decoder& in, Place& p) { in.read(p.name); in.read(p.lat); in.read(p.lon); }
//     }
//
// A hooked type must be default-constructible (decode fills a default value) and
// should encode to at least one byte (the size check on container counts assumes it).
// The hook wins over the bytewise path, so a trivially copyable struct can opt out.
//
// Format: native byte order and sizes (both ends are on the same machine); counts
// and lengths are 8 bytes; bool and optional flags are one byte, 0 or 1; a variant is
// a 4-byte index and the alternative. The format is not self-describing: decode<T>
// must be asked for the type that was encoded. encode_message/decode_message (and
// Connection::send/recv) put an 8-byte type signature in front, so that asking for
// the wrong type is a DecodeError rather than a wrong value. The signature comes from
// the type's structure (and the name of enums and user types): it is a check for
// peers built from the same source, not a schema.
//
// Descriptors: an ipc::Fd in a value travels as a file descriptor (SCM_RIGHTS), only
// where a descriptor can go: Connection::send/recv on a socket, and Pool task
// arguments (apply, apply_async, Executor::submit). The bytes hold its index in the
// message's list of descriptors; the descriptors go beside the bytes. An Encoder
// without a descriptor list (encode, encode_into, Queue::put, map items) refuses an
// Fd with std::invalid_argument; a Decoder without one refuses it as DecodeError.
// The sender keeps its Fd (the kernel passes a duplicate); the receiver owns a new,
// close-on-exec one.
//
// Robustness: decoding never reads past its input, never allocates more than a small
// multiple of its input's size (every count is checked against the bytes left), and
// reports every malformed input as DecodeError. Two things are taken on trust from
// the peer: the values of enums and the bytes of bytewise structs (a struct holding a
// bool or a pointer-like handle should use the hook if the peer is not trusted).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "ipc/coders.hpp"
#include "ipc/errors.hpp"
#include "ipc/fd.hpp"
#include "sync/internal/fnv1a.hpp"

namespace mp::ipc {

namespace internal {

// Poison pills: the hooks are found by argument-dependent lookup only.
void mp_encode() = delete;
void mp_decode() = delete;

template <class T>
concept HasEncodeHook = requires(Encoder& out, const T& value) { mp_encode(out, value); };
template <class T>
concept HasDecodeHook = requires(Decoder& in, T& value) { mp_decode(in, value); };

// FNV-1a, used to build type signatures at compile time.
inline constexpr std::uint64_t kSignatureSeed = sync::internal::kFnv1aSeed;
// `hash` after the 8 bytes of `value`, least significant first.
constexpr std::uint64_t mix(std::uint64_t hash, std::uint64_t value) {
    for (int i = 0; i < 8; ++i) hash = sync::internal::fnv1a_byte(hash, static_cast<unsigned char>(value >> (8 * i)));
    return hash;
}
constexpr std::uint64_t mix_text(std::uint64_t hash, std::string_view text) { return sync::internal::fnv1a(hash, text); }
// The compiler's spelling of T (inside this function's own name).
template <class T>
constexpr std::string_view spelled_name() {
    return __PRETTY_FUNCTION__;
}
constexpr std::uint64_t tag(char kind) { return mix(kSignatureSeed, static_cast<unsigned char>(kind)); }

template <class T>
constexpr std::uint64_t named_signature(char kind) {
    return mix_text(tag(kind), spelled_name<T>());
}

// Decoding a container of elements copied bytewise.
template <class T>
void read_elements(Decoder& in, T* first, std::size_t count) {
    if constexpr (Codec<T>::bitwise) {
        in.read_raw(first, count * sizeof(T));
    } else {
        for (std::size_t i = 0; i < count; ++i) in.read(first[i]);
    }
}
template <class T>
void write_elements(Encoder& out, const T* first, std::size_t count) {
    if constexpr (Codec<T>::bitwise) {
        out.write_raw(first, count * sizeof(T));
    } else {
        for (std::size_t i = 0; i < count; ++i) out.write(first[i]);
    }
}

template <class T>
constexpr std::size_t element_min_size() {
    constexpr std::size_t size = Codec<T>::min_size;
    static_assert(size > 0, "ipc codec: container elements must encode to at least one byte");
    return size;
}

}  // namespace internal

// The primary Codec: user hooks, bool, arithmetic types, enums and trivially
// copyable structs. Specializations below handle the standard containers.
template <class T, class Enable>
struct Codec {
    static constexpr bool hooked = internal::HasEncodeHook<T> || internal::HasDecodeHook<T>;
    static_assert(!hooked || (internal::HasEncodeHook<T> && internal::HasDecodeHook<T>),
                  "ipc codec: a type with mp_encode needs mp_decode too (and the other way round)");
    static_assert(!std::is_pointer_v<T> && !std::is_member_pointer_v<T>,
                  "ipc codec: pointers mean nothing in another process and cannot be encoded");
    static_assert(hooked || std::is_trivially_copyable_v<T>,
                  "ipc codec: this type is not encodable; give it mp_encode/mp_decode (see codec.hpp)");

    // Copied bytewise: every byte pattern the peer sends is taken as a value.
    static constexpr bool bitwise = !hooked && !std::is_same_v<T, bool>;
    static constexpr std::size_t min_size = hooked ? 1 : sizeof(T);

    static constexpr std::uint64_t signature() {
        if constexpr (hooked) {
            return internal::named_signature<T>('u');
        } else if constexpr (std::is_arithmetic_v<T>) {
            const std::uint64_t kind = (std::is_floating_point_v<T> ? 1 : 0) | (std::is_signed_v<T> ? 2 : 0) |
                                       (std::is_same_v<T, bool> ? 4 : 0);
            return internal::mix(internal::mix(internal::tag('a'), sizeof(T)), kind);
        } else {
            return internal::named_signature<T>('b');
        }
    }
    static void encode(Encoder& out, const T& value) {
        if constexpr (hooked) {
            mp_encode(out, value);
        } else if constexpr (std::is_same_v<T, bool>) {
            const std::uint8_t flag = value ? 1 : 0;
            out.write_raw(&flag, 1);
        } else {
            out.write_raw(&value, sizeof(T));
        }
    }
    static void decode(Decoder& in, T& value) {
        if constexpr (hooked) {
            mp_decode(in, value);
        } else if constexpr (std::is_same_v<T, bool>) {
            value = in.read_flag();
        } else {
            in.read_raw(&value, sizeof(T));
        }
    }
};

namespace internal {
// Text: std::string, and what encodes exactly as one (string literals, C strings,
// std::string_view), so that send("hi") is received by recv<std::string>().
struct TextCodec {
    static constexpr bool bitwise = false;
    static constexpr std::size_t min_size = 8;
    static constexpr std::uint64_t signature() { return tag('s'); }
    static void encode_text(Encoder& out, std::string_view text) {
        out.write_count(text.size());
        out.write_raw(text.data(), text.size());
    }
};
}  // namespace internal

template <>
struct Codec<std::string> : internal::TextCodec {
    static void encode(Encoder& out, const std::string& value) { encode_text(out, value); }
    static void decode(Decoder& in, std::string& value) {
        const auto bytes = in.take(in.read_count(1));
        value.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    }
};
// The encode-only text types (they own no characters to decode into): the peer
// decodes a std::string.
template <>
struct Codec<std::string_view> : internal::TextCodec {
    static void encode(Encoder& out, std::string_view value) { encode_text(out, value); }
};
template <>
struct Codec<const char*> : internal::TextCodec {
    static void encode(Encoder& out, const char* value) {
        if (value == nullptr) throw std::invalid_argument("ipc: codec: a null C string cannot be encoded");
        encode_text(out, value);
    }
};
template <>
struct Codec<char*> : Codec<const char*> {};
// A char array is a string literal or a C string buffer: its text ends at the first
// NUL, or at the end of the array.
template <std::size_t N>
struct Codec<char[N]> : internal::TextCodec {
    static void encode(Encoder& out, const char (&value)[N]) { encode_text(out, std::string_view(value, std::find(value, value + N, '\0'))); }
};

template <class T, class A>
struct Codec<std::vector<T, A>> {
    static constexpr bool bitwise = false;
    static constexpr std::size_t min_size = 8;
    static constexpr std::uint64_t signature() { return internal::mix(internal::tag('v'), Codec<T>::signature()); }
    static void encode(Encoder& out, const std::vector<T, A>& value) {
        out.write_count(value.size());
        if constexpr (std::is_same_v<T, bool>) {
            for (const bool b : value) out.write(b);
        } else {
            internal::write_elements(out, value.data(), value.size());
        }
    }
    static void decode(Decoder& in, std::vector<T, A>& value) {
        const std::size_t count = in.read_count(internal::element_min_size<T>());
        if constexpr (std::is_same_v<T, bool>) {
            value.clear();
            for (std::size_t i = 0; i < count; ++i) value.push_back(in.read_flag());
        } else {
            value.resize(count);
            internal::read_elements(in, value.data(), count);
        }
    }
};

template <class T, std::size_t N>
struct Codec<std::array<T, N>> {
    static constexpr bool bitwise = Codec<T>::bitwise;
    static constexpr std::size_t min_size = N * Codec<T>::min_size;
    static constexpr std::uint64_t signature() {
        return internal::mix(internal::mix(internal::tag('A'), N), Codec<T>::signature());
    }
    static void encode(Encoder& out, const std::array<T, N>& value) { internal::write_elements(out, value.data(), N); }
    static void decode(Decoder& in, std::array<T, N>& value) { internal::read_elements(in, value.data(), N); }
};

// Tuples and pairs share one encoding (and signature): the elements in order.
template <class... Ts>
struct Codec<std::tuple<Ts...>> {
    static constexpr bool bitwise = false;
    static constexpr std::size_t min_size = (std::size_t{0} + ... + Codec<Ts>::min_size);
    static constexpr std::uint64_t signature() {
        std::uint64_t hash = internal::mix(internal::tag('t'), sizeof...(Ts));
        ((hash = internal::mix(hash, Codec<Ts>::signature())), ...);
        return hash;
    }
    static void encode(Encoder& out, const std::tuple<Ts...>& value) {
        std::apply([&](const Ts&... element) { (out.write(element), ...); }, value);
    }
    static void decode(Decoder& in, std::tuple<Ts...>& value) {
        std::apply([&](Ts&... element) { (in.read(element), ...); }, value);
    }
};

template <class A, class B>
struct Codec<std::pair<A, B>> {
    static constexpr bool bitwise = false;
    static constexpr std::size_t min_size = Codec<A>::min_size + Codec<B>::min_size;
    static constexpr std::uint64_t signature() { return Codec<std::tuple<A, B>>::signature(); }
    static void encode(Encoder& out, const std::pair<A, B>& value) {
        out.write(value.first);
        out.write(value.second);
    }
    static void decode(Decoder& in, std::pair<A, B>& value) {
        in.read(value.first);
        in.read(value.second);
    }
};

template <class T>
struct Codec<std::optional<T>> {
    static constexpr bool bitwise = false;
    static constexpr std::size_t min_size = 1;
    static constexpr std::uint64_t signature() { return internal::mix(internal::tag('o'), Codec<T>::signature()); }
    static void encode(Encoder& out, const std::optional<T>& value) {
        out.write(value.has_value());
        if (value) out.write(*value);
    }
    static void decode(Decoder& in, std::optional<T>& value) {
        if (in.read_flag()) {
            in.read(value.emplace());
        } else {
            value.reset();
        }
    }
};

template <class... Ts>
struct Codec<std::variant<Ts...>> {
    static constexpr bool bitwise = false;
    static constexpr std::size_t min_size = 4;
    static constexpr std::uint64_t signature() {
        std::uint64_t hash = internal::mix(internal::tag('V'), sizeof...(Ts));
        ((hash = internal::mix(hash, Codec<Ts>::signature())), ...);
        return hash;
    }
    static void encode(Encoder& out, const std::variant<Ts...>& value) {
        if (value.valueless_by_exception()) throw DecodeError("ipc: codec: cannot encode a valueless variant");
        out.write(static_cast<std::uint32_t>(value.index()));
        std::visit([&](const auto& alternative) { out.write(alternative); }, value);
    }
    static void decode(Decoder& in, std::variant<Ts...>& value) {
        const auto index = in.read<std::uint32_t>();
        if (index >= sizeof...(Ts)) throw DecodeError("ipc: codec: variant index out of range");
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((index == I ? (in.read(value.template emplace<I>()), true) : false) || ...);
        }(std::index_sequence_for<Ts...>{});
    }
};

namespace internal {
// std::map and std::unordered_map share one encoding (and signature): the count,
// then key and value pairs. A repeated key is a DecodeError.
template <class Map>
struct MapCodec {
    using K = typename Map::key_type;
    using V = typename Map::mapped_type;
    static constexpr bool bitwise = false;
    static constexpr std::size_t min_size = 8;
    static constexpr std::uint64_t signature() {
        return mix(mix(tag('m'), Codec<K>::signature()), Codec<V>::signature());
    }
    static void encode(Encoder& out, const Map& value) {
        out.write_count(value.size());
        for (const auto& [key, mapped] : value) {
            out.write(key);
            out.write(mapped);
        }
    }
    static void decode(Decoder& in, Map& value) {
        const std::size_t count = in.read_count(Codec<K>::min_size + Codec<V>::min_size);
        value.clear();
        for (std::size_t i = 0; i < count; ++i) {
            K key{};
            V mapped{};
            in.read(key);
            in.read(mapped);
            if (!value.emplace(std::move(key), std::move(mapped)).second)
                throw DecodeError("ipc: codec: map holds a key twice");
        }
    }
};
}  // namespace internal

template <class K, class V, class C, class A>
struct Codec<std::map<K, V, C, A>> : internal::MapCodec<std::map<K, V, C, A>> {};
template <class K, class V, class H, class E, class A>
struct Codec<std::unordered_map<K, V, H, E, A>> : internal::MapCodec<std::unordered_map<K, V, H, E, A>> {};

// A descriptor: a 4-byte index into the message's descriptors (see the top).
template <>
struct Codec<Fd> {
    static constexpr bool bitwise = false;
    static constexpr std::size_t min_size = 4;
    static constexpr std::uint64_t signature() { return internal::tag('F'); }
    static void encode(Encoder& out, const Fd& value) { out.write_fd(value.get()); }
    static void decode(Decoder& in, Fd& value) { value = in.read_fd(); }
};

// type_signature<T>(): the 8 bytes that encode_message puts before a T.
template <class T>
constexpr std::uint64_t type_signature() {
    return Codec<std::remove_cvref_t<T>>::signature();
}

// encode_into: appends the encoding of `value` to `out`.
template <class T>
void encode_into(std::vector<std::byte>& out, const T& value) {
    Encoder encoder(out);
    encoder.write(value);
}

// encode: the encoding of `value`.
template <class T>
std::vector<std::byte> encode(const T& value) {
    std::vector<std::byte> out;
    encode_into(out, value);
    return out;
}

// decode: the T encoded in `bytes`, which must hold exactly one T.
// Throws DecodeError for a short, long or malformed input.
template <class T>
T decode(std::span<const std::byte> bytes) {
    Decoder decoder(bytes);
    T value{};
    decoder.read(value);
    decoder.finish();
    return value;
}

// encode_message_into / encode_message: like encode_into / encode, with the type
// signature in front, as Connection::send and Queue put them on the wire.
// `fds`: where the descriptors of Fds in `value` go (see the top); without it an Fd
// is refused.
template <class T>
void encode_message_into(std::vector<std::byte>& out, const T& value, std::vector<int>* fds = nullptr) {
    Encoder encoder(out, fds);
    encoder.write(type_signature<T>());
    encoder.write(value);
}
template <class T>
std::vector<std::byte> encode_message(const T& value) {
    std::vector<std::byte> out;
    encode_message_into(out, value);
    return out;
}

namespace internal {
[[noreturn]] void throw_signature_mismatch(std::uint64_t found, std::uint64_t expected);
}

// decode_message: the T in a message made by encode_message. Throws DecodeError
// when the message holds another type, or is short, long or malformed. `fds`: the
// descriptors that came with it (the ones the T takes are moved out). The Decoder
// form reads the message from `decoder`, to its end.
template <class T>
T decode_message(Decoder& decoder) {
    const auto signature = decoder.read<std::uint64_t>();
    if (signature != type_signature<T>()) internal::throw_signature_mismatch(signature, type_signature<T>());
    T value{};
    decoder.read(value);
    decoder.finish();
    return value;
}
template <class T>
T decode_message(std::span<const std::byte> bytes, std::span<Fd> fds = {}) {
    Decoder decoder(bytes, fds);
    return decode_message<T>(decoder);
}

}  // namespace mp::ipc
