#include "ipc/internal/manager_session.hpp"

#include <pthread.h>
#include <unistd.h>

#include <new>

#include "ipc/errors.hpp"
#include "ipc/internal/manager_auth.hpp"
#include "ipc/internal/manager_socket.hpp"
#include "sync/errors.hpp"

namespace mp::ipc::internal {

namespace {

[[noreturn]] void throw_reply(const Reply& reply) {
    switch (reply.status) {
        case Status::key_error:
            throw KeyError(reply.message);
        case Status::index_error:
            throw IndexError(reply.message);
        case Status::value_error:
            throw sync::ValueError(reply.message);
        case Status::type_error:
            throw TypeError(reply.message);
        case Status::attribute_error:
            throw AttributeError(reply.message);
        default:
            throw ManagerError(reply.message);
    }
}

struct Registry {
    std::mutex mutex;
    // Weak: a session (and its connection) ends with the last Manager or proxy using it.
    std::unordered_map<std::string, std::weak_ptr<Session>> sessions;
};

Registry& registry() {
    static Registry* const instance = [] {
        auto* r = new Registry;  // leaked: proxies may be dropped while statics are destroyed
        pthread_atfork([] { registry().mutex.lock(); }, [] { registry().mutex.unlock(); },
                       [] {
                           Registry& reg = registry();
                           new (&reg.mutex) std::mutex;  // held by the forking thread: fresh in the child
                           for (auto& [path, weak] : reg.sessions)
                               if (const auto session = weak.lock()) session->reset_after_fork();
                       });
        return r;
    }();
    return *instance;
}

}  // namespace

Session::Session(std::string address, std::vector<std::byte> authkey)
    : address_(std::move(address)), authkey_(std::move(authkey)) {}

void Session::reset_after_fork() noexcept { new (&mutex_) std::mutex; }

Connection& Session::connection_locked() {
    if (pid_ == ::getpid() && !connection_.closed()) return connection_;
    // A forked child drops the parent's connection (closing its copy of the fd does
    // not disturb the parent) and registers the references it inherited.
    connection_ = Connection(connect_to(address_));
    pid_ = ::getpid();
    authenticate(connection_, authkey_, kHandshakePatience);
    for (const auto& [object, count] : references_)
        if (count > 0) connection_.send(Request{RequestKind::incref, object, 0, {}});
    return connection_;
}

Reply Session::round_trip_locked(const Request& request) {
    Connection& connection = connection_locked();
    try {
        connection.send(request);
        return connection.recv<Reply>();
    } catch (const ManagerError&) {
        throw;
    } catch (const std::exception& e) {
        connection_.close();
        throw ManagerError("ipc: Manager: the server at " + address_ + " is gone (" + e.what() + ")");
    }
}

void Session::connect() {
    std::lock_guard lock(mutex_);
    (void)connection_locked();
}

std::uint64_t Session::create(StoredKind kind, Object initial) {
    return referenced(Request{RequestKind::create, 0, static_cast<std::uint8_t>(kind), {std::move(initial)}});
}

std::uint64_t Session::open_named(StoredKind kind, const std::string& name, Object initial) {
    return referenced(Request{RequestKind::create, 0, static_cast<std::uint8_t>(kind), {std::move(initial), name}});
}

// Sends a create request; the new reference is the caller's proxy's.
std::uint64_t Session::referenced(const Request& create_request) {
    std::lock_guard lock(mutex_);
    const Reply reply = round_trip_locked(create_request);
    if (reply.status != Status::ok) throw_reply(reply);
    const auto object = static_cast<std::uint64_t>(reply.value.as_int());
    ++references_[object];
    return object;
}

Object Session::call(std::uint64_t object, Method method, List args) {
    std::lock_guard lock(mutex_);
    Reply reply = round_trip_locked(Request{RequestKind::call, object, static_cast<std::uint8_t>(method), std::move(args)});
    if (reply.status != Status::ok) throw_reply(reply);
    return std::move(reply.value);
}

void Session::acquire(std::uint64_t object) {
    std::lock_guard lock(mutex_);
    const bool first = references_[object]++ == 0;
    try {
        const bool fresh = pid_ != ::getpid() || connection_.closed();
        Connection& connection = connection_locked();  // a fresh connection registers every reference, this one too
        if (first && !fresh) connection.send(Request{RequestKind::incref, object, 0, {}});
    } catch (const std::exception&) {
        // The server is gone: the proxy's next call says so.
    }
}

void Session::release(std::uint64_t object) noexcept {
    std::lock_guard lock(mutex_);
    const auto it = references_.find(object);
    if (it == references_.end() || --it->second > 0) return;
    references_.erase(it);
    if (pid_ != ::getpid() || connection_.closed()) return;  // nothing of ours to release on the server
    try {
        connection_.send(Request{RequestKind::decref, object, 0, {}});
    } catch (const std::exception&) {
    }
}

std::shared_ptr<Session> session_for(const std::string& address, const std::vector<std::byte>& authkey) {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    std::weak_ptr<Session>& entry = r.sessions[address];
    auto session = entry.lock();
    if (!session) entry = session = std::make_shared<Session>(address, authkey);
    return session;
}

std::shared_ptr<Session> existing_session(const std::string& address) {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    const auto it = r.sessions.find(address);
    return it == r.sessions.end() ? nullptr : it->second.lock();
}

}  // namespace mp::ipc::internal
