// mp::pool: Process, Pool, Executor and the bin/pool job runner.
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

namespace {

using namespace std::chrono_literals;
using mp::pool::AsyncResult;
using mp::pool::Pool;
using mp::pool::PoolOptions;
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

// Whether `pid` is dead, waiting up to 2 s: gone, or a zombie (an orphan waits for
// init to reap it, and init may take its time).
bool process_gone(pid_t pid) {
    for (int i = 0; i < 200; ++i) {
        if (kill(pid, 0) != 0 && errno == ESRCH) return true;
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
        const std::size_t name_end = text.rfind(')');
        if (name_end != std::string::npos && text.compare(name_end, 4, ") Z ") == 0) return true;
        usleep(10000);
    }
    return false;
}

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

// ---------------------------------------------------------------- Pool: the basics

int square(int x) { return x * x; }
pid_t worker_pid() { return getpid(); }
std::string shout(const std::string& text, int times) {
    std::string out;
    for (int i = 0; i < times; ++i) out += text + "!";
    return out;
}
pid_t worker_pid_of_item(int) { return getpid(); }
int fail_with(int code) {
    if (code == 1) throw std::out_of_range("index 7 is out of range");
    if (code == 2) throw 42;
    return code;
}

TEST(Pool, ApplyRunsInAWorkerAndReturnsTheResult) {
    Pool pool(2);
    EXPECT_EQ(pool.apply(square, 7), 49);
    EXPECT_EQ(pool.apply(shout, "hey", 2), "hey!hey!");  // a C string arrives as std::string
    EXPECT_EQ(pool.apply([](int a, int b) { return a + b; }, 2, 3), 5);
    const int offset = 100;  // state goes as an argument, never as a capture
    EXPECT_EQ(pool.apply([](int a, int by) { return a + by; }, 1, offset), 101);
    const pid_t pid = pool.apply(worker_pid);
    EXPECT_NE(pid, getpid());
    const std::vector<pid_t> workers = pool.worker_pids();
    EXPECT_EQ(workers.size(), 2u);
    EXPECT_NE(std::find(workers.begin(), workers.end(), pid), workers.end());
}

TEST(Pool, TenTasksReuseTheSameThreeWorkers) {
    Pool pool(3);
    std::set<pid_t> seen;
    for (int i = 0; i < 10; ++i) seen.insert(pool.apply(worker_pid));
    std::vector<AsyncResult<pid_t>> results;
    for (int i = 0; i < 10; ++i) results.push_back(pool.apply_async(worker_pid));
    for (auto& r : results) seen.insert(r.get());
    const std::vector<pid_t> workers = pool.worker_pids();
    EXPECT_LE(seen.size(), 3u);
    for (pid_t pid : seen) EXPECT_NE(std::find(workers.begin(), workers.end(), pid), workers.end());
}

TEST(Pool, WorkersExistWhenTheConstructorReturnsAndServeEveryTask) {
    Pool pool(3);
    const std::vector<pid_t> workers = pool.worker_pids();
    ASSERT_EQ(workers.size(), 3u);
    const std::set<pid_t> started(workers.begin(), workers.end());
    std::set<pid_t> seen;
    for (int i = 0; i < 10; ++i) seen.insert(pool.apply(worker_pid));
    for (int i = 0; i < 10; ++i) seen.insert(pool.apply_async(worker_pid).get());
    for (pid_t pid : seen) EXPECT_EQ(started.count(pid), 1u) << pid;
    const std::vector<pid_t> after = pool.worker_pids();
    EXPECT_EQ(std::set<pid_t>(after.begin(), after.end()), started);
}

TEST(Pool, CloseAndJoinRightAfterStartWithNoTask) {
    for (int i = 0; i < 20; ++i) {
        Pool pool(2);
        pool.close();
        EXPECT_THROW(pool.apply(square, 1), mp::pool::PoolClosed);
        if (i % 2 == 0) {
            pool.join();
        } else {
            EXPECT_TRUE(pool.join_for(10s));
        }
        EXPECT_TRUE(pool.worker_pids().empty());
    }
}

TEST(Pool, AWorkerKilledBeforeItsFirstTaskIsReplaced) {
    Pool pool(2);
    const std::vector<pid_t> first = pool.worker_pids();
    ASSERT_EQ(first.size(), 2u);
    const pid_t victim = first[0];
    ASSERT_EQ(kill(victim, SIGKILL), 0);
    // A task handed to it before its death was reported fails with WorkerDied; no
    // task hangs, and the others run on the survivor or the replacement.
    int died = 0;
    std::set<pid_t> ran;
    for (int i = 0; i < 6; ++i) {
        try {
            ran.insert(pool.apply(worker_pid));
        } catch (const mp::pool::WorkerDied& error) {
            EXPECT_EQ(error.pid(), victim);
            EXPECT_EQ(error.signal(), SIGKILL);
            ++died;
        }
    }
    EXPECT_LE(died, 1);
    EXPECT_EQ(ran.count(victim), 0u);
    std::vector<pid_t> now;
    for (const auto deadline = Clock::now() + 10s; Clock::now() < deadline; std::this_thread::sleep_for(1ms)) {
        now = pool.worker_pids();
        if (std::count(now.begin(), now.end(), victim) == 0) break;
    }
    EXPECT_EQ(std::count(now.begin(), now.end(), victim), 0);
    EXPECT_EQ(now.size(), 2u);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(pool.apply(square, i), i * i);
    pool.close();
    pool.join();
}

TEST(Pool, WorkerExceptionIsRethrownWithItsTypeAndMessage) {
    Pool pool(1);
    try {
        pool.apply(fail_with, 1);
        FAIL() << "no exception";
    } catch (const std::out_of_range& error) {
        EXPECT_STREQ(error.what(), "index 7 is out of range");
    }
    try {
        pool.apply(fail_with, 2);
        FAIL() << "no exception";
    } catch (const mp::pool::RemoteError& error) {  // not a std::exception: only its type name travels
        EXPECT_EQ(error.type_name(), "int");
        EXPECT_EQ(error.pid(), pool.worker_pids().at(0));
    }
    EXPECT_EQ(pool.apply(fail_with, 3), 3);  // the worker survived both
}

TEST(Pool, AsyncResultReadyWaitAndGetWithTimeout) {
    TestPipe gate;
    Pool pool(PoolOptions{.processes = 1, .pass_fds = {gate.read_end}});
    auto blocked = pool.apply_async(
        [](int fd) {
            char byte;
            return static_cast<int>(read(fd, &byte, 1));
        },
        gate.read_end);
    EXPECT_FALSE(blocked.ready());
    EXPECT_THROW((void)blocked.successful(), std::logic_error);
    EXPECT_FALSE(blocked.wait_for(50ms));
    const auto start = Clock::now();
    EXPECT_THROW(blocked.get(100ms), mp::pool::TimeoutError);
    EXPECT_GE(Clock::now() - start, 90ms);
    (void)!write(gate.write_end, "x", 1);
    EXPECT_EQ(blocked.get(10s), 1);
    EXPECT_TRUE(blocked.ready());
    EXPECT_TRUE(blocked.successful());
    EXPECT_EQ(blocked.get(), 1);  // get again: same value

    auto failed = pool.apply_async(fail_with, 1);
    failed.wait();
    EXPECT_FALSE(failed.successful());
    EXPECT_THROW(failed.get(), std::out_of_range);

    auto nothing = pool.apply_async([] {});
    nothing.get();
    EXPECT_TRUE(nothing.successful());
}

// ---------------------------------------------------------------- callbacks

TEST(Pool, CallbacksRunOnOneResultThreadInCompletionOrder) {
    Pool pool(3);
    std::mutex mutex;
    std::vector<int> order;
    std::set<std::thread::id> threads;
    std::vector<std::string> errors;
    std::vector<AsyncResult<int>> results;
    // Later tasks finish first: sleep (6 - i) * 15 ms.
    for (int i = 0; i < 3; ++i) {
        results.push_back(pool.apply_async({.callback =
                                                [&](const int& value) {
                                                    std::lock_guard lock(mutex);
                                                    order.push_back(value);
                                                    threads.insert(std::this_thread::get_id());
                                                }},
                                           [](int i) {
                                               usleep(static_cast<useconds_t>((3 - i) * 60000));
                                               return i;
                                           },
                                           i));
    }
    auto failing = pool.apply_async({.error_callback =
                                         [&](const std::exception& error) {
                                             std::lock_guard lock(mutex);
                                             errors.push_back(error.what());
                                             threads.insert(std::this_thread::get_id());
                                         }},
                                    fail_with, 1);
    for (auto& r : results) r.get();
    EXPECT_THROW(failing.get(), std::out_of_range);
    std::lock_guard lock(mutex);
    EXPECT_EQ(order, (std::vector<int>{2, 1, 0}));  // completion order, before get() returned
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0], "index 7 is out of range");
    EXPECT_EQ(threads.size(), 1u);
    EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
}

