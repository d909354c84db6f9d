// The lock inside a typed segment. Its holder's death is reported by
// LockOwnerDied (shm/errors.hpp).
//
// Lock is mp::sync::ProcessMutex: robust and process-shared, placed in the segment
// by its creator. Every process that maps the segment can lock it; when a holder
// dies, the next acquirer gets it with owner_died() true (the mutex itself is
// already consistent again, the data it guards may be half-updated). A Value or
// Array dropped while this process holds its lock keeps its view mapped until the
// process ends, so that the kernel can mark the holder dead: the lock is never
// left held by no one.
#pragma once

#include "sync/process_mutex.hpp"

namespace mp::shm {

using Lock = mp::sync::ProcessMutex;

}  // namespace mp::shm
