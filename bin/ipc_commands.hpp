// The subcommands of bin/ipc, one file each (ipc_bench.cpp, ipc_manager.cpp,
// ipc_dict.cpp, ipc_tour.cpp and ipc_tour_manager.cpp), and what they share (ipc_children.cpp, the authkey
// files in ipc_authkey.cpp).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mp::tools::ipc {

inline constexpr const char* kProgram = "ipc";

enum class Transport { pipe, socketpair, queue };

struct BenchOptions {
    Transport transport = Transport::socketpair;
    std::size_t size = 64;
    std::size_t count = 10000;
};

// Where a Manager is and the file holding its key (empty: the default, see
// authkey_file_for).
struct ManagerAddress {
    std::string address;  // a socket path or HOST:PORT
    std::string authkey_file;
};

struct DictOptions {
    ManagerAddress manager;
    std::string name = "dict";     // --name: which named dict of the server
    std::string action;            // get, set, del, ls, incr
    std::vector<std::string> operands;
    std::int64_t delta = 1;        // incr's N
};

// `ipc dict` exit codes beyond 0 and 2 (usage): a missing key or a value that does
// not fit the operation, and a server out of reach.
inline constexpr int kExitFailed = 1;
inline constexpr int kExitMisuse = 2;
inline constexpr int kExitUnreachable = 3;

// `ipc bench`: prints the latency and throughput table; returns the exit code.
int bench_command(const BenchOptions& options);
// `ipc manager`: serves a Manager at the address until SIGINT or SIGTERM.
int manager_command(const ManagerAddress& options);
// `ipc dict`: one operation on a named dict of a Manager.
int dict_command(const DictOptions& options);
// The tour's Manager part (ipc_tour_manager.cpp): the seeds' Manager programs.
void manager_tour();
// `ipc tour`: replays the classic multiprocessing examples; returns the exit code.
int tour_command();

// The key in `path` (a trailing newline is not part of it). Refuses a file that
// others may read or write, or that is empty. Throws std::runtime_error saying why.
std::vector<std::byte> read_authkey(const std::string& path);
// Writes a new random key to `path` (created 0600, never over an existing file).
std::vector<std::byte> create_authkey(const std::string& path);

// Forks a child that runs `body` and leaves with _exit (0, or 1 when it threw).
// The child dies with its parent; SIGINT, SIGTERM, SIGHUP or SIGQUIT to the parent
// kill and reap it, then the parent dies of that signal (bin/cli/children.hpp).
pid_t spawn(const std::function<void()>& body);
// Reaps `pid`; returns whether it exited with 0.
bool reap(pid_t pid);

}  // namespace mp::tools::ipc
