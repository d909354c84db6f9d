// The Manager's wire protocol: after the handshake (manager_auth.hpp), a client sends
// Requests and the server answers each call with one Reply; incref and decref are
// one-way (no Reply), so copying or dropping a proxy costs no round trip.
// Every request names the calling thread (`owner`: an RLock's owner, a Condition's
// waiter) and, for a call that may wait, its timeout: the wait happens in the server,
// which answers "timed out" as the method's negative result.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "ipc/codec.hpp"
#include "ipc/object.hpp"

namespace mp::ipc::internal {

// Changes with every change of the requests' or replies' layout: the handshake
// refuses a peer speaking another (their names give the same type signature).
inline constexpr std::uint64_t kProtocolVersion = 2;

enum class RequestKind : std::uint8_t { call, create, incref, decref };

// A function the client names by address (an integer argument of a modify call), run
// in the server on a stored value: the server is a fork of the client's program, so
// the address means the same code.
using ModifyFunction = void (*)(Object& value);

// What a proxy asks of its object. The first word names the kind of object.
enum class Method : std::uint8_t {
    dict_get, dict_get_or, dict_set, dict_del, dict_contains, dict_len, dict_keys, dict_values, dict_items,
    dict_update, dict_setdefault, dict_pop, dict_pop_or, dict_popitem, dict_clear, dict_copy, dict_modify, dict_add,
    list_get, list_set, list_slice, list_set_slice, list_len, list_append, list_extend, list_insert, list_pop,
    list_remove, list_index, list_count, list_reverse, list_sort, list_copy,
    namespace_get, namespace_set, namespace_del, namespace_copy,
    value_get, value_set, value_modify,
    // queue, lock / rlock (a condition's lock_* reach its lock), semaphore, condition,
    // event, barrier (manager_waitables.hpp)
    queue_put, queue_get, queue_qsize, queue_full, queue_task_done, queue_join,
    lock_acquire, lock_release,
    semaphore_acquire, semaphore_release, semaphore_value,
    condition_wait, condition_notify,
    event_set, event_clear, event_is_set, event_wait,
    barrier_wait, barrier_abort, barrier_reset, barrier_parties, barrier_n_waiting, barrier_broken,
    last = barrier_broken
};

// Whether a call of `method` may wait for another client's change (it is then sent
// on a connection of its own: see manager_session.hpp).
constexpr bool may_block(Method method) {
    switch (method) {
        case Method::queue_put:
        case Method::queue_get:
        case Method::queue_join:
        case Method::lock_acquire:
        case Method::semaphore_acquire:
        case Method::condition_wait:
        case Method::event_wait:
        case Method::barrier_wait:
            return true;
        default:
            return false;
    }
}

// The kinds of object a Manager holds (what `create` makes).
// The waitable ones (queue and after) are made from their parameter: queue: maxsize;
// semaphores: the initial value; barrier: the parties; condition: its lock's id, or
// None for a new RLock of its own; the others: None.
enum class StoredKind : std::uint8_t {
    dict, list, namespace_, value,
    queue, lock, rlock, semaphore, bounded_semaphore, condition, event, barrier,
    last = barrier
};
constexpr bool is_waitable(StoredKind kind) { return kind >= StoredKind::queue; }

// The calling thread, across processes and hosts: a random number drawn by each
// process (a pid is not unique across hosts, nor after a fork reuses it) and the
// thread's number in that process.
struct Owner {
    std::uint64_t process = 0;
    std::uint64_t thread = 0;
    friend bool operator==(const Owner&, const Owner&) = default;
};

// A call's timeout: none (wait as long as it takes), or nanoseconds (0: do not wait).
inline constexpr std::int64_t kNoTimeout = -1;

// A call's arguments encoded by the client straight onto the wire, exactly as a List
// of them would be: a big argument (a whole dict for update()) is not copied into a
// List first. The server always decodes a List.
using EncodeArguments = std::function<void(Encoder& out)>;

struct Request {
    RequestKind kind = RequestKind::call;
    std::uint64_t object = 0;  // call, incref, decref
    std::uint8_t code = 0;     // call: a Method; create: a StoredKind
    List args;                 // call: the arguments; create: the initial value, and a name for a named object
    Owner owner;               // call: the calling thread
    std::int64_t timeout_ns = kNoTimeout;  // call of a method that may block
    EncodeArguments encode_args{};         // sending only: when set, sent in place of args
};

// Reply status: ok, or the Python exception the call raised.
// not_owner: a lock released (or a condition used) by a thread that does not hold it
// (Python's RuntimeError; std::system_error with EPERM here, as mp::sync's locks).
enum class Status : std::uint8_t {
    ok, key_error, index_error, value_error, type_error, attribute_error, broken_barrier, not_owner, error
};

struct Reply {
    Status status = Status::ok;
    Object value;         // ok: the result (create: the new object's id)
    std::string message;  // an error's message
};

inline void mp_encode(Encoder& out, const Request& r) {
    out.write(static_cast<std::uint8_t>(r.kind));
    out.write(r.object);
    out.write(r.code);
    if (r.encode_args)
        r.encode_args(out);
    else
        out.write(r.args);
    out.write(r.owner.process);
    out.write(r.owner.thread);
    out.write(r.timeout_ns);
}
inline void mp_decode(Decoder& in, Request& r) {
    const auto kind = in.read<std::uint8_t>();
    if (kind > static_cast<std::uint8_t>(RequestKind::decref)) throw DecodeError("ipc: Manager: unknown request kind");
    r.kind = static_cast<RequestKind>(kind);
    in.read(r.object);
    in.read(r.code);
    in.read(r.args);
    in.read(r.owner.process);
    in.read(r.owner.thread);
    in.read(r.timeout_ns);
}
inline void mp_encode(Encoder& out, const Reply& r) {
    out.write(static_cast<std::uint8_t>(r.status));
    out.write(r.value);
    out.write(r.message);
}
inline void mp_decode(Decoder& in, Reply& r) {
    const auto status = in.read<std::uint8_t>();
    if (status > static_cast<std::uint8_t>(Status::error)) throw DecodeError("ipc: Manager: unknown reply status");
    r.status = static_cast<Status>(status);
    in.read(r.value);
    in.read(r.message);
}

}  // namespace mp::ipc::internal
