#include "bin/pool_commands.hpp"

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "bin/cli/main.hpp"
#include "bin/cli/output_file.hpp"
#include "bin/pool_runner.hpp"

namespace mp::tools::pool {

namespace {

using namespace std::chrono_literals;

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
    for (const std::string& name : names)
        templates.emplace_back(std::vector<std::string>{name}, options.replace, true, options.multi, false);
    return templates;
}

}  // namespace

Runner::Runner(const RunnerOptions& options)
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

// Whether a signal or --halt asked to start no new job.
bool Runner::stop_requested() {
    std::lock_guard lock(mutex_);
    return stopping_;
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

void Runner::finish(const Job& job, const std::string& command, const std::string& tag,
                    const Attempt& result) {
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
        std::fprintf(joblog_, "%zu\t%s\t%.3f\t%.3f\t%zu\t%zu\t%d\t%d\t%s\n", job.seq, result.host.c_str(),
                     result.started, result.runtime, result.in_bytes, result.out_bytes, result.exitval,
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
    write_all(2,
              terminal ? "\r" + std::string(line) + "\033[K" + (last ? "\n" : "") : std::string(line) + "\n");
}

void Runner::signal_jobs(int signal) {
    for (const auto& [group, job] : running_) kill(-group, signal);
}

// Sends the steps of --termseq that are due through `send`, SIGKILL after the last
// wait.
void Runner::escalate(TermProgress& progress, const std::function<void(int)>& send) const {
    while (progress.step <= options_.termseq.size() && Clock::now() >= progress.at) {
        if (progress.step == options_.termseq.size()) {
            send(SIGKILL);
        } else {
            send(options_.termseq[progress.step].signal);
            progress.at += options_.termseq[progress.step].wait;
        }
        ++progress.step;
    }
}

// The supervisor: receives SIGINT/SIGTERM (blocked in every other thread) and runs
// the stop sequence (--termseq) for running jobs: each signal to each job's group
// in its turn, SIGKILL after the last wait. With --memfree it also reads the
// machine's memory and kills the youngest job when it runs short.
void Runner::supervise() {
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    std::optional<TermProgress> stop;
    for (;;) {
        const timespec tick{0, 20'000'000};
        const int received = sigtimedwait(&stop_signals, nullptr, &tick);
        // Read without the lock (evicting_ and memory_check_ are this thread's): the
        // slots need not wait for /proc.
        const bool memory_read = options_.pacing.memfree && !evicting_ && Clock::now() >= memory_check_;
        const bool short_of_memory = memory_read && pacing_.memory_short();
        std::lock_guard lock(mutex_);
        if (received > 0 && stop_signal_ == 0) {
            stop_signal_ = received;
            stopping_ = true;
            stop_at_ = Clock::now();
            changed_.notify_all();
        }
        if (stop_at_ && !stop) stop = TermProgress{.step = 0, .at = *stop_at_};
        if (stop) escalate(*stop, [this](int signal) { signal_jobs(signal); });
        if (options_.pacing.memfree) evict_youngest(memory_read, short_of_memory);
        if (all_done_) return;
    }
}

int Runner::run() {
    if (!options_.joblog.empty() && !options_.dry_run) {
        // --resume* add to the log they read.
        joblog_ =
            cli::open_output_file(options_.joblog, options_.joblog_append || options_.resume != Resume::none);
        if (std::ftell(joblog_) == 0)
            std::fputs("Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n",
                       joblog_);
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
