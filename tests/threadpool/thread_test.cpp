// Thread: the target and subclass forms, start/join/join(timeout) and their misuse,
// names and ids, current_thread() in every kind of thread, the live-thread registry,
// the excepthook, move and destruction, fork, and the joins at exit (in a child).
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <future>
#include <latch>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ipc/queue.hpp"
#include "tests/support/helpers.hpp"
#include "tests/threadpool/stderr_capture.hpp"
#include "threadpool/excepthook.hpp"
#include "threadpool/thread.hpp"

namespace {

using namespace std::chrono_literals;
using mp::threadpool::current_thread;
using mp::threadpool::ExceptHookArgs;
using mp::threadpool::main_thread;
using mp::threadpool::set_excepthook;
using mp::threadpool::Thread;
using mp::threadpool::ThreadRef;

// Generous: only says "it did not hang" on a loaded machine.
constexpr auto kNoHang = 20s;

bool listed(const ThreadRef& thread) {
    const auto live = mp::threadpool::enumerate();
    return std::find(live.begin(), live.end(), thread) != live.end();
}

TEST(Thread, TargetGetsItsArgumentsOnTheNewThread) {
    std::string seen;
    std::uint64_t ran_on = 0;
    Thread t(
        [&](int a, const std::string& b) {
            seen = b + std::to_string(a);
            ran_on = static_cast<std::uint64_t>(pthread_self());
        },
        42, std::string("answer "));
    EXPECT_FALSE(t.started());
    EXPECT_FALSE(t.is_alive());
    t.start();
    EXPECT_TRUE(t.started());
    t.join();
    EXPECT_EQ(seen, "answer 42");
    EXPECT_EQ(ran_on, t.ident());
    EXPECT_NE(ran_on, static_cast<std::uint64_t>(pthread_self()));
    EXPECT_FALSE(t.is_alive());
    t.join();  // again: returns at once
}

TEST(Thread, MoveOnlyTargetAndArguments) {
    mp::ipc::Queue<int> queue;
    queue.put(5);
    std::promise<int> result;
    std::future<int> sum = result.get_future();
    Thread t(
        [owned = std::make_unique<int>(30)](std::unique_ptr<int> p, mp::ipc::Queue<int> q, std::promise<int> out) {
            out.set_value(*owned + *p + q.get());
        },
        std::make_unique<int>(7), std::move(queue), std::move(result));
    t.start();
    EXPECT_EQ(sum.get(), 42);
    t.join();
}

TEST(Thread, StartTwiceThrows) {
    Thread t([] {});
    t.start();
    EXPECT_THROW(t.start(), std::logic_error);
    t.join();
    EXPECT_THROW(t.start(), std::logic_error);
}

TEST(Thread, JoinBeforeStartAndJoiningItselfThrow) {
    Thread never([] {});
    EXPECT_THROW(never.join(), std::logic_error);
    EXPECT_THROW((void)never.join_for(1s), std::logic_error);

    std::optional<Thread> self;
    std::latch made(1);
    std::atomic<bool> threw{false};
    self.emplace([&] {
        made.wait();
        try {
            self->join();
        } catch (const std::logic_error&) {
            threw = true;
        }
    });
    self->start();
    made.count_down();
    self->join();
    EXPECT_TRUE(threw);
}

TEST(Thread, JoinWithTimeoutOnARunningThread) {
    std::latch release(1);
    Thread t([&] { release.wait(); });
    t.start();
    const auto before = std::chrono::steady_clock::now();
    EXPECT_FALSE(t.join_for(50ms));
    EXPECT_GE(std::chrono::steady_clock::now() - before, 50ms);
    EXPECT_FALSE(t.join_for(0s));    // zero polls
    EXPECT_FALSE(t.join_for(-1s));   // so does a negative timeout
    EXPECT_TRUE(t.is_alive());
    std::thread releaser([&] {
        std::this_thread::sleep_for(100ms);
        release.count_down();
    });
    EXPECT_TRUE(t.join_for(std::chrono::seconds::max()));  // huge: waits until it ends
    releaser.join();
    EXPECT_FALSE(t.is_alive());
    EXPECT_TRUE(t.join_for(0s));
}

TEST(Thread, HugeJoinTimeoutsWaitForever) {
    for (const auto timeout : {std::chrono::duration<double>(std::chrono::nanoseconds::max()),
                               std::chrono::duration<double>(std::chrono::hours(24 * 365 * 1000))}) {
        std::latch release(1);
        std::atomic<bool> joined{false};
        Thread t([&] { release.wait(); });
        t.start();
        std::thread joiner([&] { joined = t.join_for(timeout); });
        std::this_thread::sleep_for(200ms);
        EXPECT_FALSE(joined);  // still waiting, not timed out at once
        release.count_down();
        joiner.join();
        EXPECT_TRUE(joined);
    }
}

TEST(Thread, NamesDefaultToThreadNAndCanBeGivenOrChanged) {
    Thread first([] {});
    Thread second([] {});
    const std::string a = first.name(), b = second.name();
    ASSERT_EQ(a.rfind("Thread-", 0), 0u) << a;
    EXPECT_EQ(std::stoi(b.substr(7)), std::stoi(a.substr(7)) + 1);

    std::string inside;
    Thread named({.name = "worker"}, [&] { inside = current_thread().name(); });
    EXPECT_EQ(named.name(), "worker");
    named.start();
    named.join();
    EXPECT_EQ(inside, "worker");
    named.set_name("renamed");
    EXPECT_EQ(named.name(), "renamed");
}

TEST(Thread, IdentAndNativeIdNameTheThread) {
    std::latch release(1);
    std::uint64_t ident_inside = 0;
    pid_t tid_inside = 0;
    Thread t([&] {
        ident_inside = current_thread().ident();
        tid_inside = gettid();
        release.wait();
    });
    EXPECT_EQ(t.ident(), 0u);
    EXPECT_EQ(t.native_id(), 0);
    t.start();
    EXPECT_NE(t.ident(), 0u);
    const pid_t native = t.native_id();
    EXPECT_NE(native, getpid());
    EXPECT_NE(t.ident(), main_thread().ident());
    release.count_down();
    t.join();
    EXPECT_EQ(ident_inside, t.ident());
    EXPECT_EQ(tid_inside, native);
}

TEST(Thread, CurrentThreadInMainInAThreadAndInARawThread) {
    // GoogleTest runs tests on the main thread.
    EXPECT_EQ(current_thread().name(), "MainThread");
    EXPECT_TRUE(current_thread() == main_thread());
    EXPECT_EQ(main_thread().ident(), static_cast<std::uint64_t>(pthread_self()));
    EXPECT_EQ(main_thread().native_id(), getpid());
    EXPECT_FALSE(main_thread().daemon());
    EXPECT_TRUE(main_thread().is_alive());

    std::optional<ThreadRef> in_mp, in_raw;
    Thread t([&] { in_mp = current_thread(); });
    t.start();
    t.join();
    EXPECT_TRUE(*in_mp == t);

    std::latch asked(1), release(1);
    std::thread raw([&] {
        in_raw = current_thread();
        asked.count_down();
        release.wait();
    });
    asked.wait();
    EXPECT_EQ(in_raw->name().rfind("Dummy-", 0), 0u) << in_raw->name();
    EXPECT_TRUE(in_raw->daemon());
    EXPECT_TRUE(in_raw->is_alive());
    EXPECT_NE(in_raw->ident(), 0u);
    EXPECT_TRUE(listed(*in_raw));
    release.count_down();
    raw.join();
    EXPECT_FALSE(in_raw->is_alive());  // its exit unlisted it
    EXPECT_FALSE(listed(*in_raw));
}

TEST(Thread, ActiveCountAndEnumerateFollowTheLiveThreads) {
    const std::size_t before = mp::threadpool::active_count();
    EXPECT_GE(before, 1u);  // the main thread
    EXPECT_TRUE(listed(main_thread()));
    std::deque<std::latch> release;
    std::vector<Thread> threads;
    for (int i = 0; i < 3; ++i) threads.emplace_back([&latch = release.emplace_back(1)] { latch.wait(); });
    for (auto& t : threads) {
        EXPECT_FALSE(listed(t));  // not before start
        t.start();
    }
    EXPECT_EQ(mp::threadpool::active_count(), before + 3);
    for (const auto& t : threads) EXPECT_TRUE(listed(t));
    for (std::size_t i = 0; i < threads.size(); ++i) {  // one ends at a time
        release[i].count_down();
        threads[i].join();
        EXPECT_EQ(mp::threadpool::active_count(), before + 2 - i);
        EXPECT_FALSE(listed(threads[i]));
    }
}

// The seed's MyThread: class MyThread(threading.Thread) with its own run().
class MyThread : public Thread {
public:
    MyThread(int num, std::atomic<int>& out) : num_(num), out_(out) {}
    ~MyThread() override { join_if_started(); }

private:
    void run() override { out_ += num_; }
    int num_;
    std::atomic<int>& out_;
};

TEST(Thread, SubclassRunsItsRun) {
    std::atomic<int> total{0};
    {
        MyThread t1(1, total), t2(2, total), idle(100, total);
        t1.start();
        t2.start();
        EXPECT_TRUE(t1.name().rfind("Thread-", 0) == 0);
    }  // joined by ~MyThread; `idle` never started
    EXPECT_EQ(total, 3);

    Thread plain;  // no target, no override: runs nothing, as Python's Thread()
    plain.start();
    plain.join();
}

TEST(Thread, AnExceptionGoesToTheHookWithTheThreadsName) {
    std::vector<ExceptHookArgs> calls;
    std::mutex calls_mutex;
    auto previous = set_excepthook([&](const ExceptHookArgs& args) {
        std::lock_guard lock(calls_mutex);
        calls.push_back(args);
    });
    Thread t({.name = "failing"}, [] { throw std::out_of_range("index 9"); });
    t.start();
    t.join();
    Thread other([] { throw 42; });
    other.start();
    other.join();
    set_excepthook(std::move(previous));

    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[0].thread_name, "failing");
    EXPECT_EQ(calls[0].thread_ident, t.ident());
    EXPECT_EQ(calls[0].type, "std::out_of_range");
    EXPECT_EQ(calls[0].message, "index 9");
    EXPECT_THROW(std::rethrow_exception(calls[0].exception), std::out_of_range);
    EXPECT_EQ(calls[1].type, "int");
    EXPECT_EQ(calls[1].message, "");
}

