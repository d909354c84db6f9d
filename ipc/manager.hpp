// Manager: Python's multiprocessing.Manager() — a server process that holds dicts,
// lists, Namespaces and values, and proxies other processes use to reach them.
//
//   mp::ipc::Manager manager;                         // forks the server now
//   mp::ipc::DictProxy d = manager.dict();
//   mp::ipc::ListProxy l = manager.list(mp::ipc::List{0, 1, 2});
//   if (fork() == 0) {                                // or a pool::Process given d and l
//       d[1] = "1";
//       l.reverse();
//       _exit(0);
//   }
//   wait(nullptr);
//   std::printf("%s %s\n", d.repr().c_str(), l.repr().c_str());   // {1: '1'} [2, 1, 0]
//
// The server is a fork of this process made by the constructor: make the Manager
// early, before other threads start (as a Pool). It listens on a Unix socket in a
// private directory (mode 0700) and answers only clients that prove the authkey
// (HMAC-SHA-256 of a random challenge; the key never travels). The key is random,
// made by the constructor, and inherited by forked children; Manager::connect gives
// an unrelated process of the same build the same objects.
//
// Over the network (Python's BaseManager(address=(host, port), authkey)):
//
//   mp::ipc::Manager server(mp::ipc::TcpAddress{"0.0.0.0", 50000}, key);   // on one host
//   auto client = mp::ipc::Manager::connect("build-host:50000", key);      // on another
//   client.named_dict("results").set("job-1", "ok");
//
// serves TCP as well as its Unix socket (this host's processes keep the faster one).
// Every TCP client must answer the HMAC challenge before any request is read. Both
// ends need the same build of mp (the values travel in native byte order); a
// mismatch is refused at the handshake with a clear ManagerError.
//
// Lifetime: an object lives while a proxy refers to it. The references of a process
// that dies (even by SIGKILL) are dropped when its connections close. shutdown() (or
// the destructor, in the process that made the Manager) stops the server and removes
// the socket; if the process that made it dies, the server notices once every
// process holding its watch pipe (that process and its forked children) is gone, and
// cleans up. Proxy calls after the server is gone throw ManagerError.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "ipc/errors.hpp"
#include "ipc/fd.hpp"
#include "ipc/manager_address.hpp"
#include "ipc/manager_proxies.hpp"
#include "ipc/manager_sync.hpp"
#include "ipc/manager_typed.hpp"
#include "ipc/object.hpp"

namespace mp::ipc {

// 32 random bytes from the kernel: an authkey as Python makes one (os.urandom(32)).
std::vector<std::byte> random_authkey();

class Manager {
public:
    // Starts the server process, on a Unix socket in a private directory, with a
    // random authkey.
    Manager();
    // Starts the server process at `address` (manager_address.hpp), with `authkey`
    // (a random one when empty): a socket path is made there (mode 0600; an existing
    // file is refused with EADDRINUSE) and removed at shutdown; HOST:PORT serves TCP
    // there as well as a private Unix socket (port 0: one the kernel picks, see
    // tcp_address()). Throws std::system_error naming the call that failed.
    explicit Manager(const std::string& address, std::vector<std::byte> authkey = {});
    explicit Manager(const TcpAddress& address, std::vector<std::byte> authkey = {});
    // shutdown(), in the process that made it; a forked child's copy does nothing.
    ~Manager();
    Manager(Manager&& other) noexcept;
    Manager& operator=(Manager&& other) noexcept;
    Manager(const Manager&) = delete;
    Manager& operator=(const Manager&) = delete;

    // A client of the Manager at `address` (a socket path or HOST:PORT) with
    // `authkey`: the same objects for a process that did not fork from the one that
    // made it, or on another host. Throws ManagerError when nothing listens there,
    // the peer is not a Manager of this build, or the key is wrong.
    static Manager connect(const std::string& address, const std::vector<std::byte>& authkey);
    static Manager connect(const TcpAddress& address, const std::vector<std::byte>& authkey);

