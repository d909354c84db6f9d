// The non-template part of the codec: the error for a message of another type.
#include "ipc/codec.hpp"

#include <cstdio>

namespace mp::ipc {
namespace internal {

void throw_signature_mismatch(std::uint64_t found, std::uint64_t expected) {
    char text[160];
    std::snprintf(text, sizeof text,
                  "ipc: codec: the message holds another type than the one requested "
                  "(signature %016llx, expected %016llx)",
                  static_cast<unsigned long long>(found), static_cast<unsigned long long>(expected));
    throw DecodeError(text);
}

}  // namespace internal
}  // namespace mp::ipc
