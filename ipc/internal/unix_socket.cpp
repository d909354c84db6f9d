#include "ipc/internal/unix_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "ipc/errors.hpp"
#include "sync/internal/os_error.hpp"

namespace mp::ipc::internal {

namespace {

sockaddr_un address_of(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) throw ManagerError("ipc: Manager: socket path too long: " + path);
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    return address;
}

Fd stream_socket() {
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) sync::internal::throw_errno("socket");
    return fd;
}

}  // namespace

Fd listen_unix(const std::string& path) {
    const sockaddr_un address = address_of(path);
    Fd fd = stream_socket();
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) < 0)
        sync::internal::throw_errno("bind", path);
    if (::listen(fd.get(), 64) < 0) sync::internal::throw_errno("listen", path);
    return fd;
}

Fd connect_unix(const std::string& path) {
    const sockaddr_un address = address_of(path);
    Fd fd = stream_socket();
    while (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) < 0) {
        if (errno == EINTR) continue;
        throw ManagerError("ipc: Manager: cannot reach the server at " + path + ": " + std::strerror(errno) +
                           " (it was shut down, or died)");
    }
    return fd;
}

}  // namespace mp::ipc::internal
