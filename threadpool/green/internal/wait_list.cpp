#include "threadpool/green/internal/wait_list.hpp"

namespace mp::threadpool::green::internal {

bool WaitList::wait(Hub& hub, SteadyTime deadline) {
    Entry entry;
    const auto at = waiters_.insert(waiters_.end(), &entry);
    // A notify unlinks the entry it pops; a timeout or a raise leaves it linked.
    struct Unlink {
        std::list<Entry*>& list;
        std::list<Entry*>::iterator at;
        const Entry& entry;
        ~Unlink() {
            if (entry.linked) list.erase(at);
        }
    } unlink{waiters_, at, entry};
    return hub.block(entry.waiter, deadline);
}

bool WaitList::notify_one(Hub& hub) {
    while (!waiters_.empty()) {
        Entry* entry = waiters_.front();
        waiters_.pop_front();
        entry->linked = false;
        // One woken already (timed out, or raised in) is leaving: the next one.
        if (hub.wake(entry->waiter)) return true;
    }
    return false;
}

void WaitList::notify_all(Hub& hub) {
    while (notify_one(hub)) {
    }
}

}  // namespace mp::threadpool::green::internal
