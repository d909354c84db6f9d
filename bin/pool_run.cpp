#include "bin/pool_commands.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include "bin/cli/exit_status.hpp"
#include "bin/cli/shell.hpp"
#include "subproc/subproc.hpp"

namespace mp::tools::pool {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// How long a job's process group gets between SIGTERM and SIGKILL.
constexpr auto kKillGrace = 1000ms;

void write_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // a closed stdout (EPIPE): the output has nowhere to go
        done += static_cast<std::size_t>(n);
    }
}

// How one attempt of a job ended.
struct Attempt {
    std::string out;
    std::string err;
    int exitval = 0;  // joblog's Exitval: the exit code; -1 after a timeout
    int signal = 0;   // joblog's Signal
    double started = 0;  // seconds since the epoch
    double runtime = 0;
    bool ok() const { return exitval == 0 && signal == 0; }
    // The shell-style status: the code, or 128 + signal.
    int status() const { return signal != 0 ? 128 + signal : exitval; }
};

double epoch_seconds() {
    timeval now{};
    gettimeofday(&now, nullptr);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_usec) / 1e6;
}

class Runner {
public:
    explicit Runner(const RunnerOptions& options) : options_(options) {}

    int run();

private:
    struct Finished {
        std::string out;
        std::string err;
    };

    void read_input();
    void work();
    Attempt attempt(const std::vector<std::string>& argv);
    void finish(std::size_t seq, const std::vector<std::string>& argv, const Attempt& result);
    void supervise();
    void signal_jobs(int signal);
    void draw_bar(bool last);

    const RunnerOptions& options_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::pair<std::size_t, std::string>> items_;
    bool input_done_ = false;
    std::size_t total_ = 0;     // items read so far
    std::size_t finished_ = 0;  // jobs finished
    std::size_t failed_ = 0;
    bool stopping_ = false;            // start no new job
    std::optional<int> halt_status_;   // --halt: the failing job's status
    int stop_signal_ = 0;              // SIGINT/SIGTERM received
    std::optional<Clock::time_point> kill_at_;  // when running jobs get SIGKILL
    std::set<pid_t> running_;          // process groups of running jobs
    bool all_done_ = false;

    std::mutex output_mutex_;
    std::map<std::size_t, Finished> held_;  // -k: finished out of order
    std::size_t next_to_print_ = 1;
    FILE* joblog_ = nullptr;
    Clock::time_point started_ = Clock::now();
    Clock::time_point last_bar_{};
};

// Reads items until EOF, or until a stop (signal, halt): stdin is polled, so a
// terminal or a pipe that stays silent cannot keep us from stopping.
void Runner::read_input() {
    const char separator = options_.null_separated ? '\0' : '\n';
    std::string pending;
    char buffer[65536];
    bool eof = false;
    while (!eof) {
        pollfd input{0, POLLIN, 0};
        const int ready = poll(&input, 1, 50);
        {
            std::lock_guard lock(mutex_);
            if (stopping_) break;
        }
        if (ready <= 0) continue;
        const ssize_t n = read(0, buffer, sizeof buffer);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) {
            eof = true;
            if (pending.empty()) break;
            pending += separator;  // a last item without its separator
        } else {
            pending.append(buffer, static_cast<std::size_t>(n));
        }
        std::size_t from = 0, end;
        while ((end = pending.find(separator, from)) != std::string::npos) {
            std::unique_lock lock(mutex_);
            // Read ahead a little only: a slow CMD need not hold the whole input in memory.
            changed_.wait(lock, [&] { return items_.size() < static_cast<std::size_t>(options_.jobs) * 4 || stopping_; });
            if (stopping_) break;
            items_.emplace_back(++total_, pending.substr(from, end - from));
            changed_.notify_all();
            from = end + 1;
        }
        pending.erase(0, from);
    }
    std::lock_guard lock(mutex_);
    input_done_ = true;
    changed_.notify_all();
}

void Runner::work() {
    for (;;) {
        std::pair<std::size_t, std::string> item;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] { return !items_.empty() || input_done_ || stopping_; });
            if (stopping_ || items_.empty()) return;
            item = std::move(items_.front());
            items_.pop_front();
            changed_.notify_all();
        }
        const std::vector<std::string> argv = expand(options_.command, item.second);
        Attempt result = attempt(argv);
        for (int retry = 0; retry < options_.retries && !result.ok(); ++retry) {
            {
                std::lock_guard lock(mutex_);
                if (stop_signal_ != 0 || halt_status_) break;
            }
            result = attempt(argv);
        }
        finish(item.first, argv, result);
    }
}

