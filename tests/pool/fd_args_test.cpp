// ipc::Fd arguments of Pool tasks (Python's pre-forked server passing an accepted
// socket with apply_async): the worker gets a descriptor of the same socket, the
// pool keeps no copy once it was sent, and a task that never runs, or whose worker
// is SIGKILLed, leaves no copy anywhere (the other end of the socket reads EOF).
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ipc/ipc.hpp"
#include "pool/pool.hpp"
#include "tests/pool/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using mp::ipc::Fd;
using mp::pool::Pool;

// A connected socket pair: [0] stays here, [1] goes to a worker.
std::pair<Fd, Fd> socket_pair() {
    int ends[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends), 0);
    return {Fd(ends[0]), Fd(ends[1])};
}

// The seed's talk(): echoes what arrives upper-cased until the peer closes; the
// number of messages answered, and the client's name it was given.
std::string talk(Fd conn, const std::string& client) {
    int answered = 0;
    char buffer[1024];
    ssize_t n;
    while ((n = recv(conn.get(), buffer, sizeof buffer, 0)) > 0) {
        for (ssize_t i = 0; i < n; ++i) buffer[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(buffer[i])));
        if (send(conn.get(), buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) break;
        ++answered;
    }
    return client + ": " + std::to_string(answered);
}

std::string exchange(int fd, const std::string& text) {
    EXPECT_EQ(send(fd, text.data(), text.size(), MSG_NOSIGNAL), static_cast<ssize_t>(text.size()));
    std::string reply(text.size(), '\0');
    EXPECT_EQ(recv(fd, reply.data(), reply.size(), MSG_WAITALL), static_cast<ssize_t>(reply.size()));
    return reply;
}

