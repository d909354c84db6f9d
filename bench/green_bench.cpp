// green: the cost of a greenlet switch against swapcontext (the raw column: what a
// ucontext coroutine pays, a signal-mask syscall per switch) and Python's greenlet;
// spawning and joining greenlets against std::thread start + join and gevent; and an
// echo server with 1,000 connections against a thread per connection and gevent's
// StreamServer, everything in one thread as gevent's figure is, then the two servers
// alone under the same clients (green, in a thread of their own).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "bench/harness/harness.hpp"
#include "threadpool/green/green.hpp"

namespace {

namespace green = mp::threadpool::green;

// `switches` one-way switches between the main greenlet and a partner.
void greenlet_ping_pong(std::size_t switches) {
    green::Greenlet& main = green::Greenlet::current();
    green::Greenlet partner([&](std::any) -> std::any {
        for (;;) main.switch_to();
    });
    for (std::size_t i = 0; i < switches / 2; ++i) partner.switch_to();
}

ucontext_t g_main_uc;
ucontext_t g_partner_uc;

void partner_loop() {
    for (;;) swapcontext(&g_partner_uc, &g_main_uc);
}

// The same ping-pong with swapcontext.
void swapcontext_ping_pong(std::size_t switches) {
    static std::vector<char> stack(256 * 1024);
    getcontext(&g_partner_uc);
    g_partner_uc.uc_stack.ss_sp = stack.data();
    g_partner_uc.uc_stack.ss_size = stack.size();
    g_partner_uc.uc_link = nullptr;
    makecontext(&g_partner_uc, partner_loop, 0);
    for (std::size_t i = 0; i < switches / 2; ++i) swapcontext(&g_main_uc, &g_partner_uc);
}

// ---- echo: kConnections clients, kRounds round trips of kMessage bytes each ----

constexpr std::size_t kConnections = 1000;
constexpr std::size_t kRounds = 100;
constexpr std::size_t kMessage = 64;

[[noreturn]] void die(const char* what) {
    std::perror(what);
    std::exit(1);
}

// A listening socket on 127.0.0.1 (any port); `flags` as socket(2)'s type flags.
int listen_loopback(int flags, sockaddr_in& addr) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
    addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof addr;
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 4096) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) != 0)
        die("listen 127.0.0.1");
    return fd;
}

// kConnections green clients making kRounds round trips each to `addr`, in the
// calling thread's hub.
void green_clients(const sockaddr_in& addr) {
    std::vector<green::TaskBase> clients;
    for (std::size_t i = 0; i < kConnections; ++i) clients.push_back(green::spawn([&addr] {
        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        green::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
        char message[kMessage] = {'x'};
        for (std::size_t round = 0; round < kRounds; ++round) {
            green::send(fd, message, sizeof message);
            for (std::size_t got = 0; got < sizeof message;) got += green::recv(fd, message + got, sizeof message - got);
        }
        close(fd);
    }));
    green::joinall(clients);
}

// The green server: one greenlet per connection, in the calling thread's hub.
void green_server(int listener) {
    std::vector<green::TaskBase> handlers;
    for (std::size_t i = 0; i < kConnections; ++i) {
        const int conn = green::accept(listener);
        handlers.push_back(green::spawn([conn] {
            char buffer[kMessage];
            while (const std::size_t n = green::recv(conn, buffer, sizeof buffer)) green::send(conn, buffer, n);
            close(conn);
        }));
    }
    green::joinall(handlers);
}

// A server with blocking sockets and a thread per connection.
void threaded_server(int listener) {
    std::vector<std::thread> handlers;
    for (std::size_t i = 0; i < kConnections; ++i) {
        const int conn = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (conn < 0) die("accept4");
        handlers.emplace_back([conn] {
            char buffer[kMessage];
            for (ssize_t n; (n = recv(conn, buffer, sizeof buffer, 0)) > 0;) send(conn, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL);
            close(conn);
        });
    }
    for (auto& h : handlers) h.join();
}

// Server and clients as greenlets of one hub: everything in this one thread, as
// gevent's figure is.
void green_echo() {
    sockaddr_in addr;
    const int listener = listen_loopback(SOCK_NONBLOCK, addr);
    auto server = green::spawn(green_server, listener);
    green_clients(addr);
    server.get();
    close(listener);
}

