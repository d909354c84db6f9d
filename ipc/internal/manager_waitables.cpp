#include "ipc/internal/manager_waitables.hpp"

#include <algorithm>
#include <string>

#include "ipc/internal/call_arguments.hpp"
#include "sync/errors.hpp"

namespace mp::ipc::internal {

namespace {

std::int64_t non_negative(const Object& parameter, const char* what) {
    const std::int64_t n = parameter.as_int();
    if (n < 0) throw sync::ValueError(std::string("ipc: ") + what + " must be >= 0");
    return n;
}

[[noreturn]] void not_a_method(const char* kind) { throw TypeError(std::string("ipc: Manager: not a ") + kind + " method"); }

}  // namespace

void Waitables::create(std::uint64_t id, StoredKind kind, const Object& parameter) {
    switch (kind) {
        case StoredKind::queue:
            states_.emplace(id, QueueState{{}, static_cast<std::uint64_t>(std::max<std::int64_t>(parameter.as_int(), 0)), 0});
            return;
        case StoredKind::lock:
        case StoredKind::rlock:
            states_.emplace(id, LockState{kind == StoredKind::rlock, 0, {}});
            return;
        case StoredKind::semaphore:
        case StoredKind::bounded_semaphore: {
            const std::int64_t value = non_negative(parameter, "a semaphore's initial value");
            states_.emplace(id, SemaphoreState{kind == StoredKind::bounded_semaphore, value, value, {}, 0});
            return;
        }
        case StoredKind::condition: {
            const auto lock = static_cast<std::uint64_t>(parameter.as_int());
            (void)lock_of(lock);
            if (std::holds_alternative<ConditionState>(states_.at(lock)))
                throw TypeError("ipc: Manager: a Condition's lock must be a Lock or an RLock");
            states_.emplace(id, ConditionState{lock, {}});
            return;
        }
        case StoredKind::event:
            states_.emplace(id, EventState{});
            return;
        case StoredKind::barrier: {
            const std::int64_t parties = parameter.as_int();
            if (parties < 1) throw sync::ValueError("ipc: a Barrier needs at least 1 party");
            states_.emplace(id, BarrierState{static_cast<std::uint64_t>(parties), false, {}});
            return;
        }
        default:
            throw TypeError("ipc: Manager: not a waitable kind");
    }
}

std::optional<std::uint64_t> Waitables::erase(std::uint64_t id) {
    const auto it = states_.find(id);
    if (it == states_.end()) return std::nullopt;
    std::optional<std::uint64_t> lock;
    if (const auto* c = std::get_if<ConditionState>(&it->second)) lock = c->lock;
    states_.erase(it);
    return lock;
}

template <class S>
S& Waitables::state_of(std::uint64_t id, const char* kind) {
    const auto it = states_.find(id);
    if (it == states_.end()) throw KeyError("ipc: Manager: no object " + std::to_string(id));
    S* s = std::get_if<S>(&it->second);
    if (s == nullptr) not_a_method(kind);
    return *s;
}

Waitables::LockState& Waitables::lock_of(std::uint64_t id) {
    const auto it = states_.find(id);
    if (it == states_.end()) throw KeyError("ipc: Manager: no object " + std::to_string(id));
    if (auto* c = std::get_if<ConditionState>(&it->second)) return state_of<LockState>(c->lock, "lock");
    return state_of<LockState>(id, "lock");
}

std::optional<Object> Waitables::attempt(const Caller& caller, std::uint64_t id, Method method, const List& args,
                                         bool expired, WaitState& state) {
    attach(caller.client, caller.owner.process);
    switch (method) {
        case Method::queue_put:
        case Method::queue_get:
        case Method::queue_qsize:
        case Method::queue_full:
        case Method::queue_task_done:
        case Method::queue_join:
            return queue(state_of<QueueState>(id, "queue"), method, args, expired);
        case Method::lock_acquire:
        case Method::lock_release:
            return lock(lock_of(id), caller, method, expired);
        case Method::semaphore_acquire:
        case Method::semaphore_release:
        case Method::semaphore_value:
            return semaphore(state_of<SemaphoreState>(id, "semaphore"), caller, method, args, expired);
        case Method::condition_wait:
        case Method::condition_notify:
            return condition(state_of<ConditionState>(id, "condition"), caller, method, args, expired, state);
        case Method::event_set:
        case Method::event_clear:
        case Method::event_is_set:
        case Method::event_wait:
            return event(state_of<EventState>(id, "event"), method, expired, state);
        default:
            return barrier(state_of<BarrierState>(id, "barrier"), method, expired, state);
    }
}

std::optional<Object> Waitables::queue(QueueState& q, Method method, const List& args, bool expired) {
    switch (method) {
        case Method::queue_put:  // true once put; false when the timeout ran out with the queue full
            if (q.maxsize != 0 && q.items.size() >= q.maxsize) return expired ? std::optional<Object>(false) : std::nullopt;
            q.items.push_back(call_argument(args, 0));
            ++q.unfinished;
            return true;
        case Method::queue_get: {  // [item], or [] when the timeout ran out with the queue empty
            if (q.items.empty()) return expired ? std::optional<Object>(List{}) : std::nullopt;
            List got{std::move(q.items.front())};
            q.items.pop_front();
            return got;
        }
        case Method::queue_qsize:
            return q.items.size();
        case Method::queue_full:
            return q.maxsize != 0 && q.items.size() >= q.maxsize;
        case Method::queue_task_done:
            if (q.unfinished == 0) throw sync::ValueError("ipc: Queue::task_done: called too many times");
            --q.unfinished;
            return None{};
        default:  // queue_join: true when every item put was task_done()
            if (q.unfinished == 0) return true;
            return expired ? std::optional<Object>(false) : std::nullopt;
    }
}

std::optional<Object> Waitables::lock(LockState& l, const Caller& caller, Method method, bool expired) {
    if (method == Method::lock_acquire) {  // true once held; false when the timeout ran out
        if (l.depth == 0 || (l.recursive && l.owner == caller.owner)) {
            ++l.depth;
            l.owner = caller.owner;
            return true;
        }
        return expired ? std::optional<Object>(false) : std::nullopt;
    }
    if (l.depth == 0) throw NotOwner("ipc: release: the lock is not held");
    // Python's Lock may be released by any thread (a hand-off); an RLock only by its owner.
    if (l.recursive && !(l.owner == caller.owner))
        throw NotOwner("ipc: RLock::release: the calling thread does not hold the lock");
    if (--l.depth == 0) l.owner = {};
    return None{};
}

std::optional<Object> Waitables::semaphore(SemaphoreState& s, const Caller& caller, Method method, const List& args,
                                           bool expired) {
    const std::uint64_t process = caller.owner.process;
    switch (method) {
        case Method::semaphore_acquire:
            if (s.value == 0) return expired ? std::optional<Object>(false) : std::nullopt;
            --s.value;
            // Only the first `initial` slots are a holder's to give back when it dies: a
            // semaphore started at 0 counts signals, and a taken signal is not returned.
            if (s.outstanding() < s.initial) {
                ++s.held[process];
                ++s.held_total;
            }
            return true;
        case Method::semaphore_release: {
            const std::int64_t n = args.empty() ? 1 : call_argument(args, 0).as_int();
            if (n < 1) throw sync::ValueError("ipc: Semaphore::release: n must be >= 1");
            if (s.bounded && s.value + n > s.initial) throw sync::ValueError("ipc: BoundedSemaphore::release: released too many times");
            s.value += n;
            // The caller's own slots first; a release by a process that holds none is
            // a hand-off of someone's slot, while any is outstanding.
            for (std::int64_t i = 0; i < n; ++i) {
                if (const auto own = s.held.find(process); own != s.held.end()) {
                    --s.held_total;
                    if (--own->second == 0) s.held.erase(own);
                    s.handed_off = std::min(s.handed_off, s.held_total);  // no more hand-offs than holds
                } else if (s.outstanding() > 0) {
                    ++s.handed_off;
                } else {
                    break;  // nothing held: the rest are signals
                }
            }
            return None{};
        }
        default:
            return s.value;
    }
}

std::optional<Object> Waitables::condition(ConditionState& c, const Caller& caller, Method method, const List& args,
                                           bool expired, WaitState& state) {
    LockState& l = state_of<LockState>(c.lock, "lock");
    if (state.ticket == 0 && !(l.depth > 0 && l.owner == caller.owner))
        throw NotOwner(method == Method::condition_wait ? "ipc: Condition::wait: the calling thread does not hold the lock"
                                                        : "ipc: Condition::notify: the calling thread does not hold the lock");
    if (method == Method::condition_notify) {
        std::int64_t n = args.empty() ? 1 : call_argument(args, 0).as_int();
        for (auto& [ticket, waiter] : c.waiters)
            if (n > 0 && waiter.phase == Phase::waiting) {
                waiter.phase = Phase::notified;
                --n;
            }
        return None{};
    }
    // wait: release every hold, wait for a notify (or the timeout), take the lock back
    // as it was; true when notified.
    if (state.ticket == 0) {
        state.ticket = next_ticket_++;
        c.waiters.emplace(state.ticket, Waiter{Phase::waiting, l.depth});
        l.depth = 0;
        l.owner = {};
    }
    Waiter& waiter = c.waiters.at(state.ticket);
    if (waiter.phase == Phase::waiting) {
        if (!expired) return std::nullopt;
        waiter.phase = Phase::timed_out;
    }
    if (l.depth != 0) return std::nullopt;  // no timeout for taking the lock back, as Python's
    l.depth = waiter.value;
    l.owner = caller.owner;
    const bool notified = waiter.phase == Phase::notified;
    c.waiters.erase(state.ticket);
    state.ticket = 0;
    return notified;
}

std::optional<Object> Waitables::event(EventState& e, Method method, bool expired, WaitState& state) {
    switch (method) {
        case Method::event_set:
            e.set = true;
            ++e.sets;
            return None{};
        case Method::event_clear:
            e.set = false;
            return None{};
        case Method::event_is_set:
            return e.set;
        default:  // event_wait: true when set; false when the timeout ran out
            if (state.ticket == 0) {
                state.ticket = 1;
                state.mark = e.sets;
            }
            if (e.set || e.sets != state.mark) return true;
            return expired ? std::optional<Object>(false) : std::nullopt;
    }
}

// Every party waiting now leaves with BrokenBarrierError, and so do later arrivals
// until reset().
void Waitables::break_barrier(BarrierState& b) noexcept {
    b.broken = true;
    for (auto& [ticket, waiter] : b.waiters)
        if (waiter.phase == Phase::waiting) waiter.phase = Phase::broken;
}

std::optional<Object> Waitables::barrier(BarrierState& b, Method method, bool expired, WaitState& state) {
    const auto waiting = [&] {
        return static_cast<std::uint64_t>(std::count_if(b.waiters.begin(), b.waiters.end(),
                                                        [](const auto& w) { return w.second.phase == Phase::waiting; }));
    };
    switch (method) {
        case Method::barrier_abort:
            break_barrier(b);
            return None{};
        case Method::barrier_reset:  // waiting parties get BrokenBarrierError; the next round starts afresh
            break_barrier(b);
            b.broken = false;
            return None{};
        case Method::barrier_parties:
            return b.parties;
        case Method::barrier_n_waiting:
            return waiting();
        case Method::barrier_broken:
            return b.broken;
        case Method::barrier_wait:
            break;
        default:
            not_a_method("barrier");
    }
    // wait: the arrival index (0 to parties - 1), once every party has arrived.
    if (state.ticket == 0) {
        if (b.broken) throw sync::BrokenBarrierError("ipc: Barrier::wait: the barrier is broken");
        state.ticket = next_ticket_++;
        const std::uint64_t index = waiting();
        b.waiters.emplace(state.ticket, Waiter{Phase::waiting, index});
        if (index + 1 == b.parties)
            for (auto& [ticket, waiter] : b.waiters)
                if (waiter.phase == Phase::waiting) waiter.phase = Phase::released;
    }
    Waiter& waiter = b.waiters.at(state.ticket);
    if (waiter.phase == Phase::waiting) {
        if (!expired) return std::nullopt;
        break_barrier(b);  // a wait that times out breaks the barrier, as Python's
    }
    const Waiter left = waiter;
    b.waiters.erase(state.ticket);
    state.ticket = 0;
    if (left.phase == Phase::broken) throw sync::BrokenBarrierError("ipc: Barrier::wait: the barrier is broken");
    return left.value;
}

void Waitables::abandon(std::uint64_t id, WaitState& state) noexcept {
    const auto it = states_.find(id);
    if (it == states_.end() || state.ticket == 0) return;
    if (auto* c = std::get_if<ConditionState>(&it->second)) c->waiters.erase(state.ticket);
    if (auto* b = std::get_if<BarrierState>(&it->second)) {
        const auto waiter = b->waiters.find(state.ticket);
        // A party gone for good: the others would wait for ever.
        if (waiter != b->waiters.end() && waiter->second.phase == Phase::waiting) break_barrier(*b);
        b->waiters.erase(state.ticket);
    }
    state.ticket = 0;
}

void Waitables::attach(ClientId client, std::uint64_t process) {
    if (process_of_.emplace(client, process).second) ++connections_[process];
}

bool Waitables::drop_client(ClientId client) {
    const auto it = process_of_.find(client);
    if (it == process_of_.end()) return false;
    const std::uint64_t process = it->second;
    process_of_.erase(it);
    if (--connections_[process] > 0) return false;
    connections_.erase(process);
    release_process(process);
    return true;
}

void Waitables::release_process(std::uint64_t process) {
    for (auto& [id, state] : states_) {
        if (auto* l = std::get_if<LockState>(&state); l && l->depth > 0 && l->owner.process == process) {
            l->depth = 0;
            l->owner = {};
        }
        if (auto* s = std::get_if<SemaphoreState>(&state)) {
            if (const auto held = s->held.find(process); held != s->held.end()) {
                const std::int64_t given_back_already = std::min(s->handed_off, held->second);
                s->handed_off -= given_back_already;
                s->value += held->second - given_back_already;
                s->held_total -= held->second;
                s->held.erase(held);
            }
        }
    }
}

}  // namespace mp::ipc::internal
