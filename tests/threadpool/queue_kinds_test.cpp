// LifoQueue, PriorityQueue and SimpleQueue: their orders (LIFO, smallest first with
// a comparator, equal priorities in put order); and the one contract of the thread
// queues, proven for BlockingQueue, LifoQueue and PriorityQueue alike: blocking,
// timeouts that throw or report, maxsize, close, task_done/join, move-only items.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "threadpool/blocking_queue.hpp"
#include "threadpool/lifo_queue.hpp"
#include "threadpool/priority_queue.hpp"
#include "threadpool/simple_queue.hpp"

namespace {

using namespace std::chrono_literals;
using mp::threadpool::BlockingQueue;
using mp::threadpool::LifoQueue;
using mp::threadpool::PriorityQueue;
using mp::threadpool::QueueClosed;
using mp::threadpool::QueueEmpty;
using mp::threadpool::QueueFull;
using mp::threadpool::SimpleQueue;

using Clock = std::chrono::steady_clock;

// ---- orders ----

TEST(LifoQueue, GetTakesTheItemPutLast) {
    LifoQueue<int> queue;
    for (int i = 0; i < 5; ++i) queue.put(i);
    EXPECT_EQ(queue.qsize(), 5u);
    for (int i = 4; i >= 0; --i) EXPECT_EQ(queue.get(), i);
    EXPECT_TRUE(queue.empty());
}

TEST(PriorityQueue, SmallestFirstByDefault) {
    PriorityQueue<int> queue;
    for (int x : {5, 1, 4, 2, 3, 1}) queue.put(x);
    for (int x : {1, 1, 2, 3, 4, 5}) EXPECT_EQ(queue.get(), x);
}

TEST(PriorityQueue, UserComparatorChoosesTheOrder) {
    PriorityQueue<int, std::greater<int>> queue;
    for (int x : {5, 1, 4, 2, 3}) queue.put(x);
    for (int x : {5, 4, 3, 2, 1}) EXPECT_EQ(queue.get(), x);
}

// Items that compare equal come out in the order they were put, through a heap
// that reorders them freely otherwise: 1000 items on three priorities, put
// interleaved, each tagged with its put number.
TEST(PriorityQueue, EqualPrioritiesComeOutInPutOrder) {
    using Job = std::pair<int, int>;  // (priority, put number)
    auto by_priority = [](const Job& a, const Job& b) { return a.first < b.first; };
    PriorityQueue<Job, decltype(by_priority)> queue(0, by_priority);
    for (int i = 0; i < 1000; ++i) queue.put(Job{(i * 7) % 3, i});
    Job last{-1, -1};
    for (int i = 0; i < 1000; ++i) {
        const Job job = queue.get();
        ASSERT_GE(job.first, last.first);
        if (job.first == last.first) {
            ASSERT_GT(job.second, last.second) << "priority " << job.first;
        }
        last = job;
    }
}

// Python's seed shape: (priority, description) tuples; std::less on the pair
// compares the text for equal priorities.
TEST(PriorityQueue, PairsAsPythonTuples) {
    PriorityQueue<std::pair<int, std::string>> queue;
    queue.put({10, "ten"});
    queue.put({1, "one"});
    queue.put({5, "five"});
    EXPECT_EQ(queue.get().second, "one");
    EXPECT_EQ(queue.get().second, "five");
    EXPECT_EQ(queue.get().second, "ten");
}

TEST(SimpleQueue, OldestFirstAndPutNeverBlocks) {
    SimpleQueue<int> queue;
    for (int i = 0; i < 10000; ++i) queue.put(i, 0ms);  // no bound: the timeout never expires
    queue.put_nowait(10000);
    EXPECT_EQ(queue.qsize(), 10001u);
    for (int i = 0; i <= 10000; ++i) EXPECT_EQ(queue.get_nowait(), i);
    EXPECT_TRUE(queue.empty());
}

// ---- the contract, for each kind ----

template <class Queue>
class QueueContract : public ::testing::Test {};

using Kinds = ::testing::Types<BlockingQueue<int>, LifoQueue<int>, PriorityQueue<int>>;
TYPED_TEST_SUITE(QueueContract, Kinds);

TYPED_TEST(QueueContract, BlockedGetIsWokenByAPutFromAnotherThread) {
    TypeParam queue;
    std::atomic<bool> got{false};
    std::thread getter([&] {
        EXPECT_EQ(queue.get(), 7);
        got = true;
    });
    std::this_thread::sleep_for(20ms);  // let it sleep
    EXPECT_FALSE(got);
    queue.put(7);
    getter.join();
    EXPECT_TRUE(got);
}

TYPED_TEST(QueueContract, EmptyGetsThrowOrReportOnTimeout) {
    TypeParam queue;
    EXPECT_THROW(queue.get_nowait(), QueueEmpty);
    EXPECT_EQ(queue.try_get(), std::nullopt);
    auto start = Clock::now();
    EXPECT_THROW(queue.get(30ms), QueueEmpty);
    EXPECT_GE(Clock::now() - start, 30ms);
    start = Clock::now();
    EXPECT_EQ(queue.try_get_for(30ms), std::nullopt);
    EXPECT_GE(Clock::now() - start, 30ms);
}

TYPED_TEST(QueueContract, FullQueueBlocksPutsAndTimesOut) {
    TypeParam queue(2);
    EXPECT_EQ(queue.maxsize(), 2u);
    queue.put(1);
    EXPECT_TRUE(queue.try_put(2));
    EXPECT_TRUE(queue.full());
    EXPECT_FALSE(queue.try_put(3));
    EXPECT_THROW(queue.put_nowait(3), QueueFull);
    auto start = Clock::now();
    EXPECT_THROW(queue.put(3, 30ms), QueueFull);
    EXPECT_GE(Clock::now() - start, 30ms);
    start = Clock::now();
    EXPECT_FALSE(queue.try_put_for(3, 30ms));
    EXPECT_GE(Clock::now() - start, 30ms);
    EXPECT_EQ(queue.qsize(), 2u);

    // A blocked put proceeds when a get makes room.
    std::atomic<bool> put_done{false};
    std::thread putter([&] {
        queue.put(3);
        put_done = true;
    });
    std::this_thread::sleep_for(20ms);
    EXPECT_FALSE(put_done);
    (void)queue.get();
    putter.join();
    EXPECT_EQ(queue.qsize(), 2u);
    EXPECT_FALSE(queue.try_put_for(4, 0ms));
}

TYPED_TEST(QueueContract, CloseWakesWaitersAndEveryFormThenThrowsQueueClosed) {
    TypeParam queue(1);
    std::atomic<int> closed_seen{0};
    std::thread getter([&] {
        try {
            (void)queue.try_get_for(20s);
        } catch (const QueueClosed&) {
            ++closed_seen;
        }
    });
    std::this_thread::sleep_for(20ms);
    queue.close();
    getter.join();
    EXPECT_EQ(closed_seen, 1);
    EXPECT_TRUE(queue.closed());
    EXPECT_THROW(queue.put(1), QueueClosed);
    EXPECT_THROW(queue.put_nowait(1), QueueClosed);
    EXPECT_THROW((void)queue.try_put(1), QueueClosed);
    EXPECT_THROW((void)queue.try_put_for(1, 10ms), QueueClosed);
    EXPECT_THROW(queue.get(), QueueClosed);
    EXPECT_THROW(queue.get(10ms), QueueClosed);
    EXPECT_THROW(queue.get_nowait(), QueueClosed);
    EXPECT_THROW((void)queue.try_get(), QueueClosed);
}

TYPED_TEST(QueueContract, CloseWakesABlockedPutter) {
    TypeParam queue(1);
    queue.put(0);
    std::thread putter([&] { EXPECT_THROW(queue.put(1), QueueClosed); });
    std::this_thread::sleep_for(20ms);
    queue.close();
    putter.join();
}

TYPED_TEST(QueueContract, GetsDrainAClosedQueueFirst) {
    TypeParam queue;
    queue.put(1);
    queue.put(2);
    queue.close();
    EXPECT_NE(queue.try_get(), std::nullopt);
    EXPECT_NO_THROW((void)queue.get(10ms));
    EXPECT_THROW((void)queue.try_get(), QueueClosed);
}

TYPED_TEST(QueueContract, TaskDoneJoinAndJoinFor) {
    TypeParam queue;
    EXPECT_TRUE(queue.join_for(0ms));
    queue.put(1);
    queue.put(2);
    EXPECT_FALSE(queue.join_for(20ms));
    std::thread worker([&] {
        for (int i = 0; i < 2; ++i) {
            (void)queue.get();
            queue.task_done();
        }
    });
    queue.join();
    worker.join();
    EXPECT_TRUE(queue.join_for(0ms));
    // Python: ValueError('task_done() called too many times').
    EXPECT_THROW(queue.task_done(), std::logic_error);
    queue.put(3);
    queue.task_done();  // marking before get is allowed, as in Python
    EXPECT_THROW(queue.task_done(), std::logic_error);
}

// ---- move-only items ----

TEST(LifoQueue, MoveOnlyItemsAndAFailedPutLeavesTheValue) {
    LifoQueue<std::unique_ptr<int>> queue(1);
    queue.put(std::make_unique<int>(1));
    auto value = std::make_unique<int>(2);
    EXPECT_FALSE(queue.try_put(std::move(value)));
    EXPECT_THROW(queue.put(std::move(value), 1ms), QueueFull);
    ASSERT_NE(value, nullptr);
    EXPECT_EQ(*queue.get(), 1);
    queue.put(std::move(value));
    EXPECT_EQ(*queue.get_nowait(), 2);
}

TEST(PriorityQueue, MoveOnlyItemsWithAComparator) {
    auto by_value = [](const std::unique_ptr<int>& a, const std::unique_ptr<int>& b) { return *a < *b; };
    PriorityQueue<std::unique_ptr<int>, decltype(by_value)> queue(0, by_value);
    for (int x : {3, 1, 2}) queue.put(std::make_unique<int>(x));
    EXPECT_EQ(*queue.get(), 1);
    EXPECT_EQ(**queue.try_get(), 2);
    EXPECT_EQ(*queue.get(1s), 3);
}

TEST(PriorityQueue, DestructorDestroysWhatIsLeft) {
    auto counter = std::make_shared<int>(0);
    {
        auto by_address = [](const std::shared_ptr<int>& a, const std::shared_ptr<int>& b) { return a < b; };
        PriorityQueue<std::shared_ptr<int>, decltype(by_address)> queue(0, by_address);
        for (int i = 0; i < 100; ++i) queue.put(counter);
        EXPECT_EQ(counter.use_count(), 101);
    }
    EXPECT_EQ(counter.use_count(), 1);
}

// ---- SimpleQueue's own forms ----

TEST(SimpleQueue, GetBlocksAndTimesOut) {
    SimpleQueue<std::unique_ptr<std::string>> queue;
    EXPECT_THROW(queue.get_nowait(), QueueEmpty);
    EXPECT_EQ(queue.try_get(), std::nullopt);
    EXPECT_THROW(queue.get(20ms), QueueEmpty);
    EXPECT_EQ(queue.try_get_for(20ms), std::nullopt);
    std::thread putter([&] {
        std::this_thread::sleep_for(20ms);
        queue.put(std::make_unique<std::string>("late"));
    });
    EXPECT_EQ(*queue.get(), "late");
    putter.join();
}

TEST(SimpleQueue, CloseWakesAGetterAndDrainsFirst) {
    SimpleQueue<int> queue;
    std::thread getter([&] { EXPECT_THROW(queue.get(), QueueClosed); });
    std::this_thread::sleep_for(20ms);
    queue.close();
    getter.join();
    EXPECT_TRUE(queue.closed());
    EXPECT_THROW(queue.put(1), QueueClosed);

    SimpleQueue<int> draining;
    draining.put(1);
    draining.close();
    EXPECT_EQ(draining.get(), 1);
    EXPECT_THROW((void)draining.try_get_for(10ms), QueueClosed);
}

// Many producers and consumers through a small bounded LIFO: every item is taken
// once, and join returns once all are finished.
TEST(LifoQueue, ManyProducersAndConsumers) {
    constexpr int kProducers = 4, kConsumers = 4, kEach = 5000;
    LifoQueue<int> queue(8);
    std::vector<std::atomic<int>> seen(kProducers * kEach);
    std::vector<std::thread> threads;
    for (int c = 0; c < kConsumers; ++c)
        threads.emplace_back([&] {
            try {
                for (;;) {
                    ++seen[queue.get()];
                    queue.task_done();
                }
            } catch (const QueueClosed&) {
            }
        });
    for (int p = 0; p < kProducers; ++p)
        threads.emplace_back([&, p] {
            for (int i = 0; i < kEach; ++i) queue.put(p * kEach + i);
        });
    for (int p = 0; p < kProducers; ++p) threads[kConsumers + p].join();
    ASSERT_TRUE(queue.join_for(60s)) << "deadlock: items were never finished";
    queue.close();
    for (int c = 0; c < kConsumers; ++c) threads[c].join();
    for (int i = 0; i < kProducers * kEach; ++i) ASSERT_EQ(seen[i], 1) << i;
}

}  // namespace
