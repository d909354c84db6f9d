// Session: this process's connections to one Manager server, shared by every proxy
// of that server in the process, and the process's references to its objects.
//
// Connections: the home connection carries creates and reference counts, in the
// order the counts change (the server counts references per connection, so they
// must all travel on one, in order). Calls go on pooled connections: a call takes
// an idle one or opens a new one, and gives it back when answered, so a thread
// blocked in a queue's get() or a lock's acquire() never stops the process's other
// threads from reaching the server (as Python's per-thread connections). At most
// kMaxIdleConnections stay open when a burst of calls is over (each costs an fd here
// and a thread in the server); the others are closed as they come back.
//
// References are counted here and told to the server only when a count goes 0 -> 1
// (a round trip: once it returns, the server counts the reference) or 1 -> 0 (a
// one-way message): copying or dropping a proxy costs no round trip. A forked child
// finds the session made by its parent (pid differs): it drops the parent's
// connections, opens its own and registers the references it inherited before its
// first call, so the server keeps what the child's copied proxies point at, and
// drops them when the child's connection closes, whichever way the child ends.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ipc/connection.hpp"
#include "ipc/internal/manager_protocol.hpp"

namespace mp::ipc::internal {

inline constexpr std::size_t kMaxIdleConnections = 4;

class Session {
public:
    Session(std::string address, std::vector<std::byte> authkey);

    const std::string& address() const noexcept { return address_; }
    const std::vector<std::byte>& authkey() const noexcept { return authkey_; }

    // Connects and authenticates now, if this process has not yet.
    void connect();
    // Makes an object; the new object is referenced once, by the caller's proxy.
    std::uint64_t create(StoredKind kind, Object initial);
    // The object the server holds under `name`, made from `initial` if it has none.
    std::uint64_t open_named(StoredKind kind, const std::string& name, Object initial);
    // Runs a method, waiting in the server at most `timeout_ns` (kNoTimeout: as long
    // as it takes) for a method that may block; throws what the server's method
    // threw (KeyError, ...), or ManagerError when the server cannot be reached or
    // goes away during the call.
    Object call(std::uint64_t object, Method method, List args, std::int64_t timeout_ns = kNoTimeout);
    // As call, the arguments encoded by `encode_args` (a method that does not block).
    Object call(std::uint64_t object, Method method, EncodeArguments encode_args);
    void acquire(std::uint64_t object);
    void release(std::uint64_t object) noexcept;

    // Re-creates the mutex in a forked child (a thread of the parent may have held it).
    void reset_after_fork() noexcept;

private:
    using Pooled = std::unique_ptr<Connection>;
    Connection& home_locked();
    Reply round_trip(Connection& connection, const Request& request);
    Object call(const Request& request);
    std::uint64_t referenced(const Request& create_request);
    Pooled lease();
    void give_back(Pooled connection, pid_t pid) noexcept;

    const std::string address_;
    const std::vector<std::byte> authkey_;
    std::mutex mutex_;
    pid_t pid_ = -1;  // the process home_ and idle_ belong to
    Connection home_;
    std::vector<Pooled> idle_;
    std::unordered_map<std::uint64_t, std::uint64_t> references_;
};

// The calling thread's Owner (manager_protocol.hpp).
Owner current_owner();

// The session of the Manager at `address` (manager_address.hpp) in this process, made with `authkey`
// if there is none yet (a child forked after it was made finds its parent's).
std::shared_ptr<Session> session_for(const std::string& address, const std::vector<std::byte>& authkey);
// The session of the Manager at `address` in this process, or nullptr when it has none.
std::shared_ptr<Session> existing_session(const std::string& address);

}  // namespace mp::ipc::internal
