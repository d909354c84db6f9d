// Private: every child started by a Process of this program, so that Processes
// live as Python's do. A Process object that goes away before its child was reaped
// hands the child over (it keeps running); finished handed-over children are
// reaped whenever a Process starts or active_children() is asked; at exit,
// non-daemon children are waited for and daemon ones terminated. No zombie is left.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace mp::pool::internal {

struct ChildRecord {
    pid_t pid;
    std::string name;
    bool daemon;
    bool handed_over;  // its Process is gone: the registry reaps it
};

// Process::start, in the parent: records the child. Registers the exit handler
// on first use.
void registry_add(pid_t pid, std::string name, bool daemon);
// The Process reaped its child itself.
void registry_remove(pid_t pid) noexcept;
// The Process is destroyed before its child was reaped.
void registry_hand_over(pid_t pid) noexcept;
// Reaps the handed-over children that have exited; returns the live children.
std::vector<ChildRecord> registry_live_children();
// Python's exit: waits for the non-daemon children, terminates (SIGTERM, then
// SIGKILL after a second) and reaps the daemon ones. Runs at exit, and in a Process child before it leaves.
void registry_settle() noexcept;
// In a freshly forked child: the parent's children are not this process's.
void registry_forget_after_fork() noexcept;

}  // namespace mp::pool::internal