TEST(Thread, ByDefaultAnExceptionIsPrintedOnStderr) {
    Thread t({.name = "loader"}, [] { throw std::invalid_argument("bad value"); });
    Thread other([] { throw 42; });
    mp::test::StderrCapture err;
    t.start();
    t.join();
    other.start();
    other.join();
    EXPECT_EQ(err.text(), "Exception in thread loader:\nstd::invalid_argument: bad value\n"
                          "Exception in thread " + other.name() + ":\nint\n");
}

TEST(Thread, AThrowingHookHasItsOwnExceptionPrinted) {
    auto previous = set_excepthook([](const ExceptHookArgs&) { throw std::runtime_error("hook broke"); });
    Thread t([] { throw std::runtime_error("task broke"); });
    mp::test::StderrCapture err;
    t.start();
    t.join();
    const std::string text = err.text();
    set_excepthook(std::move(previous));
    EXPECT_EQ(text, "Exception in threading.excepthook:\nstd::runtime_error: hook broke\n");
}

TEST(Thread, DestroyingAStartedNonDaemonThreadJoinsIt) {
    std::atomic<bool> finished{false};
    {
        Thread t([&] {
            std::this_thread::sleep_for(100ms);
            finished = true;
        });
        t.start();
    }
    EXPECT_TRUE(finished);
}

