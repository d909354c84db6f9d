// Splitting Options into what run()/pipeline() do themselves and what Popen/Pipeline
// take, shared by both so they read the run-only fields the same way.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "subproc/options.hpp"
#include "subproc/timeout.hpp"

namespace mp::subproc::internal {

struct RunOnly {
    std::string input;
    Timeout timeout;
    bool check = false;
};

// Moves the run-only fields out of `options`: input makes `in` a PIPE and
// capture_output makes `out` and `err` PIPEs (std::invalid_argument when those
// streams were set as well).
RunOnly take_run_only(Options& options);

}  // namespace mp::subproc::internal
