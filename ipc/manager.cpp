#include "ipc/manager.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

#include "ipc/internal/manager_auth.hpp"
#include "ipc/internal/manager_server.hpp"
#include "ipc/internal/manager_socket.hpp"
#include "sync/internal/os_error.hpp"

namespace mp::ipc {

namespace {

using sync::internal::throw_errno;

// A private directory (0700) for the socket, so no other user can reach it or plant
// a file in its place.
std::string make_private_directory() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/mp-manager-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw_errno("mkdtemp", pattern);
    return pattern;
}

// In the forked server: keep stdin/out/err and the server's own descriptors (moved
// to 3, 4, ...), close every other one, so the server holds no pipe or socket of
// the program open.
void close_inherited_fds(internal::ServerSetup& setup) {
    std::vector<Fd*> kept{&setup.watch};
    for (Fd& listener : setup.listeners) kept.push_back(&listener);
    // Out of the way first (above them all), then down to 3, 4, ...; close_range
    // takes the rest.
    std::vector<int> moved;
    for (Fd* fd : kept) {
        moved.push_back(::fcntl(fd->get(), F_DUPFD_CLOEXEC, 3 + static_cast<int>(kept.size())));
        fd->reset();
    }
    for (std::size_t i = 0; i < kept.size(); ++i) {
        const int target = 3 + static_cast<int>(i);
        ::dup3(moved[i], target, O_CLOEXEC);
        *kept[i] = Fd(target);
    }
    ::close_range(3 + static_cast<unsigned>(kept.size()), ~0U, 0);
}

std::vector<std::byte> key_or_random(std::vector<std::byte> authkey) {
    return authkey.empty() ? random_authkey() : std::move(authkey);
}

}  // namespace

std::vector<std::byte> random_authkey() { return internal::random_bytes(32); }

Manager::Manager() { start(std::nullopt, std::nullopt, random_authkey()); }

Manager::Manager(const std::string& address, std::vector<std::byte> authkey) {
    if (is_socket_path(address)) {
        start(address, std::nullopt, key_or_random(std::move(authkey)));
        return;
    }
    const std::optional<TcpAddress> tcp = TcpAddress::parse(address);
    if (!tcp) throw std::invalid_argument("ipc: Manager: not an address: \"" + address + "\" (a socket path or HOST:PORT)");
    start(std::nullopt, *tcp, key_or_random(std::move(authkey)));
}

Manager::Manager(const TcpAddress& address, std::vector<std::byte> authkey) {
    start(std::nullopt, address, key_or_random(std::move(authkey)));
}

void Manager::start(const std::optional<std::string>& socket_path, const std::optional<TcpAddress>& tcp,
                    std::vector<std::byte> authkey) {
    owner_ = ::getpid();
    if (socket_path) {
        socket_path_ = *socket_path;
    } else {
        directory_ = make_private_directory();
        socket_path_ = directory_ + "/listener";
    }
    internal::ServerSetup setup{{}, Fd(), socket_path_, directory_, std::move(authkey)};
    try {
        setup.listeners.push_back(internal::listen_unix(socket_path_));
    } catch (...) {
        socket_path_.clear();  // not ours: it may be a file that was there before
        remove_socket();
        throw;
    }
    try {
        if (tcp) {
            setup.listeners.push_back(internal::listen_tcp(*tcp));
            tcp_ = internal::bound_address(setup.listeners.back().get());
        }
        int watch[2];
        if (::pipe2(watch, O_CLOEXEC) < 0) throw_errno("pipe2");
        setup.watch = Fd(watch[0]);
        watch_ = Fd(watch[1]);
        std::fflush(nullptr);
        server_ = ::fork();
        if (server_ < 0) throw_errno("fork");
        if (server_ == 0) {
            watch_.reset();
            close_inherited_fds(setup);
            internal::serve(std::move(setup));
        }
        session_ = internal::session_for(socket_path_, setup.authkey);  // only the child moved it
    } catch (...) {
        remove_socket();
        throw;
    }
}

Manager::~Manager() { shutdown(); }

Manager::Manager(Manager&& other) noexcept
    : session_(std::move(other.session_)),
      owner_(std::exchange(other.owner_, -1)),
      server_(std::exchange(other.server_, -1)),
      watch_(std::move(other.watch_)),
      socket_path_(std::move(other.socket_path_)),
      directory_(std::move(other.directory_)),
      tcp_(std::move(other.tcp_)) {}

