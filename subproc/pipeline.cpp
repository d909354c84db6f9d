#include "subproc/pipeline.hpp"

#include <fcntl.h>
#include <signal.h>

#include <stdexcept>

#include "subproc/internal/run_options.hpp"

namespace mp::subproc {

namespace {

using internal::UniqueFd;

// What the pipeline itself connects: a PIPE becomes a pipe we own (its far end
// goes to the stage(s) as a borrowed fd), and a file is opened once for all stages.
struct Connection {
    Stream stream = Stream::inherit();
    UniqueFd ours;  // our end of a PIPE
    UniqueFd lent;  // what the stage(s) borrow; closed once they have it
};

Connection connect(const Stream& stream, bool is_input) {
    Connection c;
    switch (stream.kind()) {
        case Stream::Kind::pipe: {
            internal::PipeEnds pipe = internal::make_pipe();
            c.ours = std::move(is_input ? pipe.write : pipe.read);
            c.lent = std::move(is_input ? pipe.read : pipe.write);
            c.stream = Stream::fd(c.lent.get());
            return c;
        }
        case Stream::Kind::write_file:
        case Stream::Kind::append_file: {
            const int mode = stream.kind() == Stream::Kind::write_file ? O_TRUNC : O_APPEND;
            c.lent = internal::open_file(stream.path(), O_WRONLY | O_CREAT | mode);
            c.stream = Stream::fd(c.lent.get());
            return c;
        }
        default: c.stream = stream; return c;
    }
}

}  // namespace

int PipelineResult::returncode() const {
    for (auto code = returncodes.rbegin(); code != returncodes.rend(); ++code)
        if (*code != 0) return *code;
    return 0;
}

Pipeline::Pipeline(std::vector<std::vector<std::string>> stages, Options options)
    : on_destroy_(options.on_destroy), stop_(options.stop), wait_delay_(options.wait_delay) {
    if (stages.empty()) throw std::invalid_argument("subproc: empty pipeline");
    for (const auto& stage : stages)
        if (stage.empty()) throw std::invalid_argument("subproc: empty pipeline stage");
    if (options.err.kind() == Stream::Kind::to_stdout && stages.size() > 1)
        throw std::invalid_argument("subproc: err = STDOUT in a pipeline (each stage's stderr would join the data)");
    // A process can only join a group of its own session, so stages cannot follow a
    // first stage into a new session.
    if (options.group.kind() == Group::Kind::session)
        throw std::invalid_argument("subproc: Group::session() for a pipeline (use Group::own())");
    owns_group_ = options.group.kind() == Group::Kind::own;

    Connection first_in = connect(options.in, true);
    Connection last_out = connect(options.out, false);
    Connection shared_err = connect(options.err, false);
    const Group first_group = options.group;
    try {
        UniqueFd next_in;  // the read end of the pipe from the previous stage
        for (std::size_t i = 0; i < stages.size(); ++i) {
            const bool last = i + 1 == stages.size();
            internal::PipeEnds link;
            if (!last) link = internal::make_pipe();
            Options stage = options;
            stage.in = i == 0 ? first_in.stream : Stream::fd(next_in.get());
            stage.out = last ? last_out.stream : Stream::fd(link.write.get());
            stage.err = shared_err.stream;
            if (i > 0 && owns_group_) stage.group = Group::join(stages_.front().pid());
            else stage.group = first_group;
            stages_.emplace_back(std::move(stages[i]), std::move(stage));
            next_in = std::move(link.read);  // link.write closes here: the stage has it
        }
    } catch (...) {
        kill_all();
        throw;
    }
    channels_.adopt(std::move(first_in.ours), std::move(last_out.ours), std::move(shared_err.ours));
}

Pipeline::~Pipeline() {
    if (stages_.empty() || stages_.front().pid() < 0) return;  // moved from
    try {
        channels_.close_all();
        bool all_exited = true;
        const internal::Deadline patience =
            on_destroy_ == OnDestroy::wait ? std::nullopt : internal::deadline_after(stop_.wait);
        for (Popen& stage : stages_)
            if (!stage.returncode_ && !stage.watch().wait_until(patience)) all_exited = false;
        if (!all_exited) {
            send_signal(stop_.signal);
            const internal::Deadline grace = internal::deadline_after(stop_.grace);
            for (Popen& stage : stages_)
                if (!stage.returncode_) stage.watch().wait_until(grace);
            send_signal(SIGKILL);
            for (Popen& stage : stages_) stage.send_signal(SIGKILL);
        }
        reap_all();
    } catch (...) {
        // Nothing to report from a destructor; the stages' own destructors still reap.
    }
}

std::vector<pid_t> Pipeline::pids() const {
    std::vector<pid_t> pids;
    for (const Popen& stage : stages_) pids.push_back(stage.pid());
    return pids;
}

pid_t Pipeline::pgid() const { return owns_group_ ? stages_.front().pid() : 0; }

void Pipeline::send_signal(int signal) {
    // The first stage is reaped last (see reap_all), so while it is unreaped its pid,
    // the group id, is still ours. Once it is gone, each stage is signalled alone.
    if (owns_group_ && !stages_.front().returncode_) stages_.front().send_signal(signal, Scope::group);
    else
        for (Popen& stage : stages_) stage.send_signal(signal);
}

void Pipeline::reap_all() {
    for (auto stage = stages_.rbegin(); stage != stages_.rend(); ++stage)
        if (!stage->returncode_) stage->reap();
}

void Pipeline::kill_all() {
    if (stages_.empty()) return;
    send_signal(SIGKILL);
    for (Popen& stage : stages_) stage.send_signal(SIGKILL);  // any that left the group
    channels_.in.reset();
    channels_.input = {};
    internal::pump(channels_, internal::Until::all_closed, internal::deadline_after(wait_delay_));
    channels_.close_all();
    reap_all();
}

std::vector<std::string> Pipeline::joined_args() const {
    std::vector<std::string> joined;
    for (const Popen& stage : stages_) {
        if (!joined.empty()) joined.push_back("|");
        joined.insert(joined.end(), stage.args().begin(), stage.args().end());
    }
    return joined;
}

PipelineResult Pipeline::communicate(std::string_view input, Timeout timeout) {
    if (!input.empty()) {
        if (!channels_.in) throw std::invalid_argument("subproc: pipeline input needs in = PIPE");
        channels_.input = input;
    }
    const internal::Deadline deadline = internal::deadline_after(timeout);
    bool done = internal::pump(channels_, internal::Until::all_closed, deadline);
    // Last stage first: the first stage's pid names the group until the end.
    for (auto stage = stages_.rbegin(); done && stage != stages_.rend(); ++stage) {
        if (stage->returncode_) continue;
        if (timeout && !stage->watch().wait_until(deadline)) done = false;
        else stage->reap();
    }
    if (!done) {
        kill_all();
        throw TimeoutExpired(joined_args(), *timeout, channels_.take_out(), channels_.take_err());
    }
    PipelineResult result;
    for (const Popen& stage : stages_) {
        result.args.push_back(stage.args());
        result.returncodes.push_back(*stage.returncode());
    }
    result.out = channels_.take_out();
    result.err = channels_.take_err();
    return result;
}

PipelineResult pipeline(std::vector<std::vector<std::string>> stages, Options options) {
    internal::RunOnly run = internal::take_run_only(options);
    Pipeline job(std::move(stages), std::move(options));
    PipelineResult result = job.communicate(run.input, run.timeout);
    if (run.check) {
        for (std::size_t i = result.returncodes.size(); i-- > 0;)
            if (result.returncodes[i] != 0)
                throw CalledProcessError(result.returncodes[i], result.args[i], result.out, result.err);
    }
    return result;
}

}  // namespace mp::subproc