TEST(Thread, DestroyingADaemonThreadDetachesIt) {
    std::latch release(1);
    std::promise<void> done;
    auto finished = done.get_future();
    {
        Thread t({.daemon = true}, [&] {
            release.wait();
            done.set_value();
        });
        t.start();
    }  // would hang here if it joined
    release.count_down();
    EXPECT_EQ(finished.wait_for(kNoHang), std::future_status::ready);
}

TEST(Thread, DaemonDefaultsToTheCreatorsAndIsFixedAtStart) {
    EXPECT_FALSE(Thread([] {}).daemon());  // made by the main thread
    std::optional<bool> inner_daemon;
    Thread outer({.daemon = true}, [&] { inner_daemon = Thread([] {}).daemon(); });
    outer.start();
    outer.join();
    EXPECT_EQ(inner_daemon, true);

    Thread t([] {});
    t.set_daemon(true);
    EXPECT_TRUE(t.daemon());
    t.start();
    EXPECT_THROW(t.set_daemon(false), std::logic_error);
    t.join();
}

TEST(Thread, MovingARunningThreadKeepsItValid) {
    std::latch release(1);
    Thread a([&] { release.wait(); });
    a.start();
    const auto ident = a.ident();
    Thread b(std::move(a));
    EXPECT_THROW((void)a.name(), std::logic_error);
    EXPECT_THROW(a.start(), std::logic_error);
    EXPECT_EQ(b.ident(), ident);
    EXPECT_TRUE(b.is_alive());

    std::atomic<bool> first_done{false};
    Thread c([&] {
        std::this_thread::sleep_for(50ms);
        first_done = true;
    });
    c.start();
    c = std::move(b);  // joins c's first thread, then holds b's
    EXPECT_TRUE(first_done);
    EXPECT_EQ(c.ident(), ident);
    release.count_down();
    EXPECT_TRUE(c.join_for(kNoHang));
}

TEST(Thread, AForkedChildsCopyHasNoThread) {
    std::latch release(1);
    Thread t([&] { release.wait(); });
    t.start();
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        const bool ok = !t.is_alive() && t.join_for(0s) && t.join_for(kNoHang);
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    release.count_down();
    t.join();
}

// At exit (main returns), a non-daemon thread is joined and a daemon one abandoned.
MP_TEST_HELPER(thread_at_exit) {
    // Never destroyed, so only the exit handler sees them; held by statics, so the
    // leak checker sees them reachable rather than lost.
    static Thread* const joined = new Thread([] {
        std::this_thread::sleep_for(300ms);
        std::printf("non-daemon finished\n");
        std::fflush(stdout);
    });
    static Thread* const abandoned = new Thread({.daemon = true}, [] {
        std::this_thread::sleep_for(std::chrono::hours(1));
        std::printf("daemon finished\n");
    });
    joined->start();
    abandoned->start();
    std::printf("main returns\n");
    std::fflush(stdout);
    return 0;
}

TEST(Thread, AtExitNonDaemonThreadsAreJoinedAndDaemonsAbandoned) {
    const auto r = mp::test::run_command(mp::test::helper_command("thread_at_exit"), "", kNoHang);
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "main returns\nnon-daemon finished\n");
    EXPECT_EQ(r.err, "");
}

}  // namespace
