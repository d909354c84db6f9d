// The benchmark harness: times a scenario three ways in one run (ours, the raw
// syscall loop that is the physical limit, CPython's equivalent), interleaved round
// by round (bench/harness/rounds.hpp), and prints one table with the per-round
// ratios and the verdict on each row's targets.
//
// When $MP_BENCH_TSV names a file, every printed row is also appended to it (see
// write_tsv in harness.cpp for the columns), holding the very cells printed on the
// console; bench/report/report.py turns that file into bench/RESULTS.md and charts.
#pragma once

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "bench/harness/rounds.hpp"

namespace mp::bench {

enum class Ratio { ours_raw, ours_cpython };

// What a row is held to: the median of the per-round `ratio` <= `bound`. A throughput
// target "raw/ours >= 0.9" is {Ratio::ours_raw, 1 / 0.9}.
struct Target {
    Ratio ratio;
    double bound;
};

// Every round's ratio within the bound is met, every round's outside it is missed.
// Rounds on both sides: the median decides when their spread is at most 30%.
enum class Verdict {
    met,             // every round within the bound, or the median within and the spread <= 30%
    missed,          // every round outside the bound, or the median outside and the spread <= 30%
    not_conclusive,  // rounds on both sides of the bound, spread over 30%: rerun on a quieter machine
    not_measured,    // a side of the ratio is missing (no python3, say)
};

Verdict verdict(const Target& target, const Measured& measured);
const char* verdict_name(Verdict verdict);

struct Row {
    std::string scenario;
    Measured times;
    std::vector<Target> targets;
    std::string note;  // what is compared, caveats
};

// One table: scenario | ours | raw syscall loop | CPython | ours/raw | ours/CPython |
// target | note. Times are per operation, the median of the rounds followed by their
// spread in percent of it; ratios are the median of the per-round ratios with their
// min-max, "1.10x (1.02-1.25)": ours/raw 1.10 is 10% slower than the limit,
// ours/CPython 0.05 is twenty times faster than CPython. "~" marks a spread over 30%.
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

// The report's row file, $MP_BENCH_TSV (set by `make bench`), opened for appending;
// not open when the variable is unset (a benchmark run by hand).
std::ofstream open_results_tsv();

// Prints a markdown table under "## heading": the first line is the header.
void print_markdown(const std::string& heading, const std::vector<std::vector<std::string>>& lines);

// "12.3 ns", "4.56 us", "7.89 ms", "1.23 s".
std::string format_seconds(double seconds);

}  // namespace mp::bench
