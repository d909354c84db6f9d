// `bin/sync tour`: the classic threading / multiprocessing examples, replayed
// between real processes with mp::sync, printing what happens.
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <system_error>
#include <cstdarg>
#include <cstdio>
#include <functional>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "bin/sync_commands.hpp"
#include "sync/sync.hpp"

namespace mp::tools::sync {

namespace {

using namespace std::chrono_literals;

// One write(2) per message: lines from several processes never mix mid-line.
void say(const char* format, ...) {
    char line[512];
    va_list args;
    va_start(args, format);
    const int n = std::vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (n > 0) (void)!write(1, line, static_cast<std::size_t>(std::min<int>(n, sizeof line - 1)));
}

// Runs body(i) in `count` forked processes and reaps them all.
void in_processes(int count, const std::function<void(int)>& body) {
    std::fflush(nullptr);
    std::vector<pid_t> pids;
    for (int i = 0; i < count; ++i) {
        const pid_t pid = fork();
        if (pid == 0) {
            body(i);
            _exit(0);
        }
        if (pid > 0) pids.push_back(pid);
    }
    for (const pid_t pid : pids)
        while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
}

// Shared anonymous memory for a small struct, for the examples' shared data.
template <class T>
T* shared_value() {
    void* memory = mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
    return new (memory) T{};
}

// "hello world i", one character per write with a pause: what print() does to a
// shared terminal when nothing serializes it.
void slow_print(int i) {
    const std::string text = "hello world " + std::to_string(i) + "\n";
    for (const char c : text) {
        (void)!write(1, &c, 1);
        usleep(300);
    }
}

void lock_example() {
    say("\n== Lock: 10 processes print 'hello world i', one character at a time\n");
    say("-- without a lock, the lines garble:\n");
    in_processes(10, slow_print);
    say("-- with a Lock held around each print:\n");
    mp::sync::Lock lock;
    in_processes(10, [&](int i) {
        std::lock_guard guard(lock);
        slow_print(i);
    });
}

void rlock_example() {
    say("\n== RLock re-entry vs Lock self-deadlock\n");
    mp::sync::RLock rlock;
    rlock.lock();
    rlock.lock();
    say("RLock: the holder acquired it again (depth %u); released twice\n", rlock.recursion_depth());
    rlock.unlock();
    rlock.unlock();
    mp::sync::Lock lock;
    lock.lock();
    const bool again = lock.try_lock_for(200ms);
    say("Lock: the holder's second acquire %s -> a plain lock() here would deadlock\n",
        again ? "succeeded (unexpected)" : "timed out after 0.2 s");
    lock.unlock();
}

void event_example() {
    say("\n== Event gating 10 workers\n");
    mp::sync::Event go;
    auto* waiting = shared_value<std::atomic<int>>();
    std::fflush(nullptr);
    std::vector<pid_t> pids;
    for (int i = 0; i < 10; ++i) {
        const pid_t pid = fork();
        if (pid == 0) {
            ++*waiting;
            go.wait();
            say("worker %d: go\n", i);
            _exit(0);
        }
        pids.push_back(pid);
    }
    while (waiting->load() < 10) usleep(1000);
    say("main: all 10 workers wait on the event; set()\n");
    go.set();
    for (const pid_t pid : pids) waitpid(pid, nullptr, 0);
    munmap(waiting, sizeof *waiting);
}

void condition_example() {
    say("\n== Condition: a producer and a consumer process\n");
    struct Box {
        int item = 0;
        bool full = false;
    };
    mp::sync::Condition cv;
    Box* box = shared_value<Box>();
    in_processes(2, [&](int role) {
        for (int n = 1; n <= 5; ++n) {
            std::unique_lock guard(cv);
            if (role == 0) {
                cv.wait([&] { return !box->full; });
                box->item = n * n;
                box->full = true;
                say("producer: put %d\n", box->item);
            } else {
                cv.wait([&] { return box->full; });
                say("consumer: got %d\n", box->item);
                box->full = false;
            }
            cv.notify_all();
        }
    });
    munmap(box, sizeof *box);
}

void semaphore_example() {
    say("\n== Semaphore(2) limiting 6 worker processes\n");
    mp::sync::Semaphore slots(2);
    auto* inside = shared_value<std::atomic<int>>();
    in_processes(6, [&](int i) {
        slots.acquire();
        const int now = ++*inside;
        say("worker %d: in  (inside: %d)\n", i, now);
        usleep(20000);
        --*inside;
        say("worker %d: out\n", i);
        slots.release();
    });
    munmap(inside, sizeof *inside);
}

void barrier_example() {
    say("\n== Barrier(3): 3 processes meet, twice\n");
    mp::sync::Barrier barrier(3);
    in_processes(3, [&](int i) {
        for (int round = 1; round <= 2; ++round) {
            usleep(static_cast<useconds_t>(10000 * (i + 1)));
            say("worker %d: arrives for round %d\n", i, round);
            const std::uint32_t index = barrier.wait(10s);
            say("worker %d: passes round %d (arrival index %u)\n", i, round, index);
        }
    });
}

void robustness_example() {
    say("\n== Robust: a holder killed with SIGKILL\n");
    mp::sync::Lock lock;
    mp::sync::Semaphore slots(1, mp::sync::SlotOwnership::process);  // slots return when their holder dies
    auto* ready = shared_value<std::atomic<int>>();
    std::fflush(nullptr);
    const pid_t victim = fork();
    if (victim == 0) {
        lock.lock();
        slots.acquire();
        ++*ready;
        pause();
        _exit(0);
    }
    while (ready->load() == 0) usleep(1000);
    say("victim %d holds the Lock and the only Semaphore slot; kill -9 %d\n", victim, victim);
    kill(victim, SIGKILL);
    waitpid(victim, nullptr, 0);
    const bool got_lock = lock.try_lock_for(2s);
    say("main: Lock acquired: %s; previous owner died: %s\n", got_lock ? "yes" : "no",
        got_lock && lock.owner_died() ? "yes" : "no");
    if (got_lock) lock.unlock();
    say("main: Semaphore slot reclaimed: %s\n", slots.try_acquire_for(2s) ? "yes" : "no");
    munmap(ready, sizeof *ready);
}

}  // namespace

int tour_command() {
    lock_example();
    rlock_example();
    event_example();
    condition_example();
    semaphore_example();
    barrier_example();
    robustness_example();
    return 0;
}

}  // namespace mp::tools::sync
