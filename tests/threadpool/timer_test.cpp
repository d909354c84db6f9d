// Timer: fires once after its interval with its arguments; cancel() before firing
// means never, and is prompt even for a huge interval; cancel() after firing or
// before start() does what Python's does.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "threadpool/timer.hpp"

namespace {

using namespace std::chrono_literals;
using mp::threadpool::Timer;

// Generous: only says "it did not hang" on a loaded machine.
constexpr auto kTimerNoHang = 20s;

TEST(Timer, FiresOnceAfterItsIntervalWithItsArguments) {
    std::promise<int> fired;
    auto value = fired.get_future();
    const auto started = std::chrono::steady_clock::now();
    Timer t(100ms, [](std::unique_ptr<int> p, std::promise<int> out) { out.set_value(*p); }, std::make_unique<int>(7),
            std::move(fired));
    t.start();
    ASSERT_EQ(value.wait_for(kTimerNoHang), std::future_status::ready);
    EXPECT_GE(std::chrono::steady_clock::now() - started, 100ms);
    EXPECT_EQ(value.get(), 7);
    EXPECT_TRUE(t.join_for(kTimerNoHang));
    t.cancel();  // after firing: nothing to stop
}

TEST(Timer, CancelBeforeFiringMeansNever) {
    std::atomic<bool> ran{false};
    Timer t(300ms, [&] { ran = true; });
    t.start();
    t.cancel();
    EXPECT_TRUE(t.join_for(kTimerNoHang));
    std::this_thread::sleep_for(400ms);  // past the interval: still nothing ran
    EXPECT_FALSE(ran);
}

TEST(Timer, AHugeIntervalIsCancelledPromptly) {
    for (const auto interval : {std::chrono::duration<double>(std::chrono::seconds::max()),
                                std::chrono::duration<double>(std::chrono::nanoseconds::max()),
                                std::chrono::duration<double>(std::chrono::hours(24 * 365 * 1000))}) {
        std::atomic<bool> ran{false};
        Timer t(interval, [&] { ran = true; });
        t.start();
        EXPECT_FALSE(t.join_for(200ms));  // a huge interval is not "already due"
        const auto cancelled = std::chrono::steady_clock::now();
        t.cancel();
        EXPECT_TRUE(t.join_for(kTimerNoHang));
        EXPECT_LT(std::chrono::steady_clock::now() - cancelled, kTimerNoHang);
        EXPECT_FALSE(ran);
    }
}

TEST(Timer, CancelBeforeStartEndsItAtOnce) {
    std::atomic<bool> ran{false};
    Timer t(std::chrono::hours(1), [&] { ran = true; });
    t.cancel();
    t.start();
    EXPECT_TRUE(t.join_for(kTimerNoHang));
    EXPECT_FALSE(ran);
}

TEST(Timer, IsAThreadWithOptionsAndMoves) {
    std::promise<void> fired;
    auto done = fired.get_future();
    Timer t({.name = "alarm", .daemon = true}, 50ms, [](std::promise<void> p) { p.set_value(); }, std::move(fired));
    EXPECT_EQ(t.name(), "alarm");
    EXPECT_TRUE(t.daemon());
    t.start();
    Timer moved(std::move(t));  // while it waits
    EXPECT_THROW(t.cancel(), std::logic_error);
    EXPECT_EQ(done.wait_for(kTimerNoHang), std::future_status::ready);
    EXPECT_TRUE(moved.join_for(kTimerNoHang));
}

}  // namespace
