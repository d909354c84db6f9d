// Core, the submitting side: what Pool calls from any thread (submit, call, close,
// terminate, join) and the fast path of a blocking call that borrows a worker.
#include <fcntl.h>
#include <signal.h>

#include <stdexcept>

#include "pool/errors.hpp"
#include "pool/internal/child.hpp"
#include "pool/internal/core.hpp"
#include "pool/internal/core_worker.hpp"
#include "sync/internal/cv_wait.hpp"
#include "sync/internal/os_error.hpp"

namespace mp::pool::internal {

std::vector<ipc::Fd> copy_fds(std::span<const int> fds) {
    std::vector<ipc::Fd> copies;
    for (const int fd : fds) {
        ipc::Fd copy(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
        if (!copy) sync::internal::throw_errno("fcntl(fd " + std::to_string(fd) + ", F_DUPFD_CLOEXEC)");
        copies.push_back(std::move(copy));
    }
    return copies;
}

void Core::submit(std::vector<TaskSpec> tasks, bool fed) {
    std::vector<Send> sends;
    {
        std::lock_guard lock(mutex_);
        if (broken_) throw BrokenPool(*broken_);
        if ((closed_ && !fed) || terminating_)
            throw PoolClosed(kPoolClosed);
        for (TaskSpec& task : tasks) queue_.emplace_back(next_id_++, std::move(task));
        sends = schedule();
    }
    perform(sends);
}

void Core::call(TaskSpec task) {
    // The fast path for a blocking call: with nothing queued and a worker idle, this
    // thread lends itself that worker and reads the answer from the worker's channel
    // itself, sparing the hop through the result thread.
    Worker* worker = nullptr;
    std::shared_ptr<Channel> channel;
    {
        std::lock_guard lock(mutex_);
        if (broken_) throw BrokenPool(*broken_);
        if (closed_ || terminating_) throw PoolClosed(kPoolClosed);
        if (queue_.empty()) {
            for (auto& [pid, candidate] : workers_)
                if (candidate->lendable() &&
                    (worker == nullptr || candidate->last_given < worker->last_given))
                    worker = candidate.get();
        }
        if (worker != nullptr) {
            const std::uint64_t id = next_id_++;
            worker->give(id, std::move(task.done));
            worker->reader = Reader::kBorrower;
            ++worker->lendings;
            TaskHeader{id, task.runner, !task.fds.empty()}.write_into(task.message);
            channel = worker->channel;
        }
    }
    if (worker == nullptr) {
        std::vector<TaskSpec> tasks;
        tasks.push_back(std::move(task));
        submit(std::move(tasks));
        return;
    }
    channel->send_task(task.message, task.fds);
    // A blocking read, without a poll before it: release_borrower ends it when the
    // worker's exit is reported first (a grandchild the task started may keep the
    // worker's end of the channel open, so no end of stream would come).
    std::vector<Finish> finished;
    receive(*worker, finished, Until::kTaskDone);
    std::vector<Send> sends;
    {
        std::unique_lock lock(mutex_);
        give_back(lock, *worker, finished);
        sends = schedule();
    }
    perform(sends);
    complete(finished);
}

void Core::give_back(std::unique_lock<std::mutex>& lock, Worker& worker, std::vector<Finish>& finished) {
    worker.reader = Reader::kNobody;
    if (worker.state == WorkerState::kExited) {
        handle_exit(lock, worker.pid, worker.exit_status, finished);
        wake();  // the result thread may be waiting for this worker's end to finish
    }
}

void Core::begin_feeding() {
    std::lock_guard lock(mutex_);
    if (broken_) throw BrokenPool(*broken_);
    if (closed_ || terminating_) throw PoolClosed(kPoolClosed);
    ++feeding_;
}

void Core::end_feeding() {
    std::vector<Send> sends;
    bool wake_result_thread;
    {
        std::lock_guard lock(mutex_);
        --feeding_;
        sends = schedule();  // after close(), idle workers may go now
        // The result thread waits on feeding_ only to end the pool (finished_locked):
        // waking it after every map would cost a blocking map a thread switch.
        wake_result_thread = closed_ || terminating_ || broken_ || !server_open_;
    }
    perform(sends);
    if (wake_result_thread) wake();
}

void Core::close() {
    std::vector<Send> sends;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        sends = schedule();  // idle workers are told to stop right here
    }
    perform(sends);
    wake();
}

void Core::cancel_queued() {
    {
        std::lock_guard lock(mutex_);
        fail_queue(error_of<CancelledError>("pool: cancelled before it ran"), handed_over_);
    }
    wake();
}

bool Core::wait_done_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return sync::internal::wait_until(changed_, lock, deadline, [&] { return done_; });
}

void Core::terminate() {
    if (on_result_thread()) throw std::logic_error("pool: Pool::terminate: called from a callback, on the pool's own result thread");
    {
        std::lock_guard lock(mutex_);
        if (!done_ && !terminating_) {
            terminating_ = true;
            fail_queue(error_of<CancelledError>(kCancelledUnrun), handed_over_);
        }
    }
    wake();
    if (!wait_done_until(Clock::now())) {
        signal_workers(SIGTERM);
        if (!wait_done_until(Clock::now() + kTermGrace)) {
            signal_workers(SIGKILL);
            wait_done_until(Clock::now() + kKillGrace);
        }
    }
    join();
}

void Core::join() {
    {
        std::lock_guard lock(mutex_);
        if (!closed_ && !terminating_ && !broken_) throw std::logic_error("pool: Pool::join: call close() or terminate() first");
    }
    std::lock_guard lock(join_mutex_);
    if (result_thread_.joinable()) result_thread_.join();
}

bool Core::join_until(std::chrono::steady_clock::time_point deadline) {
    {
        std::lock_guard lock(mutex_);
        if (!closed_ && !terminating_ && !broken_) throw std::logic_error("pool: Pool::join: call close() or terminate() first");
    }
    if (!wait_done_until(deadline)) return false;
    join();
    return true;
}

std::vector<pid_t> Core::worker_pids() const {
    std::unique_lock lock(mutex_);
    // Workers being started are about to exist: count them too (bounded: the fork
    // server answers, or its death resets the count).
    changed_.wait(lock, [&] { return pending_spawns_ == 0 || done_; });
    std::vector<pid_t> pids;
    for (const auto& [pid, worker] : workers_) pids.push_back(pid);
    return pids;
}

}  // namespace mp::pool::internal
