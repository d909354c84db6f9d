// The bytes of a typed segment's header (see shm/segment_header.hpp for the layout
// and its rules). Only the creator writes it, before publishing it with the magic.
#pragma once

#include <cstddef>
#include <cstdint>

#include "shm/segment_header.hpp"

namespace mp::shm::internal {

inline constexpr std::uint64_t kMagic = 0x31216d68732d706dULL;  // "mp-shm!1" little-endian
inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::size_t kLockOffset = 64;
inline constexpr std::uint8_t kHasLockFlag = 1;

struct RawHeader {
    std::uint64_t magic;  // 0 until the creator publishes; accessed through atomic_ref
    std::uint32_t version;
    std::uint32_t data_offset;
    std::uint64_t count;
    std::uint64_t type_tag;
    std::uint64_t creator_start_time;
    std::int32_t creator_pid;
    std::uint32_t element_size;
    char type_code;
    std::uint8_t flags;
    std::uint16_t lock_size;  // sizeof(Lock) in the creator's build, 0 without a lock
    std::uint8_t reserved[4];
    std::uint64_t checksum;  // of every field above except the magic
};
static_assert(sizeof(RawHeader) <= kLockOffset);
static_assert(alignof(RawHeader) <= alignof(std::max_align_t));

// The checksum a header with these fields must carry.
std::uint64_t header_checksum(const RawHeader& header);

// Where the elements start for a segment with or without a lock, given their
// alignment (a power of two).
std::size_t data_offset_for(bool has_lock, std::size_t element_align);

// Fills in `header` (zero-filled memory) from `info` and this process as creator,
// leaving the magic 0. Then publish() writes the magic with release ordering.
void write_header(RawHeader& header, const HeaderInfo& info);
void publish(RawHeader& header);

}  // namespace mp::shm::internal
