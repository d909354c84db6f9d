// Manager addresses: TCP with right and wrong keys and with peers that are not
// Managers, a socket path the user chooses, named dicts that unrelated clients find,
// and the atomic add that works for any client.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <functional>
#include <limits>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "ipc/internal/manager_socket.hpp"
#include "ipc/manager.hpp"
#include "sync/errors.hpp"
#include "tests/ipc/child.hpp"

namespace {

using namespace std::chrono_literals;
using mp::ipc::Manager;
using mp::ipc::ManagerError;
using mp::ipc::Object;
using mp::ipc::TcpAddress;
using mp::ipc::test::fork_child;
using mp::ipc::test::wait_child;

std::vector<std::byte> key(const std::string& text) {
    std::vector<std::byte> bytes;
    for (const char c : text) bytes.push_back(static_cast<std::byte>(c));
    return bytes;
}

int in_child(const std::function<int()>& body) { return wait_child(fork_child(body)); }

// A scratch directory removed at the end of the test.
struct SocketDir {
    std::string path;
    SocketDir() {
        char pattern[] = "/tmp/mp-manager-test-XXXXXX";
        path = mkdtemp(pattern);
    }
    ~SocketDir() { rmdir(path.c_str()); }
};

TEST(ManagerAddress, ParsesHostAndPortAndRefusesTheRest) {
    EXPECT_EQ(TcpAddress::parse("127.0.0.1:50000"), (TcpAddress{"127.0.0.1", 50000}));
    EXPECT_EQ(TcpAddress::parse("build-host:1"), (TcpAddress{"build-host", 1}));
    EXPECT_EQ(TcpAddress::parse("[::1]:8080"), (TcpAddress{"::1", 8080}));
    EXPECT_EQ(TcpAddress::parse(":0"), (TcpAddress{"", 0}));
    EXPECT_EQ((TcpAddress{"::1", 8080}).str(), "[::1]:8080");
    EXPECT_EQ((TcpAddress{"localhost", 9}).str(), "localhost:9");
    for (const char* bad : {"/tmp/x.sock", "./x:1", "host", "host:", "host:65536", "host:-1", "host:1x", "::1:80"})
        EXPECT_FALSE(TcpAddress::parse(bad)) << bad;
}

TEST(ManagerTcp, AnotherClientReachesTheSameNamedDictOverTcp) {
    Manager manager(TcpAddress{"127.0.0.1", 0}, key("secret"));
    ASSERT_TRUE(manager.tcp_address());
    EXPECT_NE(manager.tcp_address()->port, 0);
    auto results = manager.named_dict("results");
    results["from"] = "maker";
    const std::string address = manager.tcp_address()->str();
    EXPECT_EQ(in_child([&] {
                  Manager client = Manager::connect(address, key("secret"));
                  auto same = client.named_dict("results");
                  if (same.get("from") != Object("maker")) return 2;
                  same["to"] = "client";
                  return 0;
              }),
              0);
    EXPECT_EQ(results.get("to"), Object("client"));
    EXPECT_EQ(results.size(), 2u);
}

TEST(ManagerTcp, AWrongKeyIsRefusedAndTheServerCarriesOn) {
    Manager manager(TcpAddress{"127.0.0.1", 0}, key("right"));
    const TcpAddress address = *manager.tcp_address();
    auto d = manager.named_dict("d");
    EXPECT_EQ(in_child([&] {
                  try {
                      (void)Manager::connect(address, key("wrong"));
                      return 2;
                  } catch (const ManagerError& e) {
                      return std::string(e.what()).find("wrong authkey") != std::string::npos ? 0 : 3;
                  }
              }),
              0);
    d["still"] = "served";
    EXPECT_EQ(d.get("still"), Object("served"));
}

TEST(ManagerTcp, GarbageFromAnUnauthenticatedPeerDropsOnlyItsConnection) {
    Manager manager(TcpAddress{"127.0.0.1", 0}, key("k"));
    auto d = manager.named_dict("d");
    d["n"] = 1;
    const int raw = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(raw, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(manager.tcp_address()->port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(raw, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    const std::string junk(4096, '\xff');
    (void)!write(raw, junk.data(), junk.size());
    // The server reads the greeting's answer, finds no valid frame, and hangs up.
    char buffer[4096];
    ssize_t n;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while ((n = read(raw, buffer, sizeof buffer)) > 0 && std::chrono::steady_clock::now() < deadline) {
    }
    EXPECT_LE(n, 0) << "the server kept talking to a peer that never authenticated";
    close(raw);
    EXPECT_EQ(d.get("n"), Object(1));
}

TEST(ManagerTcp, APeerThatIsNotAManagerIsNamedSo) {
    const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(listener, 0);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&at), sizeof at), 0);
    ASSERT_EQ(listen(listener, 1), 0);
    socklen_t length = sizeof at;
    ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&at), &length), 0);
    std::thread web_server([listener] {
        const int client = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        const char reply[] = "HTTP/1.0 200 OK\r\n\r\nhello";
        (void)!write(client, reply, sizeof reply - 1);
        close(client);
    });
    try {
        (void)Manager::connect(TcpAddress{"127.0.0.1", ntohs(at.sin_port)}, key("k"));
        ADD_FAILURE() << "connected to a web server";
    } catch (const ManagerError& e) {
        EXPECT_NE(std::string(e.what()).find("not an mp Manager"), std::string::npos) << e.what();
    }
    web_server.join();
    close(listener);
}

