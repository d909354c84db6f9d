// Options: how a typed segment (Value, Array, DynamicArray) is created.
#pragma once

namespace mp::shm {

struct Options {
    // true (the default, as in Python): the segment carries a robust process-shared
    // lock, reachable as get_lock() and used by with_lock(). false: a raw segment
    // with no lock (Python's lock=False); only lock-free atomics synchronize it.
    bool lock = true;
};

}  // namespace mp::shm
