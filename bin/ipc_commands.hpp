// The subcommands of bin/ipc, one file each (ipc_bench.cpp, ipc_tour.cpp), and
// what they share (ipc_children.cpp).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <string>

namespace mp::tools::ipc {

inline constexpr const char* kProgram = "ipc";

enum class Transport { pipe, socketpair, queue };

struct BenchOptions {
    Transport transport = Transport::socketpair;
    std::size_t size = 64;
    std::size_t count = 10000;
};

// `ipc bench`: prints the latency and throughput table; returns the exit code.
int bench_command(const BenchOptions& options);
// `ipc tour`: replays the classic multiprocessing examples; returns the exit code.
int tour_command();

// Forks a child that runs `body` and leaves with _exit (0, or 1 when it threw).
// The child dies with its parent; SIGINT, SIGTERM, SIGHUP or SIGQUIT to the parent
// kill and reap it, then the parent dies of that signal (bin/cli/children.hpp).
pid_t spawn(const std::function<void()>& body);
// Reaps `pid`; returns whether it exited with 0.
bool reap(pid_t pid);

}  // namespace mp::tools::ipc
