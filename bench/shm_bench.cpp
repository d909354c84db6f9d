// Shared counters between two processes, 10^6 updates each:
// - under the segment's lock: Value<int>::with_lock vs a raw process-shared pthread
//   mutex loop vs CPython's Value('i') with get_lock();
// - lock-free: Value<int>::fetch_add vs a raw std::atomic<int> in shared memory.
// Times are per update, over both processes (2 * 10^6 updates per run), and include
// forking the two processes (a few hundred microseconds). Ours, raw and CPython take
// turns (7 rounds) so a busy machine weighs on all alike.
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <new>
#include <vector>

#include "bench/harness/harness.hpp"
#include "shm/shm.hpp"

namespace {

constexpr int kProcesses = 2;
constexpr int kPerProcess = 1'000'000;
constexpr std::size_t kOps = std::size_t{kProcesses} * kPerProcess;

// A start gate in shared memory, so the two processes contend from the first update.
struct Gate {
    std::atomic<int> arrived{0};
};

// Runs loop() in kProcesses forked children at once and waits for them.
void in_two_processes(const std::function<void()>& loop) {
    void* memory = mmap(nullptr, sizeof(Gate), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) std::abort();
    Gate* gate = new (memory) Gate;
    std::fflush(nullptr);
    pid_t children[kProcesses];
    for (pid_t& child : children) {
        child = fork();
        if (child < 0) std::abort();
        if (child == 0) {
            gate->arrived.fetch_add(1);
            while (gate->arrived.load() < kProcesses) sched_yield();
            loop();
            _exit(0);
        }
    }
    for (const pid_t child : children) {
        int status = 0;
        if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) std::abort();
    }
    munmap(memory, sizeof(Gate));
}

void check(long long got, const char* what) {
    if (got != static_cast<long long>(kOps)) {
        std::fprintf(stderr, "shm_bench: %s counted %lld, expected %zu\n", what, got, kOps);
        std::exit(1);
    }
}

// ---- under a lock ----

void ours_locked() {
    auto counter = mp::shm::Value<int>::anonymous(0);
    in_two_processes([&] {
        for (int i = 0; i < kPerProcess; ++i) counter.with_lock([](int& n) { ++n; });
    });
    check(counter.load(), "Value<int>::with_lock");
}

struct RawLocked {
    pthread_mutex_t mutex;
    int counter = 0;
    explicit RawLocked(bool robust) {
        pthread_mutexattr_t attributes;
        pthread_mutexattr_init(&attributes);
        pthread_mutexattr_setpshared(&attributes, PTHREAD_PROCESS_SHARED);
        if (robust) pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST);
        pthread_mutex_init(&mutex, &attributes);
        pthread_mutexattr_destroy(&attributes);
    }
};

void raw_locked(bool robust) {
    void* memory = mmap(nullptr, sizeof(RawLocked), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) std::abort();
    RawLocked* shared = new (memory) RawLocked(robust);
    in_two_processes([&] {
        for (int i = 0; i < kPerProcess; ++i) {
            pthread_mutex_lock(&shared->mutex);
            ++shared->counter;
            pthread_mutex_unlock(&shared->mutex);
        }
    });
    check(shared->counter, "raw pthread mutex");
    munmap(memory, sizeof(RawLocked));
}

// ---- lock-free ----

void ours_fetch_add() {
    auto counter = mp::shm::Value<int>::anonymous(0, {.lock = false});
    in_two_processes([&] {
        for (int i = 0; i < kPerProcess; ++i) counter.fetch_add(1);
    });
    check(counter.load(), "Value<int>::fetch_add");
}

void raw_fetch_add() {
    void* memory = mmap(nullptr, sizeof(std::atomic<int>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) std::abort();
    auto* counter = new (memory) std::atomic<int>(0);
    in_two_processes([&] {
        for (int i = 0; i < kPerProcess; ++i) counter->fetch_add(1);
    });
    check(counter->load(), "raw std::atomic");
    munmap(memory, sizeof(std::atomic<int>));
}

}  // namespace

int main() {
    using namespace mp::bench;
    Table table("shm: a counter shared by 2 processes, 10^6 updates each (time per update)");
    table.add({.scenario = "+1 under the lock",
               .times = measure(kOps,
                                {.ours = ours_locked,
                                 .raw = [] { raw_locked(false); },
                                 .cpython = Python{"shm_bench.py", "locked_increment", kOps}},
                                7),
               .targets = {{Ratio::ours_raw, 1.3}, {Ratio::ours_cpython, 1.0 / 20}},
               .note = "Value<int>::with_lock vs pshared pthread mutex vs Value('i') + get_lock()"});
    table.add(
        {.scenario = "+1 under the lock, robust raw",
         .times = measure(kOps, {.ours = ours_locked, .raw = [] { raw_locked(true); }, .cpython = {}}, 7),
         .targets = {},
         .note = "ours vs the raw loop with a robust mutex, as ours is "
                 "(robustness is what survives a holder's death)"});
    table.add({.scenario = "fetch_add(1), lock-free",
               .times = measure(kOps, {.ours = ours_fetch_add, .raw = raw_fetch_add, .cpython = {}}, 7),
               .targets = {{Ratio::ours_raw, 1.1}},
               .note = "Value<int>::fetch_add vs std::atomic<int> in shared memory "
                       "(CPython has no lock-free shared integer)"});
    table.print();
}
