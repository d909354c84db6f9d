// Cooperative I/O: socketpairs and TCP on 127.0.0.1 with many greenlets in one
// thread, wait_readable timeouts, connect errors, a fd waited for by two greenlets,
// wait_child on real children, and run_in_thread.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
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

// Every test here runs once per backend: the same behaviour over epoll and poll(2).
class GreenIo : public testing::TestWithParam<green::Backend> {};
INSTANTIATE_TEST_SUITE_P(Backends, GreenIo, testing::Values(green::Backend::epoll, green::Backend::poll),
                         [](const auto& info) { return info.param == green::Backend::epoll ? "epoll" : "poll"; });

TEST_P(GreenIo, ManySocketpairsEchoConcurrentlyInOneThread) {
    Hub hub(GetParam());
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

TEST_P(GreenIo, ALargeWriteWaitsForTheReaderToMakeRoom) {
    Hub hub(GetParam());
    auto [a, b] = socket_pair();
    const std::string big(4 << 20, 'x');  // far more than a socket buffer
    auto writer = spawn([&, fd = a.fd] { green::write(fd, big.data(), big.size()); });
    EXPECT_EQ(read_exactly(b.fd, big.size()).size(), big.size());
    writer.get();
}

TEST_P(GreenIo, WaitReadableTimesOutAndTwoReadersOfOneFdAreRefused) {
    Hub hub(GetParam());
    auto [a, b] = socket_pair();
    EXPECT_THROW(green::wait_readable(a.fd, 5ms), TimeoutError);
    auto first = spawn([fd = a.fd] { green::wait_readable(fd); });
    sleep(0s);
    EXPECT_THROW(green::wait_readable(a.fd, 1s), std::logic_error);
    ::write(b.fd, "!", 1);
    first.get();
    green::wait_writable(a.fd, 1s);
}

TEST_P(GreenIo, AClosedFdsNumberReusedByANewSocketIsWatchedAgain) {
    Hub hub(GetParam());
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

TEST_P(GreenIo, TcpServerWithAGreenletPerConnection) {
    Hub hub(GetParam());
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

TEST_P(GreenIo, ConnectToAClosedPortThrowsNamingConnect) {
    Hub hub(GetParam());
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

// Each way of waiting for a child, forced: two children waited for at once by two
// greenlets (two signalfd waiters share the thread's SIGCHLD), a third greenlet
// running meanwhile, and the thread's signal mask as it was afterwards.
TEST_P(GreenIo, WaitChildLetsOthersRunWhileChildrenRun) {
    Hub hub(GetParam());
    for (const auto how : {green::ChildWatch::best, green::ChildWatch::pidfd, green::ChildWatch::sigchld}) {
        SCOPED_TRACE(static_cast<int>(how));
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
        auto first = spawn([pid = pids[0], how] { return wait_child(pid, how); });
        auto second = spawn([pid = pids[1], how] { return wait_child(pid, how); });
        const int s1 = first.get(30s);
        const int s2 = second.get(30s);
        ticker.kill();
        EXPECT_TRUE(WIFEXITED(s1) && WEXITSTATUS(s1) == 3);
        EXPECT_TRUE(WIFEXITED(s2) && WEXITSTATUS(s2) == 5);
        EXPECT_GT(ticks, 0);  // the ticker ran while both waited
        EXPECT_THROW(wait_child(pids[0], how), std::system_error);  // reaped already: ECHILD
        sigset_t mask;
        ASSERT_EQ(pthread_sigmask(SIG_SETMASK, nullptr, &mask), 0);
        EXPECT_FALSE(sigismember(&mask, SIGCHLD));
    }
}

// A SIGCHLD waiter ends even if the signal never reaches its signalfd: the child is
// forked by the main thread, which does not block SIGCHLD, so its SIGCHLD goes to the
// main thread and is dropped there (SIG_DFL ignores it); the waiter, a greenlet of a
// hub in a second thread, only has its bounded retry of waitpid to see the end.
TEST_P(GreenIo, ASigchldWaiterEndsWhenAnotherThreadTakesTheSignal) {
    sigset_t mask;
    ASSERT_EQ(pthread_sigmask(SIG_SETMASK, nullptr, &mask), 0);
    ASSERT_FALSE(sigismember(&mask, SIGCHLD));
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        usleep(30 * 1000);
        _exit(7);
    }
    int status = -1;
    std::thread waiter([&, backend = GetParam()] {
        Hub hub(backend);
        status = spawn([pid] { return wait_child(pid, green::ChildWatch::sigchld); }).get(30s);
    });
    waiter.join();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 7);
}

// poll(2) reports a regular file ready; epoll refuses it (EPERM): both backends let
// a wait on one return at once.
TEST_P(GreenIo, ARegularFileCountsAsReady) {
    Hub hub(GetParam());
    const Fd file(open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
    green::wait_readable(file.fd, 10s);
    green::wait_writable(file.fd, 10s);
}

TEST_P(GreenIo, RunInThreadKeepsTheHubResponsive) {
    Hub hub(GetParam());
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