// Redirects this process's stderr into a pipe while alive.
struct CapturedStderr {
    TestPipe pipe;
    int saved = dup(2);
    CapturedStderr() { dup2(pipe.write_end, 2); }
    std::string finish() {
        dup2(saved, 2);
        close(saved);
        pipe.close_write();
        return pipe.read_all();
    }
};

TEST(Pool, ThrowingCallbackIsReportedAndTheResultStillArrives) {
    CapturedStderr captured;
    std::string text;
    {
        Pool pool(1);
        auto r = pool.apply_async({.callback = [](const int&) { throw std::runtime_error("callback broke"); }}, square, 5);
        EXPECT_EQ(r.get(), 25);
        EXPECT_EQ(pool.apply(square, 6), 36);
    }
    text = captured.finish();
    EXPECT_NE(text.find("pool: callback threw std::runtime_error: callback broke"), std::string::npos) << text;
}

TEST(Pool, WaitingInsideACallbackIsRefusedInsteadOfDeadlocking) {
    Pool pool(2);
    std::atomic<bool> refused{false};
    auto other = std::make_shared<std::optional<AsyncResult<int>>>();
    *other = pool.apply_async([] {
        usleep(400000);
        return 1;
    });
    auto r = pool.apply_async({.callback =
                                   [&, other](const int&) {
                                       try {
                                           (void)(*other)->get();
                                       } catch (const std::logic_error&) {
                                           refused = true;
                                       }
                                   }},
                              square, 2);
    EXPECT_EQ(r.get(), 4);
    EXPECT_TRUE(refused);
    EXPECT_EQ((*other)->get(), 1);
}

// ---------------------------------------------------------------- map and friends

