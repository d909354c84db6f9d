// The sync suite. Each primitive's tests live in tests/sync/<primitive>_test.cpp;
// this file tests the bin/sync tool: exit codes, the semaphore limit across
// unrelated processes, killed runners, signal forwarding, ls and rm.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "sync/internal/sanitizer.hpp"
#include "sync/sync.hpp"
#include "tests/support/helpers.hpp"
#include "tests/support/other_user.hpp"
#include "tests/sync/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using mp::test::CommandResult;
using mp::test::run_command;
using mp::sync::test::Child;
using mp::sync::test::exit_code;
using mp::sync::test::hold_until_killed;
using mp::sync::test::ScopedName;
using mp::sync::test::seconds_since;
using mp::sync::test::TempFile;

std::string sync_bin() { return mp::test::bin_path("sync"); }

CommandResult sync_cli(std::vector<std::string> args, std::chrono::milliseconds limit = 30s) {
    args.insert(args.begin(), sync_bin());
    return run_command(args, "", limit);
}

// A child that execs `argv` (so it shares nothing with us but names).
Child exec_child(const std::vector<std::string>& argv) {
    return Child([argv](Child&) {
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        return 127;
    });
}

template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!predicate()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        usleep(2000);
    }
    return true;
}

TEST(SyncCli, HelpAndUsageErrors) {
    EXPECT_EQ(sync_cli({"--help"}).exit_code, 0);
    EXPECT_EQ(sync_cli({}).exit_code, 2);
    const CommandResult unknown = sync_cli({"frobnicate"});
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.err.find("sync: unknown command"), std::string::npos) << unknown.err;
    EXPECT_EQ(sync_cli({"lock", "x"}).exit_code, 2);                      // no CMD
    EXPECT_EQ(sync_cli({"sem", "x", "--", "true"}).exit_code, 2);         // no -j
    EXPECT_EQ(sync_cli({"lock", "x", "-w", "soon", "--", "true"}).exit_code, 2);
    EXPECT_EQ(sync_cli({"lock", "x", "-n", "-w", "1", "--", "true"}).exit_code, 2);
    const CommandResult bad_name = sync_cli({"lock", "a/b", "--", "true"});
    EXPECT_EQ(bad_name.exit_code, 2);
    EXPECT_NE(bad_name.err.find("bad name"), std::string::npos) << bad_name.err;
}

// Options before NAME, as flock(1) takes them, are options: before, `sync lock -w 5
// NAME CMD` made a lock named "-w" and ran "5" as the command.
TEST(SyncCli, OptionsMayComeBeforeTheName) {
    const ScopedName name("flock-order");
    EXPECT_EQ(sync_cli({"lock", "-w", "5", name.value, "sh", "-c", "exit 7"}).exit_code, 7);
    EXPECT_EQ(sync_cli({"lock", "-n", "-E", "9", name.value, "--", "true"}).exit_code, 0);
    EXPECT_EQ(sync_cli({"sem", "-j", "2", name.value + "-sem", "-w", "5", "true"}).exit_code, 0);
    EXPECT_EQ(sync_cli({"event", "-w", "1", name.value + "-event", "set"}).exit_code, 0);
    EXPECT_EQ(sync_cli({"event", name.value + "-event", "wait", "-n"}).exit_code, 0);
    EXPECT_EQ(sync_cli({"barrier", "-n", "1", name.value + "-barrier"}).exit_code, 0);
    const CommandResult listed = sync_cli({"ls"});
    EXPECT_EQ(listed.out.find(" -w "), std::string::npos) << listed.out;
    EXPECT_EQ(listed.out.find("\n-"), std::string::npos) << "an object named like an option:\n" << listed.out;
    EXPECT_EQ(sync_cli({"rm", name.value + "-sem", name.value + "-event", name.value + "-barrier"}).exit_code, 0);
    EXPECT_EQ(sync_cli({"lock", "-w", "5"}).exit_code, 2);  // no NAME
    EXPECT_EQ(sync_cli({"barrier", "-n", "2"}).exit_code, 2);
}

