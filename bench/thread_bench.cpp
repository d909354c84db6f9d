// thread: starting and joining one thread that does nothing — mp::threadpool::Thread
// against raw pthread_create + pthread_join and CPython's threading.Thread; and a
// Timer of zero interval against the same raw pair.
#include <pthread.h>

#include <cstdio>
#include <cstdlib>

#include "bench/harness/harness.hpp"
#include "threadpool/thread.hpp"
#include "threadpool/timer.hpp"

namespace {

void* nothing(void*) { return nullptr; }

void raw_threads(std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        pthread_t thread;
        if (pthread_create(&thread, nullptr, nothing, nullptr) != 0) {
            std::perror("pthread_create");
            std::exit(1);
        }
        pthread_join(thread, nullptr);
    }
}

}  // namespace

int main() {
    using namespace mp::bench;
    Table table("thread: ours vs raw pthread vs CPython");

    constexpr std::size_t kThreads = 20'000;
    table.add({.scenario = "Thread start + join",
               .times = measure(kThreads, {.ours =
                                               [] {
                                                   for (std::size_t i = 0; i < kThreads; ++i) {
                                                       mp::threadpool::Thread t([] {});
                                                       t.start();
                                                       t.join();
                                                   }
                                               },
                                           .raw = [] { raw_threads(kThreads); },
                                           .cpython = Python{"thread_bench.py", "thread", kThreads / 4}}),
               .targets = {{Ratio::ours_raw, 1.2}, {Ratio::ours_cpython, 0.1}},
               .note = "raw: pthread_create + pthread_join"});

    table.add({.scenario = "Timer(0) start + join",
               .times = measure(kThreads, {.ours =
                                               [] {
                                                   for (std::size_t i = 0; i < kThreads; ++i) {
                                                       mp::threadpool::Timer t(std::chrono::seconds(0),
                                                                               [] {});
                                                       t.start();
                                                       t.join();
                                                   }
                                               },
                                           .raw = [] { raw_threads(kThreads); },
                                           .cpython = Python{"thread_bench.py", "timer", kThreads / 4}}),
               .targets = {},
               .note = "raw: pthread_create + pthread_join"});
    table.print();
}
