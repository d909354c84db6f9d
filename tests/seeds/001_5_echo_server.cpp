// Seed 001, program 5: a pre-forked echo server. Pool() workers serve the accepted
// connections: each accepted socket travels to a worker as an ipc::Fd argument of
// apply_async, as Python pickles it to the worker through its resource sharer.
// Deviation: the port is argv[1] (8080 without one), so that the seeds suite can
// give it a free one; like Python's, the server runs until it is interrupted.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <string>
#include <system_error>
#include <utility>

#include "ipc/ipc.hpp"
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Pool;

// The part of Python's socket.socket the seed uses: an owned descriptor.
struct socket_ {
    mp::ipc::Fd fd;

    static socket_ tcp() {
        socket_ s{mp::ipc::Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0))};
        if (!s.fd) throw std::system_error(errno, std::generic_category(), "socket");
        return s;
    }
    void setsockopt_reuseaddr() {
        const int on = 1;
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    }
    void bind(const std::string& host, int port) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        ::inet_pton(AF_INET, host.c_str(), &address.sin_addr);
        if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
            throw std::system_error(errno, std::generic_category(), "bind");
    }
    void listen(int backlog) {
        if (::listen(fd.get(), backlog) != 0) throw std::system_error(errno, std::generic_category(), "listen");
    }
    // accept(): the connection, and the client's (host, port).
    std::pair<mp::ipc::Fd, std::pair<std::string, int>> accept() {
        sockaddr_in peer{};
        socklen_t size = sizeof peer;
        mp::ipc::Fd conn(::accept4(fd.get(), reinterpret_cast<sockaddr*>(&peer), &size, SOCK_CLOEXEC));
        if (!conn) throw std::system_error(errno, std::generic_category(), "accept");
        char host[INET_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET, &peer.sin_addr, host, sizeof host);
        return {std::move(conn), std::pair<std::string, int>(host, ntohs(peer.sin_port))};
    }
};

int port = 8080;

// The program lives in a namespace: POSIX's socket, send and recv would otherwise
// clash with its names.
namespace program {

socket_ server = [] {
    socket_ s = socket_::tcp();
    s.setsockopt_reuseaddr();
    return s;
}();

void talk(mp::ipc::Fd conn, std::pair<std::string, int> client_addr) {
    (void)client_addr;
    py::print("进程pid: " + py::str(py::getpid()));
    for (;;) {
        std::string msg(1024, '\0');  // msg=conn.recv(1024)
        const ssize_t n = ::recv(conn.get(), msg.data(), msg.size(), 0);
        if (n <= 0) break;  // if not msg:break (and an error: except Exception: break)
        msg.resize(static_cast<std::size_t>(n));
        for (char& c : msg) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (::send(conn.get(), msg.data(), msg.size(), MSG_NOSIGNAL) < 0) break;  // conn.send(msg.upper())
    }
}

void main() {
    server.bind("127.0.0.1", port);
    server.listen(5);
    Pool p;
    for (;;) {
        auto [conn, client_addr] = server.accept();
        p.apply_async(talk, std::move(conn), client_addr);
        // p.apply(talk, std::move(conn), client_addr);  // 同步的话,则同一时间只有一个客户端能访问
    }
}

}  // namespace program

int main(int argc, char** argv) {
    if (argc > 1) port = std::atoi(argv[1]);
    program::main();
    return 0;
}