TEST(SyncCli, LockExitsWithTheCommandsStatus) {
    ScopedName name("cli-status");
    EXPECT_EQ(sync_cli({"lock", name.value, "--", "sh", "-c", "exit 7"}).exit_code, 7);
    EXPECT_EQ(sync_cli({"lock", name.value, "sh", "-c", "kill -9 $$"}).exit_code, 128 + 9);
    const CommandResult missing = sync_cli({"lock", name.value, "--", "/nonexistent/cmd"});
    EXPECT_EQ(missing.exit_code, 127);
    EXPECT_NE(missing.err.find("sync: /nonexistent/cmd: No such file"), std::string::npos) << missing.err;
    EXPECT_EQ(sync_cli({"lock", name.value, "--", "/"}).exit_code, 126);
    const CommandResult echo = sync_cli({"lock", name.value, "--", "echo", "under", "lock"});
    EXPECT_EQ(echo.exit_code, 0);
    EXPECT_EQ(echo.out, "under lock\n");
}

TEST(SyncCli, LockIsBusyWhileAnotherProcessHoldsIt) {
    ScopedName name("cli-busy");
    mp::sync::Lock lock = mp::sync::Lock::open(name.value);  // the same lock, from C++
    lock.lock();
    EXPECT_EQ(sync_cli({"lock", name.value, "-n", "--", "touch", "/tmp/mp-sync-must-not-run"}).exit_code, 75);
    EXPECT_NE(access("/tmp/mp-sync-must-not-run", F_OK), 0) << "CMD ran without the lock";
    EXPECT_EQ(sync_cli({"lock", name.value, "-n", "-E", "9", "--", "true"}).exit_code, 9);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(sync_cli({"lock", name.value, "-w", "0.2", "--", "true"}).exit_code, 75);
    EXPECT_GE(seconds_since(start), 0.19);
    lock.unlock();
    EXPECT_EQ(sync_cli({"lock", name.value, "-n", "--", "true"}).exit_code, 0);
}

// Six jobs, two slots: each job logs its start and end (nanoseconds); at no
// instant may more than two intervals overlap.
TEST(SyncCli, SemaphoreRunsAtMostNCommandsAtOnce) {
    ScopedName name("cli-sem");
    const TempFile log_file("sem-log");
    const std::string job =
        "s=$(date +%s%N); sleep 0.15; e=$(date +%s%N); echo \"$s $e\" >> " + log_file.path();
    std::vector<std::thread> runners;
    std::vector<CommandResult> results(6);
    for (auto& result : results)
        runners.emplace_back([&] { result = sync_cli({"sem", name.value, "-j", "2", "--", "sh", "-c", job}); });
    for (auto& t : runners) t.join();
    for (const auto& r : results) EXPECT_EQ(r.exit_code, 0) << r.err;

    std::ifstream log(log_file.path());
    std::vector<std::pair<long long, int>> edges;  // (time, +1 start / -1 end)
    long long start, end;
    while (log >> start >> end) {
        edges.emplace_back(start, +1);
        edges.emplace_back(end, -1);
    }
    ASSERT_EQ(edges.size(), 12u);
    std::sort(edges.begin(), edges.end());  // at equal times, ends (-1) first
    int running = 0, most = 0;
    for (const auto& edge : edges) most = std::max(most, running += edge.second);
    EXPECT_EQ(most, 2) << "more than 2 jobs overlapped, or they never ran 2 at once";
}

