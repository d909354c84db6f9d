// Pipeline: stages connected stdout to stdin, without a shell, as one job.
//
//   PipelineResult r = pipeline({{"sort"}, {"uniq", "-c"}, {"sort", "-rn"}},
//                               {.input = text, .capture_output = true, .timeout = 10s});
//   r.out; r.returncodes;   // every stage's status
//   r.returncode();         // pipefail: the rightmost non-zero status
//
// Options apply to every stage, except: `in` is the first stage's stdin, `out` the
// last stage's stdout, `err` is shared by all stages (PIPE collects all of them in
// one buffer). With Group::own (the default) the first stage leads a new process
// group and the others join it, so one signal reaches the whole pipeline;
// Group::inherit keeps every stage in ours; Group::session is refused.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "subproc/internal/channels.hpp"
#include "subproc/options.hpp"
#include "subproc/popen.hpp"
#include "subproc/timeout.hpp"

namespace mp::subproc {

struct PipelineResult {
    std::vector<std::vector<std::string>> args;
    std::vector<int> returncodes;  // per stage, as Popen::returncode()
    std::string out;               // the last stage's stdout, when captured
    std::string err;               // every stage's stderr, when captured

    // pipefail: the rightmost non-zero return code, 0 when every stage succeeded.
    int returncode() const;
    // The last stage's return code (a shell's $? without pipefail).
    int last_returncode() const { return returncodes.back(); }
};

class Pipeline {
public:
    // Starts every stage. Throws SpawnError when a stage cannot start (the stages
    // started before it are killed and reaped first), std::invalid_argument for an
    // empty pipeline or stage, or for run-only options.
    explicit Pipeline(std::vector<std::vector<std::string>> stages, Options options = {});
    // Closes our pipe ends and waits for the stages still running (as Popen's
    // destructor; OnDestroy::stop: Options::stop, sent to the group), then reaps them.
    ~Pipeline();
    Pipeline(Pipeline&&) = default;
    Pipeline& operator=(Pipeline&&) = delete;

    // Feeds `input` to the first stage (in must be PIPE), collects what is piped, and
    // waits for every stage. Blocks until then or until `timeout`; on timeout every
    // stage (the whole group) is killed with SIGKILL and reaped, the pipes drained for
    // at most wait_delay, and TimeoutExpired carries the output. Call once.
    // `input` is written from the caller's buffer, not copied.
    PipelineResult communicate(std::string_view input = {}, Timeout timeout = {});

    std::vector<pid_t> pids() const;
    // The pipeline's process group, 0 with Group::inherit.
    pid_t pgid() const;
    // Sends `signal` to the group, or with Group::inherit to each stage.
    void send_signal(int signal);

private:
    // "a -x | b | c" as one args vector, for messages.
    std::vector<std::string> joined_args() const;
    // Sends SIGKILL to everything, drains for wait_delay, reaps all stages.
    void kill_all();
    void reap_all();

    std::vector<Popen> stages_;
    internal::Channels channels_;
    bool owns_group_ = true;
    OnDestroy on_destroy_ = OnDestroy::wait;
    StopSequence stop_;
    std::chrono::milliseconds wait_delay_{0};
};

// Pipeline(stages, options).communicate(options.input, options.timeout), with
// capture_output capturing the last stdout and all stderr; with options.check a
// failing stage (pipefail: the rightmost) throws CalledProcessError naming it.
PipelineResult pipeline(std::vector<std::vector<std::string>> stages, Options options = {});

}  // namespace mp::subproc
