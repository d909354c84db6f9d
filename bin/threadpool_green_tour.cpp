// threadpool tour, the green part: seed 002's greenlet and gevent programs, and its
// "fetch three URLs concurrently" program against three slow HTTP servers the tour
// starts on 127.0.0.1 itself — all in one OS thread.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "bin/threadpool_commands.hpp"
#include "threadpool/green/green.hpp"

namespace mp::tools::threadpool {

namespace green = mp::threadpool::green;

namespace {

using namespace std::chrono_literals;

// An fd closed when it goes out of scope.
struct Socket {
    int fd;
    explicit Socket(int f) : fd(f) {
        if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
    }
    ~Socket() { close(fd); }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
};

int tcp_socket() {
    return socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

sockaddr_in loopback(unsigned short port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    return addr;
}

void greenlet_seed() {
    std::printf("\n== greenlet: two functions switch to each other\n");
    green::Greenlet* gr2 = nullptr;
    green::Greenlet gr1([&](std::any) {
        std::printf("11\n");
        gr2->switch_to();
        std::printf("22\n");
        gr2->switch_to();
        return std::any{};
    });
    green::Greenlet second([&](std::any) {
        std::printf("33\n");
        gr1.switch_to();
        std::printf("44\n");
        return std::any{};
    });
    gr2 = &second;
    gr1.switch_to();
}

void gevent_seed() {
    std::printf("\n== gevent: spawn, sleep(0), joinall\n");
    auto foo = [] {
        std::printf("Running in foo\n");
        green::sleep(0s);
        std::printf("Explicit context switch to foo again\n");
    };
    auto bar = [] {
        std::printf("Explicit context to bar\n");
        green::sleep(0s);
        std::printf("Implicit context switch back to bar\n");
    };
    green::joinall({green::spawn(foo), green::spawn(bar)});
}

// A one-request-per-connection HTTP server that answers after `delay`.
void slow_http_server(int listen_fd, std::chrono::milliseconds delay, const std::string& body) {
    for (;;) {
        auto conn = std::make_shared<Socket>(green::accept(listen_fd));
        green::spawn([conn, delay, body] {
            char request[1024];
            green::recv(conn->fd, request, sizeof request);  // one small GET
            green::sleep(delay);
            const std::string reply = "HTTP/1.0 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                                      "\r\nConnection: close\r\n\r\n" + body;
            green::send(conn->fd, reply.data(), reply.size());
        });
    }
}

// GET url's body (HTTP/1.0: the server closes when done).
std::string http_get(unsigned short port, const std::string& path) {
    Socket s(tcp_socket());
    const sockaddr_in addr = loopback(port);
    green::connect(s.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    green::send(s.fd, request.data(), request.size());
    std::string response;
    char buffer[4096];
    while (const std::size_t n = green::recv(s.fd, buffer, sizeof buffer)) response.append(buffer, n);
    const auto body = response.find("\r\n\r\n");
    return body == std::string::npos ? std::string() : response.substr(body + 4);
}

void fetch_three_urls() {
    std::printf("\n== gevent: I/O switches by itself — three slow servers (0.3 s each), fetched at once\n");
    std::vector<std::unique_ptr<Socket>> listeners;
    std::vector<green::TaskBase> servers;
    std::vector<std::string> urls;
    std::vector<unsigned short> ports;
    for (const char* page : {"python", "yahoo", "github"}) {
        auto listener = std::make_unique<Socket>(tcp_socket());
        sockaddr_in addr = loopback(0);
        socklen_t size = sizeof addr;
        if (bind(listener->fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener->fd, 16) != 0 ||
            getsockname(listener->fd, reinterpret_cast<sockaddr*>(&addr), &size) != 0)
            throw std::system_error(errno, std::generic_category(), "bind/listen 127.0.0.1");
        ports.push_back(ntohs(addr.sin_port));
        urls.push_back("http://127.0.0.1:" + std::to_string(ports.back()) + "/");
        servers.push_back(green::spawn(slow_http_server, listener->fd, 300ms, std::string(page) + " says hello"));
        listeners.push_back(std::move(listener));
    }
    const auto start = std::chrono::steady_clock::now();
    std::vector<green::TaskBase> fetches;
    for (std::size_t i = 0; i < urls.size(); ++i) fetches.push_back(green::spawn([&urls, &ports, i] {
        std::printf("FET: %s\n", urls[i].c_str());
        const std::string data = http_get(ports[i], "/");
        std::printf("%s %zu\n", urls[i].c_str(), data.size());
    }));
    green::joinall(fetches);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::printf("3 fetches took %.2f s (one after another: 0.9 s)\n", took.count());
    for (auto& server : servers) server.kill();
}

}  // namespace

void green_tour() {
    green::Hub hub;
    greenlet_seed();
    gevent_seed();
    fetch_three_urls();
    std::fflush(stdout);
}

}  // namespace mp::tools::threadpool
