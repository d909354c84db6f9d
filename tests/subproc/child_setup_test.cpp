// Options that run code in the child before exec: die_with_parent (a child that
// cannot outlive its parent, made with vfork) and preexec_fn (Python's hook).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "subproc/subproc.hpp"
#include "tests/support/helpers.hpp"

namespace {

using namespace std::chrono_literals;
namespace sp = mp::subproc;

// Forks a parent that starts `sleep 30` with `options` and tells us its pid, then
// SIGKILLs that parent and returns the orphaned sleeper's pid.
pid_t orphan_of_a_killed_parent(sp::Options options) {
    int report[2];
    if (pipe(report) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
    const pid_t parent = fork();
    if (parent == 0) {
        close(report[0]);
        sp::Popen sleeper({"sleep", "30"}, std::move(options));
        const pid_t pid = sleeper.pid();
        (void)!write(report[1], &pid, sizeof pid);
        pause();
        _exit(0);
    }
    close(report[1]);
    pid_t orphan = -1;
    const ssize_t n = read(report[0], &orphan, sizeof orphan);
    close(report[0]);
    kill(parent, SIGKILL);
    waitpid(parent, nullptr, 0);
    if (n != sizeof orphan) throw std::runtime_error("the parent did not start its child");
    return orphan;
}

TEST(DieWithParent, TheChildIsKilledWhenItsParentIsSigkilled) {
    const pid_t orphan = orphan_of_a_killed_parent({.die_with_parent = true});
    EXPECT_TRUE(mp::test::exits_within(orphan, 10s)) << "the child outlived its parent";
    kill(orphan, SIGKILL);
}

TEST(DieWithParent, WithoutItTheOrphanLivesOn) {
    // The control: what the option changes.
    const pid_t orphan = orphan_of_a_killed_parent({});
    EXPECT_FALSE(mp::test::exits_within(orphan, 300ms));
    kill(orphan, SIGKILL);
    EXPECT_TRUE(mp::test::exits_within(orphan, 10s));
}

TEST(DieWithParent, RunsAndReportsAsAnyChild) {
    EXPECT_EQ(sp::check_output({"echo", "hi"}, {.die_with_parent = true}), "hi\n");
    EXPECT_EQ(sp::call({"sh", "-c", "exit 3"}, {.die_with_parent = true}), 3);
    try {
        sp::run({"mp-no-such-program"}, {.die_with_parent = true});
        FAIL() << "no SpawnError";
    } catch (const sp::SpawnError& e) {
        EXPECT_EQ(e.code().value(), ENOENT);
    }
    try {
        sp::run({"true"}, {.cwd = "/mp-no-such-directory", .die_with_parent = true});
        FAIL() << "no SpawnError";
    } catch (const sp::SpawnError& e) {
        EXPECT_EQ(e.step(), "chdir");
    }
}

TEST(DieWithParent, IsSafeInAMultithreadedParent) {
    // The vfork child shares our memory while other threads allocate: it must touch
    // nothing but its own stack (caught by the timeout, not hung, if it does).
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i)
        threads.emplace_back([&stop] {
            for (std::size_t size = 4096; !stop.load(std::memory_order_relaxed); size = size * 7 % 65521 + 4096) {
                std::vector<char> block(size);
                static_cast<volatile char*>(block.data())[size / 2] = 1;
            }
        });
    int started = 0;
    for (int i = 0; i < 40; ++i)
        started += sp::run({"true"}, {.die_with_parent = true, .timeout = 20s}).returncode == 0;
    stop = true;
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(started, 40);
}

TEST(PreexecFn, RunsInTheChildAfterStdioIsSetUpAndBeforeExec) {
    const std::string out = sp::check_output({"echo", "exec"}, {.preexec_fn = [] { (void)!write(1, "pre\n", 4); }});
    EXPECT_EQ(out, "pre\nexec\n");
}

TEST(PreexecFn, RunsWithNoSignalBlockedAndDefaultHandlers) {
    struct sigaction ours {};
    ours.sa_handler = [](int) {};
    struct sigaction old {};
    sigaction(SIGUSR1, &ours, &old);
    const int code = sp::call({"true"}, {.preexec_fn = [] {
                                             sigset_t blocked;
                                             sigprocmask(SIG_SETMASK, nullptr, &blocked);
                                             struct sigaction now {};
                                             sigaction(SIGUSR1, nullptr, &now);
                                             const bool clean = sigisemptyset(&blocked) && now.sa_handler == SIG_DFL;
                                             if (!clean) _exit(9);
                                         }});
    sigaction(SIGUSR1, &old, nullptr);
    EXPECT_EQ(code, 0);
}

TEST(PreexecFn, ExitingEndsTheChildWithItsCodeAndTheProgramNeverRuns) {
    const sp::CompletedProcess r = sp::run({"echo", "never"}, {.preexec_fn = [] { _exit(7); }, .capture_output = true});
    EXPECT_EQ(r.returncode, 7);
    EXPECT_EQ(r.out, "");
}

TEST(PreexecFn, AnExceptionFailsTheStartWithItsErrno) {
    try {
        sp::Popen({"true"}, {.preexec_fn = [] { throw std::system_error(EPERM, std::generic_category(), "setuid"); }});
        FAIL() << "no SpawnError";
    } catch (const sp::SpawnError& e) {
        EXPECT_EQ(e.step(), "preexec_fn");
        EXPECT_EQ(e.code().value(), EPERM);
        EXPECT_NE(std::string(e.what()).find("preexec_fn"), std::string::npos) << e.what();
    }
    try {
        sp::Popen({"true"}, {.preexec_fn = [] { throw std::runtime_error("no"); }});
        FAIL() << "no SpawnError";
    } catch (const sp::SpawnError& e) {
        EXPECT_EQ(e.step(), "preexec_fn");
        EXPECT_EQ(e.code().value(), ECANCELED);
    }
}

TEST(PreexecFn, WorksInEveryMemberOfAPipeline) {
    const sp::PipelineResult r = sp::pipeline({{"echo", "a"}, {"cat"}},
                                              {.preexec_fn = [] { (void)!write(2, "p", 1); }, .capture_output = true});
    EXPECT_EQ(r.out, "a\n");
    EXPECT_EQ(r.err, "pp");
}

}  // namespace
