// mp::pool against the raw syscall loops and CPython's multiprocessing, and bin/pool
// against xargs -P: process start, map throughput, apply latency, pool start-up, and
// a job runner's per-job cost; bin/pool --pipe against GNU parallel --pipe-part.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "bench/harness/harness.hpp"
#include "bench/harness/raw_loops.hpp"
#include "pool/pool.hpp"

namespace {

using mp::bench::measure;
using mp::bench::read_exactly;
using mp::bench::write_exactly;

int square(int x) { return x * x; }

void raw_fork_round_trips(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        const pid_t pid = fork();
        if (pid == 0) _exit(0);
        int status = 0;
        waitpid(pid, &status, 0);
    }
}

void process_round_trips(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        mp::pool::Process p([] {});
        p.start();
        p.join();
    }
}

// A forked child that squares the ints it reads from one pipe onto another until EOF.
struct RawWorker {
    pid_t pid;
    int to_child, from_child;
    RawWorker() {
        int down[2], up[2];
        if (pipe2(down, O_CLOEXEC) != 0 || pipe2(up, O_CLOEXEC) != 0) std::abort();
        pid = fork();
        if (pid == 0) {
            close(down[1]);
            close(up[0]);
            int x;
            while (mp::bench::read_next(down[0], &x, sizeof x)) {
                const int y = square(x);
                write_exactly(up[1], &y, sizeof y);
            }
            _exit(0);
        }
        close(down[0]);
        close(up[1]);
        to_child = down[1];
        from_child = up[0];
    }
    int ask(int x) const {
        write_exactly(to_child, &x, sizeof x);
        int y = 0;
        read_exactly(from_child, &y, sizeof y);
        return y;
    }
    void finish() const {
        close(to_child);
        close(from_child);
        int status;
        waitpid(pid, &status, 0);
    }
};

// Pool(2) start, one task, close, join; `n` times.
void pool_starts(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        mp::pool::Pool pool(2);
        pool.apply(square, 3);
        pool.close();
        pool.join();
    }
}

// The same lifetimes with raw processes: two workers, one asked once; with
// `with_server`, a third forked first that only ends, as a pool's fork server.
void raw_pool_starts(std::size_t n, bool with_server) {
    for (std::size_t i = 0; i < n; ++i) {
        std::optional<RawWorker> server;
        if (with_server) server.emplace();
        RawWorker a, b;
        a.ask(3);
        b.finish();  // first: the last forked holds copies of the others' pipe ends
        a.finish();
        if (server) server->finish();
    }
}

double run_shell(const std::string& command) {
    if (std::system(command.c_str()) != 0) std::fprintf(stderr, "pool_bench: failed: %s\n", command.c_str());
    return 0;
}

// bin/pool --pipe and --pipe-part on the same 1 GiB file, `wc -l` per block, -j2,
// interleaved with one `wc -l` over the whole file (the limit) and, when it is
// installed, GNU parallel --pipe-part (the reference, in the raw column,
// target ours/raw <= 1.3). GNU parallel's --pipe-part makes 10 blocks for each job
// slot unless --block is given; --pipe is given the same block size, so that both
// run the same 20 jobs (at --pipe's default 1M, 1024 jobs, the cost is starting
// 1024 wc processes; GNU parallel --pipe-part --block 1M took 34-48 s).
void pipe_blocks() {
    using namespace mp::bench;
    char dir[] = "/tmp/mp-pool-bench-XXXXXX";
    if (mkdtemp(dir) == nullptr) {
        std::perror("pool_bench: mkdtemp");
        return;
    }
    constexpr std::size_t kFileBytes = std::size_t{1} << 30;
    constexpr std::size_t kSlots = 2;
    const std::string file = std::string(dir) + "/lines";
    run_shell("seq 1 200000000 | head -c " + std::to_string(kFileBytes) + " > " + file);
    const std::string same_blocks = std::to_string(1 + kFileBytes / kSlots / 10);  // GNU parallel's rule
    const auto shell = [](std::string command) { return [command] { run_shell(command); }; };
    const auto pipe_run = shell("bin/pool -j2 --pipe wc -l < " + file + " >/dev/null");
    const auto pipe_same_run = shell("bin/pool -j2 --pipe --block " + same_blocks + " wc -l < " + file + " >/dev/null");
    const auto part_run = shell("bin/pool -j2 --pipe-part -a " + file + " wc -l >/dev/null");
    const auto one_wc = shell("wc -l " + file + " >/dev/null");
    Table limit("bin/pool: --pipe, 1 GiB of lines, wc -l per block, -j2 (raw column: one wc -l)");
    limit.add({.scenario = "bin/pool --pipe < FILE, 1 MiB blocks: 1024 jobs (per run)",
               .times = measure(1, {.ours = pipe_run, .raw = one_wc, .cpython = {}}),
               .targets = {},
               .note = "the limit: one process reading the file"});
    limit.add({.scenario = "bin/pool --pipe-part -a FILE, 20 blocks (per run)",
               .times = measure(1, {.ours = part_run, .raw = one_wc, .cpython = {}}),
               .targets = {},
               .note = ""});
    limit.print();
    if (std::system("command -v parallel >/dev/null 2>&1") == 0) {
        const auto gnu = shell("parallel --will-cite -j2 --pipe-part -a " + file + " wc -l >/dev/null");
        Table against("bin/pool: --pipe against GNU parallel (raw column: GNU parallel --pipe-part, 20 blocks)");
        against.add({.scenario = "bin/pool --pipe --block " + same_blocks + " < FILE, 20 blocks (per run)",
                     .times = measure(1, {.ours = pipe_same_run, .raw = gnu, .cpython = {}}),
                     .targets = {{Ratio::ours_raw, 1.3}},
                     .note = "target: within 1.3x of GNU parallel --pipe-part"});
        against.add({.scenario = "bin/pool --pipe-part -a FILE, 20 blocks (per run)",
                     .times = measure(1, {.ours = part_run, .raw = gnu, .cpython = {}}),
                     .targets = {{Ratio::ours_raw, 1.3}},
                     .note = "target: within 1.3x of GNU parallel --pipe-part"});
        against.print();
    }
    run_shell("rm -rf " + std::string(dir));
}

}  // namespace

