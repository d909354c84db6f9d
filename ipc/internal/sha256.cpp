#include "ipc/internal/sha256.hpp"

#include <bit>
#include <cstring>

namespace mp::ipc::internal {

namespace {

constexpr std::uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

std::uint32_t load_big_endian(const std::byte* p) {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | std::uint32_t(p[3]);
}

void store_big_endian(std::byte* p, std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) p[i] = static_cast<std::byte>(value >> (8 * (bytes - 1 - i)));
}

}  // namespace

Sha256::Sha256()
    : state_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19} {}

void Sha256::compress(const std::byte* block) {
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i) w[i] = load_big_endian(block + 4 * i);
    for (int i = 16; i < 64; ++i) {
        const std::uint32_t s0 = std::rotr(w[i - 15], 7) ^ std::rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        const std::uint32_t s1 = std::rotr(w[i - 2], 17) ^ std::rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    auto [a, b, c, d, e, f, g, h] = state_;
    for (int i = 0; i < 64; ++i) {
        const std::uint32_t s1 = std::rotr(e, 6) ^ std::rotr(e, 11) ^ std::rotr(e, 25);
        const std::uint32_t choose = (e & f) ^ (~e & g);
        const std::uint32_t t1 = h + s1 + choose + kRound[i] + w[i];
        const std::uint32_t s0 = std::rotr(a, 2) ^ std::rotr(a, 13) ^ std::rotr(a, 22);
        const std::uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
        const std::uint32_t t2 = s0 + majority;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    const std::uint32_t round[8] = {a, b, c, d, e, f, g, h};
    for (int i = 0; i < 8; ++i) state_[i] += round[i];
}

void Sha256::update(std::span<const std::byte> data) {
    total_bytes_ += data.size();
    while (!data.empty()) {
        const std::size_t n = std::min(data.size(), block_.size() - block_used_);
        std::memcpy(block_.data() + block_used_, data.data(), n);
        block_used_ += n;
        data = data.subspan(n);
        if (block_used_ == block_.size()) {
            compress(block_.data());
            block_used_ = 0;
        }
    }
}

Digest Sha256::finish() {
    const std::uint64_t bits = total_bytes_ * 8;
    std::byte padding[72] = {std::byte{0x80}};
    const std::size_t zeros = (block_used_ < 56 ? 56 : 120) - block_used_;  // to 8 bytes short of a block
    store_big_endian(padding + zeros, bits, 8);
    update(std::span(padding, zeros + 8));
    Digest digest;
    for (int i = 0; i < 8; ++i) store_big_endian(digest.data() + 4 * i, state_[i], 4);
    return digest;
}

Digest sha256(std::span<const std::byte> data) {
    Sha256 hash;
    hash.update(data);
    return hash.finish();
}

Digest hmac_sha256(std::span<const std::byte> key, std::span<const std::byte> message) {
    std::array<std::byte, 64> block_key{};
    if (key.size() > block_key.size()) {
        const Digest hashed = sha256(key);
        std::memcpy(block_key.data(), hashed.data(), hashed.size());
    } else if (!key.empty()) {
        std::memcpy(block_key.data(), key.data(), key.size());
    }
    std::array<std::byte, 64> pad;
    Sha256 inner;
    for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block_key[i] ^ std::byte{0x36};
    inner.update(pad);
    inner.update(message);
    const Digest inner_digest = inner.finish();
    Sha256 outer;
    for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block_key[i] ^ std::byte{0x5c};
    outer.update(pad);
    outer.update(inner_digest);
    return outer.finish();
}

bool digests_equal(const Digest& a, const Digest& b) noexcept {
    std::byte difference{0};
    for (std::size_t i = 0; i < a.size(); ++i) difference |= a[i] ^ b[i];
    return difference == std::byte{0};
}

}  // namespace mp::ipc::internal
