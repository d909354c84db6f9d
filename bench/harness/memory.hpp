// The memory side of the benchmarks: peak resident memory of a scenario run in a
// fresh process (so that its high-water mark is that scenario's alone), ours and
// CPython's, against a budget of "the data itself plus a small constant per process".
//
// A scenario process prints one line, "<first> <second>": for RSS scenarios its own
// peak (VmHWM) and the largest peak of the children it waited for (getrusage
// RUSAGE_CHILDREN, which is the largest descendant: workers, fork server), in KiB;
// for /dev/shm scenarios the bytes used and the object count. MemoryTable prints the
// rows and appends them to $MP_BENCH_TSV as "memory" lines for bench/report.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace mp::bench {

// The constant each process may add to its data: 8 MiB (a C++ or CPython process
// with its libraries mapped, its stacks, and the pool's threads).
inline constexpr double kPerProcessBytes = 8.0 * 1024 * 1024;

struct Peak {
    double first = 0;   // bytes: the scenario process's peak RSS, or /dev/shm bytes
    double second = 0;  // bytes: the largest child's peak RSS; or the object count
};

// This process's peak RSS (VmHWM), and the largest peak RSS of its waited-for
// children (getrusage RUSAGE_CHILDREN), in bytes.
Peak own_peaks();
// Prints `peak` as the scenario line ("<first> <second>") on stdout.
void report_peak(const Peak& peak);

// Runs `argv` (a scenario process), waits for it and reads its line; empty when it
// could not run or failed (no python3, say), with the reason on stderr.
std::optional<Peak> run_scenario(const std::vector<std::string>& argv);

struct MemoryRow {
    std::string scenario;
    double data_bytes;  // the data the scenario holds at once (0: consumed as it comes; unused per object)
    std::optional<Peak> ours;
    std::optional<Peak> cpython;
    // What ours may take: the parent's and each worker's peak (each the data that
    // process must hold plus kPerProcessBytes); for a /dev/shm row, bytes per object
    // in parent_budget (worker_budget unused).
    double parent_budget;
    double worker_budget;
    bool per_object;  // a /dev/shm row: `first` is bytes, `second` the object count
    std::string note;
};

// "met" when every figure of ours (each process's peak, or the bytes per object) is
// within its budget; "missed" otherwise; "not measured" without ours.
std::string memory_verdict(const MemoryRow& row);

class MemoryTable {
public:
    explicit MemoryTable(std::string title);
    void add(MemoryRow row);
    void print() const;

private:
    std::string title_;
    std::vector<MemoryRow> rows_;
};

}  // namespace mp::bench
