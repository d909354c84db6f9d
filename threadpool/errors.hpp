// The outcomes of the threadpool library worth branching on, named as in Python.
#pragma once

#include <stdexcept>

namespace mp::threadpool {

// QueueFull: a timed or non-blocking put found a bounded BlockingQueue full
// (Python's queue.Full).
class QueueFull : public std::runtime_error {
public:
    QueueFull() : std::runtime_error("queue full") {}
};

// QueueEmpty: a timed get found the BlockingQueue empty (Python's queue.Empty).
class QueueEmpty : public std::runtime_error {
public:
    QueueEmpty() : std::runtime_error("queue empty") {}
};

// QueueClosed: put on a closed BlockingQueue, or get on a closed queue that is drained.
class QueueClosed : public std::runtime_error {
public:
    QueueClosed() : std::runtime_error("queue closed") {}
};

// PoolClosed: a task was offered to a ThreadPool after close() or terminate(), or to
// the inert copy of a pool that a forked child inherited.
class PoolClosed : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Cancelled: the task was dropped by ThreadPool::terminate() before it started; its
// future holds this exception.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("task cancelled: the pool was terminated before it ran") {}
};

// CancelledError: result() or exception() of a Future that was cancelled
// (Python's concurrent.futures.CancelledError).
class CancelledError : public std::runtime_error {
public:
    CancelledError() : std::runtime_error("threadpool: the future was cancelled") {}
};

// TimeoutError: a bounded wait of a Future, of as_completed() or of an executor's map
// ran out of time (Python's TimeoutError).
class TimeoutError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// BrokenThreadPool: a ThreadPoolExecutor's initializer threw, so no task of it can run
// (Python's concurrent.futures.thread.BrokenThreadPool).
class BrokenThreadPool : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace mp::threadpool
