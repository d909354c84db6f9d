#include "bin/pool_jobs.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <optional>

#include "bin/cli/cli.hpp"
#include "bin/cli/main.hpp"

namespace mp::tools::pool {

namespace {

// Descriptors a running job holds here: its stdout and stderr pipes, and one more
// while it starts (the spawn's error pipe).
constexpr long kFdsPerJob = 3;
constexpr long kFdsKept = 16;  // ours: stdin/out/err, the joblog, input files...

int as_many_as_possible() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return kMaxJobs;
    const long room = (static_cast<long>(limit.rlim_cur) - kFdsKept) / kFdsPerJob;
    return static_cast<int>(std::clamp<long>(room, 1, kMaxJobs));
}

// N as is; +N, -N and N% against `cores`, at least 1. nullopt when malformed.
std::optional<long> relative_to_cores(const std::string& value, int cores) {
    if (value.empty()) return std::nullopt;
    const bool percent = value.back() == '%';
    const char sign = value.front() == '+' || value.front() == '-' ? value.front() : '\0';
    if (percent && sign != '\0') return std::nullopt;
    const std::size_t from = sign != '\0' ? 1 : 0;
    const auto number = cli::parse_int(value.substr(from, value.size() - from - (percent ? 1 : 0)), 0, 1 << 20);
    if (!number) return std::nullopt;
    if (percent) return std::max<long>(1, cores * *number / 100);
    if (sign == '+') return cores + *number;
    if (sign == '-') return std::max<long>(1, cores - *number);
    return *number;
}

}  // namespace

int jobs_of(const std::string& value, int cores) {
    const auto jobs = relative_to_cores(value, cores);
    if (!jobs) throw cli::UsageError("-j: not a number of jobs (N, +N, -N, N% or 0): '" + value + "'");
    if (*jobs == 0) return as_many_as_possible();
    if (*jobs > kMaxJobs)
        throw cli::UsageError("-j: at most " + std::to_string(kMaxJobs) + " jobs at once: '" + value + "'");
    return static_cast<int>(*jobs);
}

double load_of(const std::string& value, int cores) {
    const auto load = relative_to_cores(value, cores);
    if (!load) throw cli::UsageError("--load: not a number of processes (N, +N, -N or N%): '" + value + "'");
    return *load == 0 ? 0.01 : static_cast<double>(*load);
}

}  // namespace mp::tools::pool
