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
// Lifetime: an object lives while a proxy refers to it. The references of a process
// that dies (even by SIGKILL) are dropped when its connection closes. shutdown() (or
// the destructor, in the process that made the Manager) stops the server and removes
// the socket; if the process that made it dies, the server notices once every
// process holding its watch pipe (that process and its forked children) is gone, and
// cleans up. Proxy calls after the server is gone throw ManagerError.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "ipc/errors.hpp"
#include "ipc/fd.hpp"
#include "ipc/manager_proxies.hpp"
#include "ipc/object.hpp"

namespace mp::ipc {

class Manager {
public:
    // Starts the server process.
    Manager();
    // shutdown(), in the process that made it; a forked child's copy does nothing.
    ~Manager();
    Manager(Manager&& other) noexcept;
    Manager& operator=(Manager&& other) noexcept;
    Manager(const Manager&) = delete;
    Manager& operator=(const Manager&) = delete;

    // A client of the Manager at `address` (its socket path) with `authkey`: the same
    // objects for a process that did not fork from the one that made it. Throws
    // ManagerError when the address is not a Manager or the key is wrong.
    static Manager connect(const std::string& address, const std::vector<std::byte>& authkey);

    DictProxy dict(Dict initial = {});
    ListProxy list(List initial = {});
    NamespaceProxy namespace_();
    ValueProxy value(Object initial);

    // Stops the server and waits for it; proxy calls then throw ManagerError.
    // Idempotent; a no-op for a connect()ed Manager or in another process.
    void shutdown();

    const std::string& address() const;
    const std::vector<std::byte>& authkey() const;
    pid_t server_pid() const noexcept { return server_; }

private:
    explicit Manager(std::shared_ptr<internal::Session> session) : session_(std::move(session)) {}
    std::uint64_t create(internal::StoredKind kind, Object initial);

    std::shared_ptr<internal::Session> session_;
    pid_t owner_ = -1;   // the process that started the server (none for connect())
    pid_t server_ = -1;
    Fd watch_;           // write end of the watch pipe; the server ends when it closes
    std::string directory_;
};

}  // namespace mp::ipc