Attempt Runner::attempt(const std::vector<std::string>& argv) {
    Attempt result;
    result.started = epoch_seconds();
    const auto start = Clock::now();
    try {
        mp::subproc::Popen job(argv, {.in = mp::subproc::DEVNULL,
                                  .out = mp::subproc::PIPE,
                                  .err = mp::subproc::PIPE,
                                  .on_destroy = mp::subproc::OnDestroy::stop,
                                  .stop = {.wait = 0ms, .signal = SIGTERM, .grace = kKillGrace}});
        {
            std::lock_guard lock(mutex_);
            running_.insert(job.pid());
            // Started just as a stop began: it must not escape the kill.
            if (kill_at_) kill(-job.pid(), SIGTERM);
        }
        try {
            mp::subproc::Output output = job.communicate({}, options_.timeout);
            result.out = std::move(output.out);
            result.err = std::move(output.err);
            const int code = *job.returncode();
            if (code < 0) {
                result.signal = -code;
            } else {
                result.exitval = code;
            }
        } catch (const mp::subproc::TimeoutExpired& timeout) {
            result.out = timeout.out();
            result.err = timeout.err();
            job.stop();  // TERM to the group, grace, KILL, reap: no grandchild survives
            result.exitval = -1;
            result.signal = SIGTERM;
        }
        std::lock_guard lock(mutex_);
        running_.erase(job.pid());
    } catch (const mp::subproc::SpawnError& error) {
        result.exitval = cli::spawn_failure_status(error, 126);
        result.err = "pool: " + argv[0] + ": " + error.code().message() + "\n";
    }
    result.runtime = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

void Runner::finish(std::size_t seq, const std::vector<std::string>& argv, const Attempt& result) {
    {
        std::lock_guard lock(mutex_);
        ++finished_;
        if (!result.ok() && stop_signal_ == 0) {
            ++failed_;
            if (options_.halt != Halt::never && !halt_status_) {
                halt_status_ = result.status();
                stopping_ = true;
                if (options_.halt == Halt::now) kill_at_ = Clock::now() + kKillGrace;
                changed_.notify_all();
            }
        }
    }
    std::lock_guard lock(output_mutex_);
    if (joblog_ != nullptr) {
        std::string command;
        for (const std::string& word : argv) command += (command.empty() ? "" : " ") + cli::shell_quote(word);
        std::fprintf(joblog_, "%zu\t:\t%.3f\t%.3f\t0\t%zu\t%d\t%d\t%s\n", seq, result.started, result.runtime,
                     result.out.size(), result.exitval, result.signal, command.c_str());
        std::fflush(joblog_);
    }
    if (!options_.keep_order) {
        write_all(1, result.out);
        write_all(2, result.err);
    } else {
        held_[seq] = {result.out, result.err};
        for (auto next = held_.find(next_to_print_); next != held_.end(); next = held_.find(++next_to_print_)) {
            write_all(1, next->second.out);
            write_all(2, next->second.err);
            held_.erase(next);
        }
    }
    if (options_.bar) draw_bar(false);
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
// the stop sequence for running jobs: TERM to each job's group, KILL after a grace.
void Runner::supervise() {
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    bool termed = false, killed = false;
    for (;;) {
        const timespec tick{0, 20'000'000};
        const int received = sigtimedwait(&stop_signals, nullptr, &tick);
        std::lock_guard lock(mutex_);
        if (received > 0 && stop_signal_ == 0) {
            stop_signal_ = received;
            stopping_ = true;
            kill_at_ = Clock::now() + kKillGrace;
            changed_.notify_all();
        }
        if (kill_at_ && !termed) {
            signal_jobs(SIGTERM);
            termed = true;
        }
        if (kill_at_ && !killed && Clock::now() >= *kill_at_) {
            signal_jobs(SIGKILL);
            killed = true;
        }
        if (all_done_) return;
    }
}

int Runner::run() {
    if (!options_.joblog.empty()) {
        joblog_ = std::fopen(options_.joblog.c_str(), options_.joblog_append ? "ae" : "we");
        if (joblog_ == nullptr)
            throw std::system_error(errno, std::generic_category(), "open(\"" + options_.joblog + "\")");
        if (std::ftell(joblog_) == 0)
            std::fputs("Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n", joblog_);
    }
    std::thread supervisor([this] { supervise(); });
    std::vector<std::thread> workers;
    for (int i = 0; i < options_.jobs; ++i) workers.emplace_back([this] { work(); });
    read_input();
    for (std::thread& worker : workers) worker.join();
    {
        std::lock_guard lock(mutex_);
        all_done_ = true;
    }
    supervisor.join();
    {
        // -k after a halt: what did finish is still printed, in order.
        std::lock_guard lock(output_mutex_);
        for (auto& [seq, output] : held_) {
            write_all(1, output.out);
            write_all(2, output.err);
        }
        if (joblog_ != nullptr) std::fclose(joblog_);
    }
    if (options_.bar) draw_bar(true);
    if (stop_signal_ != 0) return 128 + stop_signal_;
    if (halt_status_) return *halt_status_;
    return static_cast<int>(std::min<std::size_t>(failed_, 101));
}

}  // namespace

std::vector<std::string> expand(const std::vector<std::string>& command, const std::string& item) {
    std::vector<std::string> argv;
    bool replaced = false;
    for (const std::string& word : command) {
        std::string expanded;
        std::size_t from = 0, at;
        while ((at = word.find("{}", from)) != std::string::npos) {
            expanded += word.substr(from, at - from) + item;
            from = at + 2;
            replaced = true;
        }
        argv.push_back(expanded + word.substr(from));
    }
    if (!replaced) argv.push_back(item);
    return argv;
}

int run_command(const RunnerOptions& options) {
    // Blocked here, before any thread starts, so that only the supervisor receives
    // them (jobs get a clean mask from subproc). SIGPIPE: a closed stdout is handled
    // by write_all.
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
    Runner runner(options);
    return runner.run();
}

}  // namespace mp::tools::pool
