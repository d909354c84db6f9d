// GNU parallel's forms of -j (how many jobs run at once), which --load shares.
#pragma once

#include <string>

namespace mp::tools::pool {

inline constexpr int kMaxJobs = 4096;

// The job slots that `-j VALUE` asks for on a machine of `cores` cores: N; +N and -N
// (cores plus or minus N, at least 1); N% (of the cores, at least 1); 0 (as many as
// the process's descriptor limit allows, each job holding a few, at most kMaxJobs).
// Throws cli::UsageError naming the value otherwise.
int jobs_of(const std::string& value, int cores);

// `--load VALUE`: the most runnable processes the machine may have when a job
// starts, in -j's forms (100% is one per core); 0 means 0.01, as in GNU parallel.
double load_of(const std::string& value, int cores);

}  // namespace mp::tools::pool
