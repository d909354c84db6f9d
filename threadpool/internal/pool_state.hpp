// PoolState: the scheduler behind ThreadPool — the priority queues, the workers, and
// the accounting that wait_idle() and the monitors read. Private to the library.
// pool_state.cpp holds the workers and how tasks reach them; pool_control.cpp the
// owner's calls: waiting, pause, close, join, cancelling, monitoring.
//
// Locking: the main mutex guards the queues, the worker list and the flags (the
// inbox below has its own; the main one is always taken first). Counters that
// are read without the lock are atomics. Wake-ups are exact: a submit wakes a sleeping
// worker only when no spinning worker is left to take the task, and it hands the
// wake-up to that one worker (its own condition variable), so a burst of tasks costs
// no futex calls while the workers keep up.
//
// The inbox: a fixed-size pool takes normal-priority tasks from threads outside the
// pool into a queue with a lock of its own, which the workers empty in one swap when
// their normal queue runs dry (its tasks are all newer, so the order is kept). A
// submitter and the workers then rarely meet on one lock: three threads taking turns
// on a single mutex for every task make it contended, and each contended hand-over
// costs two futex calls (about 1 in 25 tasks of a burst did). A dynamic pool
// queues everything under the main lock, as submits decide there whether to start
// a thread.
//
// Helping: a worker waiting for a future runs queued tasks meanwhile, on its own
// stack. To keep that stack bounded, every queued task remembers which running task
// (which frame of which worker) submitted it. A waiter always may run its own
// descendants — they nest no deeper than the user's recursion does — but tasks of
// others ("foreign" ones, each of which may nest its own waits) only up to
// kForeignHelpDepth levels deep; beyond that it waits for them to finish elsewhere.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

#include "threadpool/internal/ring.hpp"
#include "threadpool/internal/task.hpp"
#include "threadpool/thread_pool.hpp"

namespace mp::threadpool::internal {

class PoolState {
public:
    static constexpr unsigned kForeignHelpDepth = 4;
    static constexpr std::size_t kHelperScan = 256;

    PoolState(std::size_t min_threads, std::size_t max_threads, IdleTimeout idle_timeout);

    // True in a forked child's copy: no threads exist there, and the mutex may have
    // been held at fork time by a thread that is gone, so nothing may be locked.
    bool inert() const noexcept;

    void enqueue(Task&& task, Priority priority);
    bool help_once();
    void wait_idle();
    bool wait_until(SteadyTime deadline);
    void pause();
    void resume();
    bool paused() const;
    void close();
    void cancel_queued();
    void join();
    void terminate();

    std::size_t size() const;
    std::size_t idle() const;
    std::size_t queued() const noexcept { return queued_anywhere(); }
    std::size_t max_threads() const noexcept { return max_threads_; }

    void set_error_handler(ErrorHandler handler);
    void report_error(std::exception_ptr error) noexcept;
    std::size_t error_count() const noexcept { return errors_.load(std::memory_order_relaxed); }

    bool on_worker_thread() const noexcept;

private:
    struct Worker {
        std::thread thread;
        std::condition_variable wake;
        bool woken = false;   // set by whoever took this worker off sleepers_
        bool exited = false;  // the thread has left its loop and can be joined
    };

    // A queued task and the frame that submitted it (null: not a worker of the pool).
    struct Queued {
        Task task;
        const void* submitter_thread = nullptr;
        std::uint64_t submitter_frame = 0;
    };

    void start_worker_locked();
    void reap_exited_locked();
    void worker_main(Worker& self);
    // The next task for `self` (spinning briefly, then sleeping); empty when the
    // worker must stop (closed and drained, or retired when idle).
    Task next_task(Worker& self);
    bool wait_for_wake_locked(Worker& self, std::unique_lock<std::mutex>& lock);
    // Pops the first task of the highest non-empty priority; false when paused or
    // nothing is queued.
    bool take_locked(Task& task);
    // Pops a task the calling waiter may run while it waits (see Helping above), the
    // newest first; sets `foreign` when it is not a descendant of the waiter's task.
    bool take_for_helper_locked(Task& task, bool& foreign);
    // Moves the inbox into the empty normal queue (one swap: the order is kept, as
    // everything in the inbox is newer).
    void refill_from_inbox_locked();
    void close_inbox_locked();
    void post_to_inbox(Task&& task);
    void wake_one_sleeper();
    // A wake-up is handed to a sleeper under the lock and delivered after it, so the
    // woken worker does not block at once on the lock its waker holds. Until it is
    // delivered, the worker may already have woken (spuriously), seen its flag and
    // exited: it must not be freed, so join() and reaping wait for the delivery.
    Worker* take_sleeper_locked();
    void deliver_wake(Worker& worker);
    void wait_for_wakes_delivered() const;
    // Publishes sleepers_.size() to submitters that do not hold the lock.
    void count_sleepers_locked();
    bool idle_now() const noexcept;
    std::size_t queued_anywhere() const noexcept;
    void wake_all_locked();
    // Runs `task` as a new frame of the calling worker.
    void run_frame(Task& task, bool foreign) noexcept;
    void run_task(Task& task) noexcept;
    void task_finished() noexcept;
    void throw_if_worker(const char* what) const;

    // The inbox side, written by submitters (see The inbox above).
    alignas(64) std::mutex inbox_mutex_;
    Ring<Queued> inbox_;
    bool inbox_closed_ = false;
    std::atomic<std::size_t> inbox_size_{0};
    // Tasks ever queued; with completed_, what wait_idle() waits for. Two counters
    // on two sides, so submitting and finishing never write one cache line.
    std::atomic<std::size_t> submitted_{0};

    alignas(64) mutable std::mutex mutex_;
    Ring<Queued> queues_[3];         // by Priority
    std::list<Worker> workers_;      // started threads, including exited ones not yet joined
    std::vector<Worker*> sleepers_;  // workers blocked on their `wake`, latest last
    std::size_t threads_ = 0;        // live workers (not exited)
    bool paused_ = false;
    bool closed_ = false;

    // Tasks in queues_: written only under the lock (a plain store, no atomic
    // read-modify-write), read without it by polling workers and monitors.
    std::atomic<std::size_t> queued_{0};
    std::atomic<std::size_t> busy_{0};  // workers running a task (helping does not count)
    std::atomic<std::size_t> spinning_{0};
    std::atomic<std::size_t> sleeping_{0};  // sleepers_.size()
    std::atomic<std::size_t> idle_waiters_{0};
    std::atomic<std::size_t> waking_{0};  // wake-ups handed out, not yet delivered
    alignas(64) std::atomic<std::size_t> completed_{0};  // run, or cancelled
    std::condition_variable idle_cv_;

    const std::size_t min_threads_;
    const std::size_t max_threads_;
    const IdleTimeout idle_timeout_;
    const bool uses_inbox_;  // a fixed-size pool
    const unsigned fork_generation_;

    mutable std::mutex handler_mutex_;
    ErrorHandler handler_;
    std::atomic<std::size_t> errors_{0};
};

}  // namespace mp::threadpool::internal