TEST(Pool, MapKeepsInputOrderForAnyChunksize) {
    Pool pool(3);
    std::vector<int> numbers(1000);
    for (int i = 0; i < 1000; ++i) numbers[static_cast<size_t>(i)] = i;
    std::vector<int> expected;
    for (int i : numbers) expected.push_back(i * i);
    EXPECT_EQ(pool.map(square, numbers), expected);
    EXPECT_EQ(pool.map(square, numbers, 1), expected);
    EXPECT_EQ(pool.map(square, numbers, 7), expected);
    EXPECT_EQ(pool.map(square, numbers, 5000), expected);
    EXPECT_EQ(pool.map(square, std::vector<int>{}), std::vector<int>{});
    const std::vector<std::string> words{"a", "bb", "ccc"};
    EXPECT_EQ(pool.map([](const std::string& w) { return w.size(); }, words), (std::vector<size_t>{1, 2, 3}));
}

struct Point {
    int x;
    double y;
};

TEST(Pool, MapCopiesByteWiseItemsAndDecodesOtherTypes) {
    Pool pool(2);
    std::vector<Point> points;
    std::vector<int> numbers;
    for (int i = 0; i < 1000; ++i) {
        points.push_back({i, i * 0.5});
        numbers.push_back(i);
    }
    const std::vector<double> sums = pool.map([](const Point& p) { return p.x + p.y; }, points, 7);
    ASSERT_EQ(sums.size(), 1000u);
    for (int i = 0; i < 1000; ++i) EXPECT_DOUBLE_EQ(sums[static_cast<size_t>(i)], i * 1.5);
    std::vector<std::pair<int, int>> by_three;  // state with each item: starmap
    for (int x : numbers) by_three.emplace_back(x, 3);
    const std::vector<long> scaled = pool.starmap([](int x, int factor) { return long{x} * factor; }, by_three);
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(scaled[static_cast<size_t>(i)], 3L * i);
    const std::vector<bool> even = pool.map([](int x) { return x % 2 == 0; }, numbers, 9);  // bool: not byte-wise
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(even[static_cast<size_t>(i)], i % 2 == 0);
    const std::set<int> unordered(numbers.begin(), numbers.end());  // not contiguous
    EXPECT_EQ(pool.map(square, unordered, 100), pool.map(square, numbers));
    const std::vector<std::string> strings = pool.map([](int x) { return std::to_string(x); }, numbers);
    EXPECT_EQ(strings[999], "999");
}

TEST(Pool, DefaultChunksizeFollowsCPython) {
    using mp::pool::internal::default_chunksize;
    EXPECT_EQ(default_chunksize(1000000, 2), 125000u);
    EXPECT_EQ(default_chunksize(10, 4), 1u);
    EXPECT_EQ(default_chunksize(17, 2), 3u);  // divmod(17, 8) = (2, 1): 3
    EXPECT_EQ(default_chunksize(0, 4), 0u);
}

TEST(Pool, MapFailsWithTheFirstFailedChunk) {
    Pool pool(2);
    EXPECT_THROW(pool.map(fail_with, std::vector<int>{0, 3, 1, 4}, 1), std::out_of_range);
    EXPECT_EQ(pool.map(square, std::vector<int>{2}), std::vector<int>{4});
}

TEST(Pool, MapAsyncCallsItsCallbackWithAllResults) {
    Pool pool(2);
    std::vector<int> seen;
    auto r = pool.map_async(square, std::vector<int>{1, 2, 3}, 0, {.callback = [&](const std::vector<int>& v) { seen = v; }});
    EXPECT_EQ(r.get(10s), (std::vector<int>{1, 4, 9}));
    EXPECT_EQ(seen, (std::vector<int>{1, 4, 9}));
}

TEST(Pool, StarmapAppliesTuples) {
    Pool pool(2);
    const std::vector<std::tuple<int, int>> pairs{{1, 2}, {3, 4}, {5, 6}};
    EXPECT_EQ(pool.starmap([](int a, int b) { return a * b; }, pairs), (std::vector<int>{2, 12, 30}));
    const std::vector<std::pair<std::string, int>> repeats{{"x", 2}, {"y", 1}};
    EXPECT_EQ(pool.starmap(shout, repeats), (std::vector<std::string>{"x!x!", "y!"}));
}

TEST(Pool, ImapYieldsInOrderAndImapUnorderedAsTheyFinish) {
    Pool pool(3);
    const std::vector<int> delays{3, 2, 1, 0};
    const auto sleepy = [](int tenths) {
        usleep(static_cast<useconds_t>(tenths) * 60000);
        return tenths;
    };
    std::vector<int> ordered;
    for (int v : pool.imap(sleepy, delays)) ordered.push_back(v);
    EXPECT_EQ(ordered, delays);
    std::vector<int> unordered;
    auto it = pool.imap_unordered(sleepy, delays);
    while (auto v = it.next(10s)) unordered.push_back(*v);
    EXPECT_EQ(unordered.size(), 4u);
    EXPECT_EQ(std::multiset<int>(unordered.begin(), unordered.end()), std::multiset<int>(delays.begin(), delays.end()));
    EXPECT_NE(unordered, delays);  // 0 finishes long before 3
    std::vector<int> chunked;
    for (int v : pool.imap(square, std::vector<int>{1, 2, 3, 4, 5}, 2)) chunked.push_back(v);
    EXPECT_EQ(chunked, (std::vector<int>{1, 4, 9, 16, 25}));
}

