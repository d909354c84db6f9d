// Private: the messages between the pool (parent) and a worker. Each is one frame of
// an ipc::Connection over the worker's own socketpair; the first byte is the
// MessageKind. Payloads (callable bytes, arguments, results) are ipc codec bytes,
// opaque here.
//
// Descriptors among a task's arguments cannot go through the task pipe: the pool
// sends them first, as one frame (a std::vector<ipc::Fd>) on the worker's result
// socket, which carries nothing else in that direction; the task then says
// kTaskWithFds and the worker takes that frame before it runs the task. A worker
// holds one task at a time, so the frame it finds is its task's. A worker killed
// before it took them takes them with it: the kernel closes descriptors in flight
// to a socket nobody holds any more.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "ipc/codec.hpp"
#include "ipc/fd.hpp"

namespace mp::pool::internal {

using Bytes = std::vector<std::byte>;

// Runs in a worker: decodes `payload` (its ipc::Fds from `fds`, the descriptors that
// came with the task), calls the user's callable, appends the encoded result to
// `out`. An exception it throws becomes the task's error result.
using Runner = void (*)(std::span<const std::byte> payload, std::span<ipc::Fd> fds, Bytes& out);

enum class MessageKind : std::uint8_t {
    kTask = 1,        // parent -> worker: TaskHeader, payload
    kStop = 2,        // parent -> worker: finish and exit 0
    kReady = 3,       // worker -> parent: initializer done (the first message; only with one)
    kInitFailed = 4,  // worker -> parent: error text; the worker then exits 1
    kResult = 5,      // worker -> parent: ResultHeader, result payload
    kError = 6,       // worker -> parent: ResultHeader, type name, message (codec strings)
    kTaskWithFds = 7, // parent -> worker: as kTask; its descriptors wait on the result socket
};

inline MessageKind kind_of(std::span<const std::byte> message) {
    return message.empty() ? MessageKind{} : static_cast<MessageKind>(message[0]);
}

// The fixed front of a task message. The typed layer reserves kSize bytes, appends
// the payload after them, and the core fills the header in when it numbers the
// task, so the payload is never copied.
struct TaskHeader {
    static constexpr std::size_t kSize = 1 + 8 + 8;
    std::uint64_t id;
    Runner runner;
    bool with_fds = false;

    void write_into(Bytes& message) const {
        message[0] = static_cast<std::byte>(with_fds ? MessageKind::kTaskWithFds : MessageKind::kTask);
        const auto address = reinterpret_cast<std::uintptr_t>(runner);
        const std::uint64_t fields[2] = {id, address};
        std::memcpy(message.data() + 1, fields, sizeof fields);
    }
    static TaskHeader read_from(std::span<const std::byte> message) {
        std::uint64_t fields[2];
        std::memcpy(fields, message.data() + 1, sizeof fields);
        return {fields[0], reinterpret_cast<Runner>(static_cast<std::uintptr_t>(fields[1])),
                kind_of(message) == MessageKind::kTaskWithFds};
    }
};

// The fixed front of a result or error message: kind and task id.
struct ResultHeader {
    static constexpr std::size_t kSize = 1 + 8;

    // Makes `message` (keeping its capacity) just the header.
    static void start(Bytes& message, MessageKind kind, std::uint64_t id) {
        message.resize(kSize);
        message[0] = static_cast<std::byte>(kind);
        std::memcpy(message.data() + 1, &id, sizeof id);
    }
    static std::uint64_t id_of(std::span<const std::byte> message) {
        std::uint64_t id;
        std::memcpy(&id, message.data() + 1, sizeof id);
        return id;
    }
};

// A message that is only its kind, or its kind and some codec-encoded strings.
template <class... Texts>
Bytes simple_message(MessageKind kind, const Texts&... texts) {
    Bytes message{static_cast<std::byte>(kind)};
    (ipc::encode_into(message, texts), ...);
    return message;
}

}  // namespace mp::pool::internal
