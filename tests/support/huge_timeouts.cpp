#include "tests/support/huge_timeouts.hpp"

#include <exception>
#include <future>
#include <string>

namespace mp::test {

void expect_blocks_until_released(const std::function<void()>& wait, const std::function<void()>& release) {
    using namespace std::chrono_literals;
    std::packaged_task<void()> task(wait);
    std::future<void> done = task.get_future();
    std::thread waiter(std::move(task));
    const bool returned_early = done.wait_for(100ms) == std::future_status::ready;
    EXPECT_FALSE(returned_early) << "the call returned at once, as if its timeout had passed";
    if (release) release();
    const bool returned = done.wait_for(20s) == std::future_status::ready;
    EXPECT_TRUE(returned) << "the call was not released";
    waiter.join();
    try {
        done.get();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "the call threw: " << e.what();
    }
}

}  // namespace mp::test
