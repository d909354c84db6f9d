// Starting a child: posix_spawn (glibc's clone(CLONE_VM|CLONE_VFORK) path, cheap even
// from a parent with a large heap) whenever the options allow, else fork+exec with a
// close-on-exec error pipe. Either way a failure to start is a SpawnError thrown in
// the parent, after the failed child (if any) has been reaped.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "subproc/internal/fd.hpp"
#include "subproc/options.hpp"

namespace mp::subproc::internal {

struct SpawnRequest {
    std::vector<std::string> argv;  // as the program sees it; argv[0] is looked up in PATH
    // The whole environment ("K=V" entries), or empty for ours.
    std::optional<std::vector<std::string>> env;
    // Our fd that becomes the child's fd 0, 1, 2; -1 leaves the child ours.
    int stdio[3] = {-1, -1, -1};
    std::vector<int> pass_fds;
    bool close_fds = true;
    std::optional<std::string> cwd;
    Group group = Group::own();
    std::optional<mode_t> umask;
    bool die_with_parent = false;
    std::function<void()> preexec_fn;
};

// Starts the child and returns its pid once it has exec'd. Throws SpawnError when
// the program is missing or not executable, or a setup step failed.
pid_t spawn(const SpawnRequest& request);

// ---- shared by the two spawners (spawn_posix.cpp, spawn_fork.cpp) ----

// A request turned into what exec needs, ready before the child exists (the fork
// child may not allocate).
struct PreparedSpawn {
    std::string program;  // argv[0] as given, for messages
    std::string path;     // what to exec
    std::vector<char*> argv;
    char* const* envp = nullptr;
    // As SpawnRequest::stdio, but every fd is either its own target or >= 3, so the
    // three dup2s cannot overwrite one another's source.
    int stdio[3] = {-1, -1, -1};
    std::vector<int> pass_fds;  // sorted, unique, all >= 3
    bool close_fds = true;
    const char* cwd = nullptr;
    Group group = Group::own();
    std::optional<mode_t> umask;
    pid_t die_with = 0;  // our pid when the child must die with us, else 0
    const std::function<void()>* preexec_fn = nullptr;

    std::vector<std::string> env_storage;
    std::vector<char*> envp_storage;
    UniqueFd moved_stdio[3];  // duplicates made to move a source out of 0..2
};

pid_t spawn_with_posix_spawn(const PreparedSpawn& spawn);
pid_t spawn_with_fork(const PreparedSpawn& spawn);
// Whether posix_spawn on this libc can express every option of `spawn`.
bool posix_spawn_can(const PreparedSpawn& spawn);

// The fds in [3, limit) that are open in this process and not in `keep` (sorted):
// what must be closed explicitly below the first fd closed by range.
std::vector<int> open_fds_between_kept(const std::vector<int>& keep);

}  // namespace mp::subproc::internal
