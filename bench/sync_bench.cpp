// sync: the cost of the primitives against the raw POSIX objects they improve on.
//  - uncontended lock + unlock: mp::sync::Lock vs a raw robust process-shared
//    pthread_mutex_t vs CPython's multiprocessing.Lock;
//  - a round trip between two processes: two mp::sync::Semaphores vs two raw
//    process-shared sem_t vs two multiprocessing.Semaphores;
//  - making 10,000 anonymous Locks (default placement, and threads_only) vs as many
//    heap-allocated std::mutex, and uncontended lock + unlock of a threads_only Lock
//    on a thread that is not main vs a std::mutex;
//  - one `bin/sync lock NAME -- true` (and `sem NAME -j 2 -- true`) vs one
//    `flock FILE true`, spawned directly.
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include "bench/harness/harness.hpp"
#include "sync/lock.hpp"
#include "sync/named.hpp"
#include "sync/semaphore.hpp"

extern char** environ;

namespace {

void* shared_memory(std::size_t size) {
    void* memory = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        std::perror("mmap");
        std::exit(1);
    }
    return memory;
}

pthread_mutex_t* raw_robust_mutex() {
    auto* mutex = static_cast<pthread_mutex_t*>(shared_memory(sizeof(pthread_mutex_t)));
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(mutex, &attr);
    pthread_mutexattr_destroy(&attr);
    return mutex;
}

// Runs `pong` in a forked child and `ping` here; reaps the child.
template <class Ping, class Pong>
void with_partner(Ping ping, Pong pong) {
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
        pong();
        _exit(0);
    }
    ping();
    waitpid(pid, nullptr, 0);
}

void raw_ping_pong(std::size_t rounds) {
    auto* sems = static_cast<sem_t*>(shared_memory(2 * sizeof(sem_t)));
    sem_init(&sems[0], 1, 0);
    sem_init(&sems[1], 1, 0);
    with_partner(
        [&] {
            for (std::size_t i = 0; i < rounds; ++i) {
                sem_post(&sems[0]);
                while (sem_wait(&sems[1]) != 0) {
                }
            }
        },
        [&] {
            for (std::size_t i = 0; i < rounds; ++i) {
                while (sem_wait(&sems[0]) != 0) {
                }
                sem_post(&sems[1]);
            }
        });
    munmap(sems, 2 * sizeof(sem_t));
}

void our_ping_pong(std::size_t rounds) {
    mp::sync::Semaphore ping(0, mp::sync::SlotOwnership::none);
    mp::sync::Semaphore pong(0, mp::sync::SlotOwnership::none);
    with_partner(
        [&] {
            for (std::size_t i = 0; i < rounds; ++i) {
                ping.release();
                pong.acquire();
            }
        },
        [&] {
            for (std::size_t i = 0; i < rounds; ++i) {
                ping.acquire();
                pong.release();
            }
        });
}

// Makes `count` objects of type T from `args`, all alive at once, then drops them.
template <class T, class... Args>
void make_many(std::size_t count, const Args&... args) {
    std::vector<T> objects;
    objects.reserve(count);
    for (std::size_t i = 0; i < count; ++i) objects.emplace_back(args...);
}

// Runs `body` on a thread of its own (the threading.Lock case) and waits for it.
template <class Body>
void on_thread(Body body) {
    std::thread(body).join();
}

// Spawns argv `times` times, one after the other, waiting for each.
void spawn_each(const std::vector<std::string>& argv, std::size_t times) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    for (std::size_t i = 0; i < times; ++i) {
        pid_t pid;
        if (posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) {
            std::perror(args[0]);
            std::exit(1);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            std::fprintf(stderr, "%s failed\n", args[0]);
            std::exit(1);
        }
    }
}

}  // namespace