// Whether the peer of `fd` is gone: recv sees end of stream within 10 s.
bool reads_eof(int fd) {
    const timeval limit{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    char byte;
    return recv(fd, &byte, 1, 0) == 0;
}

// Writes what each of its sockets holds at once to the first one.
int join_sockets(std::vector<Fd> socks) {
    for (std::size_t i = 1; i < socks.size(); ++i) {
        const std::string word = "part" + std::to_string(i) + ";";
        if (send(socks[0].get(), word.data(), word.size(), MSG_NOSIGNAL) < 0) return -1;
    }
    return static_cast<int>(socks.size());
}

TEST(PoolFdArgs, AnAcceptedSocketIsServedByAWorker) {
    Pool pool(2);
    auto [here, there] = socket_pair();
    auto r = pool.apply_async(talk, std::move(there), std::string("127.0.0.1"));
    EXPECT_FALSE(there) << "moved into the task";
    EXPECT_EQ(exchange(here.get(), "hello"), "HELLO");
    EXPECT_EQ(exchange(here.get(), "pool"), "POOL");
    here.reset();  // the client leaves: talk() sees the end, as only the worker held the socket
    EXPECT_EQ(r.get(10s), "127.0.0.1: 2");
    pool.close();
    pool.join();
}

TEST(PoolFdArgs, SeveralDescriptorsAndTheBlockingFormsCarryThemToo) {
    Pool pool(1);
    auto [here, there] = socket_pair();
    std::vector<Fd> socks;
    socks.emplace_back(std::move(there));
    socks.emplace_back(dup(here.get()));
    socks.emplace_back(dup(here.get()));
    EXPECT_EQ(pool.apply(join_sockets, std::move(socks)), 3);
    std::string got(12, '\0');
    EXPECT_EQ(recv(here.get(), got.data(), got.size(), MSG_WAITALL), 12);
    EXPECT_EQ(got, "part1;part2;");

    mp::pool::Executor executor(1);
    auto [a, b] = socket_pair();
    auto future = executor.submit(talk, std::move(b), std::string("executor"));
    EXPECT_EQ(exchange(a.get(), "x"), "X");
    a.reset();
    EXPECT_EQ(future.result(), "executor: 1");
}

TEST(PoolFdArgs, AQueuedTaskThatNeverRunsClosesItsDescriptor) {
    mp::pool::test::TestPipe started;
    Pool pool(mp::pool::PoolOptions{.processes = 1, .pass_fds = {started.write_end}});
    auto busy = pool.apply_async(mp::pool::test::report_pid_and_hang, started.write_end);
    const pid_t worker = mp::pool::test::read_pid(started.read_end);
    ASSERT_GT(worker, 0);
    auto [here, there] = socket_pair();
    auto queued = pool.apply_async(talk, std::move(there), std::string("never"));
    pool.terminate();
    EXPECT_THROW(queued.get(), mp::pool::CancelledError);
    EXPECT_THROW(busy.get(), mp::pool::CancelledError);
    EXPECT_TRUE(reads_eof(here.get())) << "a copy of the socket was kept";
}

TEST(PoolFdArgs, AWorkerKilledWithTheSocketLeavesNoCopy) {
    Pool pool(1);
    auto [here, there] = socket_pair();
    auto r = pool.apply_async(talk, std::move(there), std::string("killed"));
    EXPECT_EQ(exchange(here.get(), "up"), "UP");  // the worker holds it now
    const std::vector<pid_t> workers = pool.worker_pids();
    ASSERT_EQ(workers.size(), 1u);
    ASSERT_EQ(kill(workers[0], SIGKILL), 0);
    EXPECT_THROW(r.get(10s), mp::pool::WorkerDied);
    EXPECT_TRUE(reads_eof(here.get())) << "a copy of the socket outlived its worker";
    // The replacement serves the next socket.
    auto [again, other] = socket_pair();
    auto next = pool.apply_async(talk, std::move(other), std::string("next"));
    EXPECT_EQ(exchange(again.get(), "on"), "ON");
    again.reset();
    EXPECT_EQ(next.get(10s), "next: 1");
}

TEST(PoolFdArgs, AWorkerKilledBeforeItTookTheSocketLeavesNoCopy) {
    Pool pool(1);
    const std::vector<pid_t> workers = pool.worker_pids();
    ASSERT_EQ(workers.size(), 1u);
    // Stopped, the idle worker cannot take what apply_async sends it (the socket,
    // then the task, both in the kernel when apply_async returns); killed, it never
    // will: the kernel must close the socket in flight.
    ASSERT_EQ(kill(workers[0], SIGSTOP), 0);
    auto [here, there] = socket_pair();
    auto r = pool.apply_async(talk, std::move(there), std::string("in flight"));
    ASSERT_EQ(kill(workers[0], SIGKILL), 0);
    EXPECT_THROW(r.get(10s), mp::pool::WorkerDied);
    EXPECT_TRUE(reads_eof(here.get())) << "a copy of the socket outlived its worker";
}

TEST(PoolFdArgs, AQueuedSocketGoesToTheReplacementOfAKilledWorker) {
    mp::pool::test::TestPipe started;
    Pool pool(mp::pool::PoolOptions{.processes = 1, .pass_fds = {started.write_end}});
    auto busy = pool.apply_async(mp::pool::test::report_pid_and_hang, started.write_end);
    const pid_t worker = mp::pool::test::read_pid(started.read_end);
    auto [here, there] = socket_pair();
    auto queued = pool.apply_async(talk, std::move(there), std::string("queued"));
    ASSERT_EQ(kill(worker, SIGKILL), 0);
    EXPECT_THROW(busy.get(10s), mp::pool::WorkerDied);
    EXPECT_EQ(exchange(here.get(), "late"), "LATE");
    here.reset();
    EXPECT_EQ(queued.get(10s), "queued: 1");
}

TEST(PoolFdArgs, ADescriptorInAMapItemIsRefused) {
    Pool pool(1);
    std::vector<Fd> items;
    items.emplace_back(dup(STDIN_FILENO));
    EXPECT_THROW((void)pool.map([](const Fd& fd) { return fd.get(); }, items), std::invalid_argument);
}

}  // namespace
