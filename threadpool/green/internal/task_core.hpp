// The shared state of a spawned task (task.hpp): its greenlet, whether it ended and
// how, and the greenlets joining it. Owned by the Task handles and, while the task
// lives, by its hub.
#pragma once

#include <exception>
#include <memory>

#include "threadpool/green/greenlet.hpp"
#include "threadpool/green/hub.hpp"
#include "threadpool/green/internal/wait_list.hpp"

namespace mp::threadpool::green::internal {

struct TaskCore {
    explicit TaskCore(Hub& owner) : hub(owner) {}
    virtual ~TaskCore() = default;
    TaskCore(const TaskCore&) = delete;
    TaskCore& operator=(const TaskCore&) = delete;

    // The body of the task's greenlet: `call` (which stores the result), unless it was
    // killed before it started; whatever escapes is kept for get().
    template <class Call>
    void run(Call&& call) noexcept {
        try {
            if (killed) throw GreenletExit{};
            call();
        } catch (...) {
            error = std::current_exception();
        }
        done = true;
        joiners.notify_all(hub);
        hub.finished(*this);
    }

    Hub& hub;
    std::unique_ptr<Greenlet> greenlet;
    bool done = false;
    bool killed = false;
    std::exception_ptr error;
    WaitList joiners;
};

}  // namespace mp::threadpool::green::internal
