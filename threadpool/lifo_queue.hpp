// LifoQueue<T>: Python's queue.LifoQueue, a thread-safe stack: get takes the item
// put last. Everything else is BlockingQueue's contract, for move-only T too:
//
//   put / get                 block (while full / while empty)
//   put(x, timeout) / get(timeout)   throw QueueFull / QueueEmpty when time runs out
//   try_put / try_get         never block; report full / empty as false / nullopt
//   try_put_for / try_get_for the same within a timeout
//   put_nowait / get_nowait   never block, throw QueueFull / QueueEmpty
//   task_done / join / join_for   Python's unfinished-tasks count; task_done called
//                             more often than items were put throws std::logic_error
//   close                     wakes every waiter; later puts throw QueueClosed, gets
//                             drain what is left and then throw QueueClosed (the
//                             try_ forms too)
//   qsize / empty / full      values of a moment
//
//   mp::threadpool::LifoQueue<int> stack;
//   stack.put(1);
//   stack.put(2);
//   int top = stack.get();   // 2
//
// One mutex guards it (BlockingQueue, the FIFO, has a faster lock-free-ish path).
#pragma once

#include <cstddef>

#include "threadpool/internal/locked_queue.hpp"
#include "threadpool/internal/queue_orders.hpp"

namespace mp::threadpool {

template <class T>
class LifoQueue : public internal::LockedQueue<T, internal::EndOrder<T, internal::Out::kNewest>> {
public:
    // maxsize 0 means unbounded (as in Python).
    explicit LifoQueue(std::size_t maxsize = 0)
        : internal::LockedQueue<T, internal::EndOrder<T, internal::Out::kNewest>>(maxsize) {}
};

}  // namespace mp::threadpool
