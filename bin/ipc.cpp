// bin/ipc: the ipc library as a tool. `ipc bench` measures Connections and Queues
// between two processes; `ipc manager` and `ipc dict` share a dict between shell
// scripts; `ipc tour` replays the classic multiprocessing examples.
#include <cstdio>
#include <variant>

#include "bin/cli/main.hpp"
#include "bin/ipc_args.hpp"
#include "bin/ipc_commands.hpp"

namespace {

constexpr const char* kUsage =
    "usage: ipc bench [--transport pipe|socketpair|queue] [--size BYTES] [--count N]\n"
    "       ipc manager --address PATH|HOST:PORT [--authkey-file F]\n"
    "       ipc dict ADDRESS [--authkey-file F] [--name NAME] get KEY | set KEY VALUE |\n"
    "                del KEY | ls | incr KEY [N]\n"
    "       ipc tour\n"
    "       ipc --help\n"
    "\n"
    "bench  ping-pong latency (median, p99) and one-way throughput between two\n"
    "       processes over a transport: a pair of pipes, a socketpair, or a pair\n"
    "       of shared-memory Queues. Defaults: socketpair, 64 bytes, 10000.\n"
    "manager  serves a Manager (shared dicts) until SIGINT or SIGTERM; prints the\n"
    "       address served first. The key is read from F; for a socket PATH, F\n"
    "       defaults to PATH.authkey, made (0600) for the run when missing.\n"
    "       HOST:PORT needs --authkey-file.\n"
    "dict   one operation on the Manager's dict NAME (default \"dict\"): values are\n"
    "       set as strings; incr adds N (default 1) atomically and prints the sum;\n"
    "       ls prints KEY<tab>VALUE lines. Exit 1: no such key, or incr of a\n"
    "       non-number; 3: the server cannot be reached.\n"
    "tour   replays the classic multiprocessing examples (Queue and Lock, Pipe,\n"
    "       duplex Pipe in turns, socketpair, qsize, a full maxsize=3 queue) and\n"
    "       the seeds' Manager programs, Python lines beside the mp ones.\n"
    "\n"
    "exit status: 0 ok, 1 failure, 2 usage error (dict: 3 unreachable)\n";

}  // namespace

int main(int argc, char** argv) {
    using namespace mp::tools::ipc;
    return mp::cli::run_parsed(argc, argv, {.name = kProgram, .usage = kUsage, .see_help = true}, parse_args,
                               [](const Command& command) {
                                   if (const auto* bench = std::get_if<BenchOptions>(&command)) return bench_command(*bench);
                                   if (const auto* manager = std::get_if<ManagerAddress>(&command))
                                       return manager_command(*manager);
                                   if (const auto* dict = std::get_if<DictOptions>(&command)) return dict_command(*dict);
                                   return tour_command();
                               });
}
