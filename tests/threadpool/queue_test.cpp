// BlockingQueue: what its own FIFO must get right (chunk boundaries, sleeping
// without spinning, many producers and consumers at once). The contract it shares
// with the other thread queues is proven for all four in queue_kinds_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/threadpool/cpu_time.hpp"
#include "threadpool/blocking_queue.hpp"

namespace {

using namespace std::chrono_literals;
using mp::threadpool::BlockingQueue;
using mp::threadpool::QueueClosed;
using mp::threadpool::QueueEmpty;
using mp::threadpool::QueueFull;

using Clock = std::chrono::steady_clock;

TEST(BlockingQueue, FifoAcrossChunkBoundariesAndMoveOnlyItems) {
    BlockingQueue<std::unique_ptr<int>> queue;
    for (int i = 0; i < 1000; ++i) queue.put(std::make_unique<int>(i));
    EXPECT_EQ(queue.qsize(), 1000u);
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(*queue.get(), i);
    EXPECT_TRUE(queue.empty());
}

TEST(BlockingQueue, DestructorDestroysWhatIsLeft) {
    auto counter = std::make_shared<int>(0);
    {
        BlockingQueue<std::shared_ptr<int>> queue;
        for (int i = 0; i < 300; ++i) queue.put(counter);
        EXPECT_EQ(counter.use_count(), 301);
    }
    EXPECT_EQ(counter.use_count(), 1);
}

TEST(BlockingQueue, FailedPutLeavesTheValueUntouched) {
    BlockingQueue<std::unique_ptr<int>> queue(1);
    queue.put(std::make_unique<int>(1));
    auto value = std::make_unique<int>(2);
    EXPECT_FALSE(queue.try_put(std::move(value)));
    ASSERT_NE(value, nullptr);
    EXPECT_THROW(queue.put(std::move(value), 1ms), QueueFull);
    ASSERT_NE(value, nullptr);
    EXPECT_EQ(*value, 2);
}

TEST(BlockingQueue, BlockedGetterUsesNoCpu) {
    BlockingQueue<int> queue;
    std::thread consumer([&] { EXPECT_EQ(queue.get(), 1); });
    std::this_thread::sleep_for(20ms);  // past its polling phase
    const double before = mp::threadpool::test::process_cpu_seconds();
    std::this_thread::sleep_for(300ms);
    const double used = mp::threadpool::test::process_cpu_seconds() - before;
    queue.put(1);
    consumer.join();
    EXPECT_LT(used, 0.03) << "a getter waiting on an empty queue used " << used << " s of CPU in 0.3 s";
}

TEST(BlockingQueue, CloseWakesBlockedGettersWithQueueClosed) {
    BlockingQueue<int> queue;
    std::atomic<int> closed_seen{0};
    std::vector<std::thread> getters;
    for (int i = 0; i < 4; ++i)
        getters.emplace_back([&] {
            try {
                queue.get();
            } catch (const QueueClosed&) {
                ++closed_seen;
            }
        });
    std::this_thread::sleep_for(20ms);
    queue.close();
    for (auto& t : getters) t.join();
    EXPECT_EQ(closed_seen, 4);
}

// The try_ forms report full / empty by value, but a closed queue is not a timing
// outcome: they throw QueueClosed, as ipc::Queue's do, so a polling loop ends.
TEST(BlockingQueue, TryFormsReportFullAndEmptyButThrowQueueClosed) {
    BlockingQueue<int> queue(1);
    EXPECT_EQ(queue.try_get(), std::nullopt);
    const auto start = Clock::now();
    EXPECT_EQ(queue.try_get_for(30ms), std::nullopt);
    EXPECT_GE(Clock::now() - start, 30ms);
    EXPECT_TRUE(queue.try_put(1));
    EXPECT_FALSE(queue.try_put(2));
    EXPECT_FALSE(queue.try_put_for(2, 10ms));
    std::thread getter([&] {
        std::this_thread::sleep_for(20ms);
        EXPECT_EQ(queue.get(), 1);
    });
    EXPECT_TRUE(queue.try_put_for(2, 20s));  // room made in time
    getter.join();
    queue.close();
    EXPECT_THROW((void)queue.try_put(3), QueueClosed);
    EXPECT_THROW((void)queue.try_put_for(3, 10ms), QueueClosed);
    EXPECT_EQ(queue.try_get(), 2);  // closed, but not drained yet
    EXPECT_THROW((void)queue.try_get(), QueueClosed);
    EXPECT_THROW((void)queue.try_get_for(10ms), QueueClosed);
}

// Every item put by many producers is taken exactly once by many consumers, in
// the order each producer put them, through a small bounded queue.
TEST(BlockingQueue, ManyProducersAndConsumersUnderStress) {
    constexpr int kProducers = 6, kConsumers = 5, kEach = 20000;
    BlockingQueue<int> queue(16);
    std::vector<std::vector<int>> taken(kConsumers);
    std::vector<std::thread> threads;
    for (int c = 0; c < kConsumers; ++c)
        threads.emplace_back([&, c] {
            try {
                for (;;) {
                    taken[c].push_back(queue.get());
                    queue.task_done();
                }
            } catch (const QueueClosed&) {
            }
        });
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p)
        producers.emplace_back([&, p] {
            for (int i = 0; i < kEach; ++i) queue.put(p * kEach + i);
        });
    for (auto& t : producers) t.join();
    ASSERT_TRUE(queue.join_for(60s)) << "deadlock: items were never finished";
    queue.close();
    for (auto& t : threads) t.join();

    std::vector<int> all;
    for (const auto& items : taken) {
        // Per consumer, the items of one producer come in the order they were put.
        std::vector<int> last(kProducers, -1);
        for (int item : items) {
            EXPECT_GT(item, last[item / kEach]);
            last[item / kEach] = item;
        }
        all.insert(all.end(), items.begin(), items.end());
    }
    std::sort(all.begin(), all.end());
    ASSERT_EQ(all.size(), static_cast<std::size_t>(kProducers * kEach));
    for (int i = 0; i < kProducers * kEach; ++i) ASSERT_EQ(all[i], i);
}

TEST(BlockingQueue, TimedGettersAndPuttersRaceWithoutLosingItems) {
    BlockingQueue<int> queue(4);
    std::atomic<long> sum{0};
    std::atomic<int> got{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < 3; ++c)
        threads.emplace_back([&] {
            while (got < 3000) {
                try {
                    sum += queue.get(1ms);
                    ++got;
                } catch (const QueueEmpty&) {
                }
            }
        });
    for (int p = 0; p < 3; ++p)
        threads.emplace_back([&] {
            for (int i = 1; i <= 1000;) {
                try {
                    queue.put(i, 1ms);
                    ++i;
                } catch (const QueueFull&) {
                }
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(got, 3000);
    EXPECT_EQ(sum, 3 * 500500);
}

}  // namespace
