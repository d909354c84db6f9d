// current_process() and parent_process(): the names Python gives (MainProcess,
// Process-N, nested Process-N:M, ForkPoolWorker-N with new numbers for replacement
// workers) and each process's parent.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "pool/pool.hpp"
#include "tests/pool/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using namespace mp::pool::test;
using mp::pool::current_process;
using mp::pool::parent_process;
using mp::pool::Pool;
using mp::pool::PoolOptions;
using mp::pool::Process;

// "<name> <pid == getpid()> of <parent name> <parent pid>", or "... of none".
std::string who_am_i() {
    const mp::pool::ProcessInfo me = current_process();
    std::string text = me.name + (me.pid == getpid() && me.ident() == me.pid ? " self" : " other") + " of ";
    const auto parent = parent_process();
    return text + (parent ? parent->name + " " + std::to_string(parent->pid) : "none");
}

std::string who_am_i_task(int) { return who_am_i(); }

void write_text(int fd, const std::string& text) { (void)!write(fd, text.data(), text.size()); }

// A task that says who runs it on `report_fd`, then holds its worker until
// `release_fd` reaches its end, so that the next task goes to another worker.
std::string report_name_and_hold(int report_fd, int release_fd) {
    write_text(report_fd, current_process().name + "\n");
    char byte;
    while (read(release_fd, &byte, 1) > 0) {
    }
    return current_process().name;
}

std::string expected_parent() { return "MainProcess " + std::to_string(getpid()); }

TEST(CurrentProcess, TheProgramIsMainProcessWithoutParent) {
    const mp::pool::ProcessInfo me = current_process();
    EXPECT_EQ(me.name, "MainProcess");
    EXPECT_EQ(me.pid, getpid());
    EXPECT_EQ(me.ident(), getpid());
    EXPECT_EQ(parent_process(), std::nullopt);
}

TEST(CurrentProcess, AProcessChildIsNamedAfterItsProcessAndKnowsItsParent) {
    TestPipe pipe;
    Process p([fd = pipe.write_end] { write_text(fd, who_am_i()); });
    ASSERT_TRUE(p.name().starts_with("Process-")) << p.name();
    p.start();
    p.join();
    pipe.close_write();
    EXPECT_EQ(pipe.read_all(), p.name() + " self of " + expected_parent());
    EXPECT_EQ(current_process().name, "MainProcess");  // the parent is unchanged
}

TEST(CurrentProcess, NumbersCountPerProcessAndNestedNamesJoinThemWithColons) {
    const Process first([] {});
    const Process second([] {});
    const int n = std::stoi(first.name().substr(std::string("Process-").size()));
    EXPECT_EQ(second.name(), "Process-" + std::to_string(n + 1));

    // In the child of Process-K, its second Process is Process-K:2, whose parent is
    // Process-K.
    TestPipe pipe;
    Process outer([fd = pipe.write_end] {
        Process one([] {});
        Process two([fd] { write_text(fd, who_am_i()); });
        two.start();
        two.join();
        write_text(fd, "|" + one.name() + "|" + std::to_string(getpid()));
    });
    outer.start();
    outer.join();
    pipe.close_write();
    const std::string text = pipe.read_all();
    const std::string outer_pid = text.substr(text.rfind('|') + 1);
    EXPECT_EQ(text, outer.name() + ":2 self of " + outer.name() + " " + outer_pid + "|" + outer.name() + ":1|" + outer_pid);
}

TEST(CurrentProcess, AProcessGivenANameKeepsItAndItsNumberNamesItsChildren) {
    TestPipe pipe;
    Process named([fd = pipe.write_end] {
        Process child([fd] { write_text(fd, current_process().name); });
        write_text(fd, current_process().name + "|");
        child.start();
        child.join();
    });
    const std::string number = named.name().substr(std::string("Process-").size());
    named.set_name("reader");
    named.start();
    named.join();
    pipe.close_write();
    EXPECT_EQ(pipe.read_all(), "reader|Process-" + number + ":1");
}

