#include "ipc/internal/manager_socket.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "ipc/errors.hpp"
#include "sync/internal/os_error.hpp"

namespace mp::ipc::internal {

namespace {

using sync::internal::throw_errno;

sockaddr_un address_of(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) throw ManagerError("ipc: Manager: socket path too long: " + path);
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    return address;
}

Fd stream_socket(int family) {
    Fd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) throw_errno("socket");
    return fd;
}

// A request is sent when it is written (no Nagle delay), and a peer whose host
// vanished (no FIN, no RST: a cable pulled, a VM paused) is noticed within about
// kKeepAliveIdle + kKeepAliveCount * kKeepAliveInterval seconds by the kernel's
// probes, so a call waiting without a timeout fails with ManagerError instead of
// waiting forever, and the server drops such a client's holds. On a Unix socket the
// calls fail (ENOTSUP, EOPNOTSUPP): nothing to do there.
void tune_tcp(int fd) {
    const auto set = [fd](int level, int option, int value) { ::setsockopt(fd, level, option, &value, sizeof value); };
    set(IPPROTO_TCP, TCP_NODELAY, 1);
    set(SOL_SOCKET, SO_KEEPALIVE, 1);
#ifdef TCP_KEEPIDLE
    set(IPPROTO_TCP, TCP_KEEPIDLE, kKeepAliveIdle);
    set(IPPROTO_TCP, TCP_KEEPINTVL, kKeepAliveInterval);
    set(IPPROTO_TCP, TCP_KEEPCNT, kKeepAliveCount);
#endif
}

[[noreturn]] void throw_unreachable(const std::string& address, int error) {
    throw ManagerError("ipc: Manager: cannot reach the server at " + address + ": " + std::strerror(error) +
                       " (it was shut down, or died)");
}

using AddressList = std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)>;

AddressList resolve(const TcpAddress& address, bool passive) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    const std::string port = std::to_string(address.port);
    addrinfo* found = nullptr;
    const char* host = address.host.empty() ? nullptr : address.host.c_str();
    if (const int error = ::getaddrinfo(host, port.c_str(), &hints, &found); error != 0)
        throw ManagerError("ipc: Manager: cannot resolve " + address.str() + ": " + ::gai_strerror(error));
    return AddressList(found, &::freeaddrinfo);
}

bool connect_retrying(int fd, const sockaddr* address, socklen_t length) {
    if (::connect(fd, address, length) == 0) return true;
    if (errno != EINTR) return false;
    // Interrupted: the connection goes on in the background; wait for its outcome.
    pollfd pending{fd, POLLOUT, 0};
    while (::poll(&pending, 1, -1) < 0 && errno == EINTR) {
    }
    int error = 0;
    socklen_t size = sizeof error;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
    errno = error;
    return error == 0;
}

}  // namespace

Fd listen_unix(const std::string& path) {
    const sockaddr_un address = address_of(path);
    Fd fd = stream_socket(AF_UNIX);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) < 0) throw_errno("bind", path);
    // Before listen(), so nobody connects while the mode is the umask's. bind()
    // refused any file or symlink already at `path`; AT_SYMLINK_NOFOLLOW so that
    // one swapped in since is not followed either.
    const char* failed = ::fchmodat(AT_FDCWD, path.c_str(), 0600, AT_SYMLINK_NOFOLLOW) < 0 ? "fchmodat"
                         : ::listen(fd.get(), 64) < 0                                      ? "listen"
                                                                                           : nullptr;
    if (failed != nullptr) {
        const int error = errno;
        ::unlink(path.c_str());
        errno = error;
        throw_errno(failed, path);
    }
    return fd;
}

Fd listen_tcp(const TcpAddress& address) {
    const AddressList found = resolve(address, true);
    const addrinfo* first = found.get();
    Fd fd = stream_socket(first->ai_family);
    const int on = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd.get(), first->ai_addr, first->ai_addrlen) < 0) throw_errno("bind", address.str());
    if (::listen(fd.get(), 64) < 0) throw_errno("listen", address.str());
    return fd;
}

TcpAddress bound_address(int listener) {
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (::getsockname(listener, reinterpret_cast<sockaddr*>(&storage), &length) < 0) throw_errno("getsockname");
    char host[NI_MAXHOST];
    char port[NI_MAXSERV];
    if (::getnameinfo(reinterpret_cast<sockaddr*>(&storage), length, host, sizeof host, port, sizeof port,
                      NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        throw ManagerError("ipc: Manager: cannot name the listening address");
    return TcpAddress{host, static_cast<std::uint16_t>(std::stoi(port))};
}

void tune_accepted(int fd) { tune_tcp(fd); }

Fd connect_to(const std::string& address) {
    if (is_socket_path(address)) {
        const sockaddr_un unix_address = address_of(address);
        Fd fd = stream_socket(AF_UNIX);
        if (!connect_retrying(fd.get(), reinterpret_cast<const sockaddr*>(&unix_address), sizeof unix_address))
            throw_unreachable(address, errno);
        return fd;
    }
    const std::optional<TcpAddress> tcp = TcpAddress::parse(address);
    if (!tcp) throw ManagerError("ipc: Manager: not an address: \"" + address + "\" (a socket path or HOST:PORT)");
    const AddressList found = resolve(*tcp, false);
    int error = ECONNREFUSED;
    for (const addrinfo* candidate = found.get(); candidate != nullptr; candidate = candidate->ai_next) {
        Fd fd = stream_socket(candidate->ai_family);
        if (connect_retrying(fd.get(), candidate->ai_addr, candidate->ai_addrlen)) {
            tune_tcp(fd.get());
            return fd;
        }
        error = errno;
    }
    throw_unreachable(address, error);
}

}  // namespace mp::ipc::internal
