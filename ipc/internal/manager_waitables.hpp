// Waitables: the state of a Manager's queues and sync objects (Queue, Lock, RLock,
// Semaphore, BoundedSemaphore, Condition, Event, Barrier) and what their Methods do.
// Pure logic, as ManagerStore, which owns it and calls it under the server's lock.
//
// Nothing here blocks. A call that must wait for another client's change answers
// nullopt from attempt(); the server waits for the next change (or its timeout),
// without its lock, and attempts again, with `expired` set once the timeout has
// passed: the call then answers its "timed out" result (false, an empty list) or
// throws BrokenBarrierError, as the method says. A call that waits in steps (a
// Condition's wait: release the lock, wait for a notify, take the lock back; a
// Barrier's wait: arrive, wait for the others) keeps its progress in a WaitState
// between attempts, and abandon() undoes it when its client leaves mid-wait.
//
// Holds belong to processes: the lock, the RLock and the first `initial` slots of a
// semaphore are recorded against the calling process (Owner::process), and released
// when the last connection on which that process called closes (it died, even by
// SIGKILL, or its session ended). An RLock's owner, and a Condition's, is the thread
// (the whole Owner), never a connection: a process's calls go on several.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <variant>

#include "ipc/internal/manager_protocol.hpp"
#include "ipc/object.hpp"

namespace mp::ipc::internal {

using ClientId = std::uint64_t;

// Who calls: its connection and its thread.
struct Caller {
    ClientId client = 0;
    Owner owner;
};

// A call's progress between attempts; starts empty.
struct WaitState {
    std::uint64_t ticket = 0;  // a Condition's or Barrier's waiter; an Event's: started
    std::uint64_t mark = 0;    // an Event's count of set() when the wait began
};

// A lock released, or a Condition used, by a thread that does not hold its lock.
class NotOwner : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

class Waitables {
public:
    // Makes the state of object `id` (StoredKind says what `parameter` is). A
    // condition's lock must be a lock or rlock here. Throws TypeError, ValueError.
    void create(std::uint64_t id, StoredKind kind, const Object& parameter);
    // Forgets object `id`; returns the lock it used when it was a condition.
    std::optional<std::uint64_t> erase(std::uint64_t id);

    // One attempt of `method` on object `id`: its result, or nullopt to wait.
    // Throws TypeError (not a method of this kind), ValueError, NotOwner,
    // sync::BrokenBarrierError.
    std::optional<Object> attempt(const Caller& caller, std::uint64_t id, Method method, const List& args,
                                  bool expired, WaitState& state);
    // The caller of a call that answered nullopt gives up: a condition's waiter
    // leaves; a barrier's breaks the barrier for the others (a party is gone).
    void abandon(std::uint64_t id, WaitState& state) noexcept;

    // `client` calls for `process` (first call of a connection: counts it).
    void attach(ClientId client, std::uint64_t process);
    // `client`'s connection closed: when it was its process's last, every hold of
    // that process is released. Returns whether anything was released.
    bool drop_client(ClientId client);

private:
    struct QueueState {
        std::deque<Object> items;
        std::uint64_t maxsize = 0;  // 0: no limit
        std::uint64_t unfinished = 0;
    };
    struct LockState {
        bool recursive = false;
        std::uint64_t depth = 0;  // 0: free
        Owner owner;
    };
    struct SemaphoreState {
        bool bounded = false;
        std::int64_t value = 0, initial = 0;
        std::unordered_map<std::uint64_t, std::int64_t> held;  // process -> slots it took of the first `initial`
        std::int64_t held_total = 0;
        // Slots given back by processes that held none (a hand-off: one process
        // releases what another took). Whose slot each was is unknown, so each is
        // counted against the next holder to die instead of being returned again:
        // a dead holder's slots never push the value past what was taken.
        std::int64_t handed_off = 0;
        // Slots taken and given back by nobody yet.
        std::int64_t outstanding() const { return held_total - handed_off; }
    };
    enum class Phase : std::uint8_t { waiting, notified, timed_out, released, broken };
    struct Waiter {
        Phase phase = Phase::waiting;
        std::uint64_t value = 0;  // a condition's: the lock depth to restore; a barrier's: the arrival index
    };
    struct ConditionState {
        std::uint64_t lock = 0;
        std::map<std::uint64_t, Waiter> waiters;  // by ticket: notify wakes the oldest first
    };
    struct EventState {
        bool set = false;
        std::uint64_t sets = 0;  // a wait that began before a set() returns true even after a clear()
    };
    struct BarrierState {
        std::uint64_t parties = 1;
        bool broken = false;
        std::map<std::uint64_t, Waiter> waiters;
    };
    using State = std::variant<QueueState, LockState, SemaphoreState, ConditionState, EventState, BarrierState>;

    template <class S>
    S& state_of(std::uint64_t id, const char* kind);
    LockState& lock_of(std::uint64_t id);  // a lock's, rlock's or condition's lock
    std::optional<Object> queue(QueueState& q, Method method, const List& args, bool expired);
    std::optional<Object> lock(LockState& l, const Caller& caller, Method method, bool expired);
    std::optional<Object> semaphore(SemaphoreState& s, const Caller& caller, Method method, const List& args,
                                    bool expired);
    std::optional<Object> condition(ConditionState& c, const Caller& caller, Method method, const List& args,
                                    bool expired, WaitState& state);
    std::optional<Object> event(EventState& e, Method method, bool expired, WaitState& state);
    std::optional<Object> barrier(BarrierState& b, Method method, bool expired, WaitState& state);
    static void break_barrier(BarrierState& b) noexcept;
    void release_process(std::uint64_t process);

    std::unordered_map<std::uint64_t, State> states_;
    std::uint64_t next_ticket_ = 1;
    std::unordered_map<ClientId, std::uint64_t> process_of_;        // connection -> the process calling on it
    std::unordered_map<std::uint64_t, std::uint64_t> connections_;  // process -> its connections that called
};

}  // namespace mp::ipc::internal
