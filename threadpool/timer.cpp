#include "threadpool/timer.hpp"

#include <stdexcept>

#include "threadpool/internal/deadline.hpp"

namespace mp::threadpool {

bool internal::TimerGate::wait(std::chrono::duration<double> interval) {
    const SteadyTime deadline = deadline_after(interval);
    std::unique_lock lock(mutex_);
    internal::wait_until(cancelled_cv_, lock, deadline, [&] { return cancelled_; });
    return !cancelled_;
}

void internal::TimerGate::cancel() {
    {
        std::lock_guard lock(mutex_);
        cancelled_ = true;
    }
    cancelled_cv_.notify_all();
}

void Timer::cancel() {
    if (!gate_) throw std::logic_error("threadpool: Timer: used after it was moved from");
    gate_->cancel();
}

}  // namespace mp::threadpool