// The same with blocking sockets and a thread per connection on both sides.
void threaded_echo() {
    sockaddr_in addr;
    const int listener = listen_loopback(0, addr);
    std::thread server(threaded_server, listener);
    std::vector<std::thread> clients;
    for (std::size_t i = 0; i < kConnections; ++i) clients.emplace_back([&addr] {
        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) die("connect");
        char message[kMessage] = {'x'};
        for (std::size_t round = 0; round < kRounds; ++round) {
            send(fd, message, sizeof message, MSG_NOSIGNAL);
            for (std::size_t got = 0; got < sizeof message;) {
                const ssize_t n = recv(fd, message + got, sizeof message - got, 0);
                if (n <= 0) die("recv");
                got += static_cast<std::size_t>(n);
            }
        }
        close(fd);
    });
    for (auto& c : clients) c.join();
    server.join();
    close(listener);
}

// A server alone against the same load: the green clients in a thread of their own
// (with their own hub), the server in the calling thread. Comparing servers this way
// gives each one OS thread's worth of clients; above, the green server shared its
// one thread with its 1,000 clients while the threads had both cores.
void serve_green_clients(int listener_flags, void (*server)(int)) {
    sockaddr_in addr;
    const int listener = listen_loopback(listener_flags, addr);
    std::thread clients([&addr] { green_clients(addr); });
    server(listener);
    clients.join();
    close(listener);
}

}  // namespace

int main() {
    using namespace mp::bench;
    Table table("green: ours vs raw (swapcontext, std::thread) vs CPython (greenlet, gevent)");

    constexpr std::size_t kSwitches = 2'000'000;
    table.add({.scenario = "switch (one way)",
               .times = measure(kSwitches, {.ours = [] { greenlet_ping_pong(kSwitches); },
                                            .raw = [] { swapcontext_ping_pong(kSwitches); },
                                            .cpython = Python{"green_bench.py", "switch", kSwitches / 10}}),
               .targets = {{Ratio::ours_raw, 0.2}, {Ratio::ours_cpython, 0.05}},
               .note = "raw: swapcontext; CPython: greenlet.switch"});

    // gevent's own figure is for 100,000 greenlets alive at once before joinall; the
    // threads are started and joined one by one, 100,000 of them too.
    constexpr std::size_t kSpawns = 100'000;
    green::Hub hub;
    table.add({.scenario = "spawn + join (100,000)",
               .times = measure(kSpawns,
                                {.ours =
                                     [] {
                                         std::vector<green::TaskBase> tasks;
                                         tasks.reserve(kSpawns);
                                         for (std::size_t i = 0; i < kSpawns; ++i) tasks.push_back(green::spawn([] {}));
                                         green::joinall(tasks);
                                     },
                                 .raw =
                                     [] {
                                         for (std::size_t i = 0; i < kSpawns; ++i) std::thread([] {}).join();
                                     },
                                 .cpython = Python{"green_bench.py", "spawn", kSpawns}}),
               .targets = {},
               .note = "raw: std::thread start + join; CPython: gevent.spawn + joinall"});

    table.add({.scenario = "echo, 1,000 connections x 100 round trips",
               .times = measure(kConnections * kRounds,
                                {.ours = green_echo,
                                 .raw = threaded_echo,
                                 .cpython = Python{"green_bench.py", "echo", kConnections * kRounds}}),
               .targets = {{Ratio::ours_raw, 1.0}, {Ratio::ours_cpython, 0.1}},
               .note = "per round trip, server and clients in one thread; raw: a thread per connection on both "
                       "sides; CPython: gevent StreamServer + gevent clients"});
    table.add({.scenario = "echo server alone, same clients (green, own thread)",
               .times = measure(kConnections * kRounds,
                                {.ours = [] { serve_green_clients(SOCK_NONBLOCK, green_server); },
                                 .raw = [] { serve_green_clients(0, threaded_server); },
                                 .cpython = {}}),
               .targets = {{Ratio::ours_raw, 1.0}},
               .note = "per round trip; ours: the green server in one thread; raw: a thread per connection; the "
                       "clients: 1,000 greenlets in one other thread for both"});
    table.print();
}
