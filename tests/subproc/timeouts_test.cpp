// Every timeout of mp::subproc takes any std::chrono duration, as an argument or
// as Options::timeout: "forever" as users write it waits, zero and negative
// timeouts poll once.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>

#include "subproc/subproc.hpp"
#include "tests/support/huge_timeouts.hpp"

namespace {

using namespace std::chrono_literals;
using mp::subproc::Popen;
using mp::test::expect_blocks_until_released;
using mp::test::for_each_huge_timeout;

Popen sleeper(mp::subproc::Options options = {}) { return Popen({"sh", "-c", "sleep 0.3; echo done"}, std::move(options)); }

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
                auto done = mp::subproc::run({"sh", "-c", "sleep 0.3; echo done"},
                                             {.capture_output = true, .timeout = forever});
                EXPECT_EQ(done.out, "done\n");
            },
            {});
        mp::subproc::Pipeline pipeline({{"sh", "-c", "sleep 0.3; echo done"}, {"cat"}}, {.out = mp::subproc::PIPE});
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

// Waits for the child's exit without reading its pipes (poll() reaps, pipes untouched),
// so what it wrote is still in them for the zero-timeout call under test.
void await_exit_unread(Popen& p) {
    const auto limit = std::chrono::steady_clock::now() + 30s;
    while (!p.poll() && std::chrono::steady_clock::now() < limit) std::this_thread::sleep_for(5ms);
    ASSERT_TRUE(p.poll().has_value()) << "the child did not exit";
}

// A zero timeout means "do not wait", not "do not read": what is already in the
// pipes is collected first, so a child that has finished gives its whole answer.
TEST(SubprocTimeouts, ZeroTimeoutCollectsWhatIsAlreadyThere) {
    Popen communicated({"sh", "-c", "echo out; echo err >&2; exit 3"},
                       {.out = mp::subproc::PIPE, .err = mp::subproc::PIPE});
    await_exit_unread(communicated);
    const mp::subproc::Output output = communicated.communicate({}, 0ms);
    EXPECT_EQ(output.out, "out\n");
    EXPECT_EQ(output.err, "err\n");
    EXPECT_EQ(communicated.wait(0ms), 3);

    Popen read({"printf", "a\nb\n"}, {.out = mp::subproc::PIPE});
    await_exit_unread(read);
    EXPECT_EQ(read.readline(0ms), "a");
    EXPECT_EQ(read.readline(0ms), "b");
    EXPECT_EQ(read.readline(0ms), std::nullopt);
}

// The child has written and exited, but a grandchild keeps stdout open: the zero
// timeout still expires, and the exception carries what was there.
TEST(SubprocTimeouts, ZeroTimeoutExpiresWithWhatIsAlreadyThere) {
    Popen p({"sh", "-c", "echo partial; sleep 0.5 &"}, {.out = mp::subproc::PIPE});
    await_exit_unread(p);
    try {
        p.communicate({}, 0ms);
        ADD_FAILURE() << "communicate(0ms) returned while stdout was open";
    } catch (const mp::subproc::TimeoutExpired& e) {
        EXPECT_EQ(e.out(), "partial\n");
    }
    EXPECT_EQ(p.communicate().out, "partial\n");  // then waits for the grandchild to close it
}

}  // namespace
