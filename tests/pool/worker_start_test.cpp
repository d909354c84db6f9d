// mp::pool::Pool: how workers start, are reaped and die with the program.
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

pid_t parent_of_worker() { return getppid(); }

int state_at_construction = 1;
std::mutex lock_taken_later;

// The first workers are forked by the constructing thread, replacements by the fork
// server; all are copies of this program as it was when the pool was made. So a
// lock that a thread started afterwards holds, and a value changed afterwards, are
// seen by no worker — replacements included (forked from this process now, they
// would deadlock on the lock).
TEST(Pool, ReplacementsAreCopiesOfTheProgramAsItWasWhenThePoolWasMade) {
    Pool pool(PoolOptions{.processes = 2, .maxtasksperchild = 1});
    state_at_construction = 2;
    std::atomic<bool> held{false}, release{false};
    std::thread holder([&] {
        std::lock_guard lock(lock_taken_later);
        held = true;
        while (!release) std::this_thread::yield();
    });
    while (!held) std::this_thread::yield();
    struct Seen {
        pid_t parent;
        int state;
    };
    std::vector<AsyncResult<Seen>> results;
    for (int i = 0; i < 6; ++i)
        results.push_back(pool.apply_async([] {
            std::lock_guard lock(lock_taken_later);
            return Seen{getppid(), state_at_construction};
        }));
    std::vector<Seen> seen;
    for (auto& r : results) seen.push_back(r.get(20s));
    release = true;
    holder.join();
    state_at_construction = 1;
    for (std::size_t i = 0; i < seen.size(); ++i) {
        EXPECT_EQ(seen[i].state, 1) << "task " << i;
        // One task per worker: the first two ran on the first workers, the rest on
        // replacements.
        if (i < 2) {
            EXPECT_EQ(seen[i].parent, getpid()) << "task " << i;
        } else {
            EXPECT_NE(seen[i].parent, getpid()) << "task " << i;
        }
    }
}

