// Seed 003, program 6: a module-level socket.socketpair(); each process prints both
// sockets, closes the one it does not use, and sends or receives.
#include <sys/socket.h>
#include <unistd.h>

#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Process;

// The part of Python's socket.socket the seed uses.
struct socket_ {
    int fd;
    void close() {
        ::close(fd);
        fd = -1;
    }
    void send(const std::string& data) { (void)::send(fd, data.data(), data.size(), MSG_NOSIGNAL); }
    py::bytes recv(std::size_t bufsize) {
        std::string data(bufsize, '\0');
        const ssize_t n = ::recv(fd, data.data(), bufsize, 0);
        data.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        return {data};
    }
};

std::string repr(const socket_& s) {
    return std::string("<socket.socket ") + (s.fd < 0 ? "[closed] " : "") + "fd=" + py::str(s.fd) +
           ", family=" + py::str(AF_UNIX) + ", type=" + py::str(static_cast<int>(SOCK_STREAM)) + ", proto=0>";
}

std::pair<socket_, socket_> socketpair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) throw std::system_error(errno, std::generic_category(), "socketpair");
    return {socket_{fds[0]}, socket_{fds[1]}};
}

auto [socket1, socket2] = socketpair();

// The program lives in a namespace: POSIX's send and recv would otherwise overload
// its functions' names.
namespace program {

void send(const std::string& msg) {
    py::print(repr(socket1));
    py::print(repr(socket2));
    // 关闭不需要的socket
    socket2.close();
    socket1.send(msg);  // msg.encode('utf8')
}

void recv() {
    py::print(repr(socket1));
    socket1.close();
    py::print(repr(socket2));
    py::print(socket2.recv(1024));
}

void main() {
    Process p(send, "test");
    p.start();
    Process p2(recv);
    p2.start();
}

}  // namespace program

int main() { program::main(); return 0; }
