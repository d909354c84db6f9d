// WaitList: the greenlets waiting for one condition of a green primitive (an Event
// set, a Lock free, a Queue item), woken in arrival order. Greenlets re-check their
// condition after a wake, as with a condition variable.
#pragma once

#include <list>

#include "threadpool/green/hub.hpp"

namespace mp::threadpool::green::internal {

class WaitList {
public:
    // Blocks the running greenlet until notified (true) or `deadline` (false). Throws
    // what the hub raises in it (Timeout, a kill), unlinked from the list.
    bool wait(Hub& hub, SteadyTime deadline = kNoDeadline);
    // Wakes the longest waiting greenlet not woken already; false if there was none.
    bool notify_one(Hub& hub);
    void notify_all(Hub& hub);
    bool empty() const { return waiters_.empty(); }

private:
    struct Entry {
        Hub::Waiter waiter;
        bool linked = true;
    };
    std::list<Entry*> waiters_;
};

}  // namespace mp::threadpool::green::internal
