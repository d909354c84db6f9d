// The Manager's handshake. The server speaks first: a greeting (what it is, the
// build it was compiled from, and a random challenge); the client answers with
// HMAC-SHA-256(authkey, challenge) and the identity of its program; the server
// accepts or refuses. No request is read before that, and the key never travels.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "ipc/connection.hpp"

namespace mp::ipc::internal {

// Which program a process runs and where it is loaded: equal for a process and the
// children it forked, different for another program or another run of this one
// (address space layout randomisation moves the anchor). modify() needs it equal.
struct ProgramIdentity {
    std::uint64_t device = 0, inode = 0, anchor = 0;
    friend bool operator==(const ProgramIdentity&, const ProgramIdentity&) = default;
};
ProgramIdentity this_program();

// Server side: true when the client proved the key; `same_program` tells whether
// its function addresses mean the same code here. A client that sends nothing
// within `patience` is refused.
bool accept_client(Connection& connection, const std::vector<std::byte>& authkey, bool& same_program,
                   std::chrono::milliseconds patience);

// Client side: throws ManagerError naming the reason (not a manager, another
// build, wrong key, or no answer within `patience`).
void authenticate(Connection& connection, const std::vector<std::byte>& authkey, std::chrono::milliseconds patience);

// How long either side of the handshake waits for the other.
inline constexpr std::chrono::seconds kHandshakePatience{10};

// `n` random bytes from the kernel.
std::vector<std::byte> random_bytes(std::size_t n);

}  // namespace mp::ipc::internal
