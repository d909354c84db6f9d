// mp::pool::Process: running a callable in a child, join, signals, misuse.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pool/pool.hpp"
#include "subproc/subproc.hpp"
#include "tests/support/helpers.hpp"
#include "tests/pool/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using namespace mp::pool::test;
using mp::pool::AsyncResult;
using mp::pool::Pool;
using mp::pool::PoolOptions;
using mp::pool::Process;

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
    EXPECT_FALSE(p.join_for(100ms));
    EXPECT_GE(Clock::now() - start, 90ms);
    EXPECT_TRUE(p.is_alive());
    EXPECT_FALSE(p.exitcode());
    (void)!write(release.write_end, "x", 1);
    EXPECT_TRUE(p.join_for(10s));
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
    EXPECT_TRUE(stubborn.join_for(10s));
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

TEST(Process, NamesAreNumberedAndSettable) {
    Process a([] {}), b([] {});
    EXPECT_NE(a.name(), b.name());
    EXPECT_EQ(a.name().rfind("Process-", 0), 0u);
    a.set_name("worker");
    EXPECT_EQ(a.name(), "worker");
}

}  // namespace
