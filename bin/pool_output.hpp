// Where bin/pool's jobs' output goes, as GNU parallel sends it: grouped (a job's
// stdout and stderr written whole when it ends), --line-buffer (whole lines as they
// come: never half a line, never lines of two jobs mixed inside one), -u (bytes as
// they come); -k holds a job's output until the jobs before it have ended (with
// --line-buffer and -u the oldest running job's goes on live); --tag/--tagstring
// puts a prefix and a TAB before each line (not with -u, as GNU parallel).
// --results DIR saves each job's output in DIR/1/ARG1/2/ARG2.../{stdout,stderr,seq}
// instead of printing it; --files prints the name of the file holding the job's
// stdout instead (DIR's, or a new $TMPDIR/parXXXXXX.par).
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bin/pool_commands.hpp"
#include "bin/pool_replace.hpp"

namespace mp::tools::pool {

// Writes all of `text` to `fd`; gives up quietly on a closed stdout (EPIPE: the
// reader is gone, as `head` in a pipeline), and throws std::runtime_error for any
// other failure (ENOSPC, EIO): output that was lost must not end in exit status 0.
void write_all(int fd, std::string_view text);

// `text` with `tag` and a TAB before each of its lines (the last may lack its '\n').
std::string tagged(std::string_view text, std::string_view tag);

// A value as one --results path component: '\' becomes "\\", '/' "\_" (GNU
// parallel's quoting), and "." and ".." get a '\' before them so that no value
// names DIR's parent (GNU parallel writes there).
std::string results_component(const std::string& value);

class Output {
public:
    // --results: makes DIR when missing; std::system_error when it cannot be made or
    // opened, or is a symlink (ELOOP).
    explicit Output(const RunnerOptions& options);
    ~Output();
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;

    // Whether jobs pass their output on as it comes (stream()); else whole (finish()).
    bool streams() const { return streams_; }

    // A piece of job `seq`'s stdout (fd 1) or stderr (fd 2) as it comes: whole lines
    // with --line-buffer (tagged here), any bytes with -u. Thread-safe.
    void stream(std::size_t seq, int fd, std::string_view text, std::string_view tag);

    // Job `seq` ended; `out` and `err` are its whole output when !streams(). `records`
    // name its --results directory. Thread-safe. A --results file that cannot be
    // written is reported on stderr (the other jobs go on).
    void finish(std::size_t seq, const std::vector<Record>& records, std::string_view tag, const std::string& out,
                const std::string& err);

    // At the end: what -k still holds (the jobs after one that never ran: a halt or
    // a signal), in order.
    void flush();

private:
    struct Held {
        std::vector<std::pair<int, std::string>> pieces;  // (fd, text) in order
        bool ended = false;
    };
    // --results / --files: saves the output; returns the name of the stdout file.
    std::string save(std::size_t seq, const std::vector<Record>& records, const std::string& out,
                     const std::string& err) const;
    // Under mutex_: writes or (-k, not its turn) holds a piece of job `seq`.
    void emit(std::size_t seq, int fd, std::string text);
    // Under mutex_: job `seq` ended; writes what -k held for the jobs whose turn came.
    void end(std::size_t seq);

    const RunnerOptions& options_;
    bool streams_ = false;
    int results_dir_ = -1;
    std::mutex mutex_;
    std::map<std::size_t, Held> held_;  // -k: jobs whose turn has not come
    std::size_t next_ = 1;              // -k: the job whose output goes on live
};

}  // namespace mp::tools::pool
