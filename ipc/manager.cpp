#include "ipc/manager.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "ipc/internal/manager_auth.hpp"
#include "ipc/internal/manager_server.hpp"
#include "ipc/internal/unix_socket.hpp"
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

// In the forked server: keep stdin/out/err and the server's own descriptors, close
// every other one, so the server holds no pipe or socket of the program open.
void close_inherited_fds(internal::ServerSetup& setup) {
    // Out of the way first (above 4), then to 3 and 4; close_range takes the rest.
    const int listener = ::fcntl(setup.listener.get(), F_DUPFD_CLOEXEC, 10);
    const int watch = ::fcntl(setup.watch.get(), F_DUPFD_CLOEXEC, 10);
    setup.listener.reset();
    setup.watch.reset();
    ::dup3(listener, 3, O_CLOEXEC);
    ::dup3(watch, 4, O_CLOEXEC);
    ::close_range(5, ~0U, 0);
    setup.listener = Fd(3);
    setup.watch = Fd(4);
}

}  // namespace

Manager::Manager() : owner_(::getpid()) {
    directory_ = make_private_directory();
    const std::string socket_path = directory_ + "/listener";
    try {
        internal::ServerSetup setup{internal::listen_unix(socket_path), Fd(), socket_path, directory_,
                                    internal::random_bytes(32)};
        int watch[2];
        if (::pipe2(watch, O_CLOEXEC) < 0) throw_errno("pipe2");
        setup.watch = Fd(watch[0]);
        watch_ = Fd(watch[1]);
        const std::vector<std::byte> authkey = setup.authkey;
        std::fflush(nullptr);
        server_ = ::fork();
        if (server_ < 0) throw_errno("fork");
        if (server_ == 0) {
            watch_.reset();
            close_inherited_fds(setup);
            internal::serve(std::move(setup));
        }
        session_ = internal::session_for(socket_path, authkey);
    } catch (...) {
        ::unlink(socket_path.c_str());
        ::rmdir(directory_.c_str());
        throw;
    }
}

Manager::~Manager() { shutdown(); }

Manager::Manager(Manager&& other) noexcept
    : session_(std::move(other.session_)),
      owner_(std::exchange(other.owner_, -1)),
      server_(std::exchange(other.server_, -1)),
      watch_(std::move(other.watch_)),
      directory_(std::move(other.directory_)) {}

Manager& Manager::operator=(Manager&& other) noexcept {
    if (this != &other) {
        shutdown();
        session_ = std::move(other.session_);
        owner_ = std::exchange(other.owner_, -1);
        server_ = std::exchange(other.server_, -1);
        watch_ = std::move(other.watch_);
        directory_ = std::move(other.directory_);
    }
    return *this;
}

Manager Manager::connect(const std::string& address, const std::vector<std::byte>& authkey) {
    auto session = internal::session_for(address, authkey);
    if (session->authkey() != authkey) throw ManagerError("ipc: Manager: already connected to " + address + " with another authkey");
    session->connect();  // reaches the server and authenticates now
    return Manager(std::move(session));
}

void Manager::shutdown() {
    if (server_ <= 0 || owner_ != ::getpid()) return;
    // SIGTERM, not only the watch pipe: forked children hold copies of the pipe.
    ::kill(server_, SIGTERM);
    while (::waitpid(server_, nullptr, 0) < 0 && errno == EINTR) {
    }
    server_ = -1;
    watch_.reset();
    ::unlink((directory_ + "/listener").c_str());
    ::rmdir(directory_.c_str());
}

const std::string& Manager::address() const { return session_->address(); }
const std::vector<std::byte>& Manager::authkey() const { return session_->authkey(); }

std::uint64_t Manager::create(internal::StoredKind kind, Object initial) {
    if (!session_) throw std::logic_error("ipc: Manager: this Manager was moved from");
    return session_->create(kind, std::move(initial));
}

DictProxy Manager::dict(Dict initial) { return DictProxy(session_, create(internal::StoredKind::dict, std::move(initial))); }
ListProxy Manager::list(List initial) { return ListProxy(session_, create(internal::StoredKind::list, std::move(initial))); }
NamespaceProxy Manager::namespace_() { return NamespaceProxy(session_, create(internal::StoredKind::namespace_, Dict{})); }
ValueProxy Manager::value(Object initial) { return ValueProxy(session_, create(internal::StoredKind::value, std::move(initial))); }

}  // namespace mp::ipc