TEST(SyncCli, SemaphoreBusyAndTimeout) {
    ScopedName name("cli-sembusy");
    mp::sync::Semaphore sem = mp::sync::Semaphore::open(name.value, 1, mp::sync::SlotOwnership::process);
    sem.acquire();
    EXPECT_EQ(sync_cli({"sem", name.value, "-j", "1", "-n", "--", "true"}).exit_code, 75);
    EXPECT_EQ(sync_cli({"sem", name.value, "-j", "1", "-w", "0.1", "-E", "3", "--", "true"}).exit_code, 3);
    EXPECT_EQ(sync_cli({"sem", name.value, "-j", "2", "--", "true"}).exit_code, 2) << "-j differs from the creator's";
    sem.release();
    EXPECT_EQ(sync_cli({"sem", name.value, "-j", "1", "-n", "--", "true"}).exit_code, 0);
    EXPECT_EQ(sem.value(), 1u);
}

// The documented rule: a SIGKILLed sem runner's CMD keeps its slot while it lives;
// once CMD is dead too, the next acquirer reclaims the slot.
TEST(SyncCli, AKilledSemRunnersSlotFollowsItsCommand) {
    ScopedName name("cli-semkill");
    const TempFile marker("sem-cmd-pid");
    mp::sync::Semaphore sem = mp::sync::Semaphore::open(name.value, 1, mp::sync::SlotOwnership::process);
    Child runner = exec_child(
        {sync_bin(), "sem", name.value, "-j", "1", "--", "sh", "-c", "echo $$ > " + marker.path() + "; exec sleep 30"});
    pid_t cmd = 0;  // known once CMD runs: the runner is only killed after that
    ASSERT_TRUE(eventually([&] {
        std::ifstream in(marker.path());
        std::string line;
        return std::getline(in, line) && !line.empty() && (cmd = std::stoi(line)) > 0;
    }));
    EXPECT_EQ(sem.value(), 0u);
    EXPECT_EQ(mp::sync::describe(name.value).holders.at(0).pid, cmd);
    EXPECT_NE(cmd, runner.pid());
    runner.kill_and_reap();
    EXPECT_FALSE(sem.try_acquire_for(200ms)) << "the slot was taken from a live CMD";
    kill(cmd, SIGKILL);  // now reparented to init, which reaps it
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(sem.try_acquire_for(10s));
    EXPECT_LT(seconds_since(start), 5.0);
    sem.release();
}

TEST(SyncCli, AKilledLockRunnerFreesTheLockAndTakesItsCommandAlong) {
    ScopedName name("cli-lockkill");
    const TempFile marker("cmd-pid");
    mp::sync::Lock lock = mp::sync::Lock::open(name.value);
    Child runner = exec_child({sync_bin(), "lock", name.value, "--", "sh", "-c",
                               "echo $$ > " + marker.path() + "; exec sleep 30"});
    pid_t cmd = 0;
    ASSERT_TRUE(eventually([&] {
        std::ifstream in(marker.path());
        std::string line;
        return std::getline(in, line) && !line.empty() && (cmd = std::stoi(line)) > 0;
    }));
    EXPECT_TRUE(lock.locked());
    runner.kill_and_reap();
    ASSERT_TRUE(lock.try_lock_for(5s));
    EXPECT_TRUE(lock.owner_died());
    lock.unlock();
    EXPECT_TRUE(mp::test::exits_within(cmd, 10s)) << "CMD outlived its lock runner";
}

TEST(SyncCli, SigtermToTheRunnerReachesTheCommandAndFreesTheLock) {
#if MP_SYNC_TSAN
    GTEST_SKIP() << "ThreadSanitizer defers asynchronous signals to its own safe points, so the "
                    "TSan-built runner blocked in pthread_mutex_lock/waitpid never runs its handler";
#endif
    ScopedName name("cli-term");
    const TempFile marker("cmd-started");
    mp::sync::Lock lock = mp::sync::Lock::open(name.value);
    Child runner = exec_child(
        {sync_bin(), "lock", name.value, "--", "sh", "-c", "echo up > " + marker.path() + "; exec sleep 30"});
    ASSERT_TRUE(eventually([&] {
        std::ifstream in(marker.path());
        std::string word;
        return in >> word && word == "up";
    }));
    kill(runner.pid(), SIGTERM);
    EXPECT_EQ(exit_code(runner.join(10s)), 128 + SIGTERM);
    EXPECT_TRUE(lock.try_lock());
    EXPECT_FALSE(lock.owner_died()) << "the runner should have unlocked, not died holding";
    lock.unlock();
}

