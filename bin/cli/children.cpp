#include "bin/cli/children.hpp"

#include <sys/wait.h>

#include <cerrno>
#include <cstddef>
#include <iterator>
#include <stdexcept>

namespace mp::cli {

namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// Written only with the forwarded signals blocked; read by the handler.
struct Entry {
    pid_t target;
    OnSignal mode;
};
constexpr std::size_t kMaxChildren = 256;
Entry g_entries[kMaxChildren];
volatile sig_atomic_t g_count = 0;
bool g_installed[std::size(kForwarded)] = {};  // our handler is in place for kForwarded[i]
bool g_ready = false;                          // dispositions looked at once

sigset_t forwarded_set() {
    sigset_t set;
    sigemptyset(&set);
    for (int signal : kForwarded) sigaddset(&set, signal);
    return set;
}

void die_of(int signal) {
    // Blocked while this handler runs: delivered, with its default action, on return.
    ::signal(signal, SIG_DFL);
    ::raise(signal);
}

void on_signal(int signal, siginfo_t* info, void*) {
    const int saved_errno = errno;
    const bool from_terminal = info != nullptr && info->si_code == SI_KERNEL;
    bool killed = false;
    for (sig_atomic_t i = 0; i < g_count; ++i) {
        const Entry& entry = g_entries[i];
        if (entry.mode == OnSignal::kill_and_die) {
            ::kill(entry.target, SIGKILL);
            killed = true;
        } else if (!(from_terminal && entry.target > 0)) {
            ::kill(entry.target, signal);
        }
    }
    if (killed) {
        for (sig_atomic_t i = 0; i < g_count; ++i)
            if (g_entries[i].mode == OnSignal::kill_and_die) {
                const pid_t pid = g_entries[i].target < 0 ? -g_entries[i].target : g_entries[i].target;
                while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
                }
            }
    }
    if (killed || g_count == 0) die_of(signal);
    errno = saved_errno;
}

// Installs on_signal where the disposition is not "ignore", once.
void install() {
    if (g_ready) return;
    g_ready = true;
    struct sigaction action {};
    action.sa_sigaction = on_signal;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < std::size(kForwarded); ++i) {
        struct sigaction old {};
        ::sigaction(kForwarded[i], nullptr, &old);
        g_installed[i] = old.sa_handler != SIG_IGN;
        if (g_installed[i]) ::sigaction(kForwarded[i], &action, nullptr);
    }
}

}  // namespace

SignalHold::SignalHold() {
    const sigset_t set = forwarded_set();
    ::pthread_sigmask(SIG_BLOCK, &set, &old_);
}

SignalHold::~SignalHold() { ::pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

void SignalHold::in_child() const {
    for (std::size_t i = 0; i < std::size(kForwarded); ++i)
        if (g_installed[i]) ::signal(kForwarded[i], SIG_DFL);
    ::sigprocmask(SIG_SETMASK, &old_, nullptr);
}

ChildRegistration::ChildRegistration(pid_t target, OnSignal mode) : target_(target) {
    const SignalHold hold;
    install();
    if (static_cast<std::size_t>(g_count) == kMaxChildren)
        throw std::length_error("more than 256 children to pass signals to");
    g_entries[g_count] = {target, mode};
    g_count = g_count + 1;
}

ChildRegistration::~ChildRegistration() {
    const SignalHold hold;
    for (sig_atomic_t i = 0; i < g_count; ++i) {
        if (g_entries[i].target == target_) {
            g_entries[i] = g_entries[g_count - 1];
            g_count = g_count - 1;
            break;
        }
    }
}

}  // namespace mp::cli
