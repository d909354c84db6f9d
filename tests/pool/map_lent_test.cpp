// mp::pool::Pool::map on the workers the calling thread borrows
// (pool/internal/core_lent_map.cpp): each has its next chunk waiting in its pipe. A
// worker killed mid-map fails the map and its waiting chunk runs once, elsewhere;
// terminate() from another thread, chunks larger than a pipe, an input that throws,
// and other threads' tasks and maps meanwhile.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <numeric>
#include <ranges>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "pool/pool.hpp"
#include "tests/pool/test_support.hpp"

namespace map_lent_test {

using namespace std::chrono_literals;
using namespace mp::pool::test;
using mp::pool::Pool;
using mp::pool::PoolOptions;

// Where tasks report "ITEM PID" lines (set before the pool forks its workers).
int report_fd = -1;

// Reports the item; item 0 then hangs until its worker is killed.
int report_and_hang_on_zero(int item) {
    char line[64];
    const int length = std::snprintf(line, sizeof line, "%d %d\n", item, static_cast<int>(getpid()));
    (void)!write(report_fd, line, static_cast<std::size_t>(length));
    if (item == 0)
        for (;;) pause();
    return item;
}

// Reads report lines from `fd` until one for `item`, keeping them in `seen`; returns
// the pid it names, or -1 when the reports end or none comes for 10 s.
pid_t read_until_item(int fd, int item, std::string& seen) {
    std::string line;
    char c;
    pollfd report{fd, POLLIN, 0};
    while (poll(&report, 1, 10'000) == 1 && read(fd, &c, 1) == 1) {
        seen += c;
        if (c != '\n') {
            line += c;
            continue;
        }
        std::istringstream fields(line);
        int reported;
        pid_t pid;
        fields >> reported >> pid;
        if (reported == item) return pid;
        line.clear();
    }
    return -1;
}

// item -> the pids of the workers that ran it, from report lines.
std::map<int, std::vector<pid_t>> runs_of(const std::string& lines) {
    std::map<int, std::vector<pid_t>> runs;
    std::istringstream in(lines);
    int item;
    pid_t pid;
    while (in >> item >> pid) runs[item].push_back(pid);
    return runs;
}

TEST(PoolMapLent, AKilledWorkerFailsTheMapAndTheChunkWaitingBehindItRunsOnceElsewhere) {
    TestPipe reports;
    report_fd = reports.write_end;
    std::string seen;
    pid_t victim = -1;
    {
        Pool pool(PoolOptions{.processes = 2, .pass_fds = {reports.write_end}});
        // Chunks of one item: the worker that takes item 0 has item 1 waiting behind
        // it, and hangs on item 0 until killed; the other worker has 2, then 3. The
        // kill waits for item 2 too: a map makes no more chunks once one failed, so
        // a death noticed before 2 was dealt would leave 2 and 3 unrun.
        std::thread killer([&] {
            victim = read_until_item(reports.read_end, 0, seen);
            // Bounded: were 2 never dealt, the assertions below say so.
            if (runs_of(seen).count(2) == 0) (void)read_until_item(reports.read_end, 2, seen);
            if (victim > 0) kill(victim, SIGKILL);
        });
        try {
            (void)pool.map(report_and_hang_on_zero, std::vector<int>{0, 1, 2, 3}, 1);
            ADD_FAILURE() << "no exception";
        } catch (const mp::pool::WorkerDied& died) {
            EXPECT_EQ(died.signal(), SIGKILL);
        }
        killer.join();
        EXPECT_EQ(pool.map(square, std::vector<int>{1, 2, 3}), (std::vector<int>{1, 4, 9}))
            << "the pool goes on";
        pool.close();
        pool.join();
    }
    reports.close_write();
    const auto runs = runs_of(seen + reports.read_all());
    for (const int item : {0, 1, 2, 3}) {
        ASSERT_EQ(runs.count(item), 1u) << "item " << item << " never ran";
        EXPECT_EQ(runs.at(item).size(), 1u) << "item " << item << " ran more than once";
    }
    EXPECT_NE(runs.at(1).front(), victim) << "item 1 waited behind item 0: the killed worker never read it";
}

TEST(PoolMapLent, TerminateFromAnotherThreadEndsABlockingMapWithCancelledError) {
    Pool pool(2);
    std::thread terminator([&] {
        usleep(200'000);
        pool.terminate();
    });
    const auto start = Clock::now();
    EXPECT_THROW((void)pool.map(
                     [](int x) {
                         sleep(30);
                         return x;
                     },
                     std::vector<int>(8, 1), 1),
                 mp::pool::CancelledError);
    EXPECT_LT(Clock::now() - start, 10s);
    terminator.join();
}

std::string echo_text(const std::string& text) {
    return text;
}

// A waiting chunk is written while its worker runs the one before: one larger than
// the pipe would block that write until the worker reads it, after it wrote its
// result, which nobody would read meanwhile.
TEST(PoolMapLent, ChunksAndResultsLargerThanAPipeOrASocketBufferDoNotDeadlock) {
    Pool pool(2);
    std::vector<std::string> texts;
    for (int i = 0; i < 32; ++i) texts.push_back(std::string(128 * 1024, static_cast<char>('a' + i % 26)));
    auto mapped =
        std::async(std::launch::async, [&] { return pool.map(echo_text, texts, 4); });  // 512 KiB chunks
    if (mapped.wait_for(60s) != std::future_status::ready) {
        pool.terminate();  // ends the map, so that the test ends
        FAIL() << "the map deadlocked";
    }
    EXPECT_EQ(mapped.get(), texts);
}

TEST(PoolMapLent, AnInputThatThrowsFailsTheMapAfterTheChunksAlreadyDealt) {
    Pool pool(2);
    auto items = std::views::iota(0, 100) | std::views::transform([](int x) {
                     if (x == 50) throw std::runtime_error("item 50 cannot be read");
                     return x;
                 });
    try {
        (void)pool.map(square, items, 5);
        FAIL() << "no exception";
    } catch (const std::runtime_error& error) {
        EXPECT_STREQ(error.what(), "item 50 cannot be read");
    }
    EXPECT_EQ(pool.map(square, std::vector<int>{4}), std::vector<int>{16});
}

// A long map borrows every worker; a task another thread submits meanwhile waits
// for two chunks at most, not for the whole map.
TEST(PoolMapLent, ATaskFromAnotherThreadRunsBeforeALongMapEnds) {
    Pool pool(2);
    std::atomic<bool> mapped{false};
    std::thread mapper([&] {
        const std::vector<int> results = pool.map(
            [](int x) {
                usleep(50'000);
                return x;
            },
            std::vector<int>(60, 2), 1);  // 1.5 s on two workers
        mapped = true;
        EXPECT_EQ(results, std::vector<int>(60, 2));
    });
    usleep(200'000);
    const auto start = Clock::now();
    EXPECT_EQ(pool.apply(square, 3), 9);
    EXPECT_LT(Clock::now() - start, 1s);
    EXPECT_FALSE(mapped);
    mapper.join();
}

TEST(PoolMapLent, TwoThreadsMapAtOnce) {
    Pool pool(2);
    std::vector<int> first(2000), second(3000);
    std::iota(first.begin(), first.end(), 0);
    std::iota(second.begin(), second.end(), -1000);
    for (int round = 0; round < 20; ++round) {
        std::vector<int> first_squares;
        std::thread other([&] { first_squares = pool.map(square, first, 50); });
        const std::vector<int> second_squares = pool.map(square, second, 70);
        other.join();
        for (std::size_t i = 0; i < first.size(); ++i) ASSERT_EQ(first_squares[i], first[i] * first[i]);
        for (std::size_t i = 0; i < second.size(); ++i) ASSERT_EQ(second_squares[i], second[i] * second[i]);
    }
}

}  // namespace map_lent_test