TEST(SyncCli, SigtermWhileWaitingForTheLockEndsTheRunnerWithoutRunningCmd) {
#if MP_SYNC_TSAN
    GTEST_SKIP() << "ThreadSanitizer defers asynchronous signals to its own safe points, so the "
                    "TSan-built runner blocked in pthread_mutex_lock/waitpid never runs its handler";
#endif
    ScopedName name("cli-termwait");
    const TempFile marker("must-not-run");
    unlink(marker.path().c_str());
    mp::sync::Lock lock = mp::sync::Lock::open(name.value);
    lock.lock();
    Child runner = exec_child({sync_bin(), "lock", name.value, "--", "touch", marker.path()});
    usleep(100000);  // most likely waiting by now; dying earlier gives the same outcome
    kill(runner.pid(), SIGTERM);
    EXPECT_EQ(exit_code(runner.join(10s)), -1000 - SIGTERM);
    EXPECT_NE(access(marker.path().c_str(), F_OK), 0) << "CMD ran without the lock";
    lock.unlock();
}

TEST(SyncCli, EventBetweenShellProcesses) {
    ScopedName name("cli-event");
    EXPECT_EQ(sync_cli({"event", name.value, "wait", "-w", "0.1"}).exit_code, 75);
    EXPECT_EQ(sync_cli({"event", name.value, "wait", "-n"}).exit_code, 75);
    CommandResult waited;
    std::thread waiter([&] { waited = sync_cli({"event", name.value, "wait", "--timeout", "20"}); });
    usleep(50000);
    EXPECT_EQ(sync_cli({"event", name.value, "set"}).exit_code, 0);
    waiter.join();
    EXPECT_EQ(waited.exit_code, 0);
    EXPECT_TRUE(mp::sync::Event::open(name.value).is_set());
    EXPECT_EQ(sync_cli({"event", name.value, "clear"}).exit_code, 0);
    EXPECT_EQ(sync_cli({"event", name.value, "wait", "-w", "0"}).exit_code, 75);
    EXPECT_EQ(sync_cli({"event", name.value, "jump"}).exit_code, 2);
}

TEST(SyncCli, BarrierBetweenShellProcesses) {
    ScopedName name("cli-barrier");
    std::vector<CommandResult> results(3);
    std::vector<std::thread> parties;
    for (auto& result : results)
        parties.emplace_back([&] { result = sync_cli({"barrier", name.value, "-n", "3", "-w", "20"}); });
    for (auto& t : parties) t.join();
    std::set<std::string> indexes;
    for (const auto& r : results) {
        EXPECT_EQ(r.exit_code, 0) << r.err;
        indexes.insert(r.out);
    }
    EXPECT_EQ(indexes, (std::set<std::string>{"0\n", "1\n", "2\n"}));
    const CommandResult alone = sync_cli({"barrier", name.value, "-n", "3", "-w", "0.1"});
    EXPECT_EQ(alone.exit_code, 75);
    EXPECT_NE(alone.err.find("broken"), std::string::npos) << alone.err;
}

