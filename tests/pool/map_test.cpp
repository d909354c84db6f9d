// mp::pool::Pool: map, starmap, imap and imap_unordered.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
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

// A chunksize too large for `count + chunksize - 1` to fit in size_t is one chunk of
// every item (Python: any chunksize >= len(items) is one task), never zero chunks.
TEST(Pool, HugeChunksizeIsOneChunkOfEveryItem) {
    Pool pool(2);
    const std::vector<int> numbers{1, 2, 3, 4, 5};
    const std::vector<int> squares{1, 4, 9, 16, 25};
    for (const std::size_t chunksize : {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX / 2 + 1}) {
        EXPECT_EQ(pool.map(square, numbers, chunksize), squares) << chunksize;
        std::vector<int> ordered;
        for (int v : pool.imap(square, numbers, chunksize)) ordered.push_back(v);
        EXPECT_EQ(ordered, squares) << chunksize;
        std::vector<int> unordered;
        for (int v : pool.imap_unordered(square, numbers, chunksize)) unordered.push_back(v);
        EXPECT_EQ(unordered, squares) << chunksize;  // one chunk: its own order
    }
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

}  // namespace
