// Interleaved measurement: ours, the raw loop and CPython take turns round by round
// (who goes first rotates every round), so that drift in the machine's load falls on
// all three alike, and each round gives its own ratios ours/raw and ours/CPython.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

namespace mp::bench {

// Fewer rounds than this are not enough for a median and a spread worth showing.
inline constexpr int kMinRuns = 5;

// Over the rounds of one measurement: seconds per operation, or a per-round ratio.
struct Stats {
    double median = 0;
    double min = 0;
    double max = 0;
    // (max - min) / median: 0.12 means the rounds spread over 12% of the median.
    double spread() const;
    // The spread is wide when (max - min) exceeds 30% of the median.
    bool noisy() const;
};

// CPython's side of a scenario: `python3 bench/<script> <scenario> <ops>`, one process
// kept alive for the whole row, speaking bench/cpython_protocol.py (it warms up,
// says "ready", then times one round per line it reads and answers the seconds per op).
struct Python {
    std::string script;
    std::string scenario;
    std::size_t ops = 0;
};

struct Contenders {
    std::function<void()> ours;
    std::function<void()> raw;      // empty: the scenario has no raw loop
    std::optional<Python> cpython;  // empty: CPython has no equivalent
};

struct Measured {
    std::optional<Stats> ours;
    std::optional<Stats> raw;
    std::optional<Stats> cpython;       // also empty when python3 is missing or failed
    std::optional<Stats> ours_raw;      // the per-round ratios ours/raw
    std::optional<Stats> ours_cpython;  // the per-round ratios ours/CPython
};

// What times a call of `ours` or `raw`.
enum class Clock {
    wall,          // elapsed time
    children_cpu,  // CPU seconds (user + system) of the children it waited for: a
                   // compiler's cost, which does not grow when other work shares the machine
};

// Warms up every contender once, then runs max(rounds, kMinRuns) rounds in which
// each contender runs once; `ours` and `raw` perform `ops` operations per call.
// A CPython process that cannot start or fails mid-row leaves its column empty.
Measured measure(std::size_t ops, const Contenders& contenders, int rounds = kMinRuns,
                 Clock clock = Clock::wall);

// Whether `python3` is on PATH (an empty CPython column then reads "no python3").
bool python_present();

}  // namespace mp::bench
