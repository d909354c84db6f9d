#include "threadpool/internal/pool_state.hpp"

#include <pthread.h>

#include <stdexcept>
#include <string>

#include "threadpool/internal/deadline.hpp"
#include "threadpool/internal/spin.hpp"

namespace mp::threadpool::internal {

namespace {

// Bumped in every child right after fork(); a PoolState created in another
// generation belongs to an ancestor process.
std::atomic<unsigned> fork_generation{0};

unsigned current_fork_generation() {
    static const bool registered = pthread_atfork(nullptr, nullptr, [] {
                                       fork_generation.fetch_add(1, std::memory_order_relaxed);
                                   }) == 0;
    if (!registered) throw std::runtime_error("threadpool: pthread_atfork failed");
    return fork_generation.load(std::memory_order_relaxed);
}

// The pool whose worker is running on this thread, if any.
thread_local const PoolState* current_pool = nullptr;

// The task frames of this worker thread. Frames are numbered in the order they
// start, and a frame ends before any frame that started outside it, so the tasks
// queued by the running frame or by frames nested in it — its descendants — are
// exactly those carrying this thread and a frame number >= `current`.
struct ThreadFrames {
    std::uint64_t started = 0;
    std::uint64_t current = 0;
    unsigned foreign_depth = 0;  // nested frames running tasks that are not descendants
};
thread_local ThreadFrames frames;

}  // namespace

PoolState::PoolState(std::size_t min_threads, std::size_t max_threads, IdleTimeout idle_timeout)
    : min_threads_(min_threads),
      max_threads_(max_threads),
      idle_timeout_(idle_timeout),
      uses_inbox_(min_threads == max_threads),
      fork_generation_(current_fork_generation()) {
    if (max_threads == 0 || max_threads < min_threads)
        throw std::invalid_argument("threadpool: need 0 < max_threads and min_threads <= max_threads");
    try {
        std::lock_guard lock(mutex_);
        while (threads_ < min_threads_) start_worker_locked();
    } catch (...) {
        join();  // the owner's destructor will not run
        throw;
    }
}

bool PoolState::inert() const noexcept {
    return fork_generation_ != fork_generation.load(std::memory_order_relaxed);
}

bool PoolState::on_worker_thread() const noexcept {
    return current_pool == this;
}

void PoolState::throw_if_worker(const char* what) const {
    if (on_worker_thread())
        throw std::logic_error(std::string("threadpool: ") + what +
                               " called from a task of the same pool would wait for itself");
}

// ---- workers ----

void PoolState::start_worker_locked() {
    reap_exited_locked();
    Worker& worker = workers_.emplace_back();
    try {
        worker.thread = std::thread([this, &worker] { worker_main(worker); });
    } catch (...) {
        workers_.pop_back();
        throw;
    }
    ++threads_;
}

void PoolState::reap_exited_locked() {
    if (waking_.load(std::memory_order_acquire) != 0) return;  // one may be for an exited worker: later
    for (auto it = workers_.begin(); it != workers_.end();) {
        if (it->exited) {
            it->thread.join();  // it has left its loop and holds no lock: quick
            it = workers_.erase(it);
        } else {
            ++it;
        }
    }
}

void PoolState::worker_main(Worker& self) {
    current_pool = this;
    while (Task task = next_task(self)) {
        run_frame(task, false);
        // Before task_finished(): whoever sees the pool idle sees this worker idle.
        busy_.fetch_sub(1, std::memory_order_relaxed);
        task_finished();
    }
}

Task PoolState::next_task(Worker& self) {
    Task task;
    std::unique_lock lock(mutex_);
    for (bool spun = false;; spun = !spun) {
        if (take_locked(task)) {
            busy_.fetch_add(1, std::memory_order_relaxed);
            return task;
        }
        if (closed_ && queued_anywhere() == 0) break;
        if (!spun) {
            // Poll a little without the lock first: a busy producer's next task is
            // likely to come within microseconds, and waking a sleeping worker
            // costs the producer a futex call.
            // One poller is enough to pick up the next task; more would only
            // fight over the lock, so the others go to sleep at once.
            std::size_t pollers = 0;
            if (spinning_.compare_exchange_strong(pollers, 1, std::memory_order_seq_cst)) {
                lock.unlock();
                spin_until([&] { return queued_anywhere() != 0; });
                spinning_.fetch_sub(1, std::memory_order_seq_cst);
                lock.lock();
            }
        } else if (!wait_for_wake_locked(self, lock)) {
            break;
        }
    }
    --threads_;
    self.exited = true;
    if (threads_ == 0) idle_cv_.notify_all();
    return Task();
}

// Sleeps until a submit or close hands this worker a wake-up. False when the worker
// should retire instead: a dynamic pool's worker idle for idle_timeout while more
// than min_threads are alive.
bool PoolState::wait_for_wake_locked(Worker& self, std::unique_lock<std::mutex>& lock) {
    self.woken = false;
    sleepers_.push_back(&self);
    count_sleepers_locked();
    // Dekker-style with post_to_inbox(): either the submitter sees this sleeper, or
    // this sees the task it put in the inbox.
    if (!paused_ && inbox_size_.load(std::memory_order_seq_cst) != 0) {
        std::erase(sleepers_, &self);
        count_sleepers_locked();
        return true;
    }
    if (threads_ > min_threads_) {
        const SteadyTime retire_at = deadline_after(idle_timeout_.get());  // kNoDeadline when forever
        if (internal::wait_until(self.wake, lock, retire_at, [&] { return self.woken; })) return true;
        std::erase(sleepers_, &self);
        count_sleepers_locked();
        return threads_ <= min_threads_;
    }
    self.wake.wait(lock, [&] { return self.woken; });
    return true;
}

void PoolState::count_sleepers_locked() {
    sleeping_.store(sleepers_.size(), std::memory_order_seq_cst);
}

void PoolState::refill_from_inbox_locked() {
    Ring<Queued>& normal = queues_[static_cast<int>(Priority::normal)];
    if (!normal.empty() || inbox_size_.load(std::memory_order_relaxed) == 0) return;
    lock_soon(inbox_mutex_);
    std::lock_guard lock(inbox_mutex_, std::adopt_lock);
    normal.swap(inbox_);
    inbox_size_.store(0, std::memory_order_relaxed);
    queued_.store(queued_.load(std::memory_order_relaxed) + normal.size(), std::memory_order_relaxed);
}

std::size_t PoolState::queued_anywhere() const noexcept {
    return queued_.load(std::memory_order_relaxed) + inbox_size_.load(std::memory_order_relaxed);
}

bool PoolState::take_locked(Task& task) {
    if (paused_) return false;
    refill_from_inbox_locked();
    if (queued_.load(std::memory_order_relaxed) == 0) return false;
    for (Ring<Queued>& queue : queues_) {
        if (queue.empty()) continue;
        task = std::move(queue.front().task);
        queue.pop_front();
        queued_.store(queued_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
        return true;
    }
    return false;
}

bool PoolState::take_for_helper_locked(Task& task, bool& foreign) {
    if (paused_) return false;
    refill_from_inbox_locked();
    if (queued_.load(std::memory_order_relaxed) == 0) return false;
    const auto descendant = [](const Queued& q) {
        return q.submitter_thread == &frames && q.submitter_frame >= frames.current;
    };
    const bool may_run_foreign = frames.foreign_depth < kForeignHelpDepth;
    for (Ring<Queued>& queue : queues_) {
        // The newest first: in a divide-and-conquer it is the waiter's own latest
        // split, and it leaves the oldest (biggest) pieces to idle workers. The scan
        // for a descendant is bounded, as it holds the lock; one further from the
        // back is left to the workers taking from the front.
        const std::size_t stop = queue.size() > kHelperScan ? queue.size() - kHelperScan : 0;
        for (std::size_t i = queue.size(); i-- > stop;) {
            const bool mine = descendant(queue[i]);
            if (!mine && !may_run_foreign) continue;
            task = queue.extract(i).task;
            foreign = !mine;
            queued_.store(queued_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
            return true;
        }
    }
    return false;
}

void PoolState::wake_all_locked() {
    for (Worker* worker : sleepers_) {
        worker->woken = true;
        worker->wake.notify_one();
    }
    sleepers_.clear();
    count_sleepers_locked();
}

void PoolState::run_frame(Task& task, bool foreign) noexcept {
    const std::uint64_t outer = frames.current;
    frames.current = ++frames.started;
    frames.foreign_depth += foreign ? 1 : 0;
    run_task(task);
    frames.foreign_depth -= foreign ? 1 : 0;
    frames.current = outer;
}

void PoolState::run_task(Task& task) noexcept {
    // The pool's jobs catch what the user's code throws; this catches what escapes
    // them anyway (std::bad_alloc while storing an exception) so a worker never dies.
    try {
        task.run();
    } catch (...) {
        report_error(std::current_exception());
    }
}

void PoolState::task_finished() noexcept {
    // Dekker-style with wait_for(): either the waiter sees the pool idle, or this
    // sees the waiter registered and notifies under the mutex.
    completed_.fetch_add(1, std::memory_order_seq_cst);
    if (idle_waiters_.load(std::memory_order_seq_cst) > 0 && idle_now()) {
        std::lock_guard lock(mutex_);
        idle_cv_.notify_all();
    }
}

// Every task is counted in submitted_ before a worker can see it, so completed_
// never passes it; read in this order, equal counts mean there was a moment when
// nothing was queued or running.
bool PoolState::idle_now() const noexcept {
    const std::size_t completed = completed_.load(std::memory_order_seq_cst);
    return completed == submitted_.load(std::memory_order_seq_cst);
}

// ---- submitting ----

void PoolState::enqueue(Task&& task, Priority priority) {
    if (inert()) throw PoolClosed("threadpool: ThreadPool::submit: this pool belongs to the parent process (fork)");
    const bool from_worker = on_worker_thread();
    // A worker's tasks stay where a waiter helping with its descendants looks.
    if (uses_inbox_ && !from_worker && priority == Priority::normal) return post_to_inbox(std::move(task));
    Worker* wake = nullptr;
    {
        std::lock_guard lock(mutex_);
        if (closed_) throw PoolClosed("threadpool: ThreadPool::submit: the pool is closed");
        submitted_.fetch_add(1, std::memory_order_relaxed);
        queues_[static_cast<int>(priority)].push_back(
            Queued{std::move(task), from_worker ? &frames : nullptr, from_worker ? frames.current : 0});
        const std::size_t queued = queued_.load(std::memory_order_relaxed) + 1;
        queued_.store(queued, std::memory_order_relaxed);
        if (!paused_) {
            if (!sleepers_.empty() && queued > spinning_.load(std::memory_order_seq_cst)) {
                wake = take_sleeper_locked();
            } else if (threads_ < max_threads_ && queued > threads_ - busy_.load(std::memory_order_relaxed)) {
                start_worker_locked();
            }
        }
    }
    if (wake != nullptr) deliver_wake(*wake);
}

void PoolState::post_to_inbox(Task&& task) {
    std::size_t queued = 0;
    {
        lock_soon(inbox_mutex_);
        std::lock_guard lock(inbox_mutex_, std::adopt_lock);
        if (inbox_closed_) throw PoolClosed("threadpool: ThreadPool::submit: the pool is closed");
        submitted_.fetch_add(1, std::memory_order_relaxed);
        inbox_.push_back(Queued{std::move(task)});
        queued = inbox_.size();
        // Dekker-style with wait_for_wake_locked(), which reads this after it
        // counted itself a sleeper.
        inbox_size_.store(queued, std::memory_order_seq_cst);
    }
    if (sleeping_.load(std::memory_order_seq_cst) != 0 && queued > spinning_.load(std::memory_order_seq_cst))
        wake_one_sleeper();
}

void PoolState::wake_one_sleeper() {
    Worker* wake = nullptr;
    {
        std::lock_guard lock(mutex_);
        if (paused_ || sleepers_.empty()) return;
        wake = take_sleeper_locked();
    }
    deliver_wake(*wake);
}

PoolState::Worker* PoolState::take_sleeper_locked() {
    Worker* worker = sleepers_.back();
    sleepers_.pop_back();
    count_sleepers_locked();
    worker->woken = true;
    waking_.fetch_add(1, std::memory_order_relaxed);
    return worker;
}

void PoolState::deliver_wake(Worker& worker) {
    worker.wake.notify_one();
    waking_.fetch_sub(1, std::memory_order_release);
}

void PoolState::wait_for_wakes_delivered() const {
    while (waking_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
}

bool PoolState::help_once() {
    if (inert()) return false;
    Task task;
    bool foreign = false;
    {
        std::lock_guard lock(mutex_);
        if (!take_for_helper_locked(task, foreign)) return false;
    }
    run_frame(task, foreign);
    task_finished();
    return true;
}

}  // namespace mp::threadpool::internal
