#include "sync/lock.hpp"

namespace mp::sync {

using internal::Kind;
using internal::LockState;
using internal::Shared;

Lock::Lock() : LockableHandle(Shared<LockState>::anonymous(Kind::lock, ProcessMutex::Kind::normal)) {}

Lock::Lock(ThreadsOnly) : LockableHandle(Shared<LockState>::private_heap(Kind::lock, ProcessMutex::Kind::normal)) {}

Lock Lock::open(std::string_view name) {
    return Lock(Shared<LockState>::named(name, Kind::lock, ProcessMutex::Kind::normal));
}

RLock::RLock() : LockableHandle(Shared<LockState>::anonymous(Kind::rlock, ProcessMutex::Kind::recursive)) {}

RLock::RLock(ThreadsOnly)
    : LockableHandle(Shared<LockState>::private_heap(Kind::rlock, ProcessMutex::Kind::recursive)) {}

RLock RLock::open(std::string_view name) {
    return RLock(Shared<LockState>::named(name, Kind::rlock, ProcessMutex::Kind::recursive));
}

}  // namespace mp::sync
