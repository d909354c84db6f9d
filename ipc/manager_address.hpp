// Where a Manager listens: a Unix socket path, or a TCP host and port.
//
// A Manager address written as one string, as Manager::connect and bin/ipc take it,
// is a socket path when it holds a '/' ("/tmp/jobs.sock", "./jobs.sock"), and
// otherwise HOST:PORT ("127.0.0.1:50000", "build-host:50000", "[::1]:50000").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mp::ipc {

struct TcpAddress {
    std::string host;        // a name or a numeric address; "" or "0.0.0.0": every IPv4 interface
    std::uint16_t port = 0;  // 0 when listening: one the kernel picks (see Manager::tcp_address)

    // "HOST:PORT", with an IPv6 host in brackets.
    std::string str() const;
    // HOST:PORT as above; nullopt when `text` is not of that form (or a path).
    static std::optional<TcpAddress> parse(std::string_view text);
    bool operator==(const TcpAddress&) const = default;
};

// Whether `address` names a Unix socket path rather than HOST:PORT.
inline bool is_socket_path(std::string_view address) { return address.find('/') != std::string_view::npos; }

}  // namespace mp::ipc
