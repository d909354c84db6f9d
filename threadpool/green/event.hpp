// Event: gevent.event.Event (threading.Event for the greenlets of one hub).
// set() wakes every waiting greenlet; wait() returns at once while the flag is set.
#pragma once

#include <chrono>

#include "threadpool/green/hub.hpp"
#include "threadpool/green/internal/wait_list.hpp"

namespace mp::threadpool::green {

class Event {
public:
    // Belongs to this thread's hub.
    Event() : hub_(Hub::current()) {}

    void set();
    void clear() { flag_ = false; }
    bool is_set() const { return flag_; }
    // Blocks the calling greenlet until the flag is set; wait_for returns false when
    // `timeout` ran out first.
    void wait();
    template <class Rep, class Period>
    [[nodiscard]] bool wait_for(std::chrono::duration<Rep, Period> timeout) {
        return wait_until(mp::threadpool::internal::deadline_after(timeout));
    }
    [[nodiscard]] bool wait_until(SteadyTime deadline);

private:
    Hub& hub_;
    bool flag_ = false;
    internal::WaitList waiters_;
};

}  // namespace mp::threadpool::green
