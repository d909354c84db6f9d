#include "ipc/internal/manager_session.hpp"

#include <pthread.h>

#include <atomic>
#include <cstring>
#include <new>

#include "ipc/errors.hpp"
#include "ipc/internal/manager_auth.hpp"
#include "ipc/internal/manager_socket.hpp"
#include "sync/errors.hpp"
#include "sync/internal/current_process.hpp"

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
        case Status::broken_barrier:
            throw sync::BrokenBarrierError(reply.message);
        case Status::not_owner:
            throw std::system_error(EPERM, std::generic_category(), reply.message);
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

Owner current_owner() {
    // Drawn again in a forked child: its threads are not its parent's.
    static std::atomic<std::uint64_t> process{0};
    static const bool reset_in_children = [] {
        pthread_atfork(nullptr, nullptr, [] { process.store(0); });
        return true;
    }();
    (void)reset_in_children;
    static std::atomic<std::uint64_t> next_thread{1};
    thread_local const std::uint64_t thread = next_thread++;
    std::uint64_t token = process.load();
    if (token == 0) {
        std::uint64_t drawn = 0;
        while (drawn == 0) std::memcpy(&drawn, random_bytes(sizeof drawn).data(), sizeof drawn);
        if (process.compare_exchange_strong(token, drawn)) token = drawn;  // else another thread's number is in token
    }
    return Owner{token, thread};
}

Session::Session(std::string address, std::vector<std::byte> authkey)
    : address_(std::move(address)), authkey_(std::move(authkey)) {}

void Session::reset_after_fork() noexcept { new (&mutex_) std::mutex; }

Connection& Session::home_locked() {
    if (pid_ == sync::internal::current_pid() && !home_.closed()) return home_;
    // A forked child drops the parent's connections (closing its copies of the fds
    // does not disturb the parent) and registers the references it inherited: every
    // incref is answered before the child's first call goes out.
    if (pid_ != sync::internal::current_pid()) idle_.clear();
    home_ = Connection(connect_to(address_));
    pid_ = sync::internal::current_pid();
    authenticate(home_, authkey_, kHandshakePatience);
    std::size_t sent = 0;
    for (const auto& [object, count] : references_)
        if (count > 0) {
            home_.send(Request{RequestKind::incref, object, 0, {}, current_owner()});
            ++sent;
        }
    for (; sent > 0; --sent) (void)home_.recv<Reply>();  // an object gone meanwhile: its proxy's calls say so
    return home_;
}

Reply Session::round_trip(Connection& connection, const Request& request) {
    try {
        connection.send(request);
        return connection.recv<Reply>();
    } catch (const ManagerError&) {
        throw;
    } catch (const std::exception& e) {
        connection.close();
        throw ManagerError("ipc: Manager: the server at " + address_ + " is gone (" + e.what() + ")");
    }
}

void Session::connect() {
    std::lock_guard lock(mutex_);
    (void)home_locked();
}

std::uint64_t Session::create(StoredKind kind, Object initial) {
    return referenced(Request{RequestKind::create, 0, static_cast<std::uint8_t>(kind), {std::move(initial)}, current_owner()});
}

std::uint64_t Session::open_named(StoredKind kind, const std::string& name, Object initial) {
    return referenced(
        Request{RequestKind::create, 0, static_cast<std::uint8_t>(kind), {std::move(initial), name}, current_owner()});
}

// Sends a create request; the new reference is the caller's proxy's.
std::uint64_t Session::referenced(const Request& create_request) {
    std::lock_guard lock(mutex_);
    const Reply reply = round_trip(home_locked(), create_request);
    if (reply.status != Status::ok) throw_reply(reply);
    const auto object = static_cast<std::uint64_t>(reply.value.as_int());
    ++references_[object];
    return object;
}

Session::Pooled Session::lease() {
    {
        std::lock_guard lock(mutex_);
        (void)home_locked();  // a forked child's references are registered before its first call
        if (!idle_.empty()) {
            Pooled connection = std::move(idle_.back());
            idle_.pop_back();
            return connection;
        }
    }
    auto connection = std::make_unique<Connection>(connect_to(address_));
    authenticate(*connection, authkey_, kHandshakePatience);
    return connection;
}

void Session::give_back(Pooled connection, pid_t pid) noexcept {
    std::lock_guard lock(mutex_);
    if (pid == pid_ && !connection->closed() && idle_.size() < kMaxIdleConnections)
        idle_.push_back(std::move(connection));
}

Object Session::call(std::uint64_t object, Method method, List args, std::int64_t timeout_ns) {
    return call(Request{RequestKind::call, object, static_cast<std::uint8_t>(method), std::move(args), current_owner(),
                        timeout_ns});
}

Object Session::call(std::uint64_t object, Method method, EncodeArguments encode_args) {
    return call(Request{RequestKind::call, object, static_cast<std::uint8_t>(method), {}, current_owner(), kNoTimeout,
                        std::move(encode_args)});
}

Object Session::call(const Request& request) {
    const pid_t pid = sync::internal::current_pid();
    Pooled connection = lease();
    Reply reply = round_trip(*connection, request);  // a connection that failed is dropped with it
    give_back(std::move(connection), pid);
    if (reply.status != Status::ok) throw_reply(reply);
    return std::move(reply.value);
}

void Session::acquire(std::uint64_t object) {
    std::lock_guard lock(mutex_);
    const bool first = references_[object]++ == 0;
    try {
        const bool fresh = pid_ != sync::internal::current_pid() || home_.closed();
        Connection& home = home_locked();  // a fresh connection registers every reference, this one too
        if (first && !fresh) (void)round_trip(home, Request{RequestKind::incref, object, 0, {}, current_owner()});
    } catch (const std::exception&) {
        // The server is gone: the proxy's next call says so.
    }
}

void Session::release(std::uint64_t object) noexcept {
    std::lock_guard lock(mutex_);
    const auto it = references_.find(object);
    if (it == references_.end() || --it->second > 0) return;
    references_.erase(it);
    if (pid_ != sync::internal::current_pid() || home_.closed()) return;  // nothing of ours to release on the server
    try {
        home_.send(Request{RequestKind::decref, object, 0, {}, current_owner()});
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
