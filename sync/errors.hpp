// The semantic errors of mp::sync, named as in Python. OS failures are
// std::system_error; a bad name is std::invalid_argument.
#pragma once

#include <stdexcept>

namespace mp::sync {

// TimeoutError: a bounded wait that throws (x(timeout), see README "Waiting and
// errors") ran out of time; the operation it waited for goes on, and waiting again
// is allowed. The one type for sync, ipc, shm and pool: ipc::TimeoutError and
// pool::TimeoutError are aliases of it, so one catch covers them all.
class TimeoutError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A Barrier was aborted, reset while threads waited, broken by a wait that timed
// out, or lost a waiting party that died. Python: threading.BrokenBarrierError.
class BrokenBarrierError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A BoundedSemaphore was released more times than it was acquired, or a semaphore
// was released zero times. Python raises ValueError("Semaphore released too many
// times") and ValueError("n must be one or more").
class ValueError : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

}  // namespace mp::sync
