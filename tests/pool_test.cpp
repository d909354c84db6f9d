// mp::pool: Process, Pool, Executor and the bin/pool job runner.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pool/pool.hpp"
#include "tests/support/helpers.hpp"

namespace {

using namespace std::chrono_literals;
using mp::pool::Process;
using Clock = std::chrono::steady_clock;

// A pipe whose ends close themselves; tests use it to hear from children.
struct TestPipe {
    int read_end = -1, write_end = -1;
    TestPipe() {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
        read_end = fds[0];
        write_end = fds[1];
    }
    ~TestPipe() {
        if (read_end >= 0) close(read_end);
        if (write_end >= 0) close(write_end);
    }
    void close_write() {
        close(write_end);
        write_end = -1;
    }
    std::string read_all() {
        std::string text;
        char buffer[4096];
        ssize_t n;
        while ((n = read(read_end, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
        return text;
    }
};

// ---------------------------------------------------------------- Process

TEST(Process, RunsCallableWithArgumentsInAChild) {
    TestPipe pipe;
    const pid_t parent = getpid();
    Process p(
        [parent](int fd, const std::string& word, int n) {
            const std::string text = word + std::to_string(n) + (getpid() != parent ? " in child" : " in parent");
            (void)!write(fd, text.data(), text.size());
        },
        pipe.write_end, std::string("hello "), 42);
    EXPECT_EQ(p.pid(), 0);
    EXPECT_FALSE(p.exitcode());
    p.start();
    EXPECT_GT(p.pid(), 0);
    p.join();
    pipe.close_write();
    EXPECT_EQ(pipe.read_all(), "hello 42 in child");
    EXPECT_EQ(p.exitcode(), 0);
    EXPECT_FALSE(p.is_alive());
}

TEST(Process, IntReturnIsTheExitCode) {
    Process p([] { return 7; });
    p.start();
    p.join();
    EXPECT_EQ(p.exitcode(), 7);
}

TEST(Process, UncaughtExceptionGivesExitCodeOneAndAMessageOnStderr) {
    TestPipe pipe;
    Process p([fd = pipe.write_end] {
        dup2(fd, 2);
        throw std::invalid_argument("bad input");
    });
    p.set_name("thrower");
    p.start();
    p.join();
    pipe.close_write();
    EXPECT_EQ(p.exitcode(), 1);
    EXPECT_EQ(pipe.read_all(), "Process thrower: uncaught std::invalid_argument: bad input\n");
}

TEST(Process, JoinWithTimeoutAndIsAlive) {
    TestPipe release;
    Process p([fd = release.read_end] {
        char byte;
        (void)!read(fd, &byte, 1);
    });
    p.start();
    EXPECT_TRUE(p.is_alive());
    const auto start = Clock::now();
    EXPECT_FALSE(p.join(100ms));
    EXPECT_GE(Clock::now() - start, 90ms);
    EXPECT_TRUE(p.is_alive());
    EXPECT_FALSE(p.exitcode());
    (void)!write(release.write_end, "x", 1);
    EXPECT_TRUE(p.join(10s));
    EXPECT_FALSE(p.is_alive());
    EXPECT_EQ(p.exitcode(), 0);
}

TEST(Process, TerminateAndKillGiveNegativeSignalExitCodes) {
    Process sleeper([] { pause(); });
    sleeper.start();
    sleeper.terminate();
    sleeper.join();
    EXPECT_EQ(sleeper.exitcode(), -SIGTERM);

    Process stubborn([] {
        signal(SIGTERM, SIG_IGN);
        for (;;) pause();
    });
    stubborn.start();
    stubborn.kill();
    EXPECT_TRUE(stubborn.join(10s));
    EXPECT_EQ(stubborn.exitcode(), -SIGKILL);
    stubborn.kill();  // after reaping: a no-op, never a stray signal
}

TEST(Process, ChildOutputIsNotDuplicatedByUnflushedParentBuffers) {
    TestPipe pipe;
    FILE* out = fdopen(dup(pipe.write_end), "w");
    ASSERT_NE(out, nullptr);
    std::fputs("parent-before;", out);  // buffered, not yet written
    Process p([out] { std::fputs("child;", out); });
    p.start();
    p.join();
    std::fclose(out);
    pipe.close_write();
    EXPECT_EQ(pipe.read_all(), "parent-before;child;");
}

TEST(Process, MisuseIsALogicError) {
    Process p([] {});
    EXPECT_THROW(p.join(), std::logic_error);
    p.start();
    EXPECT_THROW(p.start(), std::logic_error);
    EXPECT_THROW(p.set_daemon(true), std::logic_error);
    p.join();
}

TEST(Process, DestructorKillsADaemonAndJoinsOthers) {
    const auto start = Clock::now();
    {
        Process daemon([] { pause(); });
        daemon.set_daemon(true);
        daemon.start();
        Process quick([] { usleep(20000); });
        quick.start();
    }  // the leak guard checks that both were reaped
    EXPECT_LT(Clock::now() - start, 10s);
}

TEST(Process, NamesAreNumberedAndSettable) {
    Process a([] {}), b([] {});
    EXPECT_NE(a.name(), b.name());
    EXPECT_EQ(a.name().rfind("Process-", 0), 0u);
    a.set_name("worker");
    EXPECT_EQ(a.name(), "worker");
}

}  // namespace
