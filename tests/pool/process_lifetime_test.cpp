// Process lives as Python's: dropping it does not wait, active_children() counts
// the children down, exit codes ignore the target's return value, and a program
// that leaves waits for its non-daemon children and terminates its daemon ones.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "pool/pool.hpp"
#include "tests/support/helpers.hpp"

namespace {

using namespace std::chrono_literals;
using mp::pool::Process;
using Clock = std::chrono::steady_clock;

void nap() { std::this_thread::sleep_for(200ms); }

// Waits (at most 10 s) until no child started by Process runs; returns the counts seen.
std::vector<std::size_t> count_down_children() {
    std::vector<std::size_t> seen;
    const auto give_up = Clock::now() + 10s;
    for (;;) {
        const std::size_t live = mp::pool::active_children().size();
        if (seen.empty() || seen.back() != live) seen.push_back(live);
        if (live == 0 || Clock::now() > give_up) return seen;
        std::this_thread::sleep_for(10ms);
    }
}

TEST(ProcessLifetime, DroppedProcessesRunSideBySideAndAreCountedDown) {
    const auto start = Clock::now();
    for (int i = 0; i < 10; ++i) Process(nap).start();
    const auto started = Clock::now() - start;
    EXPECT_LT(started, 200ms * 10 / 2) << "dropping a Process waited for its child";
    const std::vector<std::size_t> seen = count_down_children();
    EXPECT_GT(seen.front(), 0u);
    EXPECT_EQ(seen.back(), 0u);
    for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_LT(seen[i], seen[i - 1]);
    EXPECT_LT(Clock::now() - start, 1500ms) << "ten 0.2 s children took as long as one after another";
}

TEST(ProcessLifetime, ActiveChildrenNamesOwnedAndDroppedChildren) {
    Process owned(nap);
    owned.set_name("owned");
    owned.start();
    Process([] { std::this_thread::sleep_for(300ms); }).start();
    const std::vector<mp::pool::ActiveChild> live = mp::pool::active_children();
    ASSERT_EQ(live.size(), 2u);
    EXPECT_EQ(live[0].pid, owned.pid());
    EXPECT_EQ(live[0].name, "owned");
    EXPECT_FALSE(live[1].daemon);
    owned.join();
    EXPECT_EQ(count_down_children().back(), 0u);
}

TEST(ProcessLifetime, ExitCodesAreNotTheReturnValue) {
    Process returns_seven([] { return 7; });
    Process throws([] {
        const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        ::dup2(null, 2);  // the uncaught-exception line goes nowhere
        throw std::runtime_error("no");
    });
    Process exits_three([] { mp::pool::exit(3); });
    Process killed([] { ::pause(); });
    Process terminated([] { ::pause(); });
    for (Process* p : {&returns_seven, &throws, &exits_three, &killed, &terminated}) p->start();
    killed.kill();
    terminated.terminate();
    for (Process* p : {&returns_seven, &throws, &exits_three, &killed, &terminated}) p->join();
    EXPECT_EQ(returns_seven.exitcode(), 0);
    EXPECT_EQ(throws.exitcode(), 1);
    EXPECT_EQ(exits_three.exitcode(), 3);
    EXPECT_EQ(killed.exitcode(), -SIGKILL);
    EXPECT_EQ(terminated.exitcode(), -SIGTERM);
}

// Seed 004: for i in range(5): Process(target=f, args=(i,)) ... print(p.exitcode)
// prints 0 five times, whatever f returns.
int square(int x) { return x * x; }

TEST(ProcessLifetime, SeedExitcodeProgramPrintsZeroFiveTimes) {
    std::string printed;
    for (int i = 0; i < 5; ++i) {
        Process p(square, i);
        p.start();
        p.join();
        printed += std::to_string(*p.exitcode()) + "\n";
    }
    EXPECT_EQ(printed, "0\n0\n0\n0\n0\n");
}

TEST(ProcessLifetime, ExitUnwindsTheTargetStack) {
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    struct SaysBye {
        int fd;
        ~SaysBye() { (void)!::write(fd, "bye", 3); }
    };
    Process p([fd = fds[1]] {
        SaysBye guard{fd};
        mp::pool::exit(4);
    });
    p.start();
    p.join();
    ::close(fds[1]);
    char text[8] = {};
    EXPECT_EQ(::read(fds[0], text, sizeof text), 3);
    ::close(fds[0]);
    EXPECT_STREQ(text, "bye");
    EXPECT_EQ(p.exitcode(), 4);
}

TEST(ProcessLifetime, AChildWaitsForItsOwnChildrenBeforeItLeaves) {
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    Process parent([fd = fds[1]] {
        Process([fd] {
            std::this_thread::sleep_for(200ms);
            (void)!::write(fd, "grandchild", 10);
        }).start();
        if (mp::pool::active_children().size() != 1) mp::pool::exit(9);  // its own, not its siblings
    });
    Process sibling(nap);
    sibling.start();
    parent.start();
    parent.join();
    sibling.join();
    ::close(fds[1]);
    char text[16] = {};
    EXPECT_EQ(::read(fds[0], text, sizeof text), 10);
    ::close(fds[0]);
    EXPECT_EQ(parent.exitcode(), 0);
}

// A program that returns from main with children still running.
MP_TEST_HELPER(leaves_with_children) {
    Process([] {
        std::this_thread::sleep_for(300ms);
        std::printf("worker done\n");
    }).start();
    Process daemon([] {
        ::signal(SIGTERM, SIG_IGN);  // a stubborn daemon still leaves: SIGKILL follows
        std::this_thread::sleep_for(30s);
        std::printf("daemon done\n");
    });
    daemon.set_daemon(true);
    daemon.start();
    for (const mp::pool::ActiveChild& child : mp::pool::active_children()) std::printf("pid %d\n", child.pid);
    std::fflush(stdout);
    return 0;
}

TEST(ProcessLifetime, ExitWaitsForNonDaemonChildrenAndTerminatesDaemons) {
    const auto start = Clock::now();
    const auto r = mp::test::run_command(mp::test::helper_command("leaves_with_children"), "", 20s);
    EXPECT_FALSE(r.timed_out) << "a child outlived the program";
    EXPECT_LT(Clock::now() - start, 10s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("worker done\n"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("daemon done"), std::string::npos) << r.out;
    int pid = 0;
    for (std::size_t at = r.out.find("pid "); at != std::string::npos; at = r.out.find("pid ", at + 1)) {
        pid = std::stoi(r.out.substr(at + 4));
        EXPECT_EQ(::kill(pid, 0), -1) << "child " << pid << " is still there";
        EXPECT_EQ(errno, ESRCH);
    }
    EXPECT_NE(pid, 0) << r.out;
}

}  // namespace
