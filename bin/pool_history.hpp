// What a joblog says about an earlier run, for --resume, --resume-failed and
// --retry-failed. Only sequence numbers tie the log to the input, as in GNU
// parallel: the input and the command must stay the same between the runs.
#pragma once

#include <cstddef>
#include <map>
#include <string>

namespace mp::tools::pool {

class JobHistory {
public:
    // Reads the joblog at `path`; a missing file is an empty history (nothing ran
    // yet). Throws std::runtime_error naming the file and line for a line that is not
    // a joblog's, std::system_error when it cannot be read.
    static JobHistory read(const std::string& path);

    // Whether job `seq` ran (--resume skips it) and whether its last run succeeded
    // (--resume-failed skips only those).
    bool ran(std::size_t seq) const { return jobs_.count(seq) != 0; }
    bool succeeded(std::size_t seq) const;

    struct Logged {
        bool ok = false;
        std::string command;  // as a shell reads it
    };
    // Every logged job by sequence number, its last line winning.
    const std::map<std::size_t, Logged>& jobs() const { return jobs_; }

private:
    std::map<std::size_t, Logged> jobs_;
};

}  // namespace mp::tools::pool
