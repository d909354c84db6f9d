#include "bin/pool_runner.hpp"

#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <system_error>

#include "bin/cli/exit_status.hpp"
#include "bin/cli/main.hpp"
#include "bin/cli/shell.hpp"
#include "bin/pool_remote.hpp"
#include "bin/pool_stream.hpp"

namespace mp::tools::pool {

namespace {

using namespace std::chrono_literals;

// How long a job's process group gets between SIGTERM and SIGKILL.
constexpr auto kKillGrace = 1000ms;

// --nice: run in the child before exec (only a system call: other threads run).
std::function<void()> niceness(std::optional<int> nice) {
    if (!nice) return {};
    // Failing to lower the niceness (no privilege) leaves it as it was, as nice(1) does.
    return [increment = *nice] { static_cast<void>(::nice(increment)); };
}

// What a stopped job printed that was not read yet; a member that left the group
// and still holds the pipes is not waited for long.
mp::subproc::Output rest_of_output(mp::subproc::Popen& job) {
    try {
        return job.communicate({}, kKillGrace);
    } catch (const mp::subproc::TimeoutExpired& timeout) {
        return {timeout.out(), timeout.err()};
    }
}

double epoch_seconds() {
    timeval now{};
    gettimeofday(&now, nullptr);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_usec) / 1e6;
}

// A job's command as a shell reads it back: the line itself when CMD goes through
// a shell, else its words quoted (the joblog's Command, --dry-run's output).
std::string command_line(const std::vector<std::string>& argv, bool through_shell) {
    if (through_shell) return argv.back();
    std::string line;
    for (const std::string& word : argv) line += (line.empty() ? "" : " ") + cli::shell_quote(word);
    return line;
}

// The fields of a job's records, a blank between two.
std::string joined(const std::vector<Record>& records) {
    std::string line;
    for (const Record& record : records)
        for (const std::string& field : record) line += (line.empty() ? "" : " ") + field;
    return line;
}

}  // namespace

void Runner::work(int slot) {
    try {
        while (run_next_job(slot)) {
        }
    } catch (...) {
        fail(std::current_exception());
    }
}

// Takes the next job and runs it (with its retries); false once there is none to run.
bool Runner::run_next_job(int slot) {
    Job job;
    {
        std::unique_lock lock(mutex_);
        ++idle_;
        changed_.wait(lock, [&] { return !jobs_.empty() || input_done_ || stopping_; });
        --idle_;
        if (stopping_ || jobs_.empty()) return false;
        job = std::move(jobs_.front());
        jobs_.pop_front();
        changed_.notify_all();
    }
    const bool retried = !job.logged_command.empty();
    // --shellquote without a command: the items themselves.
    const std::vector<std::string> argv =
        retried                    ? std::vector<std::string>{"/bin/sh", "-c", job.logged_command}
        : options_.command.empty() ? std::vector<std::string>{joined(job.records)}
                                   : template_.expand(job.records, job.seq, slot);
    const std::string command = command_line(argv, retried || template_.shell() || options_.command.empty());
    std::string tag;
    if (tag_)
        for (const std::string& word : tag_->expand(job.records, job.seq, slot))
            tag += (tag.empty() ? "" : " ") + word;
    if (options_.dry_run || options_.shellquote) {
        Attempt shown;
        shown.out = (options_.shellquote ? cli::shell_quote(command) : command) + "\n";
        finish(job, command, tag, shown);
        return true;
    }
    JobInput input = job.input ? std::move(*job.input)
                     : blocks_ ? blocks_->input(std::move(job.block))
                               : JobInput();
    if (!pacing_.wait_turn([this] { return stop_requested(); })) return false;
    const SshLogin* login = hosts_.empty() ? nullptr : &hosts_[static_cast<std::size_t>(slot) - 1];
    const Attempt result = login != nullptr && !login->local()
                               ? run_remote(*login, job, slot, command, tag, input)
                               : tries(argv, job.seq, tag, input);
    // Killed for --memfree: not finished, not logged, its output dropped; it runs again.
    if (result.evicted) {
        requeue(std::move(job), std::move(input));
        return true;
    }
    finish(job, command, tag, result);
    return true;
}

// --retries N: N tries in all; 0: until one succeeds (GNU parallel's rules). A try
// --memfree killed ends the tries uncounted: the job is queued again as it was.
Attempt Runner::tries(const std::vector<std::string>& argv, std::size_t seq, const std::string& tag,
                      const JobInput& input) {
    Attempt result = attempt(argv, seq, tag, input);
    for (int tried = 1; !result.ok() && !result.evicted && (options_.tries == 0 || tried < options_.tries);
         ++tried) {
        {
            std::lock_guard lock(mutex_);
            if (stop_signal_ != 0 || halt_status_) break;
        }
        result = attempt(argv, seq, tag, input);
    }
    return result;
}

std::vector<std::string> Runner::file_names(const std::vector<Template>& templates, const Job& job,
                                            int slot) const {
    std::vector<std::string> names;
    for (const Template& name : templates)
        for (std::string& word : name.expand(job.records, job.seq, slot)) names.push_back(std::move(word));
    return names;
}