int main() {
    using namespace mp::bench;
    Table table("sync: ours vs raw POSIX vs CPython");

    constexpr std::size_t kLocks = 2'000'000;
    mp::sync::Lock lock;
    pthread_mutex_t* raw = raw_robust_mutex();
    table.add({.scenario = "uncontended lock+unlock",
               .times = measure(kLocks, {.ours =
                                             [&] {
                                                 for (std::size_t i = 0; i < kLocks; ++i) {
                                                     lock.lock();
                                                     lock.unlock();
                                                 }
                                             },
                                         .raw =
                                             [&] {
                                                 for (std::size_t i = 0; i < kLocks; ++i) {
                                                     pthread_mutex_lock(raw);
                                                     pthread_mutex_unlock(raw);
                                                 }
                                             },
                                         .cpython = Python{"sync_bench.py", "lock", 200'000}}),
               .targets = {{Ratio::ours_raw, 1.3}},
               .note = "raw: robust pshared pthread_mutex_t"});

    constexpr std::size_t kMany = 10'000;
    const auto make_std_mutexes = [] {
        std::vector<std::unique_ptr<std::mutex>> mutexes;
        mutexes.reserve(kMany);
        for (std::size_t i = 0; i < kMany; ++i) mutexes.push_back(std::make_unique<std::mutex>());
    };
    table.add(
        {.scenario = "make 10,000 anonymous Locks",
         .times = measure(kMany, {.ours = [] { make_many<mp::sync::Lock>(kMany); },
                                  .raw = make_std_mutexes,
                                  .cpython = Python{"sync_bench.py", "make_locks", kMany}}),
         .targets = {},
         .note =
             "per lock; default placement: an mmap each; raw: new std::mutex; CPython: threading.Lock()"});
    table.add(
        {.scenario = "make 10,000 threads_only Locks",
         .times = measure(kMany, {.ours = [] { make_many<mp::sync::Lock>(kMany, mp::sync::threads_only); },
                                  .raw = make_std_mutexes,
                                  .cpython = Python{"sync_bench.py", "make_locks", kMany}}),
         .targets = {},
         .note = "per lock; a heap block each; raw: new std::mutex"});
    mp::sync::Lock thread_lock(mp::sync::threads_only);
    std::mutex std_mutex;
    table.add({.scenario = "lock+unlock on a thread, threads_only Lock",
               .times = measure(kLocks, {.ours =
                                             [&] {
                                                 on_thread([&] {
                                                     for (std::size_t i = 0; i < kLocks; ++i) {
                                                         thread_lock.lock();
                                                         thread_lock.unlock();
                                                     }
                                                 });
                                             },
                                         .raw =
                                             [&] {
                                                 on_thread([&] {
                                                     for (std::size_t i = 0; i < kLocks; ++i) {
                                                         std_mutex.lock();
                                                         std_mutex.unlock();
                                                     }
                                                 });
                                             },
                                         .cpython = Python{"sync_bench.py", "thread_lock", 200'000}}),
               .targets = {},
               .note = "raw: std::mutex; CPython: threading.Lock in a Thread"});

    constexpr std::size_t kRounds = 20'000;
    table.add({.scenario = "2-process ping-pong round trip",
               .times = measure(kRounds, {.ours = [] { our_ping_pong(kRounds); },
                                          .raw = [] { raw_ping_pong(kRounds); },
                                          .cpython = Python{"sync_bench.py", "pingpong", kRounds}}),
               .targets = {{Ratio::ours_raw, 1.3}},
               .note = "Semaphore pair; raw: pshared sem_t pair"});

    constexpr std::size_t kRuns = 200;
    const std::string name = "bench-" + std::to_string(getpid());
    char flock_file[] = "/tmp/mp-sync-bench-XXXXXX";
    const int fd = mkstemp(flock_file);
    if (fd >= 0) close(fd);
    table.add({.scenario = "lock NAME -- true, per call",
               .times = measure(kRuns, {.ours =
                                            [&] {
                                                spawn_each({"bin/sync", "lock", name, "--", "true"}, kRuns);
                                            },
                                        .raw =
                                            [&] {
                                                spawn_each({"flock", flock_file, "true"}, kRuns);
                                            },
                                        .cpython = {}}),
               .targets = {{Ratio::ours_raw, 1.5}},
               .note = "bin/sync vs flock(1)"});
    table.add(
        {.scenario = "sem NAME -j 2 -- true, per call",
         .times = measure(
             kRuns, {.ours =
                         [&] {
                             spawn_each({"bin/sync", "sem", name + "-sem", "-j", "2", "--", "true"}, kRuns);
                         },
                     .raw =
                         [&] {
                             spawn_each({"flock", flock_file, "true"}, kRuns);
                         },
                     .cpython = {}}),
         .targets = {},
         .note = "bin/sync sem vs flock(1); GNU sem: ~100 ms"});
    unlink(flock_file);
    mp::sync::remove(name + "-sem");
    mp::sync::remove(name);
    table.print();
}
