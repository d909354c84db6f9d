// threadpool echo-server: TCP echo on 127.0.0.1 with one greenlet per connection, all
// in one OS thread (gevent's StreamServer echo example). SIGINT / SIGTERM arrive
// through a signalfd another greenlet waits on: the server stops accepting, closes
// every connection (their greenlets are killed and unwind) and exits 0.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

#include "bin/threadpool_commands.hpp"
#include "threadpool/green/green.hpp"

namespace mp::tools::threadpool {

namespace green = mp::threadpool::green;

namespace {

struct Fd {
    int fd;
    Fd(int f, const char* call) : fd(f) {
        if (fd < 0) throw std::system_error(errno, std::generic_category(), call);
    }
    ~Fd() { close(fd); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
};

void echo(const std::shared_ptr<Fd>& conn) {
    char buffer[16384];
    try {
        while (const std::size_t n = green::recv(conn->fd, buffer, sizeof buffer)) green::send(conn->fd, buffer, n);
    } catch (const std::system_error&) {
        // A peer that reset the connection: nothing to echo to any more.
    }
}

}  // namespace

int echo_server_command(const EchoOptions& options) {
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &stop, nullptr) != 0) throw std::system_error(errno, std::generic_category(), "sigprocmask");
    Fd signals(signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC), "signalfd");

    Fd listener(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket");
    const int on = 1;
    setsockopt(listener.fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(options.port);
    socklen_t size = sizeof addr;
    if (bind(listener.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw std::system_error(errno, std::generic_category(), "bind(127.0.0.1:" + std::to_string(options.port) + ")");
    if (listen(listener.fd, SOMAXCONN) != 0 || getsockname(listener.fd, reinterpret_cast<sockaddr*>(&addr), &size) != 0)
        throw std::system_error(errno, std::generic_category(), "listen");
    std::printf("%s: echo on 127.0.0.1:%u\n", kProgram, ntohs(addr.sin_port));
    std::fflush(stdout);

    green::Hub hub;
    auto server = green::spawn([&] {
        for (;;) {
            auto conn = std::make_shared<Fd>(green::accept(listener.fd), "accept");
            green::spawn(echo, conn);
        }
    });
    green::wait_readable(signals.fd);
    server.kill();
    // The hub's destructor kills the connections' greenlets, which close their fds.
    return 0;
}

}  // namespace mp::tools::threadpool
