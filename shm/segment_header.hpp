// The header at the start of every typed segment (Value, Array, DynamicArray).
// The errors attaching to one can raise are in shm/errors.hpp.
//
// Layout of a typed segment:
//
//   offset 0    header: magic, version, data offset, element count, type code,
//               element size, type tag, creator pid + start time, flags, checksum
//   offset 64   the segment's lock (a robust process-shared mutex), if it has one
//   data_offset the elements, aligned for their type
//
// The creator fills in everything, then writes the magic last (release ordering);
// a segment whose magic is still 0 is not initialized yet (or its creator died while
// making it). Attaching reads and checks every field before touching an element, so
// a wrong type, a wrong length or a damaged header is an exception, never undefined
// behaviour. The segment's size must be exactly what the header describes.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "shm/errors.hpp"
#include "shm/type_code.hpp"

namespace mp::shm {

// What a valid header says.
struct HeaderInfo {
    TypeCode type_code = TypeCode::Opaque;
    std::uint32_t element_size = 0;
    std::uint64_t count = 0;
    std::uint64_t type_tag = 0;  // 0 for scalar codes; identifies an opaque C++ type
    pid_t creator_pid = 0;
    std::uint64_t creator_start_time = 0;  // see sync/internal/process_identity.hpp; 0 unknown
    bool has_lock = false;
    std::size_t data_offset = 0;
    std::size_t segment_size = 0;  // data_offset + count * element_size
};

// Reads and checks the header found in `header_bytes` (the start of a segment, at
// least as long as the header when the segment is), for a segment of `segment_size`
// bytes called `name` (used in messages; "anonymous" for no name).
// Throws DamagedSegment with the reason.
HeaderInfo read_header(std::span<const std::byte> header_bytes, std::size_t segment_size, std::string_view name);

// The number of header bytes read_header needs.
std::size_t header_size();

}  // namespace mp::shm
