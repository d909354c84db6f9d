// Options: how a typed segment (Value, Array, DynamicArray) is created.
#pragma once

#include "sync/access.hpp"

namespace mp::shm {

// Who may use a named segment: its mode when created, and what attach accepts
// (sync/access.hpp). The same struct as mp::sync's named objects.
using Access = sync::Access;

struct Options {
    // true (the default, as in Python): the segment carries a robust process-shared
    // lock, reachable as get_lock() and used by with_lock(). false: a raw segment
    // with no lock (Python's lock=False); only lock-free atomics synchronize it.
    bool lock = true;
};

}  // namespace mp::shm
