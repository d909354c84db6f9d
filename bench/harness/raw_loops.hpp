// Raw syscall loops that more than one benchmark measures against, and the pieces
// the benchmarks build their two-process scenarios from: reads and writes of whole
// messages, and a child process run beside the parent.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <vector>

namespace mp::bench {

// posix_spawn + waitpid of /bin/true, `n` times: the limit of spawning a command.
// Exits the benchmark with a message when posix_spawn fails.
void raw_spawn_true(std::size_t n);

// Reads the next `size` bytes into `data`: false when the stream ends before the
// first of them (the peer closed its end, as a raw worker's parent does when the
// loop is over). Exits the benchmark with a message on an error or an end mid-way.
[[nodiscard]] bool read_next(int fd, void* data, std::size_t size);
// As read_next, where the stream must not end: exits then too.
void read_exactly(int fd, void* data, std::size_t size);
// Writes all `size` bytes; exits the benchmark with a message when that fails.
void write_exactly(int fd, const void* data, std::size_t size);

// Waits for a child of the benchmark; exits the benchmark with a message unless the
// child exited with status 0.
void reap(pid_t pid);

enum class Placement { any_cpu, own_cpus };
// Runs `child` in a forked process while this one runs `parent`, then reaps it. With
// own_cpus, each side runs pinned to its own CPU (bench/harness/affinity.hpp).
void with_child(const std::function<void()>& child, const std::function<void()>& parent,
                Placement placement = Placement::any_cpu);

// The raw limit of Pool(2).map(x*x) over ints: two worker processes that square the
// chunks of ints they read from one pipe onto another, while map deals each its
// chunk in turn. They are forked once, for all the rounds of a row: a contender that
// forked in each of its rounds would slow the next one down, whose first write to
// each page of its memory then faults (the pages stay write-protected after a
// forked child exits), which cost a map of 10^6 ints 20-30% of its time.
class RawMapWorkers {
public:
    static constexpr std::size_t kChunk = 8192;  // 32 KiB: fits a pipe, so no deadlock

    RawMapWorkers();
    // Closes every pipe before it reaps a worker: a process forked later (a pool's
    // worker) may hold copies of them until it exits.
    ~RawMapWorkers();
    RawMapWorkers(const RawMapWorkers&) = delete;
    RawMapWorkers& operator=(const RawMapWorkers&) = delete;

    std::vector<int> map(const std::vector<int>& items) const;

private:
    struct Worker {
        pid_t pid = 0;
        int to = -1, from = -1;
    };
    Worker workers_[2];
};

}  // namespace mp::bench
