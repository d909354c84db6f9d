// Private: the untyped engine behind Pool, in four parts: core_workers.cpp (the
// workers' lifecycle), core_results.cpp (the result thread), core_user.cpp (what
// Pool calls) and core_lent_map.cpp (a blocking map on borrowed workers);
// core_worker.hpp says what is recorded of each worker and its states.
// Tasks are (runner, payload bytes,
// completion); the typed layer (pool/process_pool.hpp) turns callables, arguments
// and results into those and back.
//
// Threads: one "result thread" per pool owns the event loop: it polls the fork
// server's control socket and every worker's channel, completes tasks, and runs
// every completion (hence every user callback), in completion order. Submitting
// threads hand a task straight to an idle worker when there is one; a blocking
// apply or map borrows idle workers and reads their results itself.
//
// Processes: the constructing thread forks the first workers itself, then the fork
// server, all before the result thread starts; the server forks every replacement.
// The result thread learns of a first worker's exit from its pidfd and reaps it
// itself; the fork server reaps the workers it forked and reports their exits.
// (Without pidfds, or with SIGCHLD ignored, the server forks the first workers too.)
//
// Bookkeeping that makes it never hang: each worker holds at most one task, and the
// core records which. When a worker's exit is reported, the core first reads
// whatever the worker sent before dying, then fails the task it still held with
// WorkerDied (CancelledError during terminate) and asks for a replacement.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "ipc/fd.hpp"
#include "pool/internal/fork_server.hpp"
#include "pool/internal/unique_function.hpp"
#include "pool/internal/wire.hpp"

namespace mp::pool::internal {

// How a task ended: the result's codec bytes, or an error (RemoteError,
// WorkerDied, CancelledError, BrokenPool).
struct Outcome {
    Bytes message;  // the worker's whole result message
    std::exception_ptr error;
    std::span<const std::byte> result() const { return std::span(message).subspan(ResultHeader::kSize); }
};
using Completion = std::function<void(Outcome&&)>;

struct TaskSpec {
    Runner runner;
    Bytes message;  // TaskHeader::kSize reserved bytes, then the payload
    Completion done;
    // Called when a worker is about to take the task from the queue, under the core's
    // lock; false drops the task unrun and its completion is never called (a Future
    // cancelled while it waited). Empty: always start.
    std::function<bool()> starting{};
    // Copies of the descriptors its arguments name, sent with it (see wire.hpp) and
    // closed here once sent, or when the task is dropped.
    std::vector<ipc::Fd> fds{};
};

// Copies (close-on-exec) of `fds`, for a TaskSpec to hold while the task waits.
// Throws std::system_error naming fcntl when the process is out of descriptors.
std::vector<ipc::Fd> copy_fds(std::span<const int> fds);

struct CoreOptions {
    int processes = 1;
    UniqueFunction<void> initializer{};  // runs once in each worker, before any task
    int maxtasksperchild = 0;             // 0: workers live as long as the pool
    std::vector<int> pass_fds{};          // fds the workers inherit besides 0, 1, 2
};

class Core {
public:
    // Forks the first workers and the fork server, then starts the result thread.
    // Throws std::system_error naming the call when a first worker cannot be started
    // (nothing is left behind). With an initializer, waits until every first worker
    // ran it; the first failure terminates the pool and throws BrokenPool with the
    // worker's error text.
    explicit Core(CoreOptions options);
    // terminate() then join().
    ~Core();
    Core(const Core&) = delete;
    Core& operator=(const Core&) = delete;

