// Every timed wait of mp::ipc takes any std::chrono duration: "forever" as users
// write it waits, zero and negative timeouts poll once.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include "ipc/ipc.hpp"
#include "sync/errors.hpp"
#include "sync/lock.hpp"
#include "tests/support/huge_timeouts.hpp"

namespace {

using namespace std::chrono_literals;
using mp::ipc::Connection;
using mp::ipc::JoinableQueue;
using mp::ipc::Queue;
using mp::test::expect_blocks_until_released;
using mp::test::for_each_huge_timeout;

TEST(IpcTimeouts, QueueGetsWithHugeTimeoutsWaitForAPut) {
    for_each_huge_timeout([&](auto forever) {
        Queue<int> q;
        expect_blocks_until_released([&] { EXPECT_EQ(q.get(forever), 1); }, [&] { q.put(1); });
        expect_blocks_until_released([&] { EXPECT_EQ(q.try_get_for(forever), 2); }, [&] { q.put(2); });
        int out = 0;
        expect_blocks_until_released([&] { EXPECT_TRUE(q.try_get_into_for(out, forever)); }, [&] { q.put(3); });
        EXPECT_EQ(out, 3);
    });
}

TEST(IpcTimeouts, QueuePutsWithHugeTimeoutsWaitForRoom) {
    for_each_huge_timeout([&](auto forever) {
        Queue<int> q(1);
        q.put(1);
        expect_blocks_until_released([&] { q.put(2, forever); }, [&] { EXPECT_EQ(q.get(), 1); });
        expect_blocks_until_released([&] { EXPECT_TRUE(q.try_put_for(3, forever)); }, [&] { EXPECT_EQ(q.get(), 2); });
        EXPECT_EQ(q.get(), 3);
    });
}

TEST(IpcTimeouts, JoinableQueueJoinWithHugeTimeoutsWaitsForTaskDone) {
    for_each_huge_timeout([&](auto forever) {
        JoinableQueue<int> q;
        q.put(1);
        (void)q.get();
        expect_blocks_until_released([&] { EXPECT_TRUE(q.join_for(forever)); }, [&] { q.task_done(); });
    });
}

TEST(IpcTimeouts, PollAndWaitWithHugeTimeoutsWaitForData) {
    for_each_huge_timeout([&](auto forever) {
        auto [reader, writer] = mp::ipc::Pipe();
        expect_blocks_until_released([&] { EXPECT_TRUE(reader.poll(forever)); }, [&] { writer.send(1); });
        EXPECT_EQ(reader.recv<int>(), 1);
        std::vector<Connection*> readers{&reader};
        expect_blocks_until_released([&] { EXPECT_EQ(mp::ipc::wait(readers, forever).size(), 1u); },
                                     [&] { writer.send(2); });
        EXPECT_EQ(reader.recv<int>(), 2);
    });
}

// One TimeoutError for sync, ipc, shm and pool: ipc's is sync's, so a catch of
// either catches what the other library throws.
TEST(IpcTimeouts, TimeoutErrorIsSyncsOneType) {
    static_assert(std::is_same_v<mp::ipc::TimeoutError, mp::sync::TimeoutError>);
    EXPECT_THROW(throw mp::ipc::TimeoutError("ipc: a bounded wait"), mp::sync::TimeoutError);
    mp::sync::Lock lock;
    lock.lock();
    std::thread contender([&] { EXPECT_THROW(lock.acquire(0ms), mp::ipc::TimeoutError); });
    contender.join();
    lock.unlock();
}

TEST(IpcTimeouts, ZeroAndNegativeTimeoutsPollOnce) {
    Queue<int> q(1);
    EXPECT_THROW(q.get(0ms), mp::ipc::QueueEmpty);
    EXPECT_THROW(q.get(-1s), mp::ipc::QueueEmpty);
    EXPECT_EQ(q.try_get_for(-1h), std::nullopt);
    q.put(1, 0ms);
    EXPECT_THROW(q.put(2, -1ms), mp::ipc::QueueFull);
    EXPECT_FALSE(q.try_put_for(2, 0s));
    EXPECT_EQ(q.get(-1s), 1);

    JoinableQueue<int> j;
    j.put(1);
    EXPECT_FALSE(j.join_for(0ms));
    (void)j.get();
    j.task_done();
    EXPECT_TRUE(j.join_for(-1s));

    auto [reader, writer] = mp::ipc::Pipe();
    EXPECT_FALSE(reader.poll(0ms));
    EXPECT_FALSE(reader.poll(-1s));
    writer.send(1);
    EXPECT_TRUE(reader.poll(-1s));
}

}  // namespace
