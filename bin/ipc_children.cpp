// The children of bin/ipc's subcommands: forked, registered so that SIGINT and
// SIGTERM take them along, reaped.
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cerrno>
#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <system_error>

#include "bin/cli/children.hpp"
#include "bin/cli/cli.hpp"
#include "bin/ipc_commands.hpp"

namespace mp::tools::ipc {

namespace {

// The live children, each registered to be killed and reaped if we are interrupted.
std::map<pid_t, std::unique_ptr<cli::ChildRegistration>> g_children;

}  // namespace

pid_t spawn(const std::function<void()>& body) {
    std::fflush(nullptr);
    const pid_t parent = getpid();
    const cli::SignalHold hold;
    const pid_t pid = fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid == 0) {
        hold.in_child();
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(1);
#endif
        int code = 0;
        try {
            body();
        } catch (const std::exception& e) {
            cli::print_error(kProgram, e.what());
            code = 1;
        }
        std::fflush(nullptr);
        _exit(code);
    }
    g_children[pid] = std::make_unique<cli::ChildRegistration>(pid, cli::OnSignal::kill_and_die);
    return pid;
}

bool reap(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return false;
    }
    g_children.erase(pid);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace mp::tools::ipc
