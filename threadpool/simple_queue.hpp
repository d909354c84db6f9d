// SimpleQueue<T>: Python's queue.SimpleQueue: an unbounded FIFO without the
// unfinished-tasks count (no task_done, no join). put never blocks (it throws only
// QueueClosed); get blocks while the queue is empty, get(timeout) and get_nowait
// throw QueueEmpty, try_get and try_get_for report nullopt; close wakes every
// getter, which drains what is left and then throws QueueClosed (the try_ forms
// too). Move-only T works.
//
//   mp::threadpool::SimpleQueue<std::string> lines;
//   lines.put("first");
//   std::string line = lines.get();
#pragma once

#include "threadpool/internal/locked_queue.hpp"
#include "threadpool/internal/queue_orders.hpp"

namespace mp::threadpool {

template <class T>
class SimpleQueue : private internal::LockedQueue<T, internal::EndOrder<T, internal::Out::kOldest>> {
    using Base = internal::LockedQueue<T, internal::EndOrder<T, internal::Out::kOldest>>;

public:
    SimpleQueue() = default;

    using Base::put;         // put(x); put(x, timeout) never times out: the queue has no bound
    using Base::put_nowait;  // the same as put (Python's name)
    using Base::get;
    using Base::get_nowait;
    using Base::try_get;
    using Base::try_get_for;
    using Base::close;
    using Base::closed;
    using Base::qsize;
    using Base::empty;
};

}  // namespace mp::threadpool
