// The benchmark harness's own rules (bench/harness/): the verdict a target gets from
// its rounds, and the pinning that gives each side of a stream its own CPU.
#include <sched.h>

#include <gtest/gtest.h>

#include "bench/harness/affinity.hpp"
#include "bench/harness/harness.hpp"

namespace {

using mp::bench::Measured;
using mp::bench::PinnedToCpu;
using mp::bench::Ratio;
using mp::bench::Stats;
using mp::bench::Target;
using mp::bench::Verdict;

// The verdict on "ours/raw <= 1.1" for per-round ratios with this median, min, max.
Verdict verdict_for(double median, double min, double max) {
    Measured measured;
    measured.ours_raw = Stats{.median = median, .min = min, .max = max};
    return mp::bench::verdict(Target{Ratio::ours_raw, 1.1}, measured);
}

TEST(Verdict, EveryRoundWithinTheBoundIsMetHoweverWideTheSpread) {
    EXPECT_EQ(verdict_for(0.28, 0.19, 0.53), Verdict::met);  // spread 120%
    EXPECT_EQ(verdict_for(1.0, 0.9, 1.1), Verdict::met);     // the bound itself is within
}

TEST(Verdict, EveryRoundOutsideTheBoundIsMissedHoweverWideTheSpread) {
    EXPECT_EQ(verdict_for(3.0, 1.2, 6.9), Verdict::missed);
}

TEST(Verdict, RoundsOnBothSidesLetANarrowSpreadsMedianDecide) {
    EXPECT_EQ(verdict_for(1.05, 0.95, 1.2), Verdict::met);    // spread 24%
    EXPECT_EQ(verdict_for(1.15, 1.0, 1.3), Verdict::missed);  // spread 26%
}

TEST(Verdict, RoundsOnBothSidesWithAWideSpreadAreNotConclusive) {
    EXPECT_EQ(verdict_for(0.81, 0.43, 1.93), Verdict::not_conclusive);
    EXPECT_EQ(verdict_for(1.5, 0.9, 2.0), Verdict::not_conclusive);
}

TEST(Verdict, AMissingSideIsNotMeasured) {
    EXPECT_EQ(mp::bench::verdict(Target{Ratio::ours_cpython, 0.05}, Measured{}), Verdict::not_measured);
}

cpu_set_t allowed_cpus() {
    cpu_set_t cpus;
    EXPECT_EQ(sched_getaffinity(0, sizeof cpus, &cpus), 0);
    return cpus;
}

bool allowed_cpus_are(const cpu_set_t& expected) {
    cpu_set_t now = allowed_cpus();
    return CPU_EQUAL(&now, &expected);
}

// The one CPU the calling thread may use now; -1 if it may use several.
int only_cpu() {
    const cpu_set_t cpus = allowed_cpus();
    if (CPU_COUNT(&cpus) != 1) return -1;
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &cpus)) return c;
    return -1;
}

TEST(PinnedToCpu, TwoSidesGetTwoCpusAndEachGetsItsCpusBack) {
    const cpu_set_t before = allowed_cpus();
    if (CPU_COUNT(&before) < 2) GTEST_SKIP() << "this machine gives the test one CPU";
    int first, second;
    {
        PinnedToCpu pinned(0);
        first = only_cpu();
    }
    EXPECT_TRUE(allowed_cpus_are(before));
    {
        PinnedToCpu pinned(1);
        second = only_cpu();
    }
    EXPECT_TRUE(allowed_cpus_are(before));
    EXPECT_GE(first, 0);
    EXPECT_GE(second, 0);
    EXPECT_NE(first, second);
    EXPECT_TRUE(CPU_ISSET(first, &before) && CPU_ISSET(second, &before));
}

TEST(PinnedToCpu, ASingleCpuIsLeftAsItIs) {
    const cpu_set_t before = allowed_cpus();
    int lone = 0;
    while (!CPU_ISSET(lone, &before)) ++lone;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(lone, &one);
    ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
    {
        PinnedToCpu pinned(1);
        EXPECT_EQ(only_cpu(), lone);
    }
    EXPECT_EQ(only_cpu(), lone);
    ASSERT_EQ(sched_setaffinity(0, sizeof before, &before), 0);
}

}  // namespace
