// Forked children for the ipc tests: the child runs a function and leaves with
// _exit(its result); an exception in the child is exit code 99 plus a message.
#pragma once

#include <sys/types.h>

#include <functional>

namespace mp::ipc::test {

// Forks (stdio flushed first); the child runs `body` and _exits with its result.
pid_t fork_child(const std::function<int()>& body);
// Reaps `pid`: its exit code, or 128 + the signal that ended it.
int wait_child(pid_t pid);

}  // namespace mp::ipc::test
