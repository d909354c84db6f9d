// bin/pool's runner, in three files: pool_run.cpp (the run as a whole: its start,
// the stop sequence on SIGINT/SIGTERM and --halt, what each finished job reports),
// pool_run_input.cpp (the jobs made from the input, read ahead a little) and
// pool_run_job.cpp (one job on a slot: its command, its tries, its process, here or
// on a -S host) and pool_run_evict.cpp (--memfree: the youngest job killed and
// queued again when memory runs short).
//
// Threads: the caller's reads the input and makes the jobs; each job slot is a
// thread, started as jobs wait (push_job); a supervisor thread receives SIGINT and
// SIGTERM (blocked everywhere else), signals the running jobs' process groups and
// watches memory for --memfree.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bin/pool_commands.hpp"
#include "bin/pool_history.hpp"
#include "bin/pool_input.hpp"
#include "bin/pool_inputs.hpp"
#include "bin/pool_output.hpp"
#include "bin/pool_pipe.hpp"
#include "bin/pool_replace.hpp"
#include "subproc/subproc.hpp"

namespace mp::tools::pool {

using Clock = std::chrono::steady_clock;

// How one attempt of a job ended.
struct Attempt {
    std::string out;  // collected (grouped output)
    std::string err;
    std::size_t in_bytes = 0;   // joblog's Send: --pipe's block
    std::size_t out_bytes = 0;  // joblog's Receive
    int exitval = 0;            // joblog's Exitval: the exit code; -1 after a timeout
    int signal = 0;             // joblog's Signal
    double started = 0;         // seconds since the epoch
    double runtime = 0;
    std::string host = kLocalHost;  // joblog's Host: the -S host it ran on
    bool evicted = false;           // --memfree killed it: it runs again, this attempt uncounted
    bool ok() const { return exitval == 0 && signal == 0; }
    // The shell-style status: the code, or 128 + signal.
    int status() const { return signal != 0 ? 128 + signal : exitval; }
};

// The arguments of one job, or (--pipe) its stdin, or (--retry-failed) the command
// line the joblog has for it.
struct Job {
    std::size_t seq = 0;
    std::vector<Record> records;
    Block block{};
    std::string logged_command{};
    std::optional<JobInput> input{};  // a job queued again (--memfree): the input made from its block
};

// Where a run of --termseq is: the next step and when it is due.
struct TermProgress {
    std::size_t step = 0;  // termseq's size: the final SIGKILL
    Clock::time_point at{};
};

class Runner {
public:
    // Opens the input (files, --colsep, --pipe-part's file), --results' directory
    // and the login files: what can fail before anything runs.
    explicit Runner(const RunnerOptions& options);

    int run();

private:
    void read_input();
    void make_jobs();
    void fail(std::exception_ptr error);
    void push_job(Job job);
    void requeue(Job job, JobInput input);
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
    std::vector<std::string> file_names(const std::vector<Template>& templates, const Job& job,
                                        int slot) const;
    void stop_group(mp::subproc::Popen& job);
    void finish(const Job& job, const std::string& command, const std::string& tag, const Attempt& result);
    void supervise();
    void signal_jobs(int signal);
    void escalate(TermProgress& progress, const std::function<void(int)>& send) const;
    void evict_youngest(bool memory_read, bool short_of_memory);
    void draw_bar(bool last);

    struct Running {
        std::size_t seq;
        bool evicted = false;  // --memfree is killing it
    };

    // A running job's process group, in running_ (what the supervisor signals on a
    // stop) from construction to destruction.
    class SignalledGroup {
    public:
        SignalledGroup(Runner& runner, pid_t group, std::size_t seq);
        ~SignalledGroup();
        // Whether --memfree chose this job to be killed and run again.
        bool evicted() const;
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
    const std::vector<SshLogin> hosts_;     // -S: each slot's login (slot N: hosts_[N-1])
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
    bool stopping_ = false;                     // start no new job
    std::optional<int> halt_status_;            // --halt: the failing job's status
    int stop_signal_ = 0;                       // SIGINT/SIGTERM received
    std::optional<Clock::time_point> stop_at_;  // when the stop of running jobs (--termseq) began
    std::map<pid_t, Running> running_;          // process groups of running jobs
    std::exception_ptr error_;                  // what ended the run early: the input, a job's I/O
    bool all_done_ = false;
    // --memfree, the supervisor's own: the job being killed, and when memory is read next.
    std::optional<std::pair<pid_t, TermProgress>> evicting_;
    Clock::time_point memory_check_{};

    std::mutex log_mutex_;  // the joblog's lines and the bar's
    FILE* joblog_ = nullptr;
    Clock::time_point started_ = Clock::now();
    Clock::time_point last_bar_{};
};

}  // namespace mp::tools::pool