TEST(CurrentProcess, PoolWorkersAreForkPoolWorkerOneToN) {
    TestPipe reports, release;
    Pool pool(PoolOptions{.processes = 2, .pass_fds = {reports.write_end, release.read_end}});
    auto a = pool.apply_async(report_name_and_hold, reports.write_end, release.read_end);
    auto b = pool.apply_async(report_name_and_hold, reports.write_end, release.read_end);
    // Both hold a worker: read both reports before letting them go.
    std::string names;
    while (std::count(names.begin(), names.end(), '\n') < 2) {
        char buffer[64];
        const ssize_t got = read(reports.read_end, buffer, sizeof buffer);
        ASSERT_GT(got, 0);
        names.append(buffer, static_cast<size_t>(got));
    }
    release.close_write();
    EXPECT_EQ((std::set<std::string>{a.get(10s), b.get(10s)}),
              (std::set<std::string>{"ForkPoolWorker-1", "ForkPoolWorker-2"}));
    EXPECT_EQ(pool.apply(who_am_i_task, 0).substr(std::string("ForkPoolWorker-").size() + 1),
              " self of " + expected_parent());
}

TEST(CurrentProcess, AReplacementWorkerGetsTheNextNumber) {
    TestPipe pids;
    Pool pool(PoolOptions{.processes = 1, .pass_fds = {pids.write_end}});
    EXPECT_EQ(pool.apply(who_am_i_task, 0), "ForkPoolWorker-1 self of " + expected_parent());
    auto doomed = pool.apply_async(report_pid_and_hang, pids.write_end);
    ASSERT_EQ(kill(read_pid(pids.read_end), SIGKILL), 0);
    EXPECT_THROW(doomed.get(10s), mp::pool::WorkerDied);
    // Forked by the fork server, its parent is still the process that made the pool.
    EXPECT_EQ(pool.apply(who_am_i_task, 0), "ForkPoolWorker-2 self of " + expected_parent());
}

TEST(CurrentProcess, WorkersRetiredByMaxtasksperchildAreNumberedOn) {
    Pool pool(PoolOptions{.processes = 1, .maxtasksperchild = 1});
    for (int n = 1; n <= 3; ++n)
        EXPECT_EQ(pool.apply(who_am_i_task, 0), "ForkPoolWorker-" + std::to_string(n) + " self of " + expected_parent());
}

// With SIGCHLD ignored the fork server forks the first workers too
// (worker_start_test.cpp): they are numbered from 1 all the same, and their parent
// is this process, not the server.
TEST(CurrentProcess, WorkersTheForkServerStartsAreNumberedTheSame) {
    struct sigaction ignore {}, original {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ASSERT_EQ(sigaction(SIGCHLD, &ignore, &original), 0);
    {
        Pool pool(PoolOptions{.processes = 1, .maxtasksperchild = 1});
        for (int n = 1; n <= 2; ++n)
            EXPECT_EQ(pool.apply(who_am_i_task, 0),
                      "ForkPoolWorker-" + std::to_string(n) + " self of " + expected_parent());
        pool.close();
        pool.join();
    }
    sigaction(SIGCHLD, &original, nullptr);
}

TEST(CurrentProcess, ExecutorWorkersAreNamedAsPoolWorkers) {
    mp::pool::Executor executor(1);
    EXPECT_EQ(executor.submit(who_am_i_task, 0).result(), "ForkPoolWorker-1 self of " + expected_parent());
}

// A Process started inside a pool worker is numbered under the worker's number, as
// Python's identities are.
TEST(CurrentProcess, AProcessStartedInAWorkerIsNumberedUnderIt) {
    Pool pool(1);
    const std::string text = pool.apply(
        [](int) {
            TestPipe pipe;
            Process p([fd = pipe.write_end] { write_text(fd, who_am_i()); });
            p.start();
            p.join();
            pipe.close_write();
            return pipe.read_all() + "|" + std::to_string(getpid());
        },
        0);
    const std::string worker_pid = text.substr(text.rfind('|') + 1);
    EXPECT_EQ(text, "Process-1:1 self of ForkPoolWorker-1 " + worker_pid + "|" + worker_pid);
}

}  // namespace
