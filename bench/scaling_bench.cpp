// How cost grows with the work, one line chart each: Pool.map items/s from 10^3 to
// 10^7 items; thread pool tasks/s for tasks from empty to 10 us; pipe and Queue
// throughput for messages of 8 B to 1 MiB; spawn time for parents of 10 MiB to 1 GiB
// resident. Ours vs the raw syscall loop vs CPython (bench/scaling_bench.py).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench/harness/harness.hpp"
#include "bench/harness/raw_loops.hpp"
#include "ipc/ipc.hpp"
#include "pool/pool.hpp"
#include "subproc/subproc.hpp"
#include "threadpool/threadpool.hpp"

namespace {

using mp::bench::measure;
using mp::bench::Plot;
using mp::bench::Python;
using mp::bench::read_exactly;
using mp::bench::Row;
using mp::bench::Series;
using mp::bench::with_child;
using mp::bench::write_exactly;

constexpr const char* kScript = "scaling_bench.py";

void check(bool ok, const char* what) {
    if (!ok) {
        std::perror(what);
        std::exit(1);
    }
}

// "8 B", "32 KiB", "1 MiB".
std::string bytes_text(std::size_t n) {
    if (n >= (1u << 20)) return std::to_string(n >> 20) + " MiB";
    if (n >= (1u << 10)) return std::to_string(n >> 10) + " KiB";
    return std::to_string(n) + " B";
}

// ---- Pool.map: items/s against the number of items ----

int square(int x) {
    return x * x;
}

void pool_map_series() {
    Series series("scaling: Pool(2).map(x*x) throughput against the number of items (per item)", "items",
                  Plot::per_second);
    // The raw workers come first so that they are reaped last: the pool's workers
    // are forked later and hold copies of their pipe ends until the pool is gone.
    mp::bench::RawMapWorkers raw;
    mp::pool::Pool pool(2);
    for (std::size_t n = 1000; n <= 10'000'000; n *= 10) {
        std::vector<int> items(n);
        for (std::size_t i = 0; i < n; ++i) items[i] = static_cast<int>(i % 40000);
        // Small maps are repeated so that a run lasts long enough to time: 10^6 items
        // a run for C++, 10^5 for CPython. CPython needs ~1 us an item, so 10^7 items
        // would take a minute a run: it stops at 10^6.
        const std::size_t repeats = std::max<std::size_t>(1, 1'000'000 / n);
        const std::size_t cpython_repeats = std::max<std::size_t>(1, 100'000 / n);
        series.add(
            static_cast<double>(n),
            {.scenario = std::to_string(n),
             .times = measure(
                 n * repeats,
                 {.ours =
                      [&] {
                          for (std::size_t r = 0; r < repeats; ++r) (void)pool.map(square, items);
                      },
                  .raw =
                      [&] {
                          for (std::size_t r = 0; r < repeats; ++r) (void)raw.map(items);
                      },
                  .cpython = n <= 1'000'000 ? std::optional<Python>(Python{
                                                  kScript, "map_" + std::to_string(n), n * cpython_repeats})
                                            : std::nullopt}),
             .targets = {},
             .note = n > 1'000'000 ? "CPython not run (a minute a run)"
                                   : "maps a run: " + std::to_string(repeats) + " (CPython " +
                                         std::to_string(cpython_repeats) + ")"});
    }
    series.print();
}

// ---- thread pool: tasks/s against the task's own work ----

// Busy work for `duration`: what a task of that size costs a core.
void spin(std::chrono::nanoseconds duration) {
    if (duration.count() == 0) return;
    const auto until = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < until) {
    }
}

void thread_pool_series() {
    Series series("scaling: ThreadPool(2) tasks/s against task size (per task; raw: 2 threads, no queue)",
                  "task size", Plot::per_second);
    mp::threadpool::ThreadPool pool(2);
    struct Size {
        const char* text;
        const char* scenario;
        std::chrono::nanoseconds work;
        std::size_t tasks, cpython_tasks;
    };
    using namespace std::chrono_literals;
    for (const Size& s :
         {Size{"empty", "tasks_0", 0ns, 200'000, 20'000}, Size{"100 ns", "tasks_100", 100ns, 200'000, 20'000},
          Size{"1 us", "tasks_1000", 1us, 50'000, 20'000},
          Size{"10 us", "tasks_10000", 10us, 10'000, 5'000}}) {
        series.add(
            static_cast<double>(s.work.count()),
            {.scenario = s.text,
             .times = measure(s.tasks, {.ours =
                                            [&] {
                                                for (std::size_t i = 0; i < s.tasks; ++i)
                                                    pool.detach([&] { spin(s.work); });
                                                pool.wait_idle();
                                            },
                                        // The limit: the same work split in two halves run by two threads.
                                        .raw =
                                            [&] {
                                                auto half = [&] {
                                                    for (std::size_t i = 0; i < s.tasks / 2; ++i)
                                                        spin(s.work);
                                                };
                                                std::thread a(half), b(half);
                                                a.join();
                                                b.join();
                                            },
                                        .cpython = Python{kScript, s.scenario, s.cpython_tasks}}),
             .targets = {},
             .note = ""});
    }
    series.print();
}

// ---- pipe and Queue: bytes/s against the message size ----

constexpr std::size_t kSizes[] = {8, 64, 512, 4 << 10, 32 << 10, 256 << 10, 1 << 20};

// Enough messages for ~32 MiB a run, within [100, 50000].
std::size_t messages_for(std::size_t size) {
    return std::clamp<std::size_t>((32u << 20) / size, 100, 50'000);
}

// The raw loop: `n` writes of `size` bytes to a pipe, read back in pieces of that size.
void raw_pipe(std::size_t n, std::size_t size) {
    int p[2];
    check(pipe2(p, O_CLOEXEC) == 0, "pipe2");
    with_child(
        [&] {
            close(p[0]);
            const std::vector<char> block(size, 'x');
            for (std::size_t i = 0; i < n; ++i) write_exactly(p[1], block.data(), size);
        },
        [&] {
            close(p[1]);
            std::vector<char> block(size);
            for (std::size_t i = 0; i < n; ++i) read_exactly(p[0], block.data(), size);
        });
    close(p[0]);
}

void ours_pipe(std::size_t n, std::size_t size) {
    auto [reader, writer] = mp::ipc::Pipe(false);
    with_child(
        [&] {
            reader.close();
            const std::vector<std::byte> block(size, std::byte{'x'});
            for (std::size_t i = 0; i < n; ++i) writer.send_bytes(block);
        },
        [&] {
            writer.close();
            std::vector<std::byte> block;
            for (std::size_t i = 0; i < n; ++i) reader.recv_bytes_into(block);
        });
}

void ours_queue(std::size_t n, std::size_t size) {
    mp::ipc::Queue<std::string> queue(0, 4 * size + (1u << 16));  // room for a few items of any size
    with_child(
        [&] {
            const std::string item(size, 'x');
            for (std::size_t i = 0; i < n; ++i) queue.put(item);
        },
        [&] {
            for (std::size_t i = 0; i < n; ++i) (void)queue.get();
        });
}

void message_series(const char* title, const char* cpython_prefix,
                    void (*ours)(std::size_t n, std::size_t size)) {
    Series series(title, "message size", Plot::bytes_per_second);
    for (const std::size_t size : kSizes) {
        const std::size_t n = messages_for(size);
        series.add(
            static_cast<double>(size),
            {.scenario = bytes_text(size),
             .times = measure(n, {.ours = [&] { ours(n, size); },
                                  .raw = [&] { raw_pipe(n, size); },
                                  .cpython = Python{kScript, cpython_prefix + std::to_string(size), n}}),
             .targets = {},
             .note = std::to_string(n) + " messages a run"});
    }
    series.print();
}

// ---- spawn: time against the parent's resident memory ----

void ours_spawn(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) mp::subproc::Popen({"/bin/true"}).wait();
}

void spawn_series() {
    Series series("scaling: spawn + wait /bin/true against the parent's resident memory (raw: posix_spawn)",
                  "parent resident", Plot::seconds);
    constexpr std::size_t kSpawns = 50;
    for (const std::size_t mib : {10, 32, 100, 320, 1024}) {
        std::vector<char> heap(mib << 20);
        std::memset(heap.data(), 1, heap.size());          // touched: resident, with page tables
        asm volatile("" : : "r"(heap.data()) : "memory");  // keeps the stores
        series.add(
            static_cast<double>(mib << 20),
            {.scenario = std::to_string(mib) + " MiB",
             .times = measure(kSpawns, {.ours = [] { ours_spawn(kSpawns); },
                                        .raw = [] { mp::bench::raw_spawn_true(kSpawns); },
                                        .cpython = Python{kScript, "spawn_" + std::to_string(mib), kSpawns}}),
             .targets = {},
             .note = ""});
    }
    series.print();
}

}  // namespace

int main() {
    pool_map_series();
    thread_pool_series();
    message_series("scaling: Pipe(duplex=false) throughput against message size (per message)", "pipe_",
                   ours_pipe);
    message_series("scaling: Queue<std::string> throughput against message size (per message; raw: a pipe)",
                   "queue_", ours_queue);
    spawn_series();
}