TEST(Pool, ImapNextTimesOutAndRethrowsFailures) {
    Pool pool(1);
    auto slow = pool.imap(
        [](int x) {
            usleep(300000);
            return x;
        },
        std::vector<int>{1});
    EXPECT_THROW(slow.next(20ms), mp::pool::TimeoutError);
    EXPECT_EQ(slow.next(10s), 1);
    EXPECT_EQ(slow.next(), std::nullopt);
    auto failing = pool.imap(fail_with, std::vector<int>{5, 1, 6});
    EXPECT_EQ(failing.next(), 5);
    EXPECT_THROW(failing.next(), std::out_of_range);
    EXPECT_EQ(failing.next(), 6);
}

// ---------------------------------------------------------------- lifecycle

TEST(Pool, CloseThenJoinFinishesQueuedTasks) {
    Pool pool(2);
    std::vector<AsyncResult<int>> results;
    for (int i = 0; i < 20; ++i) results.push_back(pool.apply_async(square, i));
    EXPECT_THROW(pool.join(), std::logic_error);  // join needs close() or terminate()
    pool.close();
    EXPECT_THROW(pool.apply_async(square, 1), mp::pool::PoolClosed);
    pool.join();
    for (int i = 0; i < 20; ++i) EXPECT_EQ(results[static_cast<size_t>(i)].get(), i * i);
    EXPECT_TRUE(pool.worker_pids().empty());
}

TEST(Pool, JoinWithTimeoutWaitsForRunningTasks) {
    Pool pool(1);
    auto r = pool.apply_async([] {
        usleep(300000);
        return 1;
    });
    pool.close();
    EXPECT_FALSE(pool.join_for(50ms));
    EXPECT_TRUE(pool.join_for(10s));
    EXPECT_EQ(r.get(), 1);
}

TEST(Pool, ResultsLargerThanThePipeBufferNeverBlockJoin) {
    Pool pool(2);
    auto big = pool.apply_async([](size_t n) { return std::string(n, 'x'); }, size_t{8} << 20);
    auto many = pool.map([](int i) { return std::vector<int>(100000, i); }, std::vector<int>{1, 2, 3, 4});
    pool.close();
    pool.join();
    EXPECT_EQ(big.get().size(), size_t{8} << 20);
    ASSERT_EQ(many.size(), 4u);
    EXPECT_EQ(many[3], std::vector<int>(100000, 4));
    // And arguments larger than the socket buffer travel too.
    Pool second(1);
    EXPECT_EQ(second.apply([](const std::string& s) { return s.size(); }, std::string(3 << 20, 'y')), size_t{3} << 20);
}

struct Unencodable {
    int value = 0;
};
void mp_encode(mp::ipc::Encoder&, const Unencodable&) { throw std::length_error("cannot encode Unencodable"); }
void mp_decode(mp::ipc::Decoder& in, Unencodable& u) { in.read(u.value); }

TEST(Pool, AResultThatCannotBeEncodedFailsThatTaskOnly) {
    Pool pool(1);
    try {
        pool.apply([] { return Unencodable{3}; });
        FAIL() << "no exception";
    } catch (const std::length_error& error) {
        EXPECT_STREQ(error.what(), "cannot encode Unencodable");
    }
    EXPECT_EQ(pool.apply(square, 3), 9);
}

// ---------------------------------------------------------------- workers that die

// A task that reports its worker's pid on `fd` and then waits forever.
int report_pid_and_hang(int fd) {
    const pid_t pid = getpid();
    (void)!write(fd, &pid, sizeof pid);
    for (;;) pause();
}

pid_t read_pid(int fd) {
    pid_t pid = 0;
    EXPECT_EQ(read(fd, &pid, sizeof pid), static_cast<ssize_t>(sizeof pid));
    return pid;
}

// How the worker that ran `r` died, as an exitcode: minus the signal, or the exit
// code; 1000 when `r` did not fail with WorkerDied.
int died_of(AsyncResult<int>& r) {
    try {
        r.get(10s);
    } catch (const mp::pool::WorkerDied& died) {
        return died.signal() != 0 ? -died.signal() : died.exit_code();
    }
    return 1000;
}

TEST(Pool, SigkilledWorkerFailsItsTaskAndIsReplaced) {
    TestPipe pids;
    Pool pool(PoolOptions{.processes = 2, .pass_fds = {pids.write_end}});
    auto doomed = pool.apply_async(report_pid_and_hang, pids.write_end);
    auto fine = pool.apply_async([] {
        usleep(100000);
        return 7;
    });
    const pid_t victim = read_pid(pids.read_end);
    ASSERT_EQ(kill(victim, SIGKILL), 0);
    try {
        doomed.get(10s);
        FAIL() << "no exception";
    } catch (const mp::pool::WorkerDied& died) {
        EXPECT_EQ(died.pid(), victim);
        EXPECT_EQ(died.signal(), SIGKILL);
        EXPECT_NE(std::string(died.what()).find("signal 9"), std::string::npos) << died.what();
    }
    EXPECT_EQ(fine.get(10s), 7);  // the other worker's task is untouched
    std::set<pid_t> seen;
    for (int i = 0; i < 20; ++i) seen.insert(pool.apply(worker_pid));
    EXPECT_EQ(seen.count(victim), 0u);
    const std::vector<pid_t> workers = pool.worker_pids();
    EXPECT_EQ(workers.size(), 2u);
    EXPECT_EQ(std::count(workers.begin(), workers.end(), victim), 0);
}