    DictProxy dict(Dict initial = {});
    ListProxy list(List initial = {});
    NamespaceProxy namespace_();
    ValueProxy value(Object initial);
    // Typed forms (manager_typed.hpp): the same objects seen through C++ types. The
    // type is always given: m.value(5) is the Object form, m.value<int>(5) the typed.
    template <class K, class V>
    TypedDictProxy<K, V> dict() {
        return TypedDictProxy<K, V>(dict());
    }
    template <class T>
    TypedListProxy<T> list(std::type_identity_t<std::vector<T>> initial = {}) {
        return TypedListProxy<T>(list(to_object(initial).as_list()));
    }
    template <class T>
    TypedValueProxy<T> value(std::type_identity_t<T> initial) {
        return TypedValueProxy<T>(value(to_object(initial)));
    }
    // Python's Array(typecode, sequence): `initial`'s length for ever; array<T>(n) is n
    // value-initialized items (zeros).
    template <class T>
    ArrayProxy<T> array(std::type_identity_t<std::vector<T>> initial) {
        return ArrayProxy<T>(list(to_object(initial).as_list()));
    }
    template <class T>
    ArrayProxy<T> array(std::size_t n) {
        return array<T>(std::vector<T>(n));
    }

    // The queue and sync objects (manager_sync.hpp): Python's Queue(maxsize) (0: no
    // bound), Lock(), RLock(), Semaphore(value), BoundedSemaphore(value), Condition()
    // (over a new RLock of its own, or over `lock`, a lock of this Manager:
    // std::invalid_argument for another Manager's), Event(), Barrier(parties)
    // (std::invalid_argument for 0 parties).
    QueueProxy queue(std::size_t maxsize = 0);
    template <class T>
    TypedQueueProxy<T> queue(std::size_t maxsize = 0) {
        return TypedQueueProxy<T>(queue(maxsize));
    }
    LockProxy lock();
    RLockProxy rlock();
    SemaphoreProxy semaphore(std::uint32_t value = 1);
    BoundedSemaphoreProxy bounded_semaphore(std::uint32_t value = 1);
    ConditionProxy condition();
    ConditionProxy condition(const LockProxy& lock);
    ConditionProxy condition(const RLockProxy& lock);
    EventProxy event();
    BarrierProxy barrier(std::uint32_t parties);

    // The dict the server holds under `name`, made empty on first use and kept until
    // the server ends (Python: register('get_dict', callable=lambda: shared_dict)):
    // how unrelated processes, `bin/ipc dict` included, find the same dict.
    // TypeError when `name` is another kind of object.
    DictProxy named_dict(const std::string& name);

    // Stops the server and waits for it; proxy calls then throw ManagerError.
    // Idempotent; a no-op for a connect()ed Manager or in another process.
    void shutdown();

    // Where this process reaches the server: its Unix socket, or for a connect()ed
    // Manager the address given.
    const std::string& address() const;
    // The TCP address served (its port resolved), for a Manager made with one.
    const std::optional<TcpAddress>& tcp_address() const noexcept { return tcp_; }
    const std::vector<std::byte>& authkey() const;
    pid_t server_pid() const noexcept { return server_; }

private:
    explicit Manager(std::shared_ptr<internal::Session> session) : session_(std::move(session)) {}
    // Serves at `socket_path`, or in a new private directory when none is given.
    void start(const std::optional<std::string>& socket_path, const std::optional<TcpAddress>& tcp,
               std::vector<std::byte> authkey);
    internal::Session& session() const;
    std::uint64_t create(internal::StoredKind kind, Object initial);
    ConditionProxy condition_over(const Proxy& lock);
    void remove_socket() noexcept;

    std::shared_ptr<internal::Session> session_;
    pid_t owner_ = -1;   // the process that started the server (none for connect())
    pid_t server_ = -1;
    Fd watch_;           // write end of the watch pipe; the server ends when it closes
    std::string socket_path_;
    std::string directory_;
    std::optional<TcpAddress> tcp_;
};

}  // namespace mp::ipc
