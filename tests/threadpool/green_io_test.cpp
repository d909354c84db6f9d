// Cooperative I/O: socketpairs and TCP on 127.0.0.1 with many greenlets in one
// thread, wait_readable timeouts, connect errors, a fd waited for by two greenlets,
// wait_child on real children, and run_in_thread.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "threadpool/green/green.hpp"

namespace {

using namespace std::chrono_literals;
// The I/O calls are named as POSIX's: spelled green::x here, as ::x is in scope too.
namespace green = mp::threadpool::green;
using green::Hub;
using green::joinall;
using green::joinall_for;
using green::run_in_thread;
using green::sleep;
using green::spawn;
using green::Task;
using green::TaskBase;
using green::wait_child;
using mp::threadpool::TimeoutError;

struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {
        if (fd < 0) throw std::system_error(errno, std::generic_category(), "fd");
    }
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
    Fd(Fd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
    Fd(const Fd&) = delete;
};

std::pair<Fd, Fd> socket_pair() {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
        throw std::system_error(errno, std::generic_category(), "socketpair");
    return {Fd(sv[0]), Fd(sv[1])};
}

std::string read_exactly(int fd, std::size_t n) {
    std::string out(n, '\0');
    std::size_t got = 0;
    while (got < n) {
        const std::size_t k = green::recv(fd, out.data() + got, n - got);
        if (k == 0) break;
        got += k;
    }
    out.resize(got);
    return out;
}

TEST(GreenIo, ManySocketpairsEchoConcurrentlyInOneThread) {
    Hub hub;
    constexpr int kPairs = 50;
    std::vector<std::pair<Fd, Fd>> pairs;
    for (int i = 0; i < kPairs; ++i) pairs.push_back(socket_pair());
    std::vector<TaskBase> tasks;
    for (auto& [a, b] : pairs) {
        const int server = b.fd;
        const int client = a.fd;
        tasks.push_back(spawn([server] {
            char buf[256];
            for (;;) {
                const std::size_t n = green::recv(server, buf, sizeof buf);
                if (n == 0) return;
                green::send(server, buf, n);
            }
        }));
        tasks.push_back(spawn([client] {
            for (int round = 0; round < 20; ++round) {
                const std::string msg = "ping " + std::to_string(client) + " " + std::to_string(round);
                green::send(client, msg.data(), msg.size());
                EXPECT_EQ(read_exactly(client, msg.size()), msg);
            }
            shutdown(client, SHUT_WR);
        }));
    }
    EXPECT_TRUE(joinall_for(tasks, 60s));
    for (auto& t : tasks) EXPECT_TRUE(t.successful());
}

TEST(GreenIo, ALargeWriteWaitsForTheReaderToMakeRoom) {
    Hub hub;
    auto [a, b] = socket_pair();
    const std::string big(4 << 20, 'x');  // far more than a socket buffer
    auto writer = spawn([&, fd = a.fd] { green::write(fd, big.data(), big.size()); });
    EXPECT_EQ(read_exactly(b.fd, big.size()).size(), big.size());
    writer.get();
}

TEST(GreenIo, WaitReadableTimesOutAndTwoReadersOfOneFdAreRefused) {
    Hub hub;
    auto [a, b] = socket_pair();
    EXPECT_THROW(green::wait_readable(a.fd, 5ms), TimeoutError);
    auto first = spawn([fd = a.fd] { green::wait_readable(fd); });
    sleep(0s);
    EXPECT_THROW(green::wait_readable(a.fd, 1s), std::logic_error);
    ::write(b.fd, "!", 1);
    first.get();
    green::wait_writable(a.fd, 1s);
}

TEST(GreenIo, AClosedFdsNumberReusedByANewSocketIsWatchedAgain) {
    Hub hub;
    int number = -1;
    {
        auto [a, b] = socket_pair();
        number = a.fd;
        ASSERT_EQ(::write(b.fd, "x", 1), 1);
        green::wait_readable(a.fd, 1s);  // a stays in the hub's epoll set after the wait
    }
    auto [c, d] = socket_pair();  // the lowest free numbers: c gets a's
    ASSERT_EQ(c.fd, number);
    auto writer = spawn([fd = d.fd] {
        sleep(1ms);
        green::write(fd, "y", 1);
    });
    green::wait_readable(c.fd, 10s);  // the closed fd left the set: the hub adds the new one
    writer.get();
}

TEST(GreenIo, TcpServerWithAGreenletPerConnection) {
    Hub hub;
    Fd listener(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(listener.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(listen(listener.fd, 128), 0);
    socklen_t len = sizeof addr;
    getsockname(listener.fd, reinterpret_cast<sockaddr*>(&addr), &len);
    constexpr int kClients = 30;
    auto server = spawn([&] {
        std::vector<TaskBase> handlers;
        for (int i = 0; i < kClients; ++i) {
            auto conn = std::make_shared<Fd>(green::accept(listener.fd));
            handlers.push_back(spawn([conn] {
                char buf[64];
                const std::size_t n = green::recv(conn->fd, buf, sizeof buf);
                const std::string reply = "echo:" + std::string(buf, n);
                green::send(conn->fd, reply.data(), reply.size());
            }));
        }
        joinall(handlers);
    });
    std::vector<TaskBase> clients;
    for (int i = 0; i < kClients; ++i) clients.push_back(spawn([&addr, i] {
        Fd s(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        green::connect(s.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
        const std::string msg = "client " + std::to_string(i);
        green::send(s.fd, msg.data(), msg.size());
        return read_exactly(s.fd, msg.size() + 5);
    }));
    for (int i = 0; i < kClients; ++i)
        EXPECT_EQ(static_cast<Task<std::string>&>(clients[static_cast<std::size_t>(i)]).get(10s),
                  "echo:client " + std::to_string(i));
    server.get(10s);
}

TEST(GreenIo, ConnectToAClosedPortThrowsNamingConnect) {
    Hub hub;
    // A port that was just free: bind, read its number, close.
    Fd probe(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(probe.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(probe.fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(std::exchange(probe.fd, -1));
    Fd s(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    try {
        green::connect(s.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
        FAIL() << "connected";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ECONNREFUSED);
        EXPECT_NE(std::string(e.what()).find("connect"), std::string::npos);
    }
}

TEST(GreenIo, WaitChildLetsOthersRunWhileChildrenRun) {
    Hub hub;
    std::vector<pid_t> pids;
    for (int code : {3, 5}) {
        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            usleep(50 * 1000);
            _exit(code);
        }
        pids.push_back(pid);
    }
    int ticks = 0;
    auto ticker = spawn([&] {
        for (;;) {
            sleep(1ms);
            ++ticks;
        }
    });
    auto first = spawn([pid = pids[0]] { return wait_child(pid); });
    auto second = spawn([pid = pids[1]] { return wait_child(pid); });
    const int s1 = first.get(30s);
    const int s2 = second.get(30s);
    ticker.kill();
    EXPECT_TRUE(WIFEXITED(s1) && WEXITSTATUS(s1) == 3);
    EXPECT_TRUE(WIFEXITED(s2) && WEXITSTATUS(s2) == 5);
    EXPECT_GT(ticks, 0);  // the ticker ran while both waited
    EXPECT_THROW(wait_child(pids[0]), std::system_error);  // reaped already: ECHILD
}

TEST(GreenIo, RunInThreadKeepsTheHubResponsive) {
    Hub hub;
    int ticks = 0;
    auto ticker = spawn([&] {
        for (;;) {
            sleep(1ms);
            ++ticks;
        }
    });
    const int value = run_in_thread([] {
        std::this_thread::sleep_for(50ms);  // a blocking call: fine on a pool thread
        return 6 * 7;
    });
    EXPECT_EQ(value, 42);
    EXPECT_GT(ticks, 0);
    EXPECT_THROW(run_in_thread([]() -> int { throw std::runtime_error("in thread"); }), std::runtime_error);
    ticker.kill();
}

}  // namespace
