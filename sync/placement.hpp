// ThreadsOnly: where an anonymous primitive lives when only this process's threads
// use it (Python's threading.Lock rather than multiprocessing.Lock).
//
//   mp::sync::Lock lock;                          // shared mapping: threads and forked children
//   mp::sync::Lock fast(mp::sync::threads_only);  // heap block: threads only, cheap to make
//
// The default placement, an anonymous shared mapping, costs an mmap per object
// (tens of microseconds, and one of the process's memory mappings, which are
// limited to vm.max_map_count, 65530 by default). A threads-only object is a heap
// block: made as fast as a std::mutex's allocation, with the same behaviour
// between threads (ownership, timeouts, owner_died for a thread that exited
// holding it). A child forked afterwards gets its own copy, as it was at the fork,
// not shared with the parent: use the default placement for that.
#pragma once

namespace mp::sync {

struct ThreadsOnly {
    explicit ThreadsOnly() = default;
};
inline constexpr ThreadsOnly threads_only{};

}  // namespace mp::sync