Manager& Manager::operator=(Manager&& other) noexcept {
    if (this != &other) {
        shutdown();
        session_ = std::move(other.session_);
        owner_ = std::exchange(other.owner_, -1);
        server_ = std::exchange(other.server_, -1);
        watch_ = std::move(other.watch_);
        socket_path_ = std::move(other.socket_path_);
        directory_ = std::move(other.directory_);
        tcp_ = std::move(other.tcp_);
    }
    return *this;
}

Manager Manager::connect(const std::string& address, const std::vector<std::byte>& authkey) {
    auto session = internal::session_for(address, authkey);
    if (session->authkey() != authkey) throw ManagerError("ipc: Manager: already connected to " + address + " with another authkey");
    session->connect();  // reaches the server and authenticates now
    return Manager(std::move(session));
}

Manager Manager::connect(const TcpAddress& address, const std::vector<std::byte>& authkey) {
    return connect(address.str(), authkey);
}

void Manager::shutdown() {
    if (server_ <= 0 || owner_ != ::getpid()) return;
    // SIGTERM, not only the watch pipe: forked children hold copies of the pipe.
    ::kill(server_, SIGTERM);
    while (::waitpid(server_, nullptr, 0) < 0 && errno == EINTR) {
    }
    server_ = -1;
    watch_.reset();
    remove_socket();
}

void Manager::remove_socket() noexcept {
    if (!socket_path_.empty()) ::unlink(socket_path_.c_str());
    if (!directory_.empty()) ::rmdir(directory_.c_str());
}

const std::string& Manager::address() const { return session().address(); }
const std::vector<std::byte>& Manager::authkey() const { return session().authkey(); }

internal::Session& Manager::session() const {
    if (!session_) throw std::logic_error("ipc: Manager: this Manager was moved from");
    return *session_;
}

std::uint64_t Manager::create(internal::StoredKind kind, Object initial) { return session().create(kind, std::move(initial)); }

DictProxy Manager::dict(Dict initial) { return DictProxy(session_, create(internal::StoredKind::dict, std::move(initial))); }
ListProxy Manager::list(List initial) { return ListProxy(session_, create(internal::StoredKind::list, std::move(initial))); }
NamespaceProxy Manager::namespace_() { return NamespaceProxy(session_, create(internal::StoredKind::namespace_, Dict{})); }
DictProxy Manager::named_dict(const std::string& name) {
    return DictProxy(session_, session().open_named(internal::StoredKind::dict, name, Dict{}));
}
ValueProxy Manager::value(Object initial) { return ValueProxy(session_, create(internal::StoredKind::value, std::move(initial))); }

QueueProxy Manager::queue(std::size_t maxsize) {
    return QueueProxy(session_, create(internal::StoredKind::queue, static_cast<std::int64_t>(std::min<std::size_t>(maxsize, INT64_MAX))));
}
LockProxy Manager::lock() { return LockProxy(session_, create(internal::StoredKind::lock, None{})); }
RLockProxy Manager::rlock() { return RLockProxy(session_, create(internal::StoredKind::rlock, None{})); }
SemaphoreProxy Manager::semaphore(std::uint32_t value) {
    return SemaphoreProxy(session_, create(internal::StoredKind::semaphore, std::int64_t{value}));
}
BoundedSemaphoreProxy Manager::bounded_semaphore(std::uint32_t value) {
    return BoundedSemaphoreProxy(session_, create(internal::StoredKind::bounded_semaphore, std::int64_t{value}));
}
ConditionProxy Manager::condition() { return ConditionProxy(session_, create(internal::StoredKind::condition, None{})); }
ConditionProxy Manager::condition(const LockProxy& lock) { return condition_over(lock); }
ConditionProxy Manager::condition(const RLockProxy& lock) { return condition_over(lock); }
ConditionProxy Manager::condition_over(const Proxy& lock) {
    if (lock.session_ != session_) throw std::invalid_argument("ipc: Manager::condition: the lock is not this Manager's");
    return ConditionProxy(session_, create(internal::StoredKind::condition, static_cast<std::int64_t>(lock.id())));
}
EventProxy Manager::event() { return EventProxy(session_, create(internal::StoredKind::event, None{})); }
BarrierProxy Manager::barrier(std::uint32_t parties) {
    if (parties == 0) throw std::invalid_argument("ipc: Manager::barrier: a Barrier needs at least 1 party");
    return BarrierProxy(session_, create(internal::StoredKind::barrier, std::int64_t{parties}));
}

}  // namespace mp::ipc
