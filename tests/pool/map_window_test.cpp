// mp::pool::Pool::map and starmap encode their chunks as workers need them, two per
// worker out at once, instead of a second copy of the whole input; a close() from
// another thread still lets a running map finish, as Python's does.
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <ranges>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "pool/pool.hpp"
#include "tests/support/helpers.hpp"

namespace map_window_test {

using mp::pool::Pool;

// Workers wait for this file before returning (set before the pool forks them).
std::string gate_path;

int square_after_gate(int x) {
    while (!mp::test::path_exists(gate_path)) usleep(1000);
    return x * x;
}

// How many items map has encoded so far (they are read in this process only).
std::atomic<std::size_t> encoded{0};
auto counted_items(int count) {
    return std::views::iota(0, count) | std::views::transform([](int x) {
               ++encoded;
               return x;
           });
}

class PoolMapWindow : public ::testing::Test {
protected:
    void SetUp() override {
        gate_path = (std::filesystem::temp_directory_path() / mp::test::unique_name("map-gate")).string();
        encoded = 0;
    }
    // Runs `map` on a thread; join() rethrows what it threw.
    template <class Map>
    void start_mapping(Map map) {
        mapper_ = std::thread([this, map] {
            try {
                map();
            } catch (...) {
                error_ = std::current_exception();
            }
        });
    }
    void join_mapping() {
        mapper_.join();
        if (error_) std::rethrow_exception(error_);
    }

private:
    std::thread mapper_;
    std::exception_ptr error_;

protected:
    void TearDown() override { std::remove(gate_path.c_str()); }
    void open_gate() { mp::test::write_file(gate_path, ""); }
};

// Before, map encoded all 100 chunks when called.
TEST_F(PoolMapWindow, EncodesTwoChunksPerWorkerAheadOfTheWorkers) {
    Pool pool(2);
    constexpr int kItems = 1000;
    constexpr std::size_t kChunk = 10;
    std::vector<int> results;
    start_mapping([&] { results = pool.map(square_after_gate, counted_items(kItems), kChunk); });
    // Every worker is held at the gate: only the window is encoded, and stays so.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (encoded < 4 * kChunk && std::chrono::steady_clock::now() < deadline) usleep(1000);
    usleep(300'000);
    EXPECT_EQ(encoded, 4 * kChunk);
    open_gate();
    join_mapping();
    EXPECT_EQ(encoded, static_cast<std::size_t>(kItems));
    ASSERT_EQ(results.size(), static_cast<std::size_t>(kItems));
    for (int i = 0; i < kItems; ++i) ASSERT_EQ(results[static_cast<std::size_t>(i)], i * i);
    pool.close();
    pool.join();
}

TEST_F(PoolMapWindow, ACloseFromAnotherThreadLetsTheRunningMapFinish) {
    Pool pool(2);
    std::vector<int> results;
    start_mapping([&] { results = pool.map(square_after_gate, counted_items(200), 5); });
    while (encoded == 0) usleep(1000);
    pool.close();  // 36 of the 40 chunks are not encoded yet
    EXPECT_THROW(pool.map(square_after_gate, std::vector<int>{1}), mp::pool::PoolClosed) << "a new map is refused";
    open_gate();
    join_mapping();
    ASSERT_EQ(results.size(), 200u);
    for (int i = 0; i < 200; ++i) ASSERT_EQ(results[static_cast<std::size_t>(i)], i * i);
    pool.join();
}

TEST_F(PoolMapWindow, AMapInsideACallbackIsRefusedInsteadOfDeadlocking) {
    open_gate();
    Pool pool(2);
    std::atomic<bool> refused{false};
    auto r = pool.apply_async({.callback =
                                   [&](const int&) {
                                       try {
                                           (void)pool.map(square_after_gate, counted_items(2));
                                       } catch (const std::logic_error&) {
                                           refused = true;
                                       }
                                   }},
                              square_after_gate, 2);
    EXPECT_EQ(r.get(), 4);
    EXPECT_TRUE(refused);
    EXPECT_EQ(encoded, 0u) << "refused before anything was sent";
    pool.close();
    pool.join();
}

int product(int a, int b) { return a * b; }

TEST_F(PoolMapWindow, StarmapFeedsLazilyToo) {
    Pool pool(2);
    std::vector<std::pair<int, int>> pairs;
    for (int i = 0; i < 500; ++i) pairs.emplace_back(i, i + 1);
    const std::vector<int> got = pool.starmap(product, pairs, 7);
    ASSERT_EQ(got.size(), pairs.size());
    for (int i = 0; i < 500; ++i) ASSERT_EQ(got[static_cast<std::size_t>(i)], i * (i + 1));
    pool.close();
    pool.join();
}

TEST(PoolMapChunks, TheDefaultChunkIsCPythonsUpTo16384Items) {
    using mp::pool::internal::plan_chunks;
    EXPECT_EQ(plan_chunks(std::views::iota(0, 1000), 0, 2).chunksize, 125u);  // CPython's: 1000 / 8
    EXPECT_EQ(plan_chunks(std::views::iota(0, 10'000'000), 0, 2).chunksize, 16384u);
    EXPECT_EQ(plan_chunks(std::views::iota(0, 10'000'000), 0, 2).chunks, 611u);
    EXPECT_EQ(plan_chunks(std::views::iota(0, 10'000'000), 500'000, 2).chunksize, 500'000u) << "an explicit one is kept";
}

}  // namespace map_window_test
