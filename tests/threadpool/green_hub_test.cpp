// Hub and tasks: spawn order, sleep(0) and sleep ordering, join/get/kill/ready,
// exceptions through get, joinall with a timeout, Timeout, LoopExit, and a hub
// destroyed with tasks still waiting (they are unwound, their stacks unmapped).
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/threadpool/mappings.hpp"
#include "threadpool/green/green.hpp"

namespace {

using namespace std::chrono_literals;
using namespace mp::threadpool::green;
using mp::threadpool::TimeoutError;

TEST(Hub, SeedGeventProgramPrintsInGeventsOrder) {
    Hub hub;
    std::vector<std::string> out;
    auto foo = [&] {
        out.push_back("Running in foo");
        sleep(0s);
        out.push_back("Explicit context switch to foo again");
    };
    auto bar = [&] {
        out.push_back("Explicit context to bar");
        sleep(0s);
        out.push_back("Implicit context switch back to bar");
    };
    joinall({spawn(foo), spawn(bar)});
    EXPECT_EQ(out, (std::vector<std::string>{"Running in foo", "Explicit context to bar",
                                             "Explicit context switch to foo again",
                                             "Implicit context switch back to bar"}));
}

// Each sleeper's deadline counts from when it starts, so the sleeps are 30 ms apart:
// a start delayed by a loaded machine (10 ms under TSan was seen) keeps the order.
TEST(Hub, SleepersWakeInDeadlineOrder) {
    Hub hub;
    std::vector<int> out;
    std::vector<TaskBase> tasks;
    for (int ms : {90, 30, 60}) tasks.push_back(spawn([&out, ms] {
        sleep(std::chrono::milliseconds(ms));
        out.push_back(ms);
    }));
    joinall(tasks);
    EXPECT_EQ(out, (std::vector<int>{30, 60, 90}));
}

TEST(Hub, TasksStartOnlyWhenTheSpawnerWaits) {
    Hub hub;
    bool ran = false;
    auto task = spawn([&] { ran = true; return 42; });
    EXPECT_FALSE(ran);
    EXPECT_FALSE(task.ready());
    EXPECT_EQ(task.get(), 42);
    EXPECT_TRUE(ran);
    EXPECT_TRUE(task.ready());
    EXPECT_TRUE(task.successful());
    EXPECT_EQ(task.get(), 42);  // a copyable result again
}

TEST(Hub, GetRethrowsWhatEscapedTheTask) {
    Hub hub;
    auto task = spawn([]() -> int { throw std::runtime_error("task failed"); });
    EXPECT_THROW(task.get(), std::runtime_error);
    EXPECT_TRUE(task.ready());
    EXPECT_FALSE(task.successful());
    EXPECT_TRUE(task.exception() != nullptr);
}

TEST(Hub, MoveOnlyArgumentsAndResults) {
    Hub hub;
    auto task = spawn([](std::unique_ptr<int> p) { return std::make_unique<int>(*p + 1); }, std::make_unique<int>(1));
    EXPECT_EQ(*task.get(), 2);
}

TEST(Hub, JoinForAndGetWithTimeoutRunOutWhileTheTaskSleeps) {
    Hub hub;
    auto slow = spawn([] { sleep(10s); return 1; });
    EXPECT_FALSE(slow.join_for(20ms));
    EXPECT_THROW(slow.get(10ms), TimeoutError);
    slow.kill();
    EXPECT_TRUE(slow.ready());
}

TEST(Hub, KillUnwindsAWaitingTaskAndSkipsAnUnstartedOne) {
    Hub hub;
    bool unwound = false;
    bool started = false;
    struct Flag {
        bool& set;
        ~Flag() { set = true; }
    };
    auto waiting = spawn([&] {
        Flag flag{unwound};
        Event never;
        never.wait();
    });
    sleep(0s);  // let it start and wait
    EXPECT_FALSE(unwound);
    waiting.kill();
    EXPECT_TRUE(unwound);
    EXPECT_TRUE(waiting.ready());
    EXPECT_THROW(waiting.get(), GreenletExit);

    auto unstarted = spawn([&] { started = true; });
    unstarted.kill();
    EXPECT_TRUE(unstarted.ready());
    EXPECT_FALSE(started);
}

TEST(Hub, JoinallWithATimeoutReportsTheOnesStillRunning) {
    Hub hub;
    auto quick = spawn([] { sleep(1ms); });
    auto slow = spawn([] { sleep(10s); });
    EXPECT_FALSE(joinall_for({quick, slow}, 200ms));
    EXPECT_TRUE(quick.ready());
    EXPECT_FALSE(slow.ready());
    slow.kill();
    EXPECT_TRUE(joinall_for({quick, slow}, 0s));
}

TEST(Hub, ATimeoutInterruptsABlockedWaitAndIsCancelledByScope) {
    Hub hub;
    auto task = spawn([] {
        Timeout limit(20ms);
        Event never;
        try {
            never.wait();
        } catch (const TimeoutError&) {
            return limit.expired();
        }
        return false;
    });
    EXPECT_TRUE(task.get());
    // A guard that went out of scope in time raises nothing later.
    auto calm = spawn([] {
        { Timeout limit(5ms); }
        sleep(30ms);
        return 7;
    });
    EXPECT_EQ(calm.get(), 7);
}

TEST(Hub, ATaskThatJoinsItselfIsRefused) {
    Hub hub;
    TaskBase* self = nullptr;
    auto task = spawn([&] { self->join(); });
    TaskBase handle = task;
    self = &handle;
    EXPECT_THROW(task.get(), std::logic_error);
}

TEST(Hub, NothingCanWakeTheMainGreenletRaisesLoopExit) {
    Hub hub;
    Event never;
    EXPECT_THROW(never.wait(), LoopExit);
    // The hub still works afterwards.
    EXPECT_EQ(spawn([] { return 3; }).get(), 3);
}

TEST(Hub, ASecondHubOnTheSameThreadIsRefused) {
    Hub hub;
    EXPECT_THROW(Hub(), std::logic_error);
    EXPECT_EQ(&Hub::current(), &hub);
}

TEST(Hub, AThreadDefaultHubEndsItsWaitingTasksAtThreadExit) {
    int unwound = 0;
    struct Count {
        int& n;
        ~Count() { ++n; }
    };
    std::thread thread([&] {
        // No Hub declared: the green calls make the thread's default one.
        spawn([&] {
            Count c{unwound};
            Event never;
            never.wait();
        });
        spawn([&] {
            Count c{unwound};
            sleep(10s);
        });
        spawn([] {});  // ends now: its stack goes to the thread's stack cache
        sleep(0s);
    });
    // The hub went with the thread's other thread-locals, the stack cache among them,
    // which may go first.
    thread.join();
    EXPECT_EQ(unwound, 2);
}

TEST(Hub, DestroyingTheHubUnwindsWaitingTasksAndFreesTheirStacks) {
    using mp::test::mappings_of;
    const std::size_t size = 41 * mp::test::page_size();  // an unusual size, to count
    const int before = mappings_of(size);
    int unwound = 0;
    bool started = false;
    struct Count {
        int& n;
        ~Count() { ++n; }
    };
    std::optional<TaskBase> sleeper;
    {
        Hub hub;
        sleeper = spawn(GreenletOptions{"sleeper", size}, [&] {
            Count c{unwound};
            sleep(10s);
        });
        spawn(GreenletOptions{"waiter", size}, [&] {
            Count c{unwound};
            Event never;
            never.wait();
        });
        hub.yield();  // both start and wait
        spawn(GreenletOptions{"late", size}, [&] { started = true; });
        EXPECT_EQ(mappings_of(size), before + 2);  // "late" has none before it starts
    }
    EXPECT_EQ(unwound, 2);
    EXPECT_FALSE(started);
    EXPECT_EQ(mappings_of(size), before);  // a handle kept holds no stack
    EXPECT_TRUE(sleeper->ready());
    EXPECT_THROW(std::rethrow_exception(sleeper->exception()), GreenletExit);
}

}  // namespace
