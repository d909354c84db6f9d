#include "bin/pool_commands.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include "bin/cli/exit_status.hpp"
#include "bin/cli/main.hpp"
#include "bin/cli/output_file.hpp"
#include "bin/cli/shell.hpp"
#include "bin/pool_history.hpp"
#include "bin/pool_input.hpp"
#include "bin/pool_inputs.hpp"
#include "bin/pool_output.hpp"
#include "bin/pool_pipe.hpp"
#include "bin/pool_replace.hpp"
#include "bin/pool_stream.hpp"
#include "subproc/subproc.hpp"

namespace mp::tools::pool {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// How long a job's process group gets between SIGTERM and SIGKILL.
constexpr auto kKillGrace = 1000ms;

// -s's default: Linux's limit for one argument (a shell command line is one), less
// a margin; GNU parallel's own default is close to it.
constexpr std::size_t kDefaultMaxChars = 128 * 1024 - 2048;

// How one attempt of a job ended.
struct Attempt {
    std::string out;  // collected (grouped output)
    std::string err;
    std::size_t in_bytes = 0;   // joblog's Send: --pipe's block
    std::size_t out_bytes = 0;  // joblog's Receive
    int exitval = 0;  // joblog's Exitval: the exit code; -1 after a timeout
    int signal = 0;   // joblog's Signal
    double started = 0;  // seconds since the epoch
    double runtime = 0;
    std::string host = kLocalHost;  // joblog's Host: the -S host it ran on
    bool ok() const { return exitval == 0 && signal == 0; }
    // The shell-style status: the code, or 128 + signal.
    int status() const { return signal != 0 ? 128 + signal : exitval; }
};

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

// The arguments of one job, or (--pipe) its stdin, or (--retry-failed) the command
// line the joblog has for it.
struct Job {
    std::size_t seq = 0;
    std::vector<Record> records;
    Block block{};
    std::string logged_command{};
};

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

std::optional<JobHistory> history_of(const RunnerOptions& options) {
    if (options.resume == Resume::none) return std::nullopt;
    return JobHistory::read(options.joblog);
}

// --tag's and --tagstring's prefix as a template: a replacement string, never a shell,
// and nothing appended.
std::optional<Template> tag_template(const RunnerOptions& options) {
    if (!options.tag) return std::nullopt;
    return Template({*options.tag}, options.replace, true, options.multi, false);
}

// The host of each job slot (-S, --sshloginfile: every login file read here, before
// anything runs); none without them.
std::vector<SshLogin> hosts_of(const RunnerOptions& options) {
    std::vector<SshLogin> logins = options.remote.logins;
    for (const std::string& file : options.remote.login_files)
        for (SshLogin& login : read_sshloginfile(file)) logins.push_back(std::move(login));
    if (options.remote.any() && logins.empty())
        throw cli::UsageError("--sshloginfile: no login in '" + options.remote.login_files.front() + "'");
    return slot_hosts(logins, options.jobs);
}

// --transferfile's and --return's names: templates as --tagstring's, a name a word.
std::vector<Template> file_templates(const std::vector<std::string>& names, const RunnerOptions& options) {
    std::vector<Template> templates;
    for (const std::string& name : names) templates.emplace_back(std::vector<std::string>{name}, options.replace, true,
                                                                 options.multi, false);
    return templates;
}

class Runner {
public:
    // Opens the input (files, --colsep, --pipe-part's file) and --results' directory:
    // what can fail before anything runs.
    explicit Runner(const RunnerOptions& options)
        : options_(options),
          template_(options.command, options.replace, options.quote, options.multi),
          tag_(tag_template(options)),
          output_(options),
          history_(history_of(options)),
          pacing_(options.pacing),
          hosts_(hosts_of(options)),
          slots_(hosts_.empty() ? options.jobs : static_cast<int>(hosts_.size())),
          transfer_(file_templates(options.remote.transfer, options)),
          returns_(file_templates(options.remote.returns, options)) {
        if (options.resume == Resume::retry_failed) return;  // the jobs come from the joblog
        if (options.pipe == PipeMode::none) {
            inputs_.emplace(options);
        } else {
            blocks_.emplace(options);
        }
    }