TEST(SyncCli, LsShowsHoldersAndDeadHoldersAndRmLeavesNoEntry) {
    ScopedName lock_name("cli-ls-lock");
    ScopedName sem_name("cli-ls-sem");
    mp::sync::Lock lock = mp::sync::Lock::open(lock_name.value);
    mp::sync::Semaphore sem = mp::sync::Semaphore::open(sem_name.value, 3, mp::sync::SlotOwnership::process);
    Child holder = hold_until_killed([&] { sem.acquire(); });
    const pid_t dead = holder.pid();
    holder.kill_and_reap();
    lock.lock();
    const CommandResult ls = sync_cli({"ls"});
    lock.unlock();
    EXPECT_EQ(ls.exit_code, 0);
    std::istringstream lines(ls.out);
    std::string line;
    bool saw_lock = false, saw_sem = false;
    while (std::getline(lines, line)) {
        if (line.rfind(lock_name.value + " ", 0) == 0) {
            saw_lock = true;
            EXPECT_NE(line.find("Lock"), std::string::npos) << line;
            EXPECT_NE(line.find("locked"), std::string::npos) << line;
            EXPECT_NE(line.find(std::to_string(getpid())), std::string::npos) << line;
        }
        if (line.rfind(sem_name.value + " ", 0) == 0) {
            saw_sem = true;
            EXPECT_NE(line.find("2/3 free"), std::string::npos) << line;
            EXPECT_NE(line.find(std::to_string(dead) + "(dead)"), std::string::npos) << line;
        }
    }
    EXPECT_TRUE(saw_lock && saw_sem) << ls.out;

    EXPECT_EQ(sync_cli({"rm", lock_name.value, sem_name.value}).exit_code, 0);
    EXPECT_NE(access(("/dev/shm/mp-sync-" + lock_name.value).c_str(), F_OK), 0);
    EXPECT_NE(access(("/dev/shm/mp-sync-" + sem_name.value).c_str(), F_OK), 0);
    const CommandResult again = sync_cli({"rm", lock_name.value});
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.err.find("no such object"), std::string::npos) << again.err;
}

TEST(SyncCli, ModeAndAllowOtherOwnerChooseWhoShares) {
    const ScopedName name("cli-mode");
    EXPECT_EQ(sync_cli({"lock", name.value, "--mode", "660", "--", "true"}).exit_code, 0);
    EXPECT_EQ(mp::test::shm_entry_status("/mp-sync-" + name.value).mode, 0660u);
    const CommandResult wider = sync_cli({"lock", name.value, "--", "true"});
    EXPECT_EQ(wider.exit_code, 1);
    EXPECT_NE(wider.err.find("its mode 0660"), std::string::npos) << wider.err;
    EXPECT_EQ(sync_cli({"event", name.value, "set", "--mode", "9"}).exit_code, 2);
    EXPECT_EQ(sync_cli({"barrier", name.value, "-n", "1", "--mode", "0400"}).exit_code, 2);
    if (!mp::test::can_become_other_user()) GTEST_SKIP() << "needs root to play another user";
    const ScopedName theirs("cli-theirs");
    const mp::test::ForeignShmObject squatted("/mp-sync-" + theirs.value, 0666);
    const CommandResult refused = sync_cli({"event", theirs.value, "set", "--mode", "666"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("owned by uid 65534"), std::string::npos) << refused.err;
    EXPECT_EQ(sync_cli({"event", theirs.value, "set", "--mode", "666", "--allow-other-owner"}).exit_code, 0);
    const CommandResult removal = sync_cli({"rm", theirs.value});
    EXPECT_EQ(removal.exit_code, 1);
    EXPECT_NE(removal.err.find("owned by uid 65534"), std::string::npos) << removal.err;
    EXPECT_EQ(mp::test::shm_entry_status("/mp-sync-" + theirs.value).uid, mp::test::kOtherUser);
}

TEST(SyncCli, TourRuns) {
    const CommandResult tour = sync_cli({"tour"}, 60s);
    EXPECT_EQ(tour.exit_code, 0) << tour.err;
    EXPECT_NE(tour.out.find("hello world 9\n"), std::string::npos);
    EXPECT_NE(tour.out.find("previous owner died: yes"), std::string::npos) << tour.out;
    EXPECT_NE(tour.out.find("Semaphore slot reclaimed: yes"), std::string::npos) << tour.out;
}

}  // namespace
