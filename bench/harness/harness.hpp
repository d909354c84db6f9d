// The benchmark harness: times a scenario three ways in one run (ours, the raw
// syscall loop that is the physical limit, CPython's equivalent) and prints one
// table with ratios. Every figure is a median of several runs after a warm-up;
// machines are noisy, so the spread is shown and wide spreads are marked.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mp::bench {

// Seconds per operation over the runs of one measurement.
struct Stats {
    double median = 0;
    double min = 0;
    double max = 0;
    // The spread is wide when (max - min) exceeds 30% of the median.
    bool noisy() const;
};

// Calls `body` once to warm up, then `runs` times; `body` performs `ops` operations.
Stats measure(std::size_t ops, const std::function<void()>& body, int runs = 5);

// Runs `python3 bench/<script> <scenario> <ops> <runs>`, which prints one line per
// run holding the seconds per operation. Empty when python3 is missing or failed.
std::optional<Stats> cpython(const std::string& script, const std::string& scenario, std::size_t ops,
                             int runs = 5);

struct Row {
    std::string scenario;
    std::optional<Stats> ours;
    std::optional<Stats> raw;
    std::optional<Stats> cpython;
    std::string note;  // e.g. the target this row is held to
};

// One table: scenario | ours | raw syscall loop | CPython | ours/raw | ours/CPython.
// Ratios are of time per operation: ours/raw 1.10 means 10% slower than the limit,
// ours/CPython 0.05 means twenty times faster than CPython.
class Table {
public:
    explicit Table(std::string title);
    void add(Row row);
    // Prints the table on stdout; when $MP_BENCH_TSV names a file, also appends the
    // rows to it as tab-separated values for reports.
    void print() const;

private:
    std::string title_;
    std::vector<Row> rows_;
};

// "12.3 ns", "4.56 us", "7.89 ms", "1.23 s".
std::string format_seconds(double seconds);

}  // namespace mp::bench
