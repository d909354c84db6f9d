// The outcomes of the threadpool library worth branching on, named as in Python.
// threadpool depends on no other mp library, so these are its own types; the
// contract is mp's one (README "Waiting and errors").
#pragma once

#include <stdexcept>
#include <string>

namespace mp::threadpool {

// The thread queues (BlockingQueue, LifoQueue, PriorityQueue, SimpleQueue) share
// these three outcomes, as Python's queue module does.
//
// QueueFull: put(value, timeout) found a bounded queue still full when the time ran
// out, or put_nowait found it full (Python's queue.Full). try_put and try_put_for
// report it as false instead.
class QueueFull : public std::runtime_error {
public:
    QueueFull() : std::runtime_error("threadpool: put: the queue is full") {}
};

// QueueEmpty: get(timeout) found the queue still empty when the time ran out, or
// get_nowait found it empty (Python's queue.Empty). try_get and try_get_for report
// it as nullopt instead.
class QueueEmpty : public std::runtime_error {
public:
    QueueEmpty() : std::runtime_error("threadpool: get: the queue is empty") {}
};

// QueueClosed: any put on a closed queue, or any get on a closed queue that is
// drained, the try_ forms included (closure is not a timing outcome, and a
// polling loop must not spin on it).
class QueueClosed : public std::runtime_error {
public:
    QueueClosed() : std::runtime_error("threadpool: the queue is closed") {}
};

// PoolClosed: a task was offered to a ThreadPool after close() or terminate(), or to
// the inert copy of a pool that a forked child inherited. A logic_error: the caller
// broke the pool's lifecycle (Python raises RuntimeError).
class PoolClosed : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

// CancelledError (Python's concurrent.futures.CancelledError): the task never ran —
// ThreadPool::terminate() (or shutdown with cancel_futures) dropped it, and its
// std::future holds this exception; or result()/exception() of a cancelled Future.
class CancelledError : public std::runtime_error {
public:
    CancelledError() : std::runtime_error("threadpool: the task was cancelled before it ran") {}
    explicit CancelledError(const std::string& what) : std::runtime_error(what) {}
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
