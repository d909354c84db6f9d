// The non-template parts of the codec: bounds checks and their error messages.
#include "ipc/codec.hpp"

#include <cstdio>

namespace mp::ipc {

std::size_t Decoder::read_count(std::size_t min_element_size) {
    const auto count = read<std::uint64_t>();
    if (count > in_.size() / min_element_size) {
        throw DecodeError("ipc: codec: a count of " + std::to_string(count) + " elements of at least " +
                          std::to_string(min_element_size) + " bytes does not fit in the " +
                          std::to_string(in_.size()) + " bytes left");
    }
    return static_cast<std::size_t>(count);
}

bool Decoder::read_flag() {
    std::uint8_t flag = 0;
    read_raw(&flag, 1);
    if (flag > 1) throw DecodeError("ipc: codec: a flag byte is " + std::to_string(flag) + ", not 0 or 1");
    return flag == 1;
}

void Decoder::finish() const {
    if (!in_.empty())
        throw DecodeError("ipc: codec: " + std::to_string(in_.size()) + " bytes left over after the value");
}

void Decoder::throw_short(std::size_t wanted) const {
    throw DecodeError("ipc: codec: input ends early: " + std::to_string(wanted) + " bytes wanted, " +
                      std::to_string(in_.size()) + " left");
}

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
