#include "sync/condition.hpp"

#include <cerrno>
#include <string>
#include <system_error>

#include "sync/internal/futex.hpp"

namespace mp::sync {

using internal::ConditionState;
using internal::Kind;
using internal::Shared;

namespace {

ProcessMutex::Kind mutex_kind(Condition::LockKind kind) {
    return kind == Condition::LockKind::rlock ? ProcessMutex::Kind::recursive : ProcessMutex::Kind::normal;
}

}  // namespace

Condition::Condition(LockKind kind)
    : LockableHandle(Shared<ConditionState>::anonymous(Kind::condition, mutex_kind(kind))) {}

Condition::Condition(Lock& lock)
    : LockableHandle(Shared<ConditionState>::anonymous(Kind::condition, ProcessMutex::Kind::normal), lock.mutex()) {}

Condition::Condition(RLock& lock)
    : LockableHandle(Shared<ConditionState>::anonymous(Kind::condition, ProcessMutex::Kind::recursive), lock.mutex()) {}

Condition Condition::open(std::string_view name, LockKind kind, const Access& access) {
    return Condition(Shared<ConditionState>::named(name, access, Kind::condition, mutex_kind(kind)));
}

void Condition::require_held(const char* operation) const {
    if (!mutex().held_by_this_thread())
        throw std::system_error(EPERM, std::generic_category(),
                                std::string("Condition::") + operation + ": the lock is not held by this thread");
}

bool Condition::wait_until_steady(internal::SteadyTime deadline) {
    require_held("wait");
    ConditionState& s = *shared_;
    // Read before releasing the lock: a notify after the release bumps it, so the
    // futex wait returns at once instead of sleeping through it.
    const std::uint32_t seq = s.wake_seq.load(std::memory_order_relaxed);
    ProcessMutex& lock = mutex();
    const unsigned depth = lock.recursion_depth();
    for (unsigned i = 0; i < depth; ++i) lock.unlock();
    const bool woken = internal::futex_wait_until(s.wake_seq, seq, deadline);
    lock.lock();
    for (unsigned i = 1; i < depth; ++i) lock.lock();
    return woken;
}

void Condition::notify(int n) {
    require_held("notify");
    if (n <= 0) return;
    shared_->wake_seq.fetch_add(1, std::memory_order_relaxed);
    internal::futex_wake(shared_->wake_seq, n);
}

}  // namespace mp::sync
