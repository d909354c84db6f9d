// The semantic errors of mp::shm. OS failures are std::system_error naming the
// call; bad arguments are std::invalid_argument / std::out_of_range.
//
// shm has no wait that throws on a timeout: its one timed wait is the segment's
// Lock (sync::ProcessMutex), whose try_lock_for reports. sync::TimeoutError is the
// type for the wider mp::sync family (sync/errors.hpp).
#pragma once

#include <stdexcept>

namespace mp::shm {

// Any problem with a typed segment's header; the message names the segment.
class SegmentError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};
// The segment holds another element type than the one asked for.
class WrongType : public SegmentError {
public:
    using SegmentError::SegmentError;
};
// The segment holds another number of elements than the one asked for.
class WrongLength : public SegmentError {
public:
    using SegmentError::SegmentError;
};
// The segment is not a typed segment of this library's version, is not initialized,
// is too small for its header, or its header is corrupt or disagrees with its size.
class DamagedSegment : public SegmentError {
public:
    using SegmentError::SegmentError;
};

// Thrown by with_lock() when the previous holder of the segment's lock died while
// holding it: the data may be half-updated. The lock is recovered and released
// again, so the next with_lock() proceeds normally; catch this to check or repair
// the data first.
class LockOwnerDied : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace mp::shm
