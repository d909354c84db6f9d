// The Manager's stream sockets: listening ones (a Unix socket, a TCP port) and a
// client's connection, all made alike (close-on-exec; TCP without Nagle's delay, so
// a request is sent when it is written, and with keepalive probes, so a peer whose
// host vanished is noticed).
#pragma once

#include <string>

#include "ipc/fd.hpp"
#include "ipc/manager_address.hpp"

namespace mp::ipc::internal {

// TCP keepalive, in seconds: probes start after kKeepAliveIdle seconds of silence,
// and a peer that answers none of kKeepAliveCount probes, kKeepAliveInterval apart,
// is dead (its connection fails with ETIMEDOUT): about 25 s in all.
inline constexpr int kKeepAliveIdle = 10;
inline constexpr int kKeepAliveInterval = 5;
inline constexpr int kKeepAliveCount = 3;

// A socket bound to `path` and listening, reachable by its owner only (0600). Throws
// std::system_error naming the call (EADDRINUSE when the path exists).
Fd listen_unix(const std::string& path);
// A socket listening on `address` (port 0: one the kernel picks). Throws
// std::system_error naming the call, ManagerError for a host that does not resolve.
Fd listen_tcp(const TcpAddress& address);
// The address a listening TCP socket is bound to (its port resolved).
TcpAddress bound_address(int listener);
// Makes an accepted connection as a client's is made (TCP_NODELAY and keepalive on TCP).
void tune_accepted(int fd);
// A socket connected to `address`: a socket path (it holds a '/') or HOST:PORT.
// Throws ManagerError when nothing listens there or the address is malformed.
Fd connect_to(const std::string& address);

}  // namespace mp::ipc::internal
