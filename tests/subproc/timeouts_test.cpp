// Every timeout of mp::subproc takes any std::chrono duration, as an argument or
// as Options::timeout: "forever" as users write it waits, zero and negative
// timeouts poll once.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <type_traits>

#include "subproc/subproc.hpp"
#include "tests/support/huge_timeouts.hpp"

namespace {

using namespace std::chrono_literals;
using mp::subproc::Popen;
using mp::test::expect_blocks_until_released;
using mp::test::for_each_huge_timeout;

Popen sleeper(mp::subproc::Options options = {}) { return Popen({"sh", "-c", "sleep 0.6; echo done"}, std::move(options)); }

TEST(SubprocTimeouts, HugeTimeoutsAreNoLimit) {
    for_each_huge_timeout([&](auto forever) {
        const mp::subproc::Timeout timeout = forever;
        EXPECT_FALSE(timeout.has_value());
    });
    EXPECT_EQ(*mp::subproc::Timeout(-5s), 0ns);
    EXPECT_EQ(*mp::subproc::Timeout(1500us), 1500us);
}

// "As long as it takes" has one spelling, no timeout at all (the default): std::nullopt
// is not a second one.
TEST(SubprocTimeouts, NoTimeoutIsTheDefaultAndNotANullopt) {
    static_assert(!std::is_constructible_v<mp::subproc::Timeout, std::nullopt_t>);
    EXPECT_FALSE(mp::subproc::Timeout().has_value());
}

TEST(SubprocTimeouts, PopenWaitsWithHugeTimeoutsWaitForTheExit) {
    for_each_huge_timeout([&](auto forever) {
        Popen waited = sleeper({.out = mp::subproc::DEVNULL});
        expect_blocks_until_released([&] { EXPECT_EQ(waited.wait(forever), 0); }, {});
        Popen communicated = sleeper({.out = mp::subproc::PIPE});
        expect_blocks_until_released([&] { EXPECT_EQ(communicated.communicate({}, forever).out, "done\n"); }, {});
        Popen read = sleeper({.out = mp::subproc::PIPE});
        expect_blocks_until_released([&] { EXPECT_EQ(read.readline(forever), "done"); }, {});
        read.wait();
    });
}

TEST(SubprocTimeouts, RunAndPipelineWithHugeTimeoutsWaitForTheExit) {
    for_each_huge_timeout([&](auto forever) {
        expect_blocks_until_released(
            [&] {
                auto done = mp::subproc::run({"sh", "-c", "sleep 0.6; echo done"},
                                             {.capture_output = true, .timeout = forever});
                EXPECT_EQ(done.out, "done\n");
            },
            {});
        mp::subproc::Pipeline pipeline({{"sh", "-c", "sleep 0.6; echo done"}, {"cat"}}, {.out = mp::subproc::PIPE});
        expect_blocks_until_released([&] { EXPECT_EQ(pipeline.communicate({}, forever).out, "done\n"); }, {});
    });
}

TEST(SubprocTimeouts, ZeroAndNegativeTimeoutsPollOnce) {
    Popen p = sleeper({.out = mp::subproc::PIPE});
    EXPECT_THROW(p.wait(0ms), mp::subproc::TimeoutExpired);
    EXPECT_THROW(p.wait(-1s), mp::subproc::TimeoutExpired);
    EXPECT_THROW(p.readline(-1s), mp::subproc::TimeoutExpired);
    EXPECT_EQ(p.communicate().out, "done\n");
    EXPECT_EQ(p.wait(0ms), 0);
    EXPECT_THROW(mp::subproc::run({"sleep", "1"}, {.timeout = -1s}), mp::subproc::TimeoutExpired);
}

// A timeout after all of the input was written (the child reads it, then lingers):
// TimeoutExpired with the output so far (not an out_of_range from keeping the
// input already written), and a second call finishes the job.
TEST(SubprocTimeouts, CommunicateTimesOutAfterTheWholeInputWasWritten) {
    Popen child({"sh", "-c", "cat; sleep 0.5"}, {.in = mp::subproc::PIPE, .out = mp::subproc::PIPE});
    try {
        child.communicate("abc\n", 50ms);
        ADD_FAILURE() << "no timeout";
    } catch (const mp::subproc::TimeoutExpired& timeout) {
        EXPECT_EQ(timeout.out(), "abc\n");
    }
    EXPECT_EQ(child.communicate().out, "abc\n");  // all of it, as Python returns it
    EXPECT_EQ(child.returncode(), 0);
}

}  // namespace