// A job on another host: its files sent, the command run through ssh (each try),
// the --return files fetched, the host cleaned up. A file that cannot be sent or
// fetched fails the job with 255, as ssh's own failures do.
Attempt Runner::run_remote(const SshLogin& login, const Job& job, int slot, const std::string& command,
                           const std::string& tag, const JobInput& input) {
    const RemoteJob remote(options_.remote, login, job.seq, options_.nice);
    const std::vector<std::string> sent = file_names(transfer_, job, slot);
    const std::vector<std::string> returned = file_names(returns_, job, slot);
    std::string errors = remote.send(sent);
    Attempt result;
    if (errors.empty()) {
        result = tries(remote.command(command), job.seq, tag, input);
        if (result.exitval == 255)
            errors = "pool: " + login.host + ": " +
                     (login.ssh.empty() ? options_.remote.ssh : login.ssh).front() +
                     " exited with 255: the host cannot be reached (or the command exited with 255)\n";
        errors += remote.fetch(returned);
    }
    result.host = login.host;
    std::vector<std::string> placed = sent;
    placed.insert(placed.end(), returned.begin(), returned.end());
    errors += remote.clean(placed);
    if (!errors.empty()) {
        if (result.ok()) result.exitval = 255;
        // Streamed output has gone out already: the reason follows it directly.
        if (output_.streams()) {
            write_all(2, errors);
        } else {
            result.err += errors;
        }
    }
    return result;
}

Attempt Runner::attempt(const std::vector<std::string>& argv, std::size_t seq, const std::string& tag,
                        const JobInput& input) {
    Attempt result;
    result.in_bytes = input.size();
    result.started = epoch_seconds();
    const auto start = Clock::now();
    std::optional<mp::subproc::Popen> job;
    try {
        job.emplace(argv,
                    mp::subproc::Options{.in = blocks_ ? mp::subproc::PIPE : mp::subproc::DEVNULL,
                                         .out = mp::subproc::PIPE,
                                         .err = mp::subproc::PIPE,
                                         .preexec_fn = niceness(options_.nice),
                                         .on_destroy = mp::subproc::OnDestroy::stop,
                                         .stop = {.wait = 0ms, .signal = SIGTERM, .grace = kKillGrace}});
    } catch (const mp::subproc::SpawnError& error) {
        result.exitval = cli::spawn_failure_status(error, 126);
        result.err = "pool: " + argv[0] + ": " + error.code().message() + "\n";
        return result;
    } catch (const std::system_error& error) {
        // No pipe or process for the job (EMFILE, ENFILE, EAGAIN: the machine's
        // limits): the job failed to start, as a command that cannot be run.
        result.exitval = 126;
        result.err = "pool: " + argv[0] + ": cannot start: " + cli::error_text(error) + "\n";
        return result;
    }
    // Declared after `job`, so destroyed first: whatever ends this attempt (an
    // exception too), the supervisor stops signalling the group before ~Popen reaps
    // it and its number can be reused.
    const SignalledGroup signalled(*this, job->pid(), seq);
    if (collect(*job, seq, tag, input, result)) {
        const int code = *job->returncode();
        if (code < 0) {
            result.signal = -code;
        } else {
            result.exitval = code;
        }
        // A job that succeeded all the same (it ended as it was chosen) stays done, as
        // in GNU parallel, whose kill does not change an exit status already there.
        result.evicted = !result.ok() && signalled.evicted();
    } else {
        stop_group(*job);
        // All it printed, also while it was being stopped (a trap's last words).
        if (!output_.streams()) {
            mp::subproc::Output rest = rest_of_output(*job);
            result.out += rest.out;
            result.err += rest.err;
            result.out_bytes = result.out.size();
        }
        result.exitval = -1;
        result.signal = SIGTERM;
    }
    result.runtime = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

// The job's output into `result` (or streamed out); false when --timeout ended it.
bool Runner::collect(mp::subproc::Popen& job, std::size_t seq, const std::string& tag, const JobInput& input,
                     Attempt& result) {
    const bool streams = output_.streams();
    const auto emit = [&](int fd, std::string_view text) {
        if (fd == 1) result.out_bytes += text.size();
        if (streams) {
            output_.stream(seq, fd, text, tag);
        } else {
            (fd == 1 ? result.out : result.err).append(text);
        }
    };
    return stream_job(job, input, options_.timeout, streams && options_.grouping == Grouping::line_buffer,
                      emit);
}

Runner::SignalledGroup::SignalledGroup(Runner& runner, pid_t group, std::size_t seq)
    : runner_(runner), group_(group) {
    std::lock_guard lock(runner_.mutex_);
    runner_.running_.emplace(group_, Running{.seq = seq});
    // Started just as a stop began: it must not escape the stop sequence.
    if (runner_.stop_at_) kill(-group_, runner_.options_.termseq.front().signal);
}

bool Runner::SignalledGroup::evicted() const {
    std::lock_guard lock(runner_.mutex_);
    return runner_.running_.at(group_).evicted;
}

Runner::SignalledGroup::~SignalledGroup() {
    std::lock_guard lock(runner_.mutex_);
    runner_.running_.erase(group_);
}

// --termseq for a job that timed out: each signal to its group, then the wait for
// the job to end; once it has ended (or the sequence is over) whatever is left of
// the group is killed, so that no grandchild survives, and the job reaped.
void Runner::stop_group(mp::subproc::Popen& job) {
    const pid_t group = job.pid();
    for (const TermStep& step : options_.termseq) {
        if (kill(-group, step.signal) != 0) break;  // the group is gone
        try {
            job.wait(step.wait);
            break;
        } catch (const mp::subproc::TimeoutExpired&) {
        }
    }
    kill(-group, SIGKILL);
    job.wait();
}

}  // namespace mp::tools::pool
