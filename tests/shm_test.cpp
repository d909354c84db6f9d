// The shm suite: the tests of each part live in tests/shm/*_test.cpp; this file
// holds those of the bin/shm command-line tool.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "shm/shm.hpp"
#include "tests/shm/support.hpp"
#include "tests/support/helpers.hpp"

namespace {

using mp::shm::test::segment_exists;
using mp::shm::test::shm_cli;

// A segment made by `shm create` for one test, removed afterwards.
class Cli : public ::testing::Test {
protected:
    void create(const std::vector<std::string>& spec) {
        std::vector<std::string> args{"create", name_};
        args.insert(args.end(), spec.begin(), spec.end());
        const auto r = shm_cli(args);
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    void TearDown() override {
        if (segment_exists(name_)) {
            EXPECT_EQ(shm_cli({"rm", name_}).exit_code, 0);
        }
    }
    std::string name_ = mp::test::unique_name("cli");
};

TEST_F(Cli, NegativeNumbersAreValuesNotOptions) {
    create({"i", "3", "--init", "-7"});
    EXPECT_EQ(shm_cli({"get", name_}).out, "-7\n-7\n-7\n");
    EXPECT_EQ(shm_cli({"set", name_, "0", "-5"}).exit_code, 0);
    EXPECT_EQ(shm_cli({"get", name_, "0"}).out, "-5\n");
    const auto added = shm_cli({"add", name_, "1", "-10"});
    EXPECT_EQ(added.exit_code, 0) << added.err;
    EXPECT_EQ(added.out, "-17\n");
    EXPECT_EQ(mp::shm::Array<int>::attach(name_, 3).slice(0, 3), (std::vector<int>{-5, -17, -7}));
}

TEST_F(Cli, GetTakesAnIndexOrASlice) {
    create({"d", "5"});
    for (int i = 0; i < 5; ++i) ASSERT_EQ(shm_cli({"set", name_, std::to_string(i), std::to_string(i) + ".5"}).exit_code, 0);
    EXPECT_EQ(shm_cli({"get", name_, "1:3"}).out, "1.5\n2.5\n");
    EXPECT_EQ(shm_cli({"get", name_, ":2"}).out, "0.5\n1.5\n");
    EXPECT_EQ(shm_cli({"get", name_, "3:"}).out, "3.5\n4.5\n");
    EXPECT_EQ(shm_cli({"get", name_, "4"}).out, "4.5\n");
    EXPECT_EQ(shm_cli({"get", name_, "2:2"}).out, "");
}

TEST_F(Cli, AddIsExactFromConcurrentCommands) {
    create({"L", "1"});
    // 4 processes, each running `shm add` 25 times: 100 separate attaches and adds.
    ASSERT_EQ(mp::shm::test::run_children(4,
                                          [&](int) {
                                              for (int i = 0; i < 25; ++i)
                                                  if (shm_cli({"add", name_, "0", "3"}).exit_code != 0) return 1;
                                              return 0;
                                          }),
              0);
    EXPECT_EQ(shm_cli({"get", name_, "0"}).out, "300\n");
}

TEST_F(Cli, AddAfterALockHolderDiedReportsItOnceThenWorks) {
    create({"i", "1", "--init", "5"});
    auto reached = mp::shm::Value<int>::anonymous(0, {.lock = false});
    mp::shm::test::Child holder([&] {
        auto counter = mp::shm::Array<int>::attach(name_, 1);
        counter.get_lock().lock();
        reached.store(1);
        pause();
        return 0;
    });
    ASSERT_TRUE(mp::shm::test::wait_until_set(reached));
    kill(holder.pid(), SIGKILL);
    ASSERT_EQ(holder.join(), -1000 - SIGKILL);

    const auto first = shm_cli({"add", name_, "0", "1"});
    EXPECT_EQ(first.exit_code, 1);
    EXPECT_NE(first.err.find("died while holding it"), std::string::npos) << first.err;
    const auto second = shm_cli({"add", name_, "0", "1"});
    EXPECT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(second.out, "6\n");
}

TEST_F(Cli, RangeOfTheTypeIsChecked) {
    create({"b", "2"});
    const auto too_big = shm_cli({"set", name_, "0", "300"});
    EXPECT_EQ(too_big.exit_code, 1);
    EXPECT_EQ(too_big.err, "shm: 300 is out of range for type 'b' (signed char): -128..127\n");
    EXPECT_EQ(shm_cli({"set", name_, "0", "-128"}).exit_code, 0);
    const auto overflow = shm_cli({"add", name_, "0", "-1"});
    EXPECT_EQ(overflow.exit_code, 1);
    EXPECT_NE(overflow.err.find("overflows type 'b'"), std::string::npos) << overflow.err;
    EXPECT_EQ(shm_cli({"get", name_, "0"}).out, "-128\n") << "a failed add writes nothing";
}

TEST_F(Cli, RuntimeErrorsExitOne) {
    create({"h", "2"});
    const struct {
        std::vector<std::string> args;
        std::string message;
    } cases[] = {
        {{"get", name_, "2"}, "index 2 is out of range for \"" + name_ + "\", which holds 2 elements"},
        {{"get", name_, "1:5"}, "slice 1:5 is out of range"},
        {{"set", name_, "9", "1"}, "index 9 is out of range"},
        {{"set", name_, "0", "x"}, "\"x\" is not a value of type 'h' (short)"},
        {{"add", name_, "0", "1.5"}, "\"1.5\" is not a whole number"},
        {{"get", name_ + "-missing"}, "no segment named \"" + name_ + "-missing\""},
        {{"rm", name_ + "-missing"}, "no segment named"},
        {{"create", name_, "i", "1"}, "a segment named \"" + name_ + "\" already exists"},
        {{"create", name_ + "-huge", "d", "1099511627776"},
         "posix_fallocate(\"/mp-" + name_ + "-huge\"): No space left on device"},
    };
    for (const auto& c : cases) {
        const auto r = shm_cli(c.args);
        EXPECT_EQ(r.exit_code, 1) << c.args[0] << ": " << r.err;
        EXPECT_NE(r.err.find("shm: " + c.message), std::string::npos) << r.err;
        EXPECT_EQ(r.out, "");
    }
}

TEST_F(Cli, UsageErrorsExitTwo) {
    const struct {
        std::vector<std::string> args;
        std::string message;
    } cases[] = {
        {{}, "no command"},
        {{"frobnicate"}, "unknown command \"frobnicate\""},
        {{"create", name_, "z", "3"}, "unknown type code \"z\""},
        {{"create", name_, "ii", "3"}, "unknown type code \"ii\""},
        {{"create", name_, "i", "-3"}, "LEN must be a whole number >= 0"},
        {{"create", name_, "i", "three"}, "LEN must be a whole number"},
        {{"create", name_, "b", "1", "--init", "300"}, "--init: 300 is out of range for type 'b'"},
        {{"create", name_, "i", "1", "--init"}, "--init needs a value"},
        {{"create", "a/b", "i", "1"}, "shared memory name \"a/b\" must not hold '/'"},
        {{"create", name_, "i"}, "usage: shm create NAME TYPECODE LEN"},
        {{"get", name_, "x"}, "the index must be a whole number"},
        {{"get", name_, "-1"}, "the index must be a whole number >= 0"},
        {{"set", name_, "0"}, "usage: shm set NAME I V"},
        {{"add", name_, "0", "1", "2"}, "usage: shm add NAME I DELTA"},
        {{"ls", "extra"}, "usage: shm ls"},
        {{"get", name_, "--verbose"}, "unknown option --verbose"},
        {{"get", name_, "--init", "3"}, "--init belongs to create"},
    };
    for (const auto& c : cases) {
        const auto r = shm_cli(c.args);
        EXPECT_EQ(r.exit_code, 2) << (c.args.empty() ? "" : c.args[0]) << ": " << r.err;
        EXPECT_NE(r.err.find("shm: " + c.message), std::string::npos) << r.err;
    }
    EXPECT_FALSE(segment_exists(name_)) << "no usage error may create anything";
}

TEST(CliHelp, PrintsUsageAndTheTypeCodes) {
    const auto r = shm_cli({"--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("usage: shm COMMAND"), std::string::npos);
    EXPECT_NE(r.out.find("c b B h H i I l L q Q f d"), std::string::npos);
}

// The line of `text` that starts with `label` (after indentation), or "".
std::string line_with(const std::string& text, const std::string& label) {
    const auto at = text.find(label);
    if (at == std::string::npos) return "";
    return text.substr(at, text.find('\n', at) - at);
}

TEST(CliTour, ReplaysThePythonExamples) {
    const auto r = shm_cli({"tour"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("num = 3.1415927\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("arr = [0, -1, -2, -3, -4, -5, -6, -7, -8, -9]\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("20 entries, every process exactly once: yes"), std::string::npos) << r.out;
    EXPECT_NE(line_with(r.out, "with_lock(++n):").find(" 4000000"), std::string::npos) << r.out;
    EXPECT_NE(line_with(r.out, "fetch_add(1), lock-free:").find(" 4000000"), std::string::npos) << r.out;
    EXPECT_NE(line_with(r.out, "load + store, no lock:").find("updates lost"), std::string::npos) << r.out;
}

}  // namespace
