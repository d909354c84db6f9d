// bin/ipc: the ipc library as a tool. `ipc bench` measures Connections and Queues
// between two processes; `ipc tour` replays the classic multiprocessing examples.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "bin/cli/cli.hpp"
#include "bin/ipc_commands.hpp"

namespace mp::ipc_demo {
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

// The children of this process, killed when it is interrupted.
volatile sig_atomic_t g_child_count = 0;
pid_t g_child_slots[64];

void on_terminate(int sig) {
    for (sig_atomic_t i = 0; i < g_child_count; ++i) kill(g_child_slots[i], SIGKILL);
    for (sig_atomic_t i = 0; i < g_child_count; ++i) waitpid(g_child_slots[i], nullptr, 0);
    _exit(128 + sig);
}

int usage_error(const std::string& message) {
    cli::print_error("ipc", message);
    std::fputs(kUsage, stderr);
    return 2;
}

int bench_command(const std::vector<std::string_view>& args) {
    BenchOptions options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view flag = args[i];
        if (i + 1 >= args.size()) return usage_error(std::string(flag) + " needs a value");
        const std::string_view value = args[++i];
        if (flag == "--transport") {
            if (value == "pipe") options.transport = Transport::pipe;
            else if (value == "socketpair") options.transport = Transport::socketpair;
            else if (value == "queue") options.transport = Transport::queue;
            else return usage_error("unknown transport '" + std::string(value) + "'");
        } else if (flag == "--size") {
            const auto n = cli::parse_int(value, 1, std::int64_t{1} << 26);
            if (!n) return usage_error("--size wants a byte count in [1, 64 MiB], not '" + std::string(value) + "'");
            options.size = static_cast<std::size_t>(*n);
        } else if (flag == "--count") {
            const auto n = cli::parse_int(value, 1, 100'000'000);
            if (!n) return usage_error("--count wants a number in [1, 1e8], not '" + std::string(value) + "'");
            options.count = static_cast<std::size_t>(*n);
        } else {
            return usage_error("unknown option '" + std::string(flag) + "'");
        }
    }
    return run_bench(options);
}

}  // namespace

pid_t spawn(const std::function<void()>& body) {
    std::fflush(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid == 0) {
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(1);
#endif
        int code = 0;
        try {
            body();
        } catch (const std::exception& e) {
            cli::print_error("ipc", e.what());
            code = 1;
        }
        std::fflush(nullptr);
        _exit(code);
    }
    if (g_child_count < static_cast<sig_atomic_t>(std::size(g_child_slots))) {
        g_child_slots[g_child_count] = pid;
        g_child_count = g_child_count + 1;
    }
    return pid;
}

bool reap(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return false;
    }
    for (sig_atomic_t i = 0; i < g_child_count; ++i) {
        if (g_child_slots[i] == pid) {
            g_child_slots[i] = g_child_slots[g_child_count - 1];
            g_child_count = g_child_count - 1;
            break;
        }
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace mp::ipc_demo

int main(int argc, char** argv) {
    using namespace mp::ipc_demo;
    struct sigaction action {};
    action.sa_handler = on_terminate;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);

    const std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.empty()) return usage_error("a subcommand is needed");
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    try {
        if (args[0] == "bench") return bench_command({args.begin() + 1, args.end()});
        if (args[0] == "tour") {
            if (args.size() > 1) return usage_error("tour takes no arguments");
            return run_tour();
        }
    } catch (const std::exception& e) {
        mp::cli::print_error("ipc", e.what());
        return 1;
    }
    return usage_error("unknown subcommand '" + std::string(args[0]) + "'");
}
