// The subcommands of bin/pool: the job runner (pool_run.cpp: CMD once per input
// item, at most `jobs` at a time, GNU parallel style; its argument sources in
// pool_inputs.cpp, its replacement strings in pool_replace.cpp) and the tour
// (pool_tour.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bin/pool_pacing.hpp"
#include "bin/pool_remote.hpp"
#include "bin/pool_termseq.hpp"
#include "subproc/timeout.hpp"

namespace mp::tools::pool {

inline constexpr const char* kProgram = "pool";

enum class Halt { never, soon, now };

// One input source: `::: ARGS` (values given), `:::: FILE` / `-a FILE` (one value per
// item of FILE, "-" is stdin). `linked` (`:::+`, `::::+`): paired element by element
// with the previous source instead of combined with it.
struct InputSource {
    bool from_file = false;
    std::vector<std::string> values{};  // the values, or the file's name
    bool linked = false;
};

// How the arguments of one job are put on its command line when there are several.
enum class Multi {
    none,   // one argument per job (or -n/-N N)
    m,      // -m: as many as fit, {} takes them all; split across the job slots
    x,      // -X: as -m, but the word around {} is repeated for each argument
    xargs,  // --xargs: as -m, without splitting across the job slots
};

// How the jobs' output reaches ours.
enum class Grouping {
    group,        // each job's stdout and stderr written whole when it ends
    line_buffer,  // --line-buffer: whole lines as they come
    ungroup,      // -u: any bytes as they come (half lines of jobs may mix)
};

// --pipe / --pipe-part: the jobs' stdin instead of arguments.
enum class PipeMode {
    none,
    pipe,  // --pipe: stdin cut into blocks
    part,  // --pipe-part: the byte ranges of a seekable file (-a FILE)
};

// --resume, --resume-failed, --retry-failed: which jobs of the joblog run again.
enum class Resume {
    none,
    resume,         // skip every job the joblog has
    resume_failed,  // skip the jobs the joblog has as succeeded
    retry_failed,   // run only the joblog's failed jobs, with their logged commands
};

struct RunnerOptions {
    int jobs = 1;
    bool keep_order = false;       // -k: output in input order
    std::vector<InputSource> sources{};  // none: stdin
    std::string delimiter = "\n";  // -d / -0: what ends an item read from stdin or a file
    std::optional<std::string> eof{};  // -E: this item ends the input
    std::string replace = "{}";    // -I: the name of {}
    std::optional<std::string> colsep{};  // --colsep: a regex splitting each value into columns
    std::optional<int> max_args{};  // -n/-N: records per job (0: none given, the job still runs);
                                    // unset: 1, or as many as fit with -m/-X/--xargs
    Multi multi = Multi::none;
    std::optional<std::size_t> max_chars{};  // -s: the longest command line
    bool quote = false;            // -q: never a shell, even for a one-word command
    mp::subproc::Timeout timeout{};  // per job attempt; none by default
    int tries = 1;                 // --retries: tries in total for a failing job; 0: until it succeeds
    Halt halt = Halt::never;
    std::string joblog{};          // empty: none
    bool joblog_append = false;    // --joblog +FILE
    bool bar = false;
    Grouping grouping = Grouping::group;
    std::optional<std::string> tag{};  // --tag ("{}") / --tagstring: each output line's prefix, a TAB after it
    std::string results{};         // --results DIR: outputs saved in DIR/1/ARG1/2/ARG2.../{stdout,stderr,seq}
    bool files = false;            // --files: print the name of the file holding each job's stdout
    PipeMode pipe = PipeMode::none;
    // --block: a block's size in bytes (--pipe's default 1M), or, below zero and
    // with --pipe-part only, -N: N blocks for each job slot (--pipe-part's default
    // -10: GNU parallel's rule, whatever the file's size).
    std::optional<std::int64_t> block;
    std::string recend = "\n";     // --recend: what ends a record
    std::string recstart{};        // --recstart: what starts one
    PacingOptions pacing{};        // --delay, --load, --memfree
    bool dry_run = false;          // --dry-run: print each job's command, run none
    bool shellquote = false;       // --shellquote: print each input item shell-quoted, run none
    std::optional<int> nice{};     // --nice: the jobs' niceness, added to ours
    TermSeq termseq = default_termseq();  // --termseq: how a job is stopped
    RemoteOptions remote{};        // -S, --sshloginfile and their options
    Resume resume = Resume::none;  // needs --joblog
    std::vector<std::string> command{};  // CMD and its arguments, with replacement strings
};

// Reads the arguments from the input sources (stdin when none) and runs the jobs. Returns the exit status: 0 all jobs
// succeeded, 1-100 the number that failed, 101 more than 100, the failing job's own
// status after --halt, 130/143 after SIGINT/SIGTERM (every job's process group
// killed first). Throws std::system_error when the joblog or an input file cannot be
// opened or an --sshloginfile read, cli::UsageError for a bad --colsep regex, a
// --pipe-part file that is not a regular file or an --sshloginfile without a login;
// std::system_error when the --results directory cannot be made or is a symlink
// (nothing has run then).
int run_command(const RunnerOptions& options);

// Replays Python's multiprocessing examples with mp::pool; returns the exit code.
int tour_command();

}  // namespace mp::tools::pool
