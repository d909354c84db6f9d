// The lock inside a typed segment, and how its holder's death is reported.
//
// Lock is mp::sync::ProcessMutex: robust and process-shared, placed in the segment
// by its creator. Every process that maps the segment can lock it; when a holder
// dies, the next acquirer gets it with owner_died() true (the mutex itself is
// already consistent again, the data it guards may be half-updated).
#pragma once

#include <stdexcept>

#include "sync/process_mutex.hpp"

namespace mp::shm {

using Lock = mp::sync::ProcessMutex;

// Thrown by with_lock() when the previous holder of the segment's lock died while
// holding it: the data may be half-updated. The lock is recovered and released
// again, so the next with_lock() proceeds normally; catch this to check or repair
// the data first.
class LockOwnerDied : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace mp::shm
