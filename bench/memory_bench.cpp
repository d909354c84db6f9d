// Memory as the work grows: peak RSS of the parent and of the workers for Pool.map
// and Pool.imap, of both sides of a Queue holding 10^6 items, and the /dev/shm bytes
// of 10,000 named locks; ours against CPython's (bench/memory_bench.py), each
// scenario in a fresh process (bench/harness/memory.hpp).
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <ranges>
#include <string>
#include <vector>

#include "bench/harness/memory.hpp"
#include "ipc/ipc.hpp"
#include "pool/pool.hpp"
#include "sync/sync.hpp"

namespace {

using mp::bench::kPerProcessBytes;
using mp::bench::MemoryRow;
using mp::bench::Peak;

constexpr std::size_t kImapChunk = 10'000;
constexpr std::size_t kItemBytes = 64;
using Item = std::array<char, kItemBytes>;

long square(long x) { return x * x; }

// The pool is made first, while this process is small: workers are its forks.
void run_map(std::size_t n) {
    mp::pool::Pool pool(2);
    std::vector<long> items(n);
    std::iota(items.begin(), items.end(), 0L);
    const std::vector<long> squares = pool.map(square, items);
    if (squares.size() != n || (n > 3 && squares[3] != 9)) std::exit(1);
    pool.close();
    pool.join();
}

void run_imap(std::size_t n) {
    mp::pool::Pool pool(2);
    std::size_t count = 0;
    for (long v : pool.imap(square, std::views::iota(0L, static_cast<long>(n)), kImapChunk)) count += v >= 0;
    if (count != n) std::exit(1);
    pool.close();
    pool.join();
}

// A child puts every item, then says so; only then does this process get them all.
void run_queue(std::size_t n) {
    mp::ipc::Queue<Item> queue(0, n * (4 + kItemBytes) + (1 << 20));
    int done[2];
    if (pipe(done) != 0) std::exit(1);
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
        Item item{};
        for (std::size_t i = 0; i < n; ++i) {
            std::memcpy(item.data(), &i, sizeof i);
            queue.put(item, std::chrono::seconds(10));
        }
        if (write(done[1], "x", 1) != 1) _exit(1);
        _exit(0);
    }
    char byte;
    if (read(done[0], &byte, 1) != 1) std::exit(1);
    for (std::size_t i = 0; i < n; ++i) {
        const Item item = queue.get();
        std::size_t seen;
        std::memcpy(&seen, item.data(), sizeof seen);
        if (seen != i) std::exit(1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    close(done[0]);
    close(done[1]);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::exit(1);
}

// Prints the /dev/shm bytes of the locks and how many were counted, instead of the
// peaks; removes every lock after. Each entry is measured as soon as it is made: on
// a machine shared with test suites, another process's cleanup of mp-sync-* entries
// may remove one later (the figure per object holds either way).
void run_locks(std::size_t n) {
    const std::string name = "memory-bench-" + std::to_string(getpid()) + "-";
    std::vector<mp::sync::Lock> locks;
    Peak usage;
    for (std::size_t i = 0; i < n; ++i) {
        locks.push_back(mp::sync::Lock::open(name + std::to_string(i)));
        struct stat st{};
        if (stat(("/dev/shm/mp-sync-" + name + std::to_string(i)).c_str(), &st) != 0) continue;
        usage.first += static_cast<double>(st.st_blocks) * 512;
        usage.second += 1;
    }
    for (std::size_t i = 0; i < n; ++i) mp::sync::remove(name + std::to_string(i));
    mp::bench::report_peak(usage);
}

int run(const std::string& scenario, std::size_t n) {
    if (scenario == "locks") {
        run_locks(n);
        return 0;
    }
    if (scenario == "map") run_map(n);
    else if (scenario == "imap") run_imap(n);
    else if (scenario == "queue") run_queue(n);
    else return 2;
    mp::bench::report_peak(mp::bench::own_peaks());
    return 0;
}

std::optional<Peak> ours(const char* self, const std::string& scenario, std::size_t n) {
    return mp::bench::run_scenario({self, "--run", scenario, std::to_string(n)});
}
std::optional<Peak> cpython(const std::string& scenario, std::size_t n) {
    return mp::bench::run_scenario({"python3", "bench/memory_bench.py", scenario, std::to_string(n)});
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 4 && std::strcmp(argv[1], "--run") == 0) return run(argv[2], std::strtoull(argv[3], nullptr, 10));
    const char* self = "/proc/self/exe";
    using mp::bench::MemoryTable;

    MemoryTable map("memory: Pool(2).map(x*x) over n ints, peak RSS (parent; largest worker)");
    for (std::size_t n : {100'000UL, 1'000'000UL, 10'000'000UL}) {
        const double data = 2.0 * n * sizeof(long);
        // A worker holds one chunk in and out; CPython's chunksize is ceil(n / (4 * 2 workers)),
        // ours at most 16,384 items: the budget allows CPython's.
        const double chunk = 2.0 * sizeof(long) * static_cast<double>((n + 7) / 8);
        map.add({.scenario = "map, n = " + std::to_string(n), .data_bytes = data, .ours = ours(self, "map", n),
                 .cpython = cpython("map", n), .parent_budget = data + kPerProcessBytes,
                 .worker_budget = chunk + kPerProcessBytes, .per_object = false,
                 .note = "data: n longs in and n out; a worker's budget: CPython's chunk (n/8) in and out; "
                         "CPython: multiprocessing.Pool(2).map over range(n). Ours encodes chunks (at most "
                         "16,384 items) as workers need them, two per worker out at once"});
    }
    map.print();

    MemoryTable imap("memory: Pool(2).imap(x*x) over n ints consumed as they come, chunks of 10^4, peak RSS");
    for (std::size_t n : {1'000'000UL, 10'000'000UL, 100'000'000UL}) {
        const bool python_too = n <= 10'000'000UL;
        imap.add({.scenario = "imap, n = " + std::to_string(n), .data_bytes = 0, .ours = ours(self, "imap", n),
                  .cpython = python_too ? cpython("imap", n) : std::nullopt, .parent_budget = kPerProcessBytes,
                  .worker_budget = kPerProcessBytes,
                  .per_object = false,
                  .note = python_too ? "ours: a std::views::iota input; CPython: imap over range(n), chunksize 10^4"
                                     : "CPython not run at 10^8: about ten times its 10^7 run (minutes)"});
    }
    imap.print();

    MemoryTable queue("memory: ipc::Queue, 10^6 items of 64 bytes put by a child, then got by the parent, peak RSS");
    const double queue_data = 1e6 * kItemBytes;
    queue.add({.scenario = "Queue, 10^6 x 64 B", .data_bytes = queue_data, .ours = ours(self, "queue", 1'000'000),
               .cpython = cpython("queue", 1'000'000), .parent_budget = queue_data + kPerProcessBytes,
               .worker_budget = queue_data + kPerProcessBytes, .per_object = false,
               .note = "parent: the getter; worker: the putter; each maps the shared ring, so each may hold the data. Ours: the items wait in one shared ring (4 B of "
                       "length each); CPython: in the putter's feeder buffer and a pipe"});
    queue.print();

    MemoryTable locks("memory: 10,000 named locks, /dev/shm bytes (st_blocks)");
    locks.add({.scenario = "10,000 named Locks", .data_bytes = 0, .ours = ours(self, "locks", 10'000),
               .cpython = cpython("locks", 10'000), .parent_budget = 4096, .worker_budget = 0, .per_object = true,
               .note = "budget: one tmpfs page per object, the least a file takes. Ours: sync::Lock::open, "
                       "/dev/shm/mp-sync-*; CPython: named POSIX semaphores as multiprocessing.Lock makes them "
                       "(_multiprocessing.SemLock, kept linked), /dev/shm/sem.*. Every entry removed after"});
    locks.print();
}
