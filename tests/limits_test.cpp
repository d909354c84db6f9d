// Resource limits: the libraries under a low RLIMIT_NOFILE and RLIMIT_NPROC give
// clean errors (std::system_error with EMFILE / EAGAIN naming the call), leave no fd,
// child or /dev/shm entry behind, and work again once the limit allows.
//
// Each case runs in a helper child (the suite re-executed) that lowers its own
// limits, so the suite itself is never limited. A helper prints what each call did
// and exits 0 only when every call ended cleanly.
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <system_error>

#include "ipc/ipc.hpp"
#include "pool/pool.hpp"
#include "shm/shm.hpp"
#include "subproc/subproc.hpp"
#include "sync/sync.hpp"
#include "tests/support/helpers.hpp"
#include "tests/support/leak_guard.hpp"
#include "threadpool/threadpool.hpp"

namespace {

int square(int x) {
    return x * x;
}

// The lowest free fd: with RLIMIT_NOFILE set to it, no new fd can be opened.
int lowest_free_fd() {
    const int fd = ::dup(0);
    ::close(fd);
    return fd;
}

void set_limit(int resource, rlim_t value) {
    rlimit limit{};
    ::getrlimit(resource, &limit);
    limit.rlim_cur = value;
    if (::setrlimit(resource, &limit) != 0)
        throw std::system_error(errno, std::generic_category(), "setrlimit");
}

// Runs `call` and reports on stdout how it ended; true when it succeeded or threw a
// std::system_error with `expected` (or, from a pool, BrokenPool saying so), and
// left no fd or child behind.
// The fd limit a helper set, lifted while an error is examined: UBSan's type checks
// need fds of their own and misreport a caught exception without them.
rlimit g_examine_with{};

bool clean(const std::string& what, int expected, const std::function<void()>& call) {
    rlimit limited{};
    ::getrlimit(RLIMIT_NOFILE, &limited);
    const auto lift = [] {
        if (g_examine_with.rlim_cur != 0) ::setrlimit(RLIMIT_NOFILE, &g_examine_with);
    };
    lift();
    const auto fds_before = mp::test::open_fds();
    ::setrlimit(RLIMIT_NOFILE, &limited);
    std::string outcome;
    bool ok = true;
    std::exception_ptr error;
    try {
        call();
    } catch (...) {
        error = std::current_exception();
    }
    lift();
    try {
        if (error) std::rethrow_exception(error);
        outcome = "ok";
    } catch (const std::system_error& e) {
        ok = e.code().value() == expected;
        outcome = std::string(ok ? "clean error: " : "WRONG ERROR: ") + e.what();
    } catch (const mp::pool::BrokenPool& e) {
        ok = std::string(e.what()).find(std::strerror(expected)) != std::string::npos;
        outcome = std::string(ok ? "clean error: " : "WRONG ERROR: ") + e.what();
    } catch (const std::exception& e) {
        ok = false;
        outcome = std::string("WRONG EXCEPTION: ") + e.what();
    }
    if (mp::test::open_fds() != fds_before) {
        ok = false;
        outcome += " [LEAKED FD]";
    }
    if (::waitpid(-1, nullptr, WNOHANG) != -1 || errno != ECHILD) {
        ok = false;
        outcome += " [CHILD LEFT]";
    }
    std::printf("%s: %s\n", what.c_str(), outcome.c_str());
    std::fflush(stdout);
    ::setrlimit(RLIMIT_NOFILE, &limited);
    return ok;
}

// Ends a helper without exit-time work: LeakSanitizer's exit check needs fds and a
// thread, which these helpers have just forbidden themselves.
[[noreturn]] void leave(bool ok) {
    std::fflush(nullptr);
    _exit(ok ? 0 : 1);
}

bool shm_name_exists(const std::string& file) {
    if (!std::filesystem::exists("/dev/shm/" + file)) return false;
    std::printf("LEFT /dev/shm/%s\n", file.c_str());
    return true;
}

// Every library call that opens fds, under RLIMIT_NOFILE = lowest free fd + spare.
MP_TEST_HELPER(limits_nofile) {
    const int spare = std::stoi(args.at(0));
    const std::string name = mp::test::unique_name("limits-" + args.at(0));
    ::getrlimit(RLIMIT_NOFILE, &g_examine_with);
    set_limit(RLIMIT_NOFILE, static_cast<rlim_t>(lowest_free_fd() + spare));
    bool ok = true;
    ok &= clean("ipc::Pipe", EMFILE, [] { auto pair = mp::ipc::Pipe(); });
    ok &= clean("ipc::Queue", EMFILE, [] {
        mp::ipc::Queue<int> q;
        q.put(1);
        (void)q.get();
    });
    ok &=
        clean("shm::SharedMemory::create", EMFILE, [&] { auto m = mp::shm::SharedMemory::create(name, 64); });
    ok &= !shm_name_exists("mp-" + name);
    ok &= clean("sync::Lock::open", EMFILE, [&] {
        auto lock = mp::sync::Lock::open(name);
        mp::sync::remove(name);
    });
    ok &= !shm_name_exists("mp-sync-" + name);
    ok &= clean("subproc::run", EMFILE, [] { (void)mp::subproc::run({"true"}, {.capture_output = true}); });
    ok &= clean("pool::Pool", EMFILE, [] {
        mp::pool::Pool pool(2);
        if (pool.apply(square, 7) != 49) throw std::runtime_error("wrong result");
    });
    leave(ok);
}

// Drops root (RLIMIT_NPROC does not bind root), then allows no further process or
// thread: fork, spawn and thread creation must fail with EAGAIN, cleanly.
MP_TEST_HELPER(limits_nproc) {
    if (::geteuid() == 0) {
        if (::setgid(65534) != 0 || ::setuid(65534) != 0) return 3;
        ::prctl(PR_SET_DUMPABLE, 1);  // keep /proc/self/fd readable for the fd check
    }
    set_limit(RLIMIT_NPROC, 0);
    bool ok = true;
    // Both spawners (posix_spawn, and fork+exec, which a umask needs) blame fork.
    for (const std::optional<mode_t> umask : {std::optional<mode_t>(), std::optional<mode_t>(022)}) {
        ok &= clean(umask ? "subproc::run with umask" : "subproc::run", EAGAIN, [umask] {
            try {
                (void)mp::subproc::run({"/bin/true"}, {.umask = umask});
            } catch (const mp::subproc::SpawnError& e) {
                if (e.step() != "fork") throw std::runtime_error(std::string("blamed the wrong step: ") + e.what());
                throw;
            }
        });
    }
    ok &= clean("pool::Process", EAGAIN, [] {
        mp::pool::Process p([] {});
        p.start();
        p.join();
    });
    ok &= clean("pool::Pool", EAGAIN, [] { mp::pool::Pool pool(2); });
    ok &= clean("threadpool::ThreadPool", EAGAIN, [] { mp::threadpool::ThreadPool pool(2); });
    leave(ok);
}

// The sanitizer runtimes need fds of their own (UBSan's type checks misreport
// without them), so the fd-limit cases run in the plain build only.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SKIP_UNDER_SANITIZERS() GTEST_SKIP() << "fd-starved children and the sanitizer runtimes do not mix"
#else
#define SKIP_UNDER_SANITIZERS() (void)0
#endif

TEST(Limits, NoFileLimitGivesCleanEmfileForEveryLibrary) {
    SKIP_UNDER_SANITIZERS();
    // spare 0: nothing can open; 1..7: calls fail part-way (after some fds) or succeed.
    for (int spare = 0; spare <= 7; ++spare) {
        const auto r =
            mp::test::run_command(mp::test::helper_command("limits_nofile", {std::to_string(spare)}));
        SCOPED_TRACE("spare fds " + std::to_string(spare) + "\n" + r.out + r.err);
        EXPECT_EQ(r.exit_code, 0);
        if (spare == 0) {
            EXPECT_NE(r.out.find("ipc::Pipe: clean error: "), std::string::npos);
            EXPECT_NE(r.out.find("subproc::run: clean error: "), std::string::npos);
            EXPECT_NE(r.out.find("pool::Pool: clean error: "), std::string::npos);
        }
    }
    // With room, everything works again.
    const auto r = mp::test::run_command(mp::test::helper_command("limits_nofile", {"64"}));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.out.find("error"), std::string::npos) << r.out;
}