    int run();

private:
    void read_input();
    void make_jobs();
    void fail(std::exception_ptr error);
    void push_job(Job job);
    bool skipped(std::size_t seq) const;
    bool stop_requested();
    void work(int slot);
    bool run_next_job(int slot);
    Attempt attempt(const std::vector<std::string>& argv, std::size_t seq, const std::string& tag,
                    const JobInput& input);
    bool collect(mp::subproc::Popen& job, std::size_t seq, const std::string& tag, const JobInput& input,
                 Attempt& result);
    Attempt tries(const std::vector<std::string>& argv, std::size_t seq, const std::string& tag,
                  const JobInput& input);
    Attempt run_remote(const SshLogin& login, const Job& job, int slot, const std::string& command,
                       const std::string& tag, const JobInput& input);
    std::vector<std::string> file_names(const std::vector<Template>& templates, const Job& job, int slot) const;
    void stop_group(mp::subproc::Popen& job);
    void finish(const Job& job, const std::string& command, const std::string& tag, const Attempt& result);
    void supervise();
    void signal_jobs(int signal);
    void draw_bar(bool last);

    // A running job's process group, in running_ (what the supervisor signals on a
    // stop) from construction to destruction.
    class SignalledGroup {
    public:
        SignalledGroup(Runner& runner, pid_t group);
        ~SignalledGroup();
        SignalledGroup(const SignalledGroup&) = delete;
        SignalledGroup& operator=(const SignalledGroup&) = delete;

    private:
        Runner& runner_;
        pid_t group_;
    };

    const RunnerOptions& options_;
    const Template template_;
    const std::optional<Template> tag_;
    std::optional<Inputs> inputs_;  // the arguments, or
    std::optional<Blocks> blocks_;  // --pipe's blocks
    Output output_;
    const std::optional<JobHistory> history_;  // --resume*: the joblog as it was
    Pacing pacing_;
    const std::vector<SshLogin> hosts_;  // -S: each slot's login (slot N: hosts_[N-1])
    const int slots_;                       // the job slots: -j's, or the logins'
    const std::vector<Template> transfer_;  // --transferfile's names
    const std::vector<Template> returns_;   // --return's names
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Job> jobs_;
    std::vector<std::thread> workers_;  // the job slots started so far (push_job starts them)
    std::size_t idle_ = 0;              // slots waiting for a job
    bool input_done_ = false;
    std::size_t total_ = 0;     // jobs made so far
    std::size_t finished_ = 0;  // jobs finished
    std::size_t failed_ = 0;
    bool stopping_ = false;            // start no new job
    std::optional<int> halt_status_;   // --halt: the failing job's status
    int stop_signal_ = 0;              // SIGINT/SIGTERM received
    std::optional<Clock::time_point> stop_at_;  // when the stop of running jobs (--termseq) began
    std::set<pid_t> running_;          // process groups of running jobs
    std::exception_ptr error_;         // what ended the run early: the input, a job's I/O
    bool all_done_ = false;

