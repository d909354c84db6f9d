// ManagerStore: the objects a Manager's server holds, their reference counts per
// client, and what each Method does to them. Pure logic (no I/O): the server calls
// it under one lock, so every request applies whole or not at all, in one order.
// The queues and sync objects' state is in Waitables (manager_waitables.hpp): a call
// on them may answer "wait" (nullopt), and the server attempts it again later.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "ipc/internal/manager_protocol.hpp"
#include "ipc/internal/manager_waitables.hpp"
#include "ipc/object.hpp"

namespace mp::ipc::internal {

class ManagerStore {
public:
    using ClientId = internal::ClientId;

    // Makes an object of `kind` from `initial` (List for a list, Dict for a dict or a
    // namespace, anything for a value, the parameter StoredKind names for the
    // waitable kinds) with one reference from `client`. A condition keeps its lock
    // alive; one made with None has a new RLock of its own.
    std::uint64_t create(ClientId client, StoredKind kind, Object initial);
    // The object registered under `name` (Python's register(typeid, callable)): made
    // from `initial` on first use and held by the server until it ends, so every
    // client that names it gets the same one; one more reference from `client`.
    // TypeError when `name` is an object of another kind.
    std::uint64_t open_named(ClientId client, StoredKind kind, const std::string& name, Object initial);
    void incref(ClientId client, std::uint64_t object);
    void decref(ClientId client, std::uint64_t object);
    // Drops every reference `client` held (its connection closed), and the holds of
    // its process when it was its last connection. Returns whether a lock or a
    // semaphore slot was released (waiters then have something to try).
    bool drop_client(ClientId client);

    // Runs `method` on `object` for `caller`: its result, or nullopt when the call
    // must wait for another client's change (a method that may_block()); `expired`
    // says the call's timeout has passed, `state` carries its progress between
    // attempts (see Waitables). Throws KeyError, IndexError, sync::ValueError,
    // TypeError or AttributeError as Python would, and NotOwner or
    // sync::BrokenBarrierError; `allow_modify` is false for a client whose function
    // addresses mean nothing here (another program). A call that completes may take
    // (move from) its arguments: a big update is not copied again.
    std::optional<Object> call(const Caller& caller, std::uint64_t object, Method method, List& args,
                               bool allow_modify, bool expired, WaitState& state);
    // A call that answered nullopt is given up (see Waitables::abandon).
    void abandon(std::uint64_t object, WaitState& state) noexcept { waitables_.abandon(object, state); }

    std::size_t size() const noexcept { return objects_.size(); }

private:
    struct Stored {
        StoredKind kind;
        Object value;
        std::uint64_t references = 0;
    };
    Stored& find(std::uint64_t object);
    // `references` of `object` are gone: it goes when none is left (a condition's
    // lock then loses one).
    void drop_references(std::uint64_t object, std::uint64_t references);

    std::uint64_t next_id_ = 1;
    std::unordered_map<std::string, std::uint64_t> named_;
    std::unordered_map<std::uint64_t, Stored> objects_;
    // client -> object -> the references it holds
    std::unordered_map<ClientId, std::unordered_map<std::uint64_t, std::uint64_t>> held_;
    Waitables waitables_;
};

}  // namespace mp::ipc::internal
