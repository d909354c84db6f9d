// Encoder and Decoder, their non-template parts: bounds checks and their error
// messages.
#include "ipc/coders.hpp"

#include <stdexcept>
#include <string>

#include "ipc/codec.hpp"
#include "ipc/errors.hpp"

namespace mp::ipc {

std::size_t Decoder::read_count(std::size_t min_element_size) {
    const auto count = read<std::uint64_t>();
    if (count > remaining() / min_element_size) {
        throw DecodeError("ipc: codec: a count of " + std::to_string(count) + " elements of at least " +
                          std::to_string(min_element_size) + " bytes does not fit in the " +
                          std::to_string(remaining()) + " bytes left");
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
    if (remaining() != 0)
        throw DecodeError("ipc: codec: " + std::to_string(remaining()) + " bytes left over after the value");
}

void Encoder::write_fd(int fd) {
    if (fds_ == nullptr)
        throw std::invalid_argument(
            "ipc: codec: a file descriptor travels only through Connection::send or as a Pool task argument, "
            "not in plain bytes");
    if (fd < 0) throw std::invalid_argument("ipc: codec: cannot send an empty Fd");
    write(static_cast<std::uint32_t>(fds_->size()));
    fds_->push_back(fd);
}

Fd Decoder::read_fd() {
    const auto index = read<std::uint32_t>();
    if (index >= fds_.size())
        throw DecodeError("ipc: codec: descriptor " + std::to_string(index) + " of a message that came with " +
                          std::to_string(fds_.size()));
    if (!fds_[index]) throw DecodeError("ipc: codec: descriptor " + std::to_string(index) + " is named twice");
    return std::move(fds_[index]);
}

void Decoder::wait_for(std::size_t size) {
    if (size > remaining())
        throw DecodeError("ipc: codec: input ends early: " + std::to_string(size) + " bytes wanted, " +
                          std::to_string(remaining()) + " left");
    // What has arrived ends where the rest goes: fetch as much as is there, so that
    // a large message is read in a few large reads rather than one per value.
    const std::size_t fetched = arriving_->fetch(size - in_.size(), pending_);
    pending_ -= fetched;
    in_ = std::span<const std::byte>(in_.data(), in_.size() + fetched);
}

}  // namespace mp::ipc