    std::mutex log_mutex_;  // the joblog's lines and the bar's
    FILE* joblog_ = nullptr;
    Clock::time_point started_ = Clock::now();
    Clock::time_point last_bar_{};
};

// Whether a signal or --halt asked to start no new job.
bool Runner::stop_requested() {
    std::lock_guard lock(mutex_);
    return stopping_;
}

// --resume skips every job the joblog has, --resume-failed those it has as succeeded.
bool Runner::skipped(std::size_t seq) const {
    if (options_.resume == Resume::resume) return history_->ran(seq);
    if (options_.resume == Resume::resume_failed) return history_->succeeded(seq);
    return false;
}

// Queues the job (seq: the next number unless it has one), waiting while enough are
// queued already.
void Runner::push_job(Job job) {
    std::unique_lock lock(mutex_);
    if (job.seq == 0) job.seq = total_ + 1;
    total_ = std::max(total_, job.seq);
    if (skipped(job.seq)) return;
    // Read ahead a little only: a slow CMD need not hold the whole input in memory.
    // --pipe's blocks are read ahead one for each slot: they may be large.
    const std::size_t ahead = static_cast<std::size_t>(slots_) * (blocks_ ? 1 : 4);
    changed_.wait(lock, [&] { return jobs_.size() < ahead || stopping_; });
    if (stopping_) return;
    jobs_.push_back(std::move(job));
    changed_.notify_all();
    // A slot starts when a job waits with every started slot busy: -j 100 for three
    // jobs starts three, and {%} counts from 1 as in GNU parallel.
    if (jobs_.size() > idle_ && workers_.size() < static_cast<std::size_t>(slots_)) {
        const int slot = static_cast<int>(workers_.size()) + 1;
        workers_.emplace_back([this, slot] { work(slot); });
    }
}

// Groups the records into jobs: -n/-N records each; with -m/-X/--xargs as many as
// fit in -s characters, and (-m, -X) the last ones spread over the job slots.
void Runner::make_jobs() {
    const auto stop = [this] { return stop_requested(); };
    if (options_.resume == Resume::retry_failed) {
        for (const auto& [seq, logged] : history_->jobs())
            if (!logged.ok) push_job({.seq = seq, .records = {}, .block = {}, .logged_command = logged.command});
        return;
    }
    if (blocks_) {
        while (auto block = blocks_->next(stop)) {
            push_job({.records = {}, .block = std::move(*block)});
            if (stop()) return;
        }
        return;
    }
    if (options_.multi == Multi::none) {
        const int per_job = options_.max_args.value_or(1);
        for (;;) {
            std::vector<Record> records;
            // -N 0 takes one record and gives the job none of it.
            int taken = 0;
            for (; taken < std::max(per_job, 1); ++taken) {
                auto record = inputs_->next(stop);
                if (!record) break;
                if (per_job > 0) records.push_back(std::move(*record));
            }
            if (taken == 0) return;
            push_job({.records = std::move(records)});
            if (stop()) return;
        }
    }
    const std::size_t max_chars = options_.max_chars.value_or(kDefaultMaxChars);
    const std::size_t cap = options_.max_args ? static_cast<std::size_t>(std::max(*options_.max_args, 1)) : SIZE_MAX;
    const std::size_t base = template_.length({});
    std::deque<Record> pending;
    std::deque<std::size_t> costs;  // what each pending record adds to the line (a little more)
    bool eof = false;
    std::optional<std::size_t> share;
    while (!eof || !pending.empty()) {
        std::size_t length = base;
        for (std::size_t cost : costs) length += cost;
        while (!eof && pending.size() < cap && length <= max_chars) {
            auto record = inputs_->next(stop);
            if (!record) {
                eof = true;
                break;
            }
            const std::size_t alone = template_.length({*record});
            if (alone > max_chars) {
                std::string shown;
                for (const std::string& field : *record) shown += (shown.empty() ? "" : " ") + field;
                throw cli::UsageError("command line too long (" + std::to_string(alone - 1) + " >= " +
                                      std::to_string(max_chars) + ") at input: " + shown);
            }
            costs.push_back(alone - base + 1);
            length += costs.back();
            pending.push_back(std::move(*record));
        }
        if (stop()) return;
        // How many records this job takes: what fits, or at the end a share per slot.
        std::size_t take = 0;
        for (std::size_t fit = base; take < pending.size() && take < cap && fit + costs[take] <= max_chars; ++take)
            fit += costs[take];
        take = std::max<std::size_t>(take, 1);
        // Once the input has ended, what is left is shared among the slots (one
        // share computed then, as GNU parallel does: 5 left with -j2 make 3 and 2).
        if (eof && !share && options_.multi != Multi::xargs) {
            const std::size_t slots = static_cast<std::size_t>(slots_);
            share = (pending.size() + slots - 1) / slots;
        }
        if (share) take = std::min(take, *share);
        std::vector<Record> records;
        for (std::size_t i = 0; i < take && !pending.empty(); ++i) {
            records.push_back(std::move(pending.front()));
            pending.pop_front();
            costs.pop_front();
        }
        push_job({.records = std::move(records)});
    }
}

// Makes the jobs until the input ends, or until a stop (signal, halt).
void Runner::read_input() {
    try {
        make_jobs();
    } catch (...) {
        fail(std::current_exception());
    }
    std::lock_guard lock(mutex_);
    input_done_ = true;
    changed_.notify_all();
}

// An error the run cannot go on after (unreadable input, a block that cannot be read,
// output that cannot be written): no new job starts, running ones end as they would,
// and run() reports the first such error.
void Runner::fail(std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = std::move(error);
    stopping_ = true;
    changed_.notify_all();
}

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
    const std::vector<std::string> argv = retried ? std::vector<std::string>{"/bin/sh", "-c", job.logged_command}
                                          : options_.command.empty() ? std::vector<std::string>{joined(job.records)}
                                                                     : template_.expand(job.records, job.seq, slot);
    const std::string command = command_line(argv, retried || template_.shell() || options_.command.empty());
    std::string tag;
    if (tag_)
        for (const std::string& word : tag_->expand(job.records, job.seq, slot)) tag += (tag.empty() ? "" : " ") + word;
    if (options_.dry_run || options_.shellquote) {
        Attempt shown;
        shown.out = (options_.shellquote ? cli::shell_quote(command) : command) + "\n";
        finish(job, command, tag, shown);
        return true;
    }
    const JobInput input = blocks_ ? blocks_->input(std::move(job.block)) : JobInput();
    if (!pacing_.wait_turn([this] { return stop_requested(); })) return false;
    const SshLogin* login = hosts_.empty() ? nullptr : &hosts_[static_cast<std::size_t>(slot) - 1];
    const Attempt result = login != nullptr && !login->local() ? run_remote(*login, job, slot, command, tag, input)
                                                               : tries(argv, job.seq, tag, input);
    finish(job, command, tag, result);
    return true;
}

