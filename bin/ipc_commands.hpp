// The subcommands of bin/ipc (one file each) and what they share.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <string>

namespace mp::ipc_demo {

enum class Transport { pipe, socketpair, queue };

struct BenchOptions {
    Transport transport = Transport::socketpair;
    std::size_t size = 64;
    std::size_t count = 10000;
};

// `ipc bench`: prints the latency and throughput table; returns the exit code.
int run_bench(const BenchOptions& options);
// `ipc tour`: replays the classic multiprocessing examples; returns the exit code.
int run_tour();

// Forks a child that runs `body` and leaves with _exit (0, or 1 when it threw).
// The child dies with its parent, and SIGINT/SIGTERM to the parent kill it.
pid_t spawn(const std::function<void()>& body);
// Reaps `pid`; returns whether it exited with 0.
bool reap(pid_t pid);

}  // namespace mp::ipc_demo
