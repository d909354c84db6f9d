// The outcomes of pool and process operations worth branching on, named as in
// Python's multiprocessing and concurrent.futures. OS failures are std::system_error.
//
// Waiting: a call without a timeout waits as long as it takes; the same name with a
// timeout (AsyncResult::get, IMapIterator::next) throws TimeoutError when it runs
// out; a name ending in _for (join_for, wait_for) reports by value and never throws
// on expiry. Messages read "pool: <what>".
#pragma once

#include <sys/types.h>

#include <exception>
#include <stdexcept>
#include <string>

#include "ipc/errors.hpp"
#include "threadpool/errors.hpp"

namespace mp::pool {

// A bounded wait that throws (AsyncResult::get(timeout), IMapIterator::next(timeout))
// ran out of time. The operation it waited for goes on; waiting again is allowed.
// One type for sync, ipc, shm and pool: catching it catches theirs.
using TimeoutError = ipc::TimeoutError;

// A task was submitted to a pool after close() or terminate() (or to an Executor
// after shutdown()): a mistake in the calling code, hence a std::logic_error.
// (threadpool's type: pool and threadpool share it, as they share CancelledError.)
using PoolClosed = threadpool::PoolClosed;

// The task never ran to completion because the pool was terminated (or the executor
// shut down with cancel_futures) before or while it ran. threadpool's type: a
// Future of either executor reports cancellation with the one CancelledError.
using CancelledError = threadpool::CancelledError;

namespace internal {
// Whether `error` is a CancelledError.
bool is_cancellation(const std::exception_ptr& error) noexcept;
}  // namespace internal

// The pool cannot run tasks any more: its initializer failed in a worker, or its fork
// server died. what() carries the reason, e.g. the initializer's error text.
class BrokenPool : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The worker running this task died before sending its result: killed by a signal
// (signal() != 0) or exited (exit_code()). The pool replaced it and carries on.
class WorkerDied : public std::runtime_error {
public:
    WorkerDied(pid_t pid, int signal, int exit_code);
    pid_t pid() const noexcept { return pid_; }
    int signal() const noexcept { return signal_; }        // 0 when it exited
    int exit_code() const noexcept { return exit_code_; }  // valid when signal() == 0

private:
    pid_t pid_;
    int signal_;
    int exit_code_;
};

// The task threw, in worker pid(), an exception whose type the parent cannot
// rebuild (see pool/exceptions.hpp for the ones it can). type_name() is the
// demangled type of what was thrown ("geo::ParseError"), message() its what();
// what() is "<type>: <message>".
class RemoteError : public std::runtime_error {
public:
    RemoteError(std::string type_name, std::string message, pid_t pid = 0);
    const std::string& type_name() const noexcept { return type_name_; }
    const std::string& message() const noexcept { return message_; }
    pid_t pid() const noexcept { return pid_; }

private:
    std::string type_name_;
    std::string message_;
    pid_t pid_;
};

}  // namespace mp::pool
