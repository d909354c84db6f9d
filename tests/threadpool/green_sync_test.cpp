// Event, Queue, Lock and Semaphore between the greenlets of one hub: wake order,
// timeouts, bounded queues, mutual exclusion across waits, and a wait interrupted by a
// Timeout or a kill that leaves no waiter behind to steal a later wake-up.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "threadpool/green/green.hpp"

namespace {

using namespace std::chrono_literals;
using namespace mp::threadpool::green;
using mp::threadpool::QueueEmpty;
using mp::threadpool::QueueFull;
using mp::threadpool::TimeoutError;

TEST(GreenEvent, SetWakesEveryWaiterAndWaitForRunsOut) {
    Hub hub;
    Event ready;
    std::vector<int> woke;
    std::vector<TaskBase> waiters;
    for (int i = 0; i < 3; ++i) waiters.push_back(spawn([&, i] {
        ready.wait();
        woke.push_back(i);
    }));
    sleep(0s);
    EXPECT_TRUE(woke.empty());
    EXPECT_FALSE(ready.wait_for(5ms));
    ready.set();
    joinall(waiters);
    EXPECT_EQ(woke, (std::vector<int>{0, 1, 2}));
    EXPECT_TRUE(ready.wait_for(0s));
    ready.clear();
    EXPECT_FALSE(ready.is_set());
}

TEST(GreenQueue, ProducerAndConsumerTakeTurnsOnABoundedQueue) {
    Hub hub;
    Queue<int> q(2);
    std::vector<std::string> log;
    auto producer = spawn([&] {
        for (int i = 0; i < 5; ++i) {
            q.put(i);
            log.push_back("put " + std::to_string(i));
        }
    });
    auto consumer = spawn([&] {
        int sum = 0;
        for (int i = 0; i < 5; ++i) sum += q.get();
        return sum;
    });
    EXPECT_EQ(consumer.get(), 10);
    producer.join();
    // The producer blocked on the full queue: never more than 2 ahead.
    EXPECT_EQ(log.size(), 5u);
    EXPECT_TRUE(q.empty());
}

TEST(GreenQueue, TimedFormsThrowAndTryFormsReport) {
    Hub hub;
    Queue<std::unique_ptr<int>> q(1);
    EXPECT_THROW(q.get(5ms), QueueEmpty);
    EXPECT_FALSE(q.try_get().has_value());
    q.put(std::make_unique<int>(1));
    EXPECT_TRUE(q.full());
    EXPECT_THROW(q.put(std::make_unique<int>(2), 5ms), QueueFull);
    EXPECT_FALSE(q.try_put(std::make_unique<int>(3)));
    EXPECT_EQ(*q.get(), 1);
    EXPECT_TRUE(q.try_put(std::make_unique<int>(4)));
    EXPECT_EQ(*q.try_get().value(), 4);
}

TEST(GreenQueue, AGetterInterruptedByATimeoutDoesNotSwallowTheNextItem) {
    Hub hub;
    Queue<int> q;
    auto impatient = spawn([&] {
        Timeout limit(5ms);
        EXPECT_THROW(q.get(), TimeoutError);
    });
    auto patient = spawn([&] { return q.get(); });
    impatient.join();
    q.put(9);
    EXPECT_EQ(patient.get(10s), 9);
}

TEST(GreenLock, HoldsAcrossWaitsAndRefusesAnUnlockedUnlock) {
    Hub hub;
    Lock lock;
    int inside = 0;
    int most = 0;
    std::vector<TaskBase> tasks;
    for (int i = 0; i < 4; ++i) tasks.push_back(spawn([&] {
        std::lock_guard hold(lock);
        most = std::max(most, ++inside);
        sleep(1ms);  // others run meanwhile, and must wait for the lock
        --inside;
    }));
    joinall(tasks);
    EXPECT_EQ(most, 1);
    EXPECT_FALSE(lock.locked());
    EXPECT_THROW(lock.unlock(), std::logic_error);
    EXPECT_TRUE(lock.try_lock());
    EXPECT_FALSE(lock.try_lock_for(2ms));
    lock.unlock();
}

TEST(GreenSemaphore, LetsNInAtOnceAndWakesWaitersInOrder) {
    Hub hub;
    Semaphore slots(2);
    int inside = 0;
    int most = 0;
    std::vector<int> order;
    std::vector<TaskBase> tasks;
    for (int i = 0; i < 5; ++i) tasks.push_back(spawn([&, i] {
        slots.acquire();
        order.push_back(i);
        most = std::max(most, ++inside);
        sleep(1ms);
        --inside;
        slots.release();
    }));
    joinall(tasks);
    EXPECT_EQ(most, 2);
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
    EXPECT_EQ(slots.value(), 2u);
}

TEST(GreenSemaphore, AKilledWaiterLeavesTheReleaseToTheNext) {
    Hub hub;
    Semaphore gate(0);
    auto doomed = spawn([&] { gate.acquire(); });
    auto next = spawn([&] {
        gate.acquire();
        return true;
    });
    sleep(0s);
    doomed.kill();
    gate.release();
    EXPECT_TRUE(next.get(10s));
}

}  // namespace