TEST(Pool, BlockingApplyFailsWithWorkerDiedWhenItsWorkerIsKilled) {
    TestPipe pids;
    Pool pool(PoolOptions{.processes = 1, .pass_fds = {pids.write_end}});
    std::thread killer([&] { kill(read_pid(pids.read_end), SIGKILL); });
    EXPECT_THROW(pool.apply(report_pid_and_hang, pids.write_end), mp::pool::WorkerDied);
    killer.join();
    EXPECT_EQ(pool.apply(square, 5), 25);
    // A task whose grandchild keeps the worker's channel open: the exit report alone
    // must end the wait.
    std::thread killer2([&] { kill(read_pid(pids.read_end), SIGKILL); });
    EXPECT_THROW(pool.apply(
                     [](int fd) {
                         if (fork() == 0) {
                             usleep(1500000);
                             _exit(0);
                         }
                         return report_pid_and_hang(fd);
                     },
                     pids.write_end),
                 mp::pool::WorkerDied);
    killer2.join();
    EXPECT_EQ(pool.apply(square, 6), 36);
}

TEST(Pool, AbortSegfaultAndExitInATaskEachFailOnlyThatTask) {
    Pool pool(2);
    auto aborted = pool.apply_async([] {
        std::abort();
        return 0;
    });
    auto crashed = pool.apply_async([] {
        signal(SIGSEGV, SIG_DFL);  // a sanitizer build would catch it and exit 1 instead
        raise(SIGSEGV);
        return 0;
    });
    auto exited = pool.apply_async([] {
        _exit(3);
        return 0;
    });
    EXPECT_EQ(died_of(aborted), -SIGABRT);
    EXPECT_EQ(died_of(crashed), -SIGSEGV);
    EXPECT_EQ(died_of(exited), 3);
    EXPECT_EQ(pool.map(square, std::vector<int>{1, 2, 3}), (std::vector<int>{1, 4, 9}));
}

TEST(Pool, TerminateMidMapCancelsEverythingAndReturnsPromptly) {
    Pool pool(2);
    std::vector<int> items(40, 1);
    auto r = pool.map_async(
        [](int x) {
            usleep(100000);
            return x;
        },
        items, 1);
    usleep(150000);
    const auto start = Clock::now();
    pool.terminate();
    EXPECT_LT(Clock::now() - start, 5s);
    EXPECT_THROW(r.get(1s), mp::pool::CancelledError);
    EXPECT_TRUE(pool.worker_pids().empty());
    EXPECT_THROW(pool.apply(square, 1), mp::pool::PoolClosed);
    pool.join();  // allowed after terminate
}

TEST(Pool, TerminateKillsWorkersThatIgnoreSigterm) {
    TestPipe pids;
    Pool pool(PoolOptions{.processes = 1, .pass_fds = {pids.write_end}});
    auto stubborn = pool.apply_async(
        [](int fd) {
            signal(SIGTERM, SIG_IGN);
            return report_pid_and_hang(fd);
        },
        pids.write_end);
    auto queued = pool.apply_async(square, 2);
    read_pid(pids.read_end);
    const auto start = Clock::now();
    pool.terminate();
    EXPECT_LT(Clock::now() - start, 6s);
    EXPECT_THROW(stubborn.get(1s), mp::pool::CancelledError);
    EXPECT_THROW(queued.get(1s), mp::pool::CancelledError);
}

TEST(Pool, DestructorTerminatesAndReapsEverything) {
    TestPipe pids;
    std::optional<AsyncResult<int>> r;
    {
        Pool pool(PoolOptions{.processes = 2, .pass_fds = {pids.write_end}});
        r = pool.apply_async(report_pid_and_hang, pids.write_end);
        read_pid(pids.read_end);
    }  // the leak guard checks that the fork server was reaped
    EXPECT_THROW(r->get(1s), mp::pool::CancelledError);
}

// ---------------------------------------------------------------- options

int initialized_value = 0;

TEST(Pool, InitializerRunsOncePerWorkerWithItsArguments) {
    TestPipe counts;
    Pool pool(
        PoolOptions{.processes = 2, .pass_fds = {counts.write_end}},
        [](int value, int fd) {
            initialized_value = value;
            (void)!write(fd, "i", 1);
        },
        41, counts.write_end);
    std::vector<AsyncResult<int>> results;
    for (int i = 0; i < 10; ++i) results.push_back(pool.apply_async([] { return initialized_value + 1; }));
    for (auto& r : results) EXPECT_EQ(r.get(), 42);
    pool.close();
    pool.join();
    close(counts.write_end);
    counts.write_end = -1;
    EXPECT_EQ(counts.read_all(), "ii");
    EXPECT_EQ(initialized_value, 0);  // it ran in the workers only
}

TEST(Pool, FailingInitializerIsReportedNotRespawnedForever) {
    const auto start = Clock::now();
    try {
        Pool pool(PoolOptions{.processes = 2, .initializer = [] { throw std::runtime_error("no database"); }});
        FAIL() << "no exception";
    } catch (const mp::pool::BrokenPool& error) {
        EXPECT_NE(std::string(error.what()).find("std::runtime_error: no database"), std::string::npos) << error.what();
    }
    EXPECT_LT(Clock::now() - start, 5s);
}

TEST(Pool, MaxtasksperchildReplacesWorkers) {
    Pool pool(PoolOptions{.processes = 1, .maxtasksperchild = 2});
    std::vector<pid_t> pids;
    for (int i = 0; i < 6; ++i) pids.push_back(pool.apply(worker_pid));
    EXPECT_EQ(pids[0], pids[1]);
    EXPECT_EQ(pids[2], pids[3]);
    EXPECT_EQ(pids[4], pids[5]);
    EXPECT_EQ(std::set<pid_t>(pids.begin(), pids.end()).size(), 3u);
    // Also with tasks queued ahead of the replacement.
    auto results = pool.map(worker_pid_of_item, std::vector<int>(9, 0), 1);
    EXPECT_EQ(std::set<pid_t>(results.begin(), results.end()).size(), 5u);
}

