// bin/ipc: the ipc library as a tool. `ipc bench` measures Connections and Queues
// between two processes; `ipc tour` replays the classic multiprocessing examples.
#include <cstdio>
#include <variant>

#include "bin/cli/main.hpp"
#include "bin/ipc_args.hpp"
#include "bin/ipc_commands.hpp"

namespace {

constexpr const char* kUsage =
    "usage: ipc bench [--transport pipe|socketpair|queue] [--size BYTES] [--count N]\n"
    "       ipc tour\n"
    "       ipc --help\n"
    "\n"
    "bench  ping-pong latency (median, p99) and one-way throughput between two\n"
    "       processes over a transport: a pair of pipes, a socketpair, or a pair\n"
    "       of shared-memory Queues. Defaults: socketpair, 64 bytes, 10000.\n"
    "tour   replays the classic multiprocessing examples (Queue and Lock, Pipe,\n"
    "       duplex Pipe in turns, socketpair, qsize, a full maxsize=3 queue).\n"
    "\n"
    "exit status: 0 ok, 1 failure, 2 usage error\n";

}  // namespace

int main(int argc, char** argv) {
    using namespace mp::tools::ipc;
    return mp::cli::run_parsed(argc, argv, {.name = kProgram, .usage = kUsage, .usage_after_message = true}, parse_args,
                               [](const Command& command) {
                                   if (const auto* bench = std::get_if<BenchOptions>(&command)) return bench_command(*bench);
                                   return tour_command();
                               });
}
