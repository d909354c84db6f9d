// The Manager's Unix stream sockets: the server's listening one and a client's
// connection, made alike (close-on-exec; a path too long for sockaddr_un refused).
#pragma once

#include <string>

#include "ipc/fd.hpp"

namespace mp::ipc::internal {

// A socket bound to `path` and listening. Throws std::system_error naming the call.
Fd listen_unix(const std::string& path);
// A socket connected to `path`. Throws ManagerError when nothing listens there.
Fd connect_unix(const std::string& path);

}  // namespace mp::ipc::internal