TEST(Pool, InvalidOptionsAreRejected) {
    EXPECT_THROW(Pool(PoolOptions{.processes = -1}), std::invalid_argument);
    EXPECT_THROW(Pool(PoolOptions{.processes = 1, .maxtasksperchild = -1}), std::invalid_argument);
    EXPECT_GE(mp::pool::cpu_count(), 1);
}

// ---------------------------------------------------------------- threads in the parent

std::mutex busy_lock;
std::atomic<long> busy_rounds{0};

TEST(Pool, ForkingWithBusyLockHoldingThreadsIsSafe) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    FILE* sink = std::fopen("/dev/null", "we");
    ASSERT_NE(sink, nullptr);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            while (!stop) {
                std::lock_guard lock(busy_lock);
                std::vector<std::string> garbage(16, std::string(100, 'g'));  // malloc under our lock
                std::fprintf(sink, "%zu\n", garbage.size());                  // stdio lock
                ++busy_rounds;
            }
        });
    }
    while (busy_rounds < 1000) std::this_thread::yield();
    {
        // Pools are created and workers replaced (maxtasksperchild 1) while the
        // threads hammer malloc, stdio and a lock; tasks use malloc and stdio.
        Pool pool(PoolOptions{.processes = 2, .maxtasksperchild = 1});
        const auto task = [](int n) {
            std::vector<std::string> parts;
            for (int i = 0; i < n; ++i) parts.push_back(std::to_string(i));
            char buffer[64];
            std::snprintf(buffer, sizeof buffer, "%zu", parts.size());
            return std::string(buffer);
        };
        std::vector<AsyncResult<std::string>> results;
        for (int i = 0; i < 40; ++i) results.push_back(pool.apply_async(task, 100 + i));
        for (int i = 0; i < 40; ++i) EXPECT_EQ(results[static_cast<size_t>(i)].get(30s), std::to_string(100 + i));
        // Submitting from several threads at once.
        std::vector<std::thread> submitters;
        std::atomic<int> correct{0};
        for (int t = 0; t < 4; ++t)
            submitters.emplace_back([&, t] {
                for (int i = 0; i < 10; ++i)
                    if (pool.apply(square, t * 100 + i) == (t * 100 + i) * (t * 100 + i)) ++correct;
            });
        for (auto& s : submitters) s.join();
        EXPECT_EQ(correct, 40);
    }
    stop = true;
    for (auto& t : threads) t.join();
    std::fclose(sink);
}

// ---------------------------------------------------------------- how workers start

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

// ---------------------------------------------------------------- Executor

TEST(Executor, SubmitReturnsFuturesAndMapKeepsOrder) {
    mp::pool::Executor executor(2);
    std::future<int> f = executor.submit(square, 9);
    std::future<std::string> s = executor.submit(shout, std::string("go"), 3);
    std::future<int> bad = executor.submit(fail_with, 1);
    EXPECT_EQ(f.get(), 81);
    EXPECT_EQ(s.get(), "go!go!go!");
    EXPECT_THROW(bad.get(), std::out_of_range);
    EXPECT_EQ(executor.map(square, std::vector<int>{1, 2, 3}), (std::vector<int>{1, 4, 9}));
    executor.shutdown();
    EXPECT_THROW((void)executor.submit(square, 1), mp::pool::PoolClosed);
    executor.shutdown();  // idempotent
}

TEST(Executor, ADeadWorkerFailsOnlyItsFuture) {
    TestPipe pids;
    mp::pool::Executor executor(PoolOptions{.processes = 1, .pass_fds = {pids.write_end}});
    auto doomed = executor.submit(report_pid_and_hang, pids.write_end);
    kill(read_pid(pids.read_end), SIGKILL);
    EXPECT_THROW(doomed.get(), mp::pool::WorkerDied);
    EXPECT_EQ(executor.submit(square, 4).get(), 16);  // not a broken pool
}

TEST(Executor, ShutdownWithCancelFuturesCancelsQueuedCalls) {
    mp::pool::Executor executor(1);
    auto running = executor.submit([] {
        usleep(200000);
        return 1;
    });
    usleep(50000);
    std::vector<std::future<int>> queued;
    for (int i = 0; i < 5; ++i) queued.push_back(executor.submit(square, i));
    executor.shutdown(true, true);
    EXPECT_EQ(running.get(), 1);
    for (auto& q : queued) EXPECT_THROW(q.get(), mp::pool::CancelledError);
}

// ---------------------------------------------------------------- bin/pool

using mp::test::CommandResult;

CommandResult pool_cli(const std::vector<std::string>& args, const std::string& input = "") {
    std::vector<std::string> argv{mp::test::bin_path("pool")};
    argv.insert(argv.end(), args.begin(), args.end());
    return mp::test::run_command(argv, input, 60s);
}

// A scratch directory removed with its files.
struct TempDir {
    std::string path;
    TempDir() {
        char pattern[] = "/tmp/mp-pool-test-XXXXXX";
        path = mkdtemp(pattern);
    }
    ~TempDir() { mp::test::run_command({"rm", "-rf", path}); }
    std::string file(const std::string& name) const { return path + "/" + name; }
};

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

