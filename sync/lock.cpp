#include "sync/lock.hpp"

namespace mp::sync {

using internal::Kind;
using internal::LockState;
using internal::Shared;

Lock::Lock() : LockableHandle(Shared<LockState>::anonymous(Kind::lock, ProcessMutex::Kind::normal)) {}

Lock::Lock(ThreadsOnly) : LockableHandle(Shared<LockState>::private_heap(Kind::lock, ProcessMutex::Kind::normal)) {}

Lock Lock::open(std::string_view name, const Access& access) {
    return Lock(Shared<LockState>::named(name, access, Kind::lock, ProcessMutex::Kind::normal));
}

RLock::RLock() : LockableHandle(Shared<LockState>::anonymous(Kind::rlock, ProcessMutex::Kind::recursive)) {}

RLock::RLock(ThreadsOnly)
    : LockableHandle(Shared<LockState>::private_heap(Kind::rlock, ProcessMutex::Kind::recursive)) {}

RLock RLock::open(std::string_view name, const Access& access) {
    return RLock(Shared<LockState>::named(name, access, Kind::rlock, ProcessMutex::Kind::recursive));
}

}  // namespace mp::sync