    // Queues tasks in order. Throws PoolClosed after
    // close()/terminate(), BrokenPool once the pool is broken. `fed`: chunks of a
    // blocking map, between begin_feeding() and end_feeding(), taken after close().
    void submit(std::vector<TaskSpec> tasks, bool fed = false);
    // A blocking map feeds its chunks as workers need them. From begin_feeding()
    // (which throws as submit does) to end_feeding(), close() keeps the workers for
    // the chunks still to come, as if the map had queued them all at its start (as
    // Python's map does).
    void begin_feeding();
    void end_feeding();
    // Queues one task for a caller about to block on it. When nothing is queued and
    // a worker is idle, runs it on that worker right away and returns after its
    // completion ran on this thread; else queues it as submit() does.
    void call(TaskSpec task);
    // A blocking map's fast path (core_lent_map.cpp), between begin_feeding() and
    // end_feeding(): when nothing is queued, this thread borrows the idle workers and
    // deals them the tasks `next_chunk` makes, until it gives nullopt or every lent
    // worker ended; returns once each completion ran. Without a worker to lend,
    // returns at once, nothing taken. Throws what next_chunk throws, PoolClosed after
    // terminate() and BrokenPool, once the chunks already dealt are settled.
    void map_on_lent_workers(const std::function<std::optional<TaskSpec>()>& next_chunk);
    // No more tasks; workers finish the queue and exit.
    void close();
    // Fails the queued tasks (not the running ones) with CancelledError.
    void cancel_queued();
    // Fails queued tasks with CancelledError, stops every worker (SIGTERM, then
    // SIGKILL after a grace period), fails the tasks they held with CancelledError,
    // and waits until all is reaped. Bounded unless a user callback blocks forever.
    void terminate();
    // Waits for the result thread to finish: every worker exited and reaped.
    // Requires close() or terminate() first (std::logic_error otherwise).
    void join();
    bool join_until(std::chrono::steady_clock::time_point deadline);

    // The live workers' pids, once the workers being started have been reported.
    std::vector<pid_t> worker_pids() const;
    int processes() const { return options_.processes; }
    // True on this pool's result thread (where a blocking wait on a result would
    // deadlock).
    bool on_result_thread() const;

private:
    struct Channel;
    struct Worker;
    struct Send;
    struct Loan;
    // A first worker: this process forked it and reaps it.
    struct Child {
        pid_t pid;
        int pidfd;
    };
    struct Finish {
        Completion done;
        Outcome outcome;
    };

    [[noreturn]] void worker_main(WorkerChannel channel);
    void start_workers();
    void fork_first_workers();
    void add_worker(pid_t pid, PoolEnds ends);
    void loop();
    void handle_events(std::vector<Finish>& finished);
    void reap_child(const Child& child, std::vector<Finish>& finished);
    void stop_children();
    // How far receive() reads: what was read ahead already, everything the socket
    // holds, or (blocking) until the worker no longer holds a task.
    enum class Until { kReadAhead, kSocketEmpty, kTaskDone };
    void receive(Worker& worker, std::vector<Finish>& finished, Until until);
    void release_borrower(Worker& worker, int status);
    // A borrower is done with `worker`: the result thread reads it again, and a
    // worker whose exit was reported meanwhile is handled here. Lock held.
    void give_back(std::unique_lock<std::mutex>& lock, Worker& worker, std::vector<Finish>& finished);
    bool busy(const Loan& loan) const;
    bool deal(Loan& loan, TaskSpec task);
    void serve_loans(std::vector<Loan>& loans, const std::function<void(Loan&)>& top_up);
    void end_loan(Loan& loan);
    void handle_message(Worker& worker, Bytes& message, std::vector<Finish>& finished);
    void handle_exit(std::unique_lock<std::mutex>& lock, pid_t pid, int status, std::vector<Finish>& finished);
    void fail_queue(std::exception_ptr error, std::vector<Finish>& finished);
    void mark_broken(const std::string& reason, std::vector<Finish>& finished);
    std::vector<Send> schedule();
    void retire_server_when_idle();
    static void perform(std::vector<Send>& sends);
    static void complete(std::vector<Finish>& finished);
    bool finished_locked() const;
    void wake();
    void await_first_workers();
    void wait_ready();
    bool wait_done_until(std::chrono::steady_clock::time_point deadline);
    void signal_workers(int signal);

    const CoreOptions options_;
    const pid_t owner_pid_ = getpid();  // every worker's parent_process(), the fork server's workers' too
    int wake_read_ = -1, wake_write_ = -1;
    std::unique_ptr<ForkServer> server_;

    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::deque<std::pair<std::uint64_t, TaskSpec>> queue_;
    std::map<pid_t, std::unique_ptr<Worker>> workers_;
    std::vector<Child> children_;  // first workers not reaped yet
    std::vector<Finish> handed_over_;  // completions the result thread must run
    std::uint64_t next_id_ = 1;
    int pending_spawns_ = 0;
    int feeding_ = 0;  // blocking maps that may submit more (begin_feeding)
    int ready_workers_ = 0;
    bool closed_ = false;
    bool terminating_ = false;
    bool server_open_ = true;
    bool server_retired_ = false;  // told that no spawn follows: it leaves after its last worker
    bool done_ = false;
    std::optional<std::string> broken_;

    std::thread result_thread_;
    std::mutex join_mutex_;
};

}  // namespace mp::pool::internal
