// The subcommands of bin/pool: the job runner (pool_run.cpp: CMD once per input
// item, at most `jobs` at a time, GNU parallel style) and the tour (pool_tour.cpp).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "subproc/timeout.hpp"

namespace mp::tools::pool {

inline constexpr const char* kProgram = "pool";

enum class Halt { never, soon, now };

struct RunnerOptions {
    int jobs = 1;
    bool keep_order = false;       // -k: output in input order
    bool null_separated = false;   // -0: items end with NUL instead of newline
    mp::subproc::Timeout timeout{};  // per job attempt; none by default
    int retries = 0;               // extra attempts for a failing job
    Halt halt = Halt::never;
    std::string joblog{};          // empty: none
    bool joblog_append = false;    // --joblog +FILE
    bool bar = false;
    std::vector<std::string> command{};  // CMD and its arguments; "{}" marks the item
};

// The job's argv: every "{}" in CMD's words replaced by `item`, or `item` appended as
// the last argument when no word holds "{}".
std::vector<std::string> expand(const std::vector<std::string>& command, const std::string& item);

// Reads items from stdin and runs the jobs. Returns the exit status: 0 all jobs
// succeeded, 1-100 the number that failed, 101 more than 100, the failing job's own
// status after --halt, 130/143 after SIGINT/SIGTERM (every job's process group
// killed first). Throws std::system_error when the joblog cannot be opened.
int run_command(const RunnerOptions& options);

// Replays Python's multiprocessing examples with mp::pool; returns the exit code.
int tour_command();

}  // namespace mp::tools::pool