TEST(BinPool, KeepOrderPrintsInInputOrder) {
    // Item n sleeps (6 - n) * 50 ms: they finish in reverse order.
    const CommandResult r = pool_cli({"-j6", "-k", "sh", "-c", "sleep $(( (6 - $0) ))e-2; echo $0"}, "1\n2\n3\n4\n5\n6\n");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "1\n2\n3\n4\n5\n6\n");
    const CommandResult unordered = pool_cli({"-j6", "sh", "-c", "sleep $(( (6 - $0) ))e-2; echo $0"}, "1\n2\n3\n4\n5\n6\n");
    EXPECT_EQ(unordered.exit_code, 0);
    EXPECT_EQ(lines_of(unordered.out).size(), 6u);
}

TEST(BinPool, OutputOfConcurrentJobsNeverInterleaves) {
    const CommandResult r = pool_cli(
        {"-j4", "sh", "-c", "for i in 1 2 3; do echo $0-$i; echo err-$0-$i >&2; sleep 0.05; done"}, "a\nb\nc\nd\n");
    EXPECT_EQ(r.exit_code, 0);
    for (const std::string* stream : {&r.out, &r.err}) {
        const std::vector<std::string> lines = lines_of(*stream);
        ASSERT_EQ(lines.size(), 12u) << *stream;
        for (size_t job = 0; job < 4; ++job) {
            const std::string prefix = lines[job * 3].substr(0, lines[job * 3].size() - 1);
            for (size_t i = 0; i < 3; ++i) EXPECT_EQ(lines[job * 3 + i], prefix + std::to_string(i + 1)) << *stream;
        }
    }
}

TEST(BinPool, ItemsAreSingleArgumentsNeverSeenByAShell) {
    const CommandResult r = pool_cli({"-k", "-j2", "echo", "[{}]", "x{}y{}"}, "a b\nc;echo INJECT\n'q\"\n\n");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "[a b] xa bya b\n[c;echo INJECT] xc;echo INJECTyc;echo INJECT\n['q\"] x'q\"y'q\"\n[] xy\n");
    const CommandResult appended = pool_cli({"-k", "printf", "<%s>\\n"}, "one two\nthree");
    EXPECT_EQ(appended.out, "<one two>\n<three>\n");
    // The first word that is not an option starts CMD, whose own options are its own.
    const CommandResult cmd_options = pool_cli({"-j2", "-k", "echo", "-n", "-j3"}, "x\n");
    EXPECT_EQ(cmd_options.out, "-j3 x");
}

TEST(BinPool, NulSeparatedItems) {
    const CommandResult r = pool_cli({"-0", "-k", "echo"}, std::string("one\0two words\0with\nnewline\0", 27));
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "one\ntwo words\nwith\nnewline\n");
}

TEST(BinPool, EmptyInputRunsNothing) {
    const CommandResult r = pool_cli({"echo", "never"}, "");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "");
}

TEST(BinPool, ExitStatusCountsFailedJobs) {
    EXPECT_EQ(pool_cli({"sh", "-c", "exit $(( $0 % 2 ))"}, "1\n2\n3\n4\n5\n").exit_code, 3);
    std::string many;
    for (int i = 0; i < 150; ++i) many += "x\n";
    EXPECT_EQ(pool_cli({"-j8", "false"}, many).exit_code, 101);
    const CommandResult missing = pool_cli({"/nonexistent/program"}, "a\nb\n");
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("pool: /nonexistent/program: No such file or directory"), std::string::npos) << missing.err;
    const CommandResult killed = pool_cli({"sh", "-c", "kill -9 $$"}, "a\n");
    EXPECT_EQ(killed.exit_code, 1);
}

TEST(BinPool, UsageErrorsExit255) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"-j", "0", "echo"}, {"-jx", "echo"}, {"--timeout", "-1", "echo"}, {"--halt", "later", "echo"}, {"--bogus"}, {}, {"-k"}}) {
        const CommandResult r = pool_cli(args, "a\n");
        EXPECT_EQ(r.exit_code, 255) << args.size();
        EXPECT_EQ(r.err.rfind("pool: ", 0), 0u) << r.err;
    }
    const CommandResult help = pool_cli({"--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("--joblog"), std::string::npos);
    // `-- tour` is a program named tour, not the tour.
    EXPECT_EQ(pool_cli({"--", "tour"}, "a\n").exit_code, 1);
}

TEST(BinPool, TimeoutKillsTheJobsWholeProcessGroup) {
    TempDir dir;
    const std::string pids = dir.file("pids");
    const auto start = Clock::now();
    const CommandResult r = pool_cli({"--timeout", "0.3", "--joblog", dir.file("log"), "sh", "-c",
                                      "sleep 100 & echo $! >> " + pids + "; echo $$ >> " + pids + "; echo started; wait"},
                                     "a\n");
    EXPECT_LT(Clock::now() - start, 10s);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "started\n");  // the partial output is kept
    const std::vector<std::string> started = lines_of(slurp(pids));
    ASSERT_EQ(started.size(), 2u);
    for (const std::string& pid : started) EXPECT_TRUE(process_gone(std::stoi(pid))) << pid;
    const std::vector<std::string> log = lines_of(slurp(dir.file("log")));
    ASSERT_EQ(log.size(), 2u);
    std::vector<std::string> fields;
    std::istringstream row(log[1]);
    for (std::string field; std::getline(row, field, '\t');) fields.push_back(field);
    ASSERT_GE(fields.size(), 9u);
    EXPECT_EQ(fields[6], "-1");
    EXPECT_EQ(fields[7], "15");
}

