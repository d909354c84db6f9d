// Manager: the proxies' operations, processes sharing them, reference counting and
// the failure cases (server killed, client killed, wrong key, the Manager's process
// killed), and the seed programs' output.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <system_error>
#include <thread>

#include "ipc/manager.hpp"
#include "sync/errors.hpp"
#include "tests/ipc/child.hpp"

namespace {

using namespace std::chrono_literals;
using mp::ipc::AttributeError;
using mp::ipc::Dict;
using mp::ipc::IndexError;
using mp::ipc::KeyError;
using mp::ipc::List;
using mp::ipc::Manager;
using mp::ipc::ManagerError;
using mp::ipc::None;
using mp::ipc::Object;
using mp::ipc::TypeError;

int run_child(const std::function<int()>& body) { return mp::ipc::test::wait_child(mp::ipc::test::fork_child(body)); }

TEST(Manager, TheSeedsDictAndListChangedByAChild) {
    // Seed 002: f(d, l) sets three keys of mixed types and reverses the list.
    Manager manager;
    auto d = manager.dict();
    List init;
    for (int i = 0; i < 10; ++i) init.push_back(i);
    auto l = manager.list(init);
    EXPECT_EQ(run_child([&] {
                  d[1] = "1";
                  d["2"] = 2;
                  d[0.25] = None{};
                  l.reverse();
                  return 0;
              }),
              0);
    EXPECT_EQ(d.repr(), "{1: '1', '2': 2, 0.25: None}");
    EXPECT_EQ(l.repr(), "[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]");
}

TEST(Manager, DictOperations) {
    Manager manager;
    auto d = manager.dict(Dict{{"a", 1}});
    EXPECT_THROW((void)d.get("missing"), KeyError);
    EXPECT_EQ(d.get("missing", 7), Object(7));
    Object missing_read;
    EXPECT_THROW(missing_read = d["missing"], KeyError) << "reading d[k] never inserts";
    EXPECT_FALSE(d.contains("missing"));
    d.update(Dict{{"b", 2}, {"c", 3}});
    EXPECT_EQ(d.size(), 3u);
    EXPECT_EQ(d.setdefault("a", 100), Object(1));
    EXPECT_EQ(d.setdefault("z", 26), Object(26));
    EXPECT_EQ(d.pop("z"), Object(26));
    EXPECT_EQ(d.pop("z", "gone"), Object("gone"));
    EXPECT_THROW((void)d.pop("z"), KeyError);
    EXPECT_EQ(Object(d.keys()).repr(), "['a', 'b', 'c']");
    EXPECT_EQ(Object(d.values()).repr(), "[1, 2, 3]");
    EXPECT_EQ(Object(d.items()).repr(), "[['a', 1], ['b', 2], ['c', 3]]");
    const auto [key, value] = d.popitem();
    EXPECT_EQ(key, Object("c"));
    EXPECT_EQ(value, Object(3));
    d.del("a");
    EXPECT_THROW(d.del("a"), KeyError);
    EXPECT_THROW(d.set(List{1}, 1), TypeError) << "an unhashable key is refused where it is made";
    EXPECT_EQ(Object(d.copy()).repr(), "{'b': 2}");
    d.clear();
    EXPECT_EQ(d.size(), 0u);
    EXPECT_THROW((void)d.popitem(), KeyError);
}

// Big arguments (frames of megabytes, decoded by the server as they arrive): an
// update of numbers and one of strings, and a list extended by a big List, arrive
// whole, and the connection serves the next call.
TEST(Manager, BigArgumentsArriveWhole) {
    Manager manager;
    auto d = manager.dict(Dict{{"first", 0}});
    Dict numbers;
    for (std::int64_t i = 0; i < 100'000; ++i) numbers.set(i, static_cast<double>(i) / 4);
    Dict texts;
    for (int i = 0; i < 20'000; ++i) texts.set("key " + std::to_string(i), std::string(30, 'v'));
    d.update(numbers);
    d.update(texts);
    EXPECT_EQ(d.size(), 1 + numbers.size() + texts.size());
    Dict expected{{"first", 0}};
    expected.update(Dict(numbers));
    expected.update(Dict(texts));
    EXPECT_EQ(d.copy(), expected);
    auto l = manager.list(List{});
    List many(50'000, Object("item"));
    l.extend(many);
    EXPECT_EQ(l.size(), many.size());
    EXPECT_EQ(d.get("first"), Object(0));
}

TEST(Manager, ListOperations) {
    Manager manager;
    auto l = manager.list(List{3, 1, 2});
    EXPECT_EQ(l.get(-1), Object(2));
    EXPECT_THROW((void)l.get(3), IndexError);
    l[0] = 30;
    EXPECT_EQ(Object(l[0]), Object(30));
    l.append(4);
    l.extend(List{5, 6});
    l.insert(0, 0);
    EXPECT_EQ(l.repr(), "[0, 30, 1, 2, 4, 5, 6]");
    EXPECT_EQ(Object(l.slice(1, 3)).repr(), "[30, 1]");
    EXPECT_EQ(Object(l.slice(-2, std::nullopt)).repr(), "[5, 6]");
    EXPECT_EQ(Object(l.slice(5, 2)).repr(), "[]");
    l.set_slice(1, 2, List{"a", "b"});
    EXPECT_EQ(l.repr(), "[0, 'a', 'b', 1, 2, 4, 5, 6]");
    EXPECT_EQ(l.pop(), Object(6));
    EXPECT_EQ(l.pop(0), Object(0));
    EXPECT_EQ(l.index("b"), 1u);
    EXPECT_EQ(l.count("b"), 1u);
    l.remove("a");
    EXPECT_THROW(l.remove("a"), mp::sync::ValueError);
    EXPECT_THROW(l.sort(), TypeError) << "'b' and ints do not compare, as in Python 3";
    EXPECT_EQ(l.repr(), "['b', 1, 2, 4, 5]") << "a failed sort leaves the list as it was";
    l.remove("b");
    l.sort(true);
    EXPECT_EQ(l.repr(), "[5, 4, 2, 1]");
    EXPECT_EQ(l.size(), 4u);
}

TEST(Manager, NamespaceAndValue) {
    Manager manager;
    auto ns = manager.namespace_();
    ns["x"] = 10;
    ns.set("name", "mp");
    EXPECT_EQ(ns.get("x"), Object(10));
    EXPECT_THROW((void)ns.get("y"), AttributeError);
    EXPECT_EQ(ns.repr(), "Namespace(name='mp', x=10)");
    ns.del("x");
    EXPECT_THROW(ns.del("x"), AttributeError);
    auto v = manager.value(3.5);
    EXPECT_EQ(v.get(), Object(3.5));
    v.set("text");
    EXPECT_EQ(v.repr(), "'text'");
}

void add_one(Object& value) { value = value.as_int() + 1; }

TEST(Manager, ModifyIsAtomicAcrossProcesses) {
    Manager manager;
    auto d = manager.dict();
    constexpr int kChildren = 4, kIncrements = 200;
    std::vector<pid_t> children;
    for (int c = 0; c < kChildren; ++c) {
        std::fflush(nullptr);
        const pid_t pid = fork();
        if (pid == 0) {
            for (int i = 0; i < kIncrements; ++i) d.modify("count", add_one, 0);
            _exit(0);
        }
        children.push_back(pid);
    }
    for (pid_t pid : children) {
        int status = 0;
        waitpid(pid, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    EXPECT_EQ(d.get("count"), Object(kChildren * kIncrements));
    EXPECT_THROW((void)d.modify("absent", add_one), KeyError);
    auto v = manager.value(41);
    EXPECT_EQ(v.modify(add_one), Object(42));
}

TEST(Manager, AnObjectLivesWhileAProxyRefersToIt) {
    Manager manager;
    std::uint64_t id = 0;
    {
        auto d = manager.dict(Dict{{"k", 1}});
        id = d.id();
        auto copy = d;
        EXPECT_EQ(copy.get("k"), Object(1));
    }
    auto next = manager.dict();
    EXPECT_NE(next.id(), id);
    // A child that dies by SIGKILL holding references: they are dropped with its connection.
    auto kept = manager.list(List{1});
    EXPECT_EQ(run_child([&] {
                  auto extra = kept;
                  (void)extra.size();  // registers the child's references
                  kill(getpid(), SIGKILL);
                  return 0;
              }),
              128 + SIGKILL);
    EXPECT_EQ(kept.size(), 1u) << "the parent's reference survives the child";
}

TEST(Manager, TheServerKilledMakesEveryCallAManagerErrorAtOnce) {
    Manager manager;
    auto d = manager.dict();
    d["k"] = 1;
    kill(manager.server_pid(), SIGKILL);
    waitpid(manager.server_pid(), nullptr, 0);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW((void)d.get("k"), ManagerError);
    EXPECT_THROW((void)d.size(), ManagerError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(Manager, AClientKilledMidRequestLeavesTheOthersServed) {
    Manager manager;
    auto d = manager.dict();
    d["k"] = 1;
    // A raw client that connects and sends half a frame, then dies.
    EXPECT_EQ(run_child([&] {
                  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
                  sockaddr_un address{};
                  address.sun_family = AF_UNIX;
                  std::strcpy(address.sun_path, manager.address().c_str());
                  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return 1;
                  const char half[] = {0x40, 0, 0};
                  (void)!write(fd, half, sizeof half);
                  kill(getpid(), SIGKILL);
                  return 0;
              }),
              128 + SIGKILL);
    d["k"] = 2;
    EXPECT_EQ(d.get("k"), Object(2));
}

TEST(Manager, AWrongAuthkeyIsRefusedBeforeAnyRequest) {
    Manager manager;
    auto d = manager.dict();
    d["secret"] = 1;
    const std::string address = manager.address();
    EXPECT_EQ(run_child([&] {
                  try {
                      (void)Manager::connect(address + "-not-there", manager.authkey());
                      return 2;
                  } catch (const ManagerError&) {
                  }
                  std::vector<std::byte> wrong(32, std::byte{7});
                  // A fresh process would have no session; a forked child has its parent's, so
                  // talk to the same server under another name for the socket: a symlink.
                  const std::string alias = address + "-alias";
                  if (symlink(address.c_str(), alias.c_str()) != 0) return 3;
                  try {
                      (void)Manager::connect(alias, wrong);
                      unlink(alias.c_str());
                      return 4;
                  } catch (const ManagerError& e) {
                      unlink(alias.c_str());
                      return std::string(e.what()).find("wrong authkey") != std::string::npos ? 0 : 5;
                  }
              }),
              0);
    EXPECT_EQ(d.get("secret"), Object(1));
}

TEST(Manager, ConnectGivesAnotherSessionTheSameObjects) {
    Manager manager;
    auto d = manager.dict();
    d["shared"] = "yes";
    const std::string alias = manager.address() + "-connect";
    ASSERT_EQ(symlink(manager.address().c_str(), alias.c_str()), 0);
    {
        Manager client = Manager::connect(alias, manager.authkey());
        auto mine = client.dict(Dict{{"from", "client"}});
        EXPECT_EQ(mine.get("from"), Object("client"));
    }
    unlink(alias.c_str());
    EXPECT_EQ(d.get("shared"), Object("yes"));
}

TEST(Manager, TheSocketIsInAPrivateDirectoryRemovedAtShutdown) {
    std::string address;
    {
        Manager manager;
        address = manager.address();
        const std::string directory = address.substr(0, address.rfind('/'));
        struct stat st {};
        ASSERT_EQ(stat(directory.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0700u);
        manager.shutdown();
        EXPECT_NE(stat(directory.c_str(), &st), 0);
    }
    EXPECT_NE(access(address.c_str(), F_OK), 0);
}

TEST(Manager, ASymlinkPlantedAtTheSocketPathIsNeitherFollowedNorRemoved) {
    char pattern[] = "/tmp/mp-ipc-planted-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    const std::string directory = pattern, target = directory + "/target", path = directory + "/listener";
    const int fd = open(target.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    close(fd);
    ASSERT_EQ(symlink(target.c_str(), path.c_str()), 0);
    try {
        Manager manager(path);
        ADD_FAILURE() << "the manager listened through a planted symlink";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), EADDRINUSE) << e.what();
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
    struct stat st {};
    ASSERT_EQ(lstat(path.c_str(), &st), 0) << "the planted link is not ours to remove";
    EXPECT_TRUE(S_ISLNK(st.st_mode));
    ASSERT_EQ(stat(target.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644u) << "its target's mode was changed";
    unlink(path.c_str());
    unlink(target.c_str());
    rmdir(directory.c_str());
}

TEST(Manager, AProgramThatBlocksSigtermStillShutsItsManagerDown) {
    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &term, &old);
    {
        Manager manager;  // forked with SIGTERM blocked
        manager.dict()["x"] = 1;
    }  // shutdown() would wait forever for a server that cannot hear SIGTERM
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

TEST(Manager, TheServerEndsWhenTheProcessThatMadeItIsKilled) {
    int report[2];
    ASSERT_EQ(pipe(report), 0);
    std::fflush(nullptr);
    const pid_t maker = fork();
    if (maker == 0) {
        close(report[0]);
        Manager manager;
        const pid_t server = manager.server_pid();
        const std::string address = manager.address();
        char line[512];
        const int n = std::snprintf(line, sizeof line, "%d %s\n", server, address.c_str());
        (void)!write(report[1], line, static_cast<std::size_t>(n));
        kill(getpid(), SIGKILL);
    }
    close(report[1]);
    char line[512] = {};
    ASSERT_GT(read(report[0], line, sizeof line - 1), 0);
    close(report[0]);
    waitpid(maker, nullptr, 0);
    int server = 0;
    char address[400] = {};
    ASSERT_EQ(std::sscanf(line, "%d %399s", &server, address), 2);
    // The server is not our child (its parent died): wait for it to be gone.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (kill(server, 0) == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    EXPECT_NE(kill(server, 0), 0) << "the server outlived the process that made it";
    EXPECT_NE(access(address, F_OK), 0) << "the socket was left behind";
}

}  // namespace
