// Fuzzes what mp::shm reads from outside: a segment header (any bytes, any segment
// size) must give a HeaderInfo or DamagedSegment, and text for a type code must give
// a value or invalid_argument/out_of_range. Never a crash or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "shm/segment_header.hpp"
#include "shm/type_code.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    // First byte: how the segment size relates to the bytes; the rest: the header.
    const std::uint8_t mode = data[0];
    std::vector<std::byte> bytes(size - 1);
    std::memcpy(bytes.data(), data + 1, size - 1);
    const std::size_t segment_size = mode < 128 ? bytes.size() : bytes.size() * mode;
    try {
        const mp::shm::HeaderInfo info = mp::shm::read_header(bytes, segment_size, "fuzz");
        if (info.segment_size != segment_size) __builtin_trap();
    } catch (const mp::shm::DamagedSegment&) {
    }
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    const mp::shm::TypeCode code = static_cast<mp::shm::TypeCode>(mp::shm::kScalarTypeCodes[mode % 13]);
    try {
        const mp::shm::Scalar value = mp::shm::parse_scalar(code, text);
        (void)mp::shm::format_scalar(code, value);
    } catch (const std::invalid_argument&) {
    } catch (const std::out_of_range&) {
    }
    try {
        (void)mp::shm::parse_delta(code, text);
    } catch (const std::invalid_argument&) {
    } catch (const std::out_of_range&) {
    }
    return 0;
}
