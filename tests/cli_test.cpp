// The demos' shared command-line parsing: strict, never a silent 0.
#include <gtest/gtest.h>

#include "bin/cli/cli.hpp"

namespace {

using namespace std::chrono_literals;
using mp::cli::parse_duration;
using mp::cli::parse_int;

TEST(ParseDuration, AcceptsTimeoutStyleDurations) {
    EXPECT_EQ(parse_duration("0.5"), 500ms);
    EXPECT_EQ(parse_duration("2s"), 2s);
    EXPECT_EQ(parse_duration("1m"), 60s);
    EXPECT_EQ(parse_duration("1.5h"), 5400s);
    EXPECT_EQ(parse_duration("1d"), 86400s);
    EXPECT_EQ(parse_duration("250ms"), 250ms);
    EXPECT_EQ(parse_duration("0"), 0ns);
    EXPECT_EQ(parse_duration(".25"), 250ms);
}

TEST(ParseDuration, RejectsEverythingElse) {
    for (const char* bad : {"", "s", "-1", "+1", "1x", "nan", "inf", "0x10", "1e3", " 1", "1 ", "1..2",
                            "99999999999999999999", "1sm"})
        EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
}

TEST(ParseInt, RangeAndSyntax) {
    EXPECT_EQ(parse_int("42", 0, 100), 42);
    EXPECT_EQ(parse_int("-5", -10, 10), -5);
    EXPECT_EQ(parse_int("+5", -10, 10), 5);
    for (const char* bad : {"", "-", "4 2", "42x", "0x2a", "101", "-11", "99999999999999999999999"})
        EXPECT_EQ(parse_int(bad, -10, 100), std::nullopt) << bad;
}

}  // namespace