// After close() the fork server leaves at once, while a first worker may still be
// on its way out: the pool then waits for that worker's exit asleep, not polling
// the server's closed socket in a loop.
TEST(Pool, WaitingForAWorkerToExitAfterCloseBurnsNoCpu) {
    const auto cpu_used = [] {
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        return std::chrono::seconds(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
               std::chrono::microseconds(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
    };
    Pool pool(1);
    EXPECT_EQ(pool.apply(square, 2), 4);
    const pid_t worker = pool.worker_pids().at(0);
    ASSERT_EQ(kill(worker, SIGSTOP), 0);  // it cannot exit until continued
    pool.close();
    const auto before = cpu_used();
    EXPECT_FALSE(pool.join_for(300ms));
    const auto used = cpu_used() - before;
    ASSERT_EQ(kill(worker, SIGCONT), 0);
    pool.join();
    EXPECT_LT(used, 50ms) << "the pool spun while it waited";
}

// A first worker reaped by someone else (a waitpid on its pid, as a SIGCHLD handler
// reaping any child would do): the pool still learns of its death from its pidfd,
// fails its task and replaces it, without the status (README: Gotchas).
TEST(Pool, AFirstWorkerReapedElsewhereIsStillReplaced) {
    TestPipe pids;
    Pool pool(PoolOptions{.processes = 2, .pass_fds = {pids.write_end}});
    std::atomic<bool> open{false};
    std::atomic<bool> gated{false};
    // The result thread waits in this callback, so it cannot reap the victim first.
    auto gate = pool.apply_async({.callback =
                                      [&](const int&) {
                                          gated = true;
                                          gated.notify_all();
                                          open.wait(false);
                                      }},
                                 square, 1);
    auto doomed = pool.apply_async(report_pid_and_hang, pids.write_end);
    const pid_t victim = read_pid(pids.read_end);
    gated.wait(false);  // only now is the result thread held
    ASSERT_EQ(kill(victim, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(victim, &status, 0), victim);
    open = true;
    open.notify_all();
    EXPECT_EQ(gate.get(10s), 1);
    EXPECT_EQ(died_of(doomed), 0);
    EXPECT_EQ(pool.apply(square, 3), 9);
    const std::vector<pid_t> workers = pool.worker_pids();
    EXPECT_EQ(std::count(workers.begin(), workers.end(), victim), 0);
}

// With SIGCHLD ignored the kernel would reap the first workers, exit status and all,
// so the fork server forks them too: a killed worker is still reported with its
// signal, and nothing is left behind.
TEST(Pool, WithSigchldIgnoredTheForkServerStartsEveryWorker) {
    struct sigaction ignore {}, original {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ASSERT_EQ(sigaction(SIGCHLD, &ignore, &original), 0);
    {
        TestPipe pids;
        Pool pool(PoolOptions{.processes = 2, .pass_fds = {pids.write_end}});
        EXPECT_NE(pool.apply(parent_of_worker), getpid());
        auto doomed = pool.apply_async(report_pid_and_hang, pids.write_end);
        ASSERT_EQ(kill(read_pid(pids.read_end), SIGKILL), 0);
        EXPECT_EQ(died_of(doomed), -SIGKILL);  // the status survived: the fork server reaped it
        EXPECT_EQ(pool.apply(square, 4), 16);
        pool.close();
        pool.join();
    }
    sigaction(SIGCHLD, &original, nullptr);
}

// Before its first fork a program binds the library calls that only its children
// make, by making each once (pool/internal/child.hpp). Run in a fresh program, so
// that its first fork is this one: those calls change nothing (the signal mask and
// a high fd survive), and children still leave with their exit codes.
MP_TEST_HELPER(first_fork_changes_nothing) {
    sigset_t blocked, mask;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR2);
    if (pthread_sigmask(SIG_BLOCK, &blocked, nullptr) != 0) return 3;
    const int high = fcntl(1, F_DUPFD_CLOEXEC, 900);
    if (high < 900) return 4;
    Process process([] { mp::pool::exit(7); });
    process.start();
    process.join();
    if (process.exitcode() != 7) return 5;
    Pool pool(2);
    if (pool.apply(square, 5) != 25) return 6;
    pool.close();
    pool.join();
    if (pthread_sigmask(SIG_BLOCK, nullptr, &mask) != 0 || sigismember(&mask, SIGUSR2) != 1) return 7;
    if (fcntl(high, F_GETFD) == -1) return 8;
    return 0;
}

TEST(Pool, BindingTheCallsOfChildrenChangesNothingInTheParent) {
    const auto r = mp::test::run_command(mp::test::helper_command("first_fork_changes_nothing"), "", 20s);
    EXPECT_EQ(r.signal, 0) << r.err;
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

// The program that made a pool is SIGKILLed with one worker busy and one idle: both
// die with it (the fork server kills them), and the helper's stdout, which they
// hold, reaches end of file.
MP_TEST_HELPER(pool_owner_killed) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return 3;
    Pool pool(PoolOptions{.processes = 2, .pass_fds = {fds[1]}});
    auto busy = pool.apply_async(report_pid_and_hang, fds[1]);
    pid_t pid = 0;
    if (read(fds[0], &pid, sizeof pid) != static_cast<ssize_t>(sizeof pid)) return 4;
    for (pid_t worker : pool.worker_pids()) std::printf("%d\n", worker);
    std::fflush(stdout);
    raise(SIGKILL);
    return 5;
}

TEST(Pool, WorkersDieWithTheProgramThatMadeThePool) {
    const auto r = mp::test::run_command(mp::test::helper_command("pool_owner_killed"), "", 20s);
    EXPECT_FALSE(r.timed_out) << "a worker outlived the program";
    EXPECT_EQ(r.signal, SIGKILL) << r.err;
    std::istringstream pids(r.out);
    int count = 0;
    for (pid_t pid; pids >> pid; ++count) EXPECT_TRUE(process_gone(pid)) << pid;
    EXPECT_EQ(count, 2) << r.out;
}

}  // namespace