// --retries N: N tries in all; 0: until one succeeds (GNU parallel's rules).
Attempt Runner::tries(const std::vector<std::string>& argv, std::size_t seq, const std::string& tag,
                      const JobInput& input) {
    Attempt result = attempt(argv, seq, tag, input);
    for (int tried = 1; !result.ok() && (options_.tries == 0 || tried < options_.tries); ++tried) {
        {
            std::lock_guard lock(mutex_);
            if (stop_signal_ != 0 || halt_status_) break;
        }
        result = attempt(argv, seq, tag, input);
    }
    return result;
}

std::vector<std::string> Runner::file_names(const std::vector<Template>& templates, const Job& job, int slot) const {
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
            errors = "pool: " + login.host + ": " + (login.ssh.empty() ? options_.remote.ssh : login.ssh).front() +
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
        job.emplace(argv, mp::subproc::Options{.in = blocks_ ? mp::subproc::PIPE : mp::subproc::DEVNULL,
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
    const SignalledGroup signalled(*this, job->pid());
    if (collect(*job, seq, tag, input, result)) {
        const int code = *job->returncode();
        if (code < 0) {
            result.signal = -code;
        } else {
            result.exitval = code;
        }
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
    return stream_job(job, input, options_.timeout, streams && options_.grouping == Grouping::line_buffer, emit);
}

Runner::SignalledGroup::SignalledGroup(Runner& runner, pid_t group) : runner_(runner), group_(group) {
    std::lock_guard lock(runner_.mutex_);
    runner_.running_.insert(group_);
    // Started just as a stop began: it must not escape the stop sequence.
    if (runner_.stop_at_) kill(-group_, runner_.options_.termseq.front().signal);
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

void Runner::finish(const Job& job, const std::string& command, const std::string& tag, const Attempt& result) {
    {
        std::lock_guard lock(mutex_);
        ++finished_;
        if (!result.ok() && stop_signal_ == 0) {
            ++failed_;
            if (options_.halt != Halt::never && !halt_status_) {
                halt_status_ = result.status();
                stopping_ = true;
                if (options_.halt == Halt::now) stop_at_ = Clock::now();
                changed_.notify_all();
            }
        }
    }
    if (joblog_ != nullptr) {  // none with --dry-run
        std::lock_guard lock(log_mutex_);
        std::fprintf(joblog_, "%zu\t%s\t%.3f\t%.3f\t%zu\t%zu\t%d\t%d\t%s\n", job.seq, result.host.c_str(), result.started,
                     result.runtime, result.in_bytes, result.out_bytes, result.exitval,
                     result.signal, command.c_str());
        std::fflush(joblog_);
    }
    output_.finish(job.seq, job.records, tag, result.out, result.err);
    if (options_.bar) {
        std::lock_guard lock(log_mutex_);
        draw_bar(false);
    }
}

void Runner::draw_bar(bool last) {
    const auto now = Clock::now();
    const bool terminal = isatty(2) != 0;
    if (!last && !terminal && now - last_bar_ < 1s) return;
    last_bar_ = now;
    std::size_t done, total;
    bool known;
    {
        std::lock_guard lock(mutex_);
        done = finished_;
        total = total_;
        known = input_done_;
    }
    const double elapsed = std::chrono::duration<double>(now - started_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
    char eta[32] = "?";
    if (known && rate > 0) std::snprintf(eta, sizeof eta, "%.0fs", static_cast<double>(total - done) / rate);
    char line[160];
    std::snprintf(line, sizeof line, "pool: %zu/%s done, %.1f jobs/s, ETA %s", done,
                  known ? std::to_string(total).c_str() : "?", rate, eta);
    write_all(2, terminal ? "\r" + std::string(line) + "\033[K" + (last ? "\n" : "") : std::string(line) + "\n");
}

void Runner::signal_jobs(int signal) {
    for (pid_t group : running_) kill(-group, signal);
}

// The supervisor: receives SIGINT/SIGTERM (blocked in every other thread) and runs
// the stop sequence (--termseq) for running jobs: each signal to each job's group
// in its turn, SIGKILL after the last wait.
void Runner::supervise() {
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    std::size_t step = 0;  // the next step of --termseq; its size: the final SIGKILL
    Clock::time_point step_at{};
    for (;;) {
        const timespec tick{0, 20'000'000};
        const int received = sigtimedwait(&stop_signals, nullptr, &tick);
        std::lock_guard lock(mutex_);
        if (received > 0 && stop_signal_ == 0) {
            stop_signal_ = received;
            stopping_ = true;
            stop_at_ = Clock::now();
            changed_.notify_all();
        }
        if (stop_at_ && step == 0) step_at = *stop_at_;
        while (stop_at_ && step <= options_.termseq.size() && Clock::now() >= step_at) {
            if (step == options_.termseq.size()) {
                signal_jobs(SIGKILL);
            } else {
                signal_jobs(options_.termseq[step].signal);
                step_at += options_.termseq[step].wait;
            }
            ++step;
        }
        if (all_done_) return;
    }
}

int Runner::run() {
    if (!options_.joblog.empty() && !options_.dry_run) {
        // --resume* add to the log they read.
        joblog_ = cli::open_output_file(options_.joblog, options_.joblog_append || options_.resume != Resume::none);
        if (std::ftell(joblog_) == 0)
            std::fputs("Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n", joblog_);
    }
    std::thread supervisor([this] { supervise(); });
    read_input();
    // No job is queued after the input ends: workers_ is complete.
    for (std::thread& worker : workers_) worker.join();
    {
        std::lock_guard lock(mutex_);
        all_done_ = true;
    }
    supervisor.join();
    // -k after a halt: what did finish is still printed, in order.
    output_.flush();
    if (joblog_ != nullptr) std::fclose(joblog_);
    if (options_.bar) draw_bar(true);
    if (error_) std::rethrow_exception(error_);
    if (stop_signal_ != 0) return 128 + stop_signal_;
    if (halt_status_) return *halt_status_;
    return static_cast<int>(std::min<std::size_t>(failed_, 101));
}

}  // namespace

int run_command(const RunnerOptions& options) {
    // Every file opened and --colsep compiled before anything runs; a file of
    // several sources is read whole here, where SIGINT still simply ends the tool.
    Runner runner(options);
    // Blocked here, before any thread starts, so that only the supervisor receives
    // them (jobs get a clean mask from subproc). SIGPIPE: a closed stdout is handled
    // by write_all.
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
    return runner.run();
}

}  // namespace mp::tools::pool
