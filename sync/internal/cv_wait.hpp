// A condition-variable wait bounded by a steady deadline, where kNoDeadline waits
// without one (a wait_until(max()) would hand the library a time it may overflow).
#pragma once

#include <condition_variable>
#include <mutex>

#include "sync/internal/deadline.hpp"

namespace mp::sync::internal {

template <class Predicate>
bool wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, SteadyTime deadline,
                Predicate ready) {
    if (deadline == kNoDeadline) {
        cv.wait(lock, ready);
        return true;
    }
    return cv.wait_until(lock, deadline, ready);
}

}  // namespace mp::sync::internal
