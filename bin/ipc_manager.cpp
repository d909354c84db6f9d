// `ipc manager --address PATH|HOST:PORT [--authkey-file F]`: serves a Manager until
// SIGINT or SIGTERM, so that shell scripts (and jobs of bin/pool) can share a dict
// through `ipc dict`. The first line printed is the address served (a HOST:PORT
// given with port 0 shows the port the kernel picked), once clients can connect.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <stdexcept>

#include "bin/cli/cli.hpp"
#include "bin/ipc_args.hpp"
#include "bin/ipc_commands.hpp"
#include "ipc/manager.hpp"

namespace mp::tools::ipc {

int manager_command(const ManagerAddress& options) {
    const std::string key_file = *authkey_file_for(options);
    // A socket path's default key file is made for the run and removed after it.
    const bool make_key = options.authkey_file.empty() && ::access(key_file.c_str(), F_OK) != 0;
    const std::vector<std::byte> authkey = make_key ? create_authkey(key_file) : read_authkey(key_file);
    // Blocked before the server exists: its fork inherits the mask, and we wait for them below.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
    int status = 0;
    try {
        mp::ipc::Manager manager(options.address, authkey);
        std::printf("%s\n", manager.tcp_address() ? manager.tcp_address()->str().c_str() : manager.address().c_str());
        std::fflush(stdout);
        int signal = 0;
        sigwait(&stop_signals, &signal);
    } catch (const std::exception& e) {
        cli::print_error(kProgram, e.what());
        status = 1;
    }
    if (make_key) ::unlink(key_file.c_str());
    return status;
}

}  // namespace mp::tools::ipc
