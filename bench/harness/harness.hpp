// The benchmark harness: times a scenario three ways in one run (ours, the raw
// syscall loop that is the physical limit, CPython's equivalent) and prints one
// table with ratios. Every figure is a median of at least five runs after a
// warm-up; machines are noisy, so the spread is shown and wide spreads are marked.
//
// When $MP_BENCH_TSV names a file, every printed row is also appended to it (see
// write_tsv in harness.cpp for the columns), holding the very cells printed on the
// console; bench/report/report.py turns that file into bench/RESULTS.md and charts.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mp::bench {

// Fewer runs than this are not enough for a median and a spread worth showing.
inline constexpr int kMinRuns = 5;

// Seconds per operation over the runs of one measurement.
struct Stats {
    double median = 0;
    double min = 0;
    double max = 0;
    // (max - min) / median: 0.12 means the runs spread over 12% of the median.
    double spread() const;
    // The spread is wide when (max - min) exceeds 30% of the median.
    bool noisy() const;
};

// Calls `body` once to warm up, then max(runs, kMinRuns) times; `body` performs
// `ops` operations.
Stats measure(std::size_t ops, const std::function<void()>& body, int runs = kMinRuns);

// Ours and the raw loop of one scenario, timed in alternation.
struct Pair {
    Stats ours;
    Stats raw;
};

// Warms up both bodies, then times `ours` and `raw` alternately max(runs, kMinRuns)
// times each (swapping which goes first every round), so that load from other work
// on the machine falls on both alike. Each body performs `ops` operations.
Pair measure_interleaved(std::size_t ops, const std::function<void()>& ours, const std::function<void()>& raw,
                         int runs = kMinRuns);

// Runs `python3 bench/<script> <scenario> <ops> <runs>`, which prints one line per
// run holding the seconds per operation (bench/cpython_protocol.py). Empty when
// python3 is missing or failed. Runs are at least kMinRuns.
std::optional<Stats> cpython(const std::string& script, const std::string& scenario, std::size_t ops,
                             int runs = kMinRuns);

struct Row {
    std::string scenario;
    std::optional<Stats> ours;
    std::optional<Stats> raw;
    std::optional<Stats> cpython;
    std::string note;  // e.g. the target this row is held to
};

// One table: scenario | ours | raw syscall loop | CPython | ours/raw | ours/CPython.
// Ratios are of time per operation: ours/raw 1.10 means 10% slower than the limit,
// ours/CPython 0.05 means twenty times faster than CPython. Each time is followed
// by its spread in percent of the median, and by "~" when that exceeds 30%.
class Table {
public:
    explicit Table(std::string title);
    void add(Row row);
    // Prints the table on stdout, and appends it to $MP_BENCH_TSV when that is set.
    void print() const;

private:
    std::string title_;
    std::vector<Row> rows_;
};

// What a Series plots on its y axis, computed from the time per operation.
enum class Plot {
    seconds,           // the time per operation itself
    per_second,        // operations per second: 1 / time
    bytes_per_second,  // the point's x is a size in bytes: x / time
};

// A line chart's data: how the cost grows with the work. Each point is a Row
// whose scenario names the x value; the table printed adds a column with the
// plotted quantity of ours.
class Series {
public:
    Series(std::string title, std::string x_axis, Plot plot);
    void add(double x, Row row);
    // Prints the points as a table on stdout, appends them to $MP_BENCH_TSV when set.
    void print() const;

private:
    std::string title_;
    std::string x_axis_;
    Plot plot_;
    std::vector<std::pair<double, Row>> points_;
};

// "12.3 ns", "4.56 us", "7.89 ms", "1.23 s".
std::string format_seconds(double seconds);

}  // namespace mp::bench
