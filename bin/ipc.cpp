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
#include <variant>

#include "bin/cli/cli.hpp"
#include "bin/ipc_args.hpp"
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
    mp::cli::reset_inherited_signals();
    using namespace mp::ipc_demo;
    struct sigaction action {};
    action.sa_handler = on_terminate;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);

    const Command command = parse_args({argv + 1, argv + argc});
    if (const auto* error = std::get_if<mp::cli::UsageError>(&command)) return usage_error(error->message);
    if (std::holds_alternative<Help>(command)) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    try {
        if (const auto* bench = std::get_if<BenchOptions>(&command)) return run_bench(*bench);
        return run_tour();
    } catch (const std::exception& e) {
        mp::cli::print_error("ipc", e.what());
        return 1;
    }
}
