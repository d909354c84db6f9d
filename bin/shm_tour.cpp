#include "bin/shm_commands.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <ranges>
#include <vector>

#include "bin/cli/children.hpp"
#include "shm/shm.hpp"

namespace mp::tools::shm {

namespace {

// Forks `count` children that each run body(i) and exit, and waits for all of them.
// The children start body together (a start gate), so that they really overlap.
// Returns how many failed.
// Forks `count` children that each run body(i) and exit, and waits for all of them.
// The children start body together (a start gate), so that they really overlap.
// SIGINT or SIGTERM takes the children along (anonymous segments need no cleanup:
// they vanish with the last process that maps them). Returns how many failed.
int run_children(int count, const std::function<void(int)>& body) {
    auto arrived = mp::shm::Value<int>::anonymous(0, {.lock = false});
    std::fflush(nullptr);  // nothing buffered may be printed twice
    std::vector<pid_t> children;
    std::vector<std::unique_ptr<cli::ChildRegistration>> registrations;
    for (int i = 0; i < count; ++i) {
        const cli::SignalHold hold;
        const pid_t pid = fork();
        if (pid < 0) {
            std::perror("shm: fork");
            arrived.store(count);  // let the ones already started run and finish
            break;
        }
        if (pid == 0) {
            hold.in_child();
            // A reader that went away (`shm tour | head`) must not kill a child
            // inside the lock; the tour itself still stops on SIGPIPE as usual.
            ::signal(SIGPIPE, SIG_IGN);
            int status = 0;
            arrived.fetch_add(1);
            while (arrived.load() < count) sched_yield();
            try {
                body(i);
            } catch (const std::exception& error) {
                std::fprintf(stderr, "shm: child %d: %s\n", i, error.what());
                status = 1;
            }
            std::fflush(nullptr);
            _exit(status);
        }
        children.push_back(pid);
        registrations.push_back(std::make_unique<cli::ChildRegistration>(pid, cli::OnSignal::kill_and_die));
    }
    int failed = count - static_cast<int>(children.size());
    for (const pid_t pid : children) {
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
    }
    return failed;
}

int value_and_array() {
    std::printf("1. A child changes Value('d', 0.0) and Array('i', range(10)) in place\n");
    auto num = mp::shm::Value<double>::anonymous(0.0);
    auto arr = mp::shm::Array<int>::anonymous(std::views::iota(0, 10));
    const int failed = run_children(1, [&](int) {
        num.store(3.1415927);
        for (int& x : arr) x = -x;
    });
    std::printf("   num = %s\n   arr = [", mp::shm::format_scalar(mp::shm::TypeCode::Double, num.load()).c_str());
    for (std::size_t i = 0; i < arr.size(); ++i) std::printf("%s%d", i == 0 ? "" : ", ", arr[i]);
    std::printf("]\n\n");
    return failed;
}

struct Ledger {
    int entries;
    int writer[20];
};

int writers_under_a_lock() {
    constexpr int kWriters = 20;
    std::printf("2. %d processes each append to a shared ledger under its lock\n", kWriters);
    auto ledger = mp::shm::Value<Ledger>::anonymous(Ledger{});
    const int failed = run_children(kWriters, [&](int id) {
        ledger.with_lock([&](Ledger& book) {
            book.writer[book.entries] = id;
            std::printf("   entry %2d written by process %2d\n", book.entries, id);
            std::fflush(stdout);  // inside the lock, so the lines come out in entry order
            ++book.entries;
        });
    });
    bool each_once = ledger.ref().entries == kWriters;
    for (int id = 0; id < kWriters && each_once; ++id)
        each_once = std::ranges::count(ledger.ref().writer, id) == 1;
    std::printf("   %d entries, every process exactly once: %s\n\n", ledger.ref().entries, each_once ? "yes" : "NO");
    return failed;
}

int counter_with_and_without_lock() {
    constexpr int kProcesses = 4, kIncrements = 1000000;
    constexpr int kExpected = kProcesses * kIncrements;
    std::printf("3. %d processes each add 1 to a counter %d times (expected %d)\n", kProcesses, kIncrements, kExpected);
    auto counter = mp::shm::Value<int>::anonymous(0);

    // Python's `v.value += 1`: a read, then a write; another process can write between.
    int failed = run_children(kProcesses, [&](int) {
        for (int k = 0; k < kIncrements; ++k) counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    });
    const int unlocked = counter.load();
    std::printf("   %-26s %7d  (%d updates lost)\n", "load + store, no lock:", unlocked, kExpected - unlocked);

    counter.store(0);
    failed += run_children(kProcesses, [&](int) {
        for (int k = 0; k < kIncrements; ++k) counter.with_lock([](int& n) { ++n; });
    });
    std::printf("   %-26s %7d\n", "with_lock(++n):", counter.load());

    counter.store(0);
    failed += run_children(kProcesses, [&](int) {
        for (int k = 0; k < kIncrements; ++k) counter.fetch_add(1);
    });
    std::printf("   %-26s %7d\n", "fetch_add(1), lock-free:", counter.load());
    return failed;
}

}  // namespace

int tour_command() {
    int failed = value_and_array();
    failed += writers_under_a_lock();
    failed += counter_with_and_without_lock();
    return failed == 0 ? 0 : 1;
}

}  // namespace mp::tools::shm
