#include "threadpool/green/event.hpp"

namespace mp::threadpool::green {

void Event::set() {
    flag_ = true;
    waiters_.notify_all(hub_);
}

void Event::wait() {
    (void)wait_until(kNoDeadline);
}

bool Event::wait_until(SteadyTime deadline) {
    while (!flag_)
        if (!waiters_.wait(hub_, deadline)) return flag_;
    return true;
}

}  // namespace mp::threadpool::green