TEST(BinPool, RetriesRerunAFailingJob) {
    TempDir dir;
    const std::string counter = "n=$(cat " + dir.file("$0") + " 2>/dev/null || echo 0); n=$((n+1)); echo $n > " +
                                dir.file("$0") + "; echo try $n; [ $n -ge 3 ]";
    const CommandResult enough = pool_cli({"--retries", "2", "sh", "-c", counter}, "a\n");
    EXPECT_EQ(enough.exit_code, 0);
    EXPECT_EQ(enough.out, "try 3\n");  // only the last attempt's output
    const CommandResult too_few = pool_cli({"--retries", "1", "sh", "-c", counter}, "b\n");
    EXPECT_EQ(too_few.exit_code, 1);
    const CommandResult none = pool_cli({"--retries", "0", "sh", "-c", counter}, "c\n");
    EXPECT_EQ(none.exit_code, 1);  // 0 retries means none, not infinitely many
    EXPECT_EQ(slurp(dir.file("c")), "1\n");
}

TEST(BinPool, JoblogHasGnuParallelsFormatAndAppends) {
    TempDir dir;
    const std::string log = dir.file("jobs.log");
    EXPECT_EQ(pool_cli({"-k", "--joblog", log, "sh", "-c", "printf %s \"$0\"; exit $0"}, "0\n3\n").exit_code, 1);
    std::vector<std::string> rows = lines_of(slurp(log));
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0], "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand");
    std::set<std::string> seen;
    for (size_t i = 1; i < rows.size(); ++i) {
        std::vector<std::string> f;
        std::istringstream row(rows[i]);
        for (std::string field; std::getline(row, field, '\t');) f.push_back(field);
        ASSERT_EQ(f.size(), 9u) << rows[i];
        EXPECT_EQ(f[1], ":");
        EXPECT_GT(std::stod(f[2]), 1.6e9);
        EXPECT_GE(std::stod(f[3]), 0.0);
        EXPECT_EQ(f[5], "1");  // one byte of output
        seen.insert(f[0] + "/" + f[6] + "/" + f[7] + "/" + f[8]);
    }
    EXPECT_TRUE(seen.count("1/0/0/sh -c 'printf %s \"$0\"; exit $0' 0")) << rows[1];
    EXPECT_TRUE(seen.count("2/3/0/sh -c 'printf %s \"$0\"; exit $0' 3")) << rows[2];
    EXPECT_EQ(pool_cli({"--joblog", "+" + log, "true"}, "x\n").exit_code, 0);
    rows = lines_of(slurp(log));
    EXPECT_EQ(rows.size(), 4u);
    EXPECT_EQ(pool_cli({"--joblog", log, "true"}, "x\n").exit_code, 0);
    EXPECT_EQ(lines_of(slurp(log)).size(), 2u);
}

TEST(BinPool, HaltSoonStopsStartingJobsAndExitsWithTheJobsStatus) {
    const CommandResult soon = pool_cli({"-j1", "--halt", "soon", "sh", "-c", "echo $0; [ $0 != 2 ] || exit 7"}, "1\n2\n3\n4\n");
    EXPECT_EQ(soon.exit_code, 7);
    EXPECT_EQ(soon.out, "1\n2\n");
    const auto start = Clock::now();
    const CommandResult now =
        pool_cli({"-j2", "--halt", "now", "sh", "-c", "if [ $0 = fail ]; then sleep 0.2; exit 5; fi; sleep 100"}, "slow\nfail\n");
    EXPECT_EQ(now.exit_code, 5);
    EXPECT_LT(Clock::now() - start, 10s);
}

TEST(BinPool, BarGoesToStderrOnly) {
    const CommandResult r = pool_cli({"--bar", "-k", "echo"}, "a\nb\n");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "a\nb\n");
    EXPECT_NE(r.err.find("2/2 done"), std::string::npos) << r.err;
}

TEST(BinPool, SigintKillsEveryJobsProcessGroupAndLeavesNoProcess) {
    TempDir dir;
    const std::string pids = dir.file("pids");
    mp::subproc::Popen runner({mp::test::bin_path("pool"), "-j2", "sh", "-c",
                               "sleep 100 & echo $! >> " + pids + "; echo $$ >> " + pids + "; trap '' TERM; wait"},
                              {.in = mp::subproc::PIPE, .out = mp::subproc::DEVNULL,
                               .on_destroy = mp::subproc::OnDestroy::stop});
    (void)!write(runner.stdin_fd(), "a\nb\nc\n", 6);
    runner.close_stdin();
    std::vector<std::string> started;
    for (int i = 0; i < 1000 && started.size() < 4; ++i) {
        usleep(10000);
        started = lines_of(slurp(pids));
    }
    ASSERT_EQ(started.size(), 4u);
    const auto start = Clock::now();
    runner.send_signal(SIGINT);
    EXPECT_EQ(runner.wait(10s), 130);
    EXPECT_LT(Clock::now() - start, 8s);
    for (const std::string& pid : started) EXPECT_TRUE(process_gone(std::stoi(pid))) << pid;
    EXPECT_EQ(lines_of(slurp(pids)).size(), 4u);  // the third item never started
}

TEST(BinPool, TourRuns) {
    const CommandResult r = mp::test::run_command({mp::test::bin_path("pool"), "tour"}, "", 60s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("client 4 got \"HELLO FROM CLIENT 4\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("WorkerDied: worker"), std::string::npos);
}

}  // namespace
