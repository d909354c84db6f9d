#include "pool/internal/process_registry.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <cerrno>
#include <cstdlib>
#include <mutex>

namespace mp::pool::internal {

namespace {

struct ChildRegistry {
    std::mutex mutex;
    std::vector<ChildRecord> children;
    bool exit_handler_registered = false;
};

// How long daemon children get to leave after SIGTERM at exit.
constexpr auto kDaemonGrace = std::chrono::seconds(1);

// A pointer, so that a forked child can start afresh: the parent's mutex may have
// been held by another thread at the fork, and its copy in the child never unlocks.
ChildRegistry* child_registry = new ChildRegistry;

bool has_exited(pid_t pid) {
    siginfo_t info{};
    int result;
    do result = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    while (result < 0 && errno == EINTR);
    // ECHILD: not ours to wait for any more (SIGCHLD ignored), so gone.
    return result < 0 || info.si_pid != 0;
}

void reap(pid_t pid) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace

void registry_settle() noexcept {
    std::vector<ChildRecord> children;
    {
        std::lock_guard lock(child_registry->mutex);
        children.swap(child_registry->children);
    }
    for (const ChildRecord& child : children)
        if (child.daemon) ::kill(child.pid, SIGTERM);
    // A daemon that ignores SIGTERM must not hang the exit: SIGKILL after a grace.
    const auto give_up = std::chrono::steady_clock::now() + kDaemonGrace;
    for (const ChildRecord& child : children) {
        if (!child.daemon) continue;
        while (!has_exited(child.pid) && std::chrono::steady_clock::now() < give_up)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        if (!has_exited(child.pid)) ::kill(child.pid, SIGKILL);
    }
    for (const ChildRecord& child : children) reap(child.pid);
}

namespace {

// Reaps handed-over children that exited. Called with the mutex held.
void reap_finished_locked() {
    std::erase_if(child_registry->children, [](const ChildRecord& child) {
        if (!child.handed_over || !has_exited(child.pid)) return false;
        reap(child.pid);
        return true;
    });
}

}  // namespace

void registry_add(pid_t pid, std::string name, bool daemon) {
    std::lock_guard lock(child_registry->mutex);
    reap_finished_locked();
    child_registry->children.push_back({pid, std::move(name), daemon, false});
    if (!child_registry->exit_handler_registered) {
        child_registry->exit_handler_registered = true;
        std::atexit(registry_settle);
    }
}

void registry_remove(pid_t pid) noexcept {
    std::lock_guard lock(child_registry->mutex);
    std::erase_if(child_registry->children, [pid](const ChildRecord& child) { return child.pid == pid; });
}

void registry_hand_over(pid_t pid) noexcept {
    std::lock_guard lock(child_registry->mutex);
    for (ChildRecord& child : child_registry->children)
        if (child.pid == pid) child.handed_over = true;
    reap_finished_locked();
}

std::vector<ChildRecord> registry_live_children() {
    std::lock_guard lock(child_registry->mutex);
    reap_finished_locked();
    std::vector<ChildRecord> live;
    for (const ChildRecord& child : child_registry->children)
        if (!has_exited(child.pid)) live.push_back(child);
    return live;
}

void registry_forget_after_fork() noexcept { child_registry = new ChildRegistry; }

}  // namespace mp::pool::internal