TEST(Limits, NprocLimitGivesCleanEagainAndNoZombie) {
    const auto r = mp::test::run_command(mp::test::helper_command("limits_nproc"));
    SCOPED_TRACE(r.out + r.err);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("subproc::run: clean error: fork(\"/bin/true\")"), std::string::npos);
    EXPECT_NE(r.out.find("subproc::run with umask: clean error: fork(\"/bin/true\")"), std::string::npos);
    EXPECT_NE(r.out.find("threadpool::ThreadPool: clean error: "), std::string::npos);
}

}  // namespace

namespace {

// Regression: a Pool built with room for its own fds but not for a worker's channel
// (passed from the fork server with SCM_RIGHTS, which the kernel drops when the
// receiver is at its fd limit) got fd -1, threw from its result thread and
// std::terminate'd the program. Now such a worker counts as a failed spawn: the pool
// runs with fewer workers, or is BrokenPool ("Too many open files") when none started.
TEST(Limits, PoolWorkerChannelLostAtFdLimitIsAFailedSpawnNotTerminate) {
    SKIP_UNDER_SANITIZERS();
    for (const char* spare : {"4", "5"}) {
        const auto r = mp::test::run_command(mp::test::helper_command("limits_nofile", {spare}));
        EXPECT_EQ(r.exit_code, 0) << "spare " << spare << "\n" << r.out << r.err;
        EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << r.err;
    }
}

}  // namespace
