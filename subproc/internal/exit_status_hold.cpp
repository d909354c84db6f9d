#include "subproc/internal/exit_status_hold.hpp"

#include <signal.h>

#include <mutex>

namespace mp::subproc::internal {

namespace {

std::mutex mutex;
int holds = 0;
bool replaced = false;          // we set SIGCHLD to its default
struct sigaction saved_action;  // the program's, to put back

}  // namespace

ExitStatusHold::ExitStatusHold() {
    std::lock_guard lock(mutex);
    if (holds++ > 0) return;
    struct sigaction current {};
    ::sigaction(SIGCHLD, nullptr, &current);
    const bool discards_statuses = current.sa_handler == SIG_IGN || (current.sa_flags & SA_NOCLDWAIT) != 0;
    if (!discards_statuses) return;
    struct sigaction keep {};
    keep.sa_handler = current.sa_handler == SIG_IGN ? SIG_DFL : current.sa_handler;
    keep.sa_mask = current.sa_mask;
    keep.sa_flags = current.sa_flags & ~SA_NOCLDWAIT;
    ::sigaction(SIGCHLD, &keep, nullptr);
    saved_action = current;
    replaced = true;
}

ExitStatusHold& ExitStatusHold::operator=(ExitStatusHold&& other) noexcept {
    if (this != &other) {
        release();
        held_ = other.held_;
        other.held_ = false;
    }
    return *this;
}

void ExitStatusHold::release() noexcept {
    if (!held_) return;
    held_ = false;
    std::lock_guard lock(mutex);
    if (--holds > 0 || !replaced) return;
    ::sigaction(SIGCHLD, &saved_action, nullptr);
    replaced = false;
}

}  // namespace mp::subproc::internal
