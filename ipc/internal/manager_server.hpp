// The Manager's server: the loop of the process a Manager forks. One thread accepts
// and watches for the end (the Manager's watch pipe reaching end of file: shutdown,
// or the Manager's process died); one thread per client connection reads requests
// and applies each to the store under one lock.
#pragma once

#include <string>
#include <vector>

#include "ipc/fd.hpp"

namespace mp::ipc::internal {

struct ServerSetup {
    std::vector<Fd> listeners;  // the Unix socket, and a TCP one when asked for
    Fd watch;                   // read end of the Manager's watch pipe
    std::string socket_path;    // removed at the end
    std::string directory;      // the private directory holding the socket, removed at the end ("" for none)
    std::vector<std::byte> authkey;
};

// Serves until the watch pipe ends or SIGTERM, then removes the socket and its
// directory. Runs in the forked server process; never returns (it _exits).
[[noreturn]] void serve(ServerSetup setup);

}  // namespace mp::ipc::internal
