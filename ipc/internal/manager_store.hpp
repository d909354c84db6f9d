// ManagerStore: the objects a Manager's server holds, their reference counts per
// client, and what each Method does to them. Pure logic (no I/O): the server calls
// it under one lock, so every request applies whole or not at all, in one order.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "ipc/internal/manager_protocol.hpp"
#include "ipc/object.hpp"

namespace mp::ipc::internal {

class ManagerStore {
public:
    using ClientId = std::uint64_t;

    // Makes an object of `kind` from `initial` (List for a list, Dict for a dict or a
    // namespace, anything for a value) with one reference from `client`.
    std::uint64_t create(ClientId client, StoredKind kind, Object initial);
    // The object registered under `name` (Python's register(typeid, callable)): made
    // from `initial` on first use and held by the server until it ends, so every
    // client that names it gets the same one; one more reference from `client`.
    // TypeError when `name` is an object of another kind.
    std::uint64_t open_named(ClientId client, StoredKind kind, const std::string& name, Object initial);
    void incref(ClientId client, std::uint64_t object);
    void decref(ClientId client, std::uint64_t object);
    // Drops every reference `client` held (its connection closed).
    void drop_client(ClientId client);

    // Runs `method` on `object`. Throws KeyError, IndexError, sync::ValueError,
    // TypeError or AttributeError as Python would; `allow_modify` is false for a client
    // whose function addresses mean nothing here (another program).
    Object call(std::uint64_t object, Method method, const List& args, bool allow_modify);

    std::size_t size() const noexcept { return objects_.size(); }

private:
    struct Stored {
        StoredKind kind;
        Object value;
        std::uint64_t references = 0;
    };
    Stored& find(std::uint64_t object);

    std::uint64_t next_id_ = 1;
    std::unordered_map<std::string, std::uint64_t> named_;
    std::unordered_map<std::uint64_t, Stored> objects_;
    // client -> object -> the references it holds
    std::unordered_map<ClientId, std::unordered_map<std::uint64_t, std::uint64_t>> held_;
};

}  // namespace mp::ipc::internal
