// as_completed and wait over futures completed in a chosen order: completion order,
// the ones done first, duplicates once, the timeout, and each ReturnWhen.
#include <gtest/gtest.h>

#include <chrono>
#include <ranges>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "threadpool/futures.hpp"

namespace {

using namespace std::chrono_literals;
using mp::threadpool::as_completed;
using mp::threadpool::Future;
using mp::threadpool::Promise;
using mp::threadpool::ReturnWhen;
using mp::threadpool::TimeoutError;

struct Futures {
    explicit Futures(int n) : promises(static_cast<std::size_t>(n)) {
        for (auto& p : promises) futures.push_back(p.get_future());
    }
    std::vector<Promise<int>> promises;
    std::vector<Future<int>> futures;
};

std::vector<int> results_as_completed(const std::vector<Future<int>>& futures) {
    std::vector<int> order;
    for (const Future<int>& f : as_completed(futures)) order.push_back(f.result());
    return order;
}

TEST(AsCompleted, YieldsInCompletionOrderTheDoneOnesFirst) {
    Futures f(4);
    f.promises[2].set_result(2);
    std::thread producer([&] {
        for (int i : {3, 0, 1}) {
            std::this_thread::sleep_for(10ms);
            f.promises[static_cast<std::size_t>(i)].set_result(i);
        }
    });
    EXPECT_EQ(results_as_completed(f.futures), (std::vector<int>{2, 3, 0, 1}));
    producer.join();
}

TEST(AsCompleted, YieldsADuplicatedFutureOnce) {
    Futures f(2);
    f.promises[0].set_result(0);
    f.promises[1].set_result(1);
    const std::vector<Future<int>> with_duplicates{f.futures[0], f.futures[1], f.futures[0]};
    EXPECT_EQ(results_as_completed(with_duplicates).size(), 2u);
}

TEST(AsCompleted, AnUnsizedRangeWithManyDuplicates) {
    Futures f(100);
    for (int i = 0; i < 100; ++i) f.promises[static_cast<std::size_t>(i)].set_result(i);
    std::vector<Future<int>> repeated;
    for (int round = 0; round < 5; ++round) repeated.insert(repeated.end(), f.futures.begin(), f.futures.end());
    auto all = repeated | std::views::filter([](const Future<int>&) { return true; });  // no size() to reserve by
    int sum = 0, yielded = 0;
    for (const Future<int>& done : as_completed(all)) {
        sum += done.result();
        ++yielded;
    }
    EXPECT_EQ(yielded, 100);
    EXPECT_EQ(sum, 4950);
}

TEST(AsCompleted, NothingToWaitFor) {
    EXPECT_TRUE(results_as_completed({}).empty());
}

TEST(AsCompleted, ACancelledFutureCountsAsCompleted) {
    Futures f(1);
    ASSERT_TRUE(f.futures[0].cancel());
    int yielded = 0;
    for (const Future<int>& done : as_completed(f.futures)) yielded += done.cancelled() ? 1 : 0;
    EXPECT_EQ(yielded, 1);
}

TEST(AsCompleted, ATimeoutThrowsAfterYieldingTheDoneOnes) {
    Futures f(3);
    f.promises[1].set_result(1);
    std::vector<int> yielded;
    try {
        for (const Future<int>& done : as_completed(f.futures, 50ms)) yielded.push_back(done.result());
        ADD_FAILURE() << "no timeout";
    } catch (const TimeoutError& e) {
        EXPECT_NE(std::string(e.what()).find("2 (of 3) futures unfinished"), std::string::npos) << e.what();
    }
    EXPECT_EQ(yielded, (std::vector<int>{1}));
}

TEST(AsCompleted, AHundredThousandDoneFutures) {
    constexpr int kCount = 100'000;
    std::vector<Future<int>> futures;
    futures.reserve(kCount);
    for (int i = 0; i < kCount; ++i) {
        Promise<int> p;
        futures.push_back(p.get_future());
        p.set_result(i);
    }
    long long sum = 0;
    for (const Future<int>& done : as_completed(futures)) sum += done.result();
    EXPECT_EQ(sum, static_cast<long long>(kCount) * (kCount - 1) / 2);
}

TEST(Wait, AllCompletedWithATimeoutSplitsDoneFromNotDone) {
    Futures f(3);
    f.promises[0].set_result(0);
    f.promises[2].set_result(2);
    const auto [done, not_done] = mp::threadpool::wait(f.futures, 30ms);
    ASSERT_EQ(done.size(), 2u);
    EXPECT_EQ(done[0], f.futures[0]);
    EXPECT_EQ(done[1], f.futures[2]);
    ASSERT_EQ(not_done.size(), 1u);
    EXPECT_EQ(not_done[0], f.futures[1]);
}

TEST(Wait, AllCompletedWaitsForTheLast) {
    Futures f(2);
    f.promises[0].set_result(0);
    std::thread producer([&] {
        std::this_thread::sleep_for(30ms);
        f.promises[1].set_result(1);
    });
    const auto result = mp::threadpool::wait(f.futures);
    EXPECT_EQ(result.done.size(), 2u);
    EXPECT_TRUE(result.not_done.empty());
    producer.join();
}

TEST(Wait, FirstCompletedReturnsOnTheFirstCompletion) {
    Futures f(3);
    std::thread producer([&] {
        std::this_thread::sleep_for(30ms);
        f.promises[1].set_result(1);
    });
    const auto result = mp::threadpool::wait(f.futures, ReturnWhen::first_completed);
    ASSERT_EQ(result.done.size(), 1u);
    EXPECT_EQ(result.done[0], f.futures[1]);
    EXPECT_EQ(result.not_done.size(), 2u);
    producer.join();
}

TEST(Wait, FirstExceptionReturnsOnTheFirstFailureButNotOnASuccessOrACancel) {
    Futures f(4);
    f.promises[0].set_result(0);
    ASSERT_TRUE(f.futures[1].cancel());
    std::thread producer([&] {
        std::this_thread::sleep_for(30ms);
        f.promises[2].set_exception(std::make_exception_ptr(std::runtime_error("failed")));
    });
    const auto result = mp::threadpool::wait(f.futures, 10s, ReturnWhen::first_exception);
    EXPECT_EQ(result.done.size(), 3u);
    ASSERT_EQ(result.not_done.size(), 1u);
    EXPECT_EQ(result.not_done[0], f.futures[3]);
    producer.join();
}

TEST(Wait, FirstExceptionWithoutAFailureIsAllCompleted) {
    Futures f(2);
    f.promises[0].set_result(0);
    f.promises[1].set_result(1);
    const auto result = mp::threadpool::wait(f.futures, ReturnWhen::first_exception);
    EXPECT_EQ(result.done.size(), 2u);
}

TEST(Wait, ATimeoutDoesNotThrow) {
    Futures f(1);
    const auto result = mp::threadpool::wait(f.futures, 0s, ReturnWhen::first_completed);
    EXPECT_TRUE(result.done.empty());
    EXPECT_EQ(result.not_done.size(), 1u);
}

}  // namespace
