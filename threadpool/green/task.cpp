#include "threadpool/green/task.hpp"

#include <stdexcept>

namespace mp::threadpool::green {

void TaskBase::join() const {
    join_until(kNoDeadline);
}

bool TaskBase::join_until(SteadyTime deadline) const {
    if (core_->done) return true;
    if (&Greenlet::current() == core_->greenlet.get())
        throw std::logic_error("green: join: the task " + name() + " would wait for itself");
    while (!core_->done)
        if (!core_->joiners.wait(core_->hub, deadline)) return core_->done;
    return true;
}

void TaskBase::kill() const {
    if (core_->done) return;
    core_->killed = true;
    Greenlet& g = *core_->greenlet;
    if (&Greenlet::current() == &g) throw GreenletExit{};
    if (g.started()) core_->hub.raise_in(g, std::make_exception_ptr(GreenletExit{}), core_.get());
    join();
}

void joinall(const std::vector<TaskBase>& tasks) {
    for (const TaskBase& task : tasks) task.join();
}

bool joinall_until(const std::vector<TaskBase>& tasks, SteadyTime deadline) {
    for (const TaskBase& task : tasks)
        if (!task.join_until(deadline)) return false;
    return true;
}

}  // namespace mp::threadpool::green
