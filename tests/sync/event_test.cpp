// Event: gating threads and processes, timeouts, set-then-clear.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "sync/event.hpp"
#include "sync/named.hpp"
#include "tests/support/helpers.hpp"
#include "tests/sync/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using mp::sync::Event;
using mp::sync::test::Child;
using mp::sync::test::exit_code;
using mp::sync::test::seconds_since;
using mp::sync::test::SharedMemory;

TEST(Event, SetClearIsSet) {
    Event event;
    EXPECT_FALSE(event.is_set());
    event.set();
    event.set();
    EXPECT_TRUE(event.is_set());
    EXPECT_TRUE(event.wait_for(0ms));
    event.clear();
    EXPECT_FALSE(event.is_set());
}

TEST(Event, WaitTimesOutWhenNeverSet) {
    Event event;
    auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(event.wait_for(150ms));
    EXPECT_GE(seconds_since(start), 0.14);
    EXPECT_LT(seconds_since(start), 3.0);
    start = std::chrono::steady_clock::now();
    EXPECT_FALSE(event.wait_until(std::chrono::system_clock::now() + 100ms));
    EXPECT_GE(seconds_since(start), 0.09);
}

TEST(Event, GatesTenForkedWorkers) {
    Event go;
    SharedMemory memory(sizeof(std::atomic<int>));
    auto* passed = new (memory.get()) std::atomic<int>(0);
    std::vector<std::unique_ptr<Child>> workers;
    for (int w = 0; w < 10; ++w)
        workers.push_back(std::make_unique<Child>([&](Child& self) {
            self.ready();
            if (!go.wait_for(20s)) return 1;
            ++*passed;
            return 0;
        }));
    for (auto& worker : workers) ASSERT_TRUE(worker->wait_ready());
    usleep(30000);
    EXPECT_EQ(passed->load(), 0) << "a worker passed a cleared event";
    go.set();
    for (auto& worker : workers) EXPECT_EQ(exit_code(worker->join()), 0);
    EXPECT_EQ(passed->load(), 10);
}

TEST(Event, GatesThreads) {
    Event go;
    std::atomic<int> passed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            go.wait();
            ++passed;
        });
    go.set();
    for (auto& t : threads) t.join();
    EXPECT_EQ(passed.load(), 4);
}

TEST(Event, AWaiterWokenBySetReturnsTrueEvenIfClearedAtOnce) {
    Event event;
    Child waiter([&](Child& self) {
        self.ready();
        return event.wait_for(20s) ? 0 : 1;
    });
    ASSERT_TRUE(waiter.wait_ready());
    usleep(30000);  // most likely asleep in the futex by now; either way it must see the set
    event.set();
    event.clear();
    EXPECT_EQ(exit_code(waiter.join()), 0);
}

TEST(NamedEvent, SharedByName) {
    const std::string name = mp::test::unique_name("event");
    Event mine = Event::open(name);
    Event theirs = Event::open(name);
    theirs.set();
    EXPECT_TRUE(mine.is_set());
    EXPECT_TRUE(mp::sync::remove(name));
}

}  // namespace
