// Core, a blocking map's fast path: the calling thread borrows the idle workers and
// deals the map's chunks out itself, reading each worker's results from its channel
// as call() does for one task. Each result then wakes only the caller, instead of
// the result thread, which then woke the caller.
//
// Each lent worker has its next chunk waiting in its pipe while it runs one, so that
// it never waits for the caller between chunks. The core still records one task per
// worker, the one it runs: the waiting chunk is given to the worker when the result
// before it arrives. A worker that ends with a chunk waiting never read it, so that
// chunk goes back to the queue, where another worker runs it (never two).
//
// A waiting chunk is sent at once only if it fits in the pipe: the worker reads it
// only after writing the result before it, which this thread must be free to read.
// A larger one is sent when the worker takes it.
#include <poll.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "pool/errors.hpp"
#include "pool/internal/core.hpp"
#include "pool/internal/core_worker.hpp"

namespace mp::pool::internal {

namespace {

// The chunks whose completion has not run: one may run on the result thread (when
// the worker's exit is reported there, or a chunk went back to the queue), and the
// map reads its results only once all ran.
class Unsettled {
public:
    void add() {
        std::lock_guard lock(mutex_);
        ++count_;
    }
    void settle() {
        std::lock_guard lock(mutex_);
        if (--count_ == 0) all_settled_.notify_all();
    }
    void wait() {
        std::unique_lock lock(mutex_);
        all_settled_.wait(lock, [&] { return count_ == 0; });
    }

private:
    std::mutex mutex_;
    std::condition_variable all_settled_;
    std::size_t count_ = 0;
};

}  // namespace

struct Core::Loan {
    Worker* worker;
    std::shared_ptr<Channel> channel;
    struct Waiting {
        std::uint64_t id;
        TaskSpec task;
        bool sent;
    };
    std::optional<Waiting> waiting{};  // the chunk after the one it runs
    bool ended = false;                // given back: it ended, or the map is done
};

// Whether a lent worker runs a task. Under the lock: the result thread takes a lent
// worker's task when the fork server dies.
bool Core::busy(const Loan& loan) const {
    if (loan.ended) return false;
    std::lock_guard lock(mutex_);
    return loan.worker->held.has_value();
}

void Core::map_on_lent_workers(const std::function<std::optional<TaskSpec>()>& next_chunk) {
    std::vector<Loan> loans;
    {
        std::lock_guard lock(mutex_);
        if (broken_) throw BrokenPool(*broken_);
        if (terminating_) throw PoolClosed(kPoolClosed);
        // A worker that retires after some tasks may leave with a chunk unread in its
        // pipe, and would be replaced on every lending: those pools take the queue.
        if (!queue_.empty() || options_.maxtasksperchild > 0) return;
        for (auto& [pid, worker] : workers_) {
            if (!worker->lendable()) continue;
            worker->reader = Reader::kBorrower;
            ++worker->lendings;
            loans.push_back({worker.get(), worker->channel});
        }
        if (loans.empty()) return;
    }
    const auto unsettled = std::make_shared<Unsettled>();
    bool more = true;
    // Deals chunks to `loan` until it has two; gives it back once it has none left.
    const auto top_up = [&](Loan& loan) {
        while (more && !loan.ended && busy(loan) + loan.waiting.has_value() < 2) {
            std::optional<TaskSpec> task = next_chunk();
            if (!task) {
                more = false;
                break;
            }
            task->done = [done = std::move(task->done), unsettled](Outcome&& outcome) {
                struct Settle {
                    Unsettled& unsettled;
                    ~Settle() { unsettled.settle(); }  // even when the completion throws
                } settle{*unsettled};
                done(std::move(outcome));
            };
            unsettled->add();
            try {
                more = deal(loan, std::move(*task));
            } catch (...) {
                unsettled->settle();  // dropped unrun: its completion is never called
                throw;
            }
        }
        if (!busy(loan)) end_loan(loan);
    };
    std::exception_ptr error;
    try {
        for (Loan& loan : loans) top_up(loan);
        serve_loans(loans, top_up);
    } catch (...) {
        error = std::current_exception();
        more = false;
        serve_loans(loans, top_up);  // what was dealt runs to its end
    }
    for (Loan& loan : loans) end_loan(loan);
    unsettled->wait();
    if (error) std::rethrow_exception(error);
}

// Gives `task` to a lent worker, or queues it behind the one the worker runs, and
// sends it (see the top of this file). When tasks of others wait in the queue, or
// the worker is ending, it joins the queue instead, and the lending ends: false. Throws PoolClosed after
// terminate() and BrokenPool, the task dropped unrun.
bool Core::deal(Loan& loan, TaskSpec task) {
    bool send;
    {
        std::lock_guard lock(mutex_);
        if (broken_) throw BrokenPool(*broken_);
        if (terminating_) throw PoolClosed(kPoolClosed);
        const std::uint64_t id = next_id_++;
        if (!queue_.empty() || !loan.worker->working()) {
            queue_.emplace_back(id, std::move(task));
            return false;
        }
        TaskHeader{id, task.runner, false}.write_into(task.message);
        if (loan.worker->held) {
            send = task.message.size() <= loan.channel->task_pipe_room;
            loan.waiting.emplace(id, std::move(task), send);
        } else {
            send = true;
            loan.worker->give(id, std::move(task.done));
        }
    }
    if (send) loan.channel->send_task(loan.waiting ? loan.waiting->task.message : task.message);
    return true;
}

// Reads the lent workers' results until none holds a task, topping each up as its
// results come.
void Core::serve_loans(std::vector<Loan>& loans, const std::function<void(Loan&)>& top_up) {
    std::vector<pollfd> fds;
    std::vector<Loan*> polled;
    for (;;) {
        fds.clear();
        polled.clear();
        bool buffered = false;
        for (Loan& loan : loans) {
            if (!busy(loan)) continue;
            buffered = buffered || loan.channel->results.has_buffered_input();
            fds.push_back({loan.channel->results.fileno(), POLLIN, 0});
            polled.push_back(&loan);
        }
        if (polled.empty()) return;
        if (::poll(fds.data(), fds.size(), buffered ? 0 : -1) < 0) continue;  // EINTR
        for (std::size_t i = 0; i < polled.size(); ++i) {
            Loan& loan = *polled[i];
            if (fds[i].revents == 0 && !loan.channel->results.has_buffered_input()) continue;
            std::vector<Finish> finished;
            // A blocking read of one result: a worker's exit shuts the channel's read
            // side (release_borrower), so it ends even if a grandchild holds the
            // worker's end open.
            receive(*loan.worker, finished, Until::kTaskDone);
            std::optional<Bytes> unsent;
            bool working;
            {
                std::lock_guard lock(mutex_);
                if (loan.worker->state == WorkerState::kIdle && loan.waiting) {
                    Loan::Waiting next = std::move(*loan.waiting);
                    loan.waiting.reset();
                    loan.worker->give(next.id, std::move(next.task.done));
                    if (!next.sent) unsent = std::move(next.task.message);
                }
                working = loan.worker->working();
            }
            if (unsent) loan.channel->send_task(*unsent);
            complete(finished);
            if (working) {
                top_up(loan);
            } else {
                end_loan(loan);
            }
        }
    }
}

// Gives a lent worker back, once (see give_back); the chunk waiting in the pipe of a
// worker that ended goes back to the queue (failed at once if the pool stopped).
void Core::end_loan(Loan& loan) {
    if (loan.ended) return;
    loan.ended = true;
    std::vector<Finish> finished;
    std::vector<Send> sends;
    {
        std::unique_lock lock(mutex_);
        if (loan.waiting) {
            Loan::Waiting unread = std::move(*loan.waiting);
            loan.waiting.reset();
            if (broken_) {
                finished.push_back({std::move(unread.task.done), {{}, error_of<BrokenPool>(*broken_)}});
            } else if (terminating_) {
                finished.push_back(
                    {std::move(unread.task.done), {{}, error_of<CancelledError>(kCancelledUnrun)}});
            } else {
                queue_.emplace_front(unread.id, std::move(unread.task));
            }
        }
        give_back(lock, *loan.worker, finished);
        sends = schedule();
    }
    perform(sends);
    complete(finished);
}

}  // namespace mp::pool::internal
