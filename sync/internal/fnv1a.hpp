// FNV-1a (64-bit): a small stable hash, usable at compile time, for type tags,
// signatures and header checksums. Not for anything an adversary chooses.
#pragma once

#include <cstdint>
#include <string_view>

namespace mp::sync::internal {

inline constexpr std::uint64_t kFnv1aSeed = 0xcbf29ce484222325ULL;

// `hash` after one more byte.
constexpr std::uint64_t fnv1a_byte(std::uint64_t hash, unsigned char byte) {
    return (hash ^ byte) * 0x100000001b3ULL;
}

// `hash` after the bytes of `text`.
constexpr std::uint64_t fnv1a(std::uint64_t hash, std::string_view text) {
    for (const char c : text) hash = fnv1a_byte(hash, static_cast<unsigned char>(c));
    return hash;
}

}  // namespace mp::sync::internal
