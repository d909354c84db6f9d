// Signal forwarding and exit statuses for bin/subproc.
#include <signal.h>

#include "bin/subproc_commands.hpp"

namespace mp::subproc::cli {

namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// Where forwarded signals go (kill() targets: -pgid for a group, pid for one
// process). Filled while the signals are blocked, only read by the handler.
constexpr std::size_t kMaxTargets = 256;
pid_t targets[kMaxTargets];
volatile sig_atomic_t target_count = 0;

volatile sig_atomic_t then_die = 0;

void forward(int signal) {
    for (sig_atomic_t i = 0; i < target_count; ++i) ::kill(targets[i], then_die ? SIGKILL : signal);
    if (then_die) {
        // Blocked while this handler runs: delivered, with its default action, on return.
        ::signal(signal, SIG_DFL);
        ::raise(signal);
    }
}

sigset_t forwarded_set() {
    sigset_t set;
    sigemptyset(&set);
    for (int signal : kForwarded) sigaddset(&set, signal);
    return set;
}

}  // namespace

int shell_status(int returncode) { return returncode >= 0 ? returncode : 128 - returncode; }

void block_forwarded_signals() {
    const sigset_t set = forwarded_set();
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
}

void forward_signals_to(const std::vector<pid_t>& to, Forward mode) {
    const sigset_t set = forwarded_set();
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    then_die = mode == Forward::kill_then_die;
    target_count = 0;
    for (std::size_t i = 0; i < to.size() && i < kMaxTargets; ++i) targets[i] = to[i];
    target_count = static_cast<sig_atomic_t>(to.size() < kMaxTargets ? to.size() : kMaxTargets);
    struct sigaction action {};
    action.sa_handler = forward;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (int signal : kForwarded) ::sigaction(signal, &action, nullptr);
    ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
}

}  // namespace mp::subproc::cli