// A peer whose host vanishes sends neither FIN nor RST: only the kernel's keepalive
// probes end a call waiting on such a connection. Both ends of a Manager's TCP
// connections probe.
TEST(ManagerTcp, BothEndsOfATcpConnectionProbeAVanishedPeer) {
    namespace internal = mp::ipc::internal;
    const mp::ipc::Fd listener = internal::listen_tcp(TcpAddress{"127.0.0.1", 0});
    const mp::ipc::Fd client = internal::connect_to(internal::bound_address(listener.get()).str());
    const mp::ipc::Fd accepted(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_TRUE(accepted);
    internal::tune_accepted(accepted.get());
    const auto option = [](int fd, int level, int name) {
        int value = -1;
        socklen_t size = sizeof value;
        EXPECT_EQ(::getsockopt(fd, level, name, &value, &size), 0);
        return value;
    };
    for (const int fd : {client.get(), accepted.get()}) {
        EXPECT_EQ(option(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
        EXPECT_EQ(option(fd, IPPROTO_TCP, TCP_KEEPIDLE), internal::kKeepAliveIdle);
        EXPECT_EQ(option(fd, IPPROTO_TCP, TCP_KEEPINTVL), internal::kKeepAliveInterval);
        EXPECT_EQ(option(fd, IPPROTO_TCP, TCP_KEEPCNT), internal::kKeepAliveCount);
        EXPECT_EQ(option(fd, IPPROTO_TCP, TCP_NODELAY), 1);
    }
}

TEST(ManagerTcp, NothingListeningAndAServerKilledAreManagerErrors) {
    EXPECT_THROW((void)Manager::connect("127.0.0.1:1", key("k")), ManagerError);
    EXPECT_THROW((void)Manager::connect("not an address", key("k")), ManagerError);
    EXPECT_THROW(Manager("not an address", key("k")), std::invalid_argument);

    Manager manager(TcpAddress{"127.0.0.1", 0}, key("k"));
    const std::string address = manager.tcp_address()->str();
    EXPECT_EQ(in_child([&] {
                  Manager client = Manager::connect(address, key("k"));
                  auto d = client.named_dict("d");
                  d["x"] = 1;
                  kill(manager.server_pid(), SIGKILL);
                  try {
                      (void)d.get("x");
                      return 2;
                  } catch (const ManagerError&) {
                      return 0;
                  }
              }),
              0);
}

TEST(ManagerPath, ServesAtTheChosenPathOwnerOnlyAndRemovesItAtShutdown) {
    SocketDir dir;
    const std::string path = dir.path + "/jobs.sock";
    {
        Manager manager(path, key("k"));
        EXPECT_EQ(manager.address(), path);
        struct stat st {};
        ASSERT_EQ(stat(path.c_str(), &st), 0);
        EXPECT_TRUE(S_ISSOCK(st.st_mode));
        EXPECT_EQ(st.st_mode & 0777, 0600u);
        manager.named_dict("d")["seen"] = true;
        EXPECT_EQ(in_child([&] {
                      // A new program would have no session: a forked child reaches it by a second name.
                      const std::string alias = dir.path + "/alias.sock";
                      if (symlink(path.c_str(), alias.c_str()) != 0) return 3;
                      Manager client = Manager::connect(alias, key("k"));
                      const bool seen = client.named_dict("d").get("seen") == Object(true);
                      unlink(alias.c_str());
                      return seen ? 0 : 2;
                  }),
                  0);
    }
    EXPECT_NE(access(path.c_str(), F_OK), 0) << "the socket was left behind";
}

TEST(ManagerPath, AnExistingFileIsRefusedAndLeftAlone) {
    SocketDir dir;
    const std::string path = dir.path + "/taken";
    { std::FILE* f = std::fopen(path.c_str(), "w"); std::fclose(f); }
    try {
        Manager manager(path, key("k"));
        ADD_FAILURE() << "served over an existing file";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), EADDRINUSE);
    }
    EXPECT_EQ(access(path.c_str(), F_OK), 0) << "the existing file was removed";
    unlink(path.c_str());
}

TEST(ManagerNamed, EveryClientGetsTheSameDictAndItOutlivesItsProxies) {
    Manager manager;
    manager.named_dict("jobs")["a"] = 1;  // the proxy is gone after this line
    EXPECT_EQ(in_child([&] { return manager.named_dict("jobs").get("a") == Object(1) ? 0 : 2; }), 0);
    EXPECT_EQ(manager.named_dict("jobs").size(), 1u);
    EXPECT_EQ(manager.named_dict("other").size(), 0u);
}

TEST(ManagerAdd, CountsFromZeroKeepsIntsAndRefusesNonNumbers) {
    Manager manager;
    auto d = manager.dict();
    EXPECT_EQ(d.add("n", 5), Object(5));
    EXPECT_EQ(d.add("n", -2), Object(3));
    EXPECT_EQ(d.get("n").kind(), Object::Kind::integer);
    EXPECT_EQ(d.add("n", 0.5), Object(3.5));
    EXPECT_EQ(d.add("flag", true), Object(1));
    d["s"] = "text";
    EXPECT_THROW((void)d.add("s", 1), mp::ipc::TypeError);
    EXPECT_THROW((void)d.add("n", "1"), mp::ipc::TypeError);
    EXPECT_EQ(d.get("s"), Object("text"));
    d["big"] = std::numeric_limits<std::int64_t>::max();
    EXPECT_THROW((void)d.add("big", 1), mp::sync::ValueError);
    EXPECT_EQ(d.get("big"), Object(std::numeric_limits<std::int64_t>::max()));
}

TEST(ManagerAdd, FourProcessesCountExactly) {
    Manager manager;
    auto counts = manager.named_dict("counts");
    std::vector<pid_t> children;
    for (int i = 0; i < 4; ++i)
        children.push_back(fork_child([&] {
            for (int n = 0; n < 500; ++n) (void)counts.add("total", 1);
            return 0;
        }));
    for (const pid_t child : children) EXPECT_EQ(wait_child(child), 0);
    EXPECT_EQ(counts.get("total"), Object(2000));
}

TEST(ManagerProxySent, AProxyThroughAConnectionReachesTheSameObject) {
    Manager manager;
    auto [parent, child] = mp::ipc::Pipe();
    const pid_t pid = fork_child([&] {  // forked before the dict exists
        auto d = child.recv<mp::ipc::DictProxy>();
        d.set("from", "child");
        child.send(d);  // and back
        return 0;
    });
    mp::ipc::DictProxy sent = manager.dict();
    parent.send(sent);
    const auto back = parent.recv<mp::ipc::DictProxy>();
    EXPECT_EQ(wait_child(pid), 0);
    EXPECT_EQ(back.id(), sent.id());
    EXPECT_EQ(sent.get("from"), Object("child"));
    EXPECT_EQ(back.get("from"), Object("child"));
}

TEST(ManagerProxySent, AProcessThatCannotReachTheManagerIsToldHow) {
    auto [parent, child] = mp::ipc::Pipe();
    const pid_t pid = fork_child([&] {
        try {
            (void)child.recv<mp::ipc::ListProxy>();
            return 2;
        } catch (const ManagerError& e) {
            return std::string(e.what()).find("Manager::connect") != std::string::npos ? 0 : 3;
        }
    });
    {
        Manager manager;  // made after the fork: the child has no session with it
        auto l = manager.list(mp::ipc::List{1, 2});
        parent.send(l);
        EXPECT_EQ(wait_child(pid), 0);
    }
    EXPECT_THROW(parent.send(mp::ipc::DictProxy{}), std::logic_error) << "an empty proxy is not sent";
}

TEST(ManagerProxySent, TheReceiversReferenceKeepsTheObjectAlive) {
    Manager manager;
    auto [parent, child] = mp::ipc::Pipe();
    auto [done_parent, done_child] = mp::ipc::Pipe();
    const pid_t pid = fork_child([&] {
        const auto v = child.recv<mp::ipc::ValueProxy>();
        done_child.send(1);               // the parent drops its proxy now
        (void)done_child.recv<int>();     // ... and has
        return v.get() == Object("kept") ? 0 : 2;
    });
    {
        mp::ipc::ValueProxy v = manager.value("kept");
        parent.send(v);
        (void)done_parent.recv<int>();
    }
    done_parent.send(1);
    EXPECT_EQ(wait_child(pid), 0);
}

}  // namespace
