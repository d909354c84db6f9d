// SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), for the Manager's authkey
// challenge: a peer proves it knows the key without sending it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace mp::ipc::internal {

using Digest = std::array<std::byte, 32>;

class Sha256 {
public:
    Sha256();
    void update(std::span<const std::byte> data);
    void update(std::string_view text) { update(std::as_bytes(std::span(text.data(), text.size()))); }
    // The digest of everything given to update(); the object is spent afterwards.
    Digest finish();

private:
    void compress(const std::byte* block);

    std::array<std::uint32_t, 8> state_;
    std::array<std::byte, 64> block_{};
    std::size_t block_used_ = 0;
    std::uint64_t total_bytes_ = 0;
};

Digest sha256(std::span<const std::byte> data);
Digest hmac_sha256(std::span<const std::byte> key, std::span<const std::byte> message);

// Compares two digests in time that does not depend on where they differ.
bool digests_equal(const Digest& a, const Digest& b) noexcept;

}  // namespace mp::ipc::internal