int main() {
    using namespace mp::bench;

    Table start("pool: process start");
    constexpr std::size_t kForks = 500;
    start.add({.scenario = "Process start+join (1 process)",
               .times = measure(kForks, {.ours = [] { process_round_trips(kForks); },
                                         .raw = [] { raw_fork_round_trips(kForks); },
                                         .cpython = Python{"pool_bench.py", "fork", kForks}}),
               .targets = {{Ratio::ours_raw, 1.3}},
               .note = "CPython ~17x"});
    constexpr std::size_t kStarts = 50;
    start.add({.scenario = "Pool(2) start, one task, close, join",
               .times = measure(kStarts, {.ours = [] { pool_starts(kStarts); },
                                          .raw = [] { raw_pool_starts(kStarts, false); },
                                          .cpython = Python{"pool_bench.py", "pool_start", kStarts}}),
               .targets = {{Ratio::ours_raw, 1.3}},
               .note = "and under 1 ms on an idle machine (CPython ~9 ms)"});
    // A pool also forks its fork server (DESIGN.md: workers that replace others are
    // forked from it, never from a program with threads): the limit with it is the
    // same chain with a third process that does nothing but end.
    start.add({.scenario = "Pool(2) start, against a raw chain with a third process",
               .times = measure(kStarts, {.ours = [] { pool_starts(kStarts); },
                                          .raw = [] { raw_pool_starts(kStarts, true); },
                                          .cpython = std::nullopt}),
               .targets = {{Ratio::ours_raw, 1.3}},
               .note = "raw: the row above plus the fork server's fork and exit"});
    start.print();

    Table work("pool: tasks");
    constexpr std::size_t kItems = 1000000;
    std::vector<int> items(kItems);
    for (std::size_t i = 0; i < kItems; ++i) items[i] = static_cast<int>(i % 40000);
    {
        const mp::bench::RawMapWorkers raw_workers;  // forked first, so reaped after the pool's
        mp::pool::Pool pool(2);
        work.add({.scenario = "map(x*x) of 10^6 ints, 2 workers (per item)",
                  .times = measure(kItems, {.ours = [&] { (void)pool.map(square, items); },
                                            .raw = [&] { (void)raw_workers.map(items); },
                                            .cpython = Python{"pool_bench.py", "map", kItems}}),
                  .targets = {{Ratio::ours_cpython, 1.0 / 30}},
                  .note = ""});
        constexpr std::size_t kApplies = 5000;
        RawWorker raw;
        work.add({.scenario = "apply round trip (latency)",
                  .times = measure(kApplies, {.ours =
                                                  [&] {
                                                      for (std::size_t i = 0; i < kApplies; ++i)
                                                          (void)pool.apply(square, 3);
                                                  },
                                              .raw =
                                                  [&] {
                                                      for (std::size_t i = 0; i < kApplies; ++i)
                                                          (void)raw.ask(3);
                                                  },
                                              .cpython = Python{"pool_bench.py", "apply", kApplies}}),
                  .targets = {{Ratio::ours_raw, 2}},
                  .note = "CPython ~25x"});
        raw.finish();
    }
    work.print();

    Table jobs("bin/pool: jobs (raw column: xargs -P 2 -n 1)");
    constexpr std::size_t kTrue = 10000, kEcho = 2000;
    jobs.add({.scenario = "10,000 true jobs, -j2 (per job)",
              .times = measure(kTrue, {.ours = [] { run_shell("seq 10000 | bin/pool -j2 true"); },
                                       .raw = [] { run_shell("seq 10000 | xargs -P 2 -n 1 true"); },
                                       .cpython = {}}),
              .targets = {{Ratio::ours_raw, 1.2}},
              .note = "ours/xargs"});
    jobs.add(
        {.scenario = "2,000 echo jobs, -j2 -k (per job)",
         .times = measure(kEcho, {.ours = [] { run_shell("seq 2000 | bin/pool -j2 -k echo >/dev/null"); },
                                  .raw = [] { run_shell("seq 2000 | xargs -P 2 -n 1 echo >/dev/null"); },
                                  .cpython = {}}),
         .targets = {{Ratio::ours_raw, 1.5}},
         .note = "ours/xargs"});
    jobs.print();

    pipe_blocks();
}
