#include "subproc/internal/spawn.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>

#include "subproc/errors.hpp"

extern char** environ;

namespace mp::subproc::internal {

namespace {

// The PATH a bare program name is looked up in: the child's environment decides,
// as in Python (os.get_exec_path(env)); confstr's default when it has none.
std::string search_path(const SpawnRequest& request) {
    const char* path = nullptr;
    if (request.env) {
        for (const std::string& entry : *request.env)
            if (entry.rfind("PATH=", 0) == 0) path = entry.c_str() + 5;
    } else {
        path = std::getenv("PATH");
    }
    return path != nullptr ? path : "/bin:/usr/bin";
}

bool is_regular_file(const std::string& path) {
    struct stat info;
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

// execvp's lookup done in the parent, so a missing program is reported here without
// a child: the first executable regular file named `name` in PATH; EACCES when
// only non-executable ones exist, ENOENT when none.
std::string find_program(const std::string& name, const std::string& path) {
    if (name.find('/') != std::string::npos) return name;
    if (name.empty()) throw SpawnError(ENOENT, "exec", name);
    bool found_unexecutable = false;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find(':', start);
        if (end == std::string::npos) end = path.size();
        const std::string dir = end == start ? "." : path.substr(start, end - start);
        const std::string candidate = dir + "/" + name;
        if (is_regular_file(candidate)) {
            if (::access(candidate.c_str(), X_OK) == 0) return candidate;
            found_unexecutable = true;
        }
        start = end + 1;
    }
    throw SpawnError(found_unexecutable ? EACCES : ENOENT, "exec", name);
}

// Moves a stdio source that sits in 0..2 (but is not its own target) to a fresh fd
// >= 3, so that dup2 into 0, 1, 2 in order cannot clobber a later source.
void move_sources_out_of_stdio(PreparedSpawn& spawn) {
    for (int target = 0; target < 3; ++target) {
        const int source = spawn.stdio[target];
        if (source < 0 || source >= 3 || source == target) continue;
        const int moved = ::fcntl(source, F_DUPFD_CLOEXEC, 3);
        if (moved < 0) throw_errno("fcntl(F_DUPFD_CLOEXEC)");
        spawn.moved_stdio[target].reset(moved);
        spawn.stdio[target] = moved;
    }
}

}  // namespace

std::vector<int> open_fds_between_kept(const std::vector<int>& keep) {
    std::vector<int> to_close;
    int next = 3;
    for (int kept : keep) {
        for (int fd = next; fd < kept; ++fd)
            if (::fcntl(fd, F_GETFD) >= 0) to_close.push_back(fd);
        next = kept + 1;
    }
    return to_close;
}

pid_t spawn(const SpawnRequest& request) {
    if (request.argv.empty()) throw std::invalid_argument("subproc: empty command");
    PreparedSpawn spawn;
    spawn.program = request.argv[0];
    spawn.path = find_program(request.argv[0], search_path(request));
    for (const std::string& arg : request.argv) spawn.argv.push_back(const_cast<char*>(arg.c_str()));
    spawn.argv.push_back(nullptr);
    if (request.env) {
        spawn.env_storage = *request.env;
        for (std::string& entry : spawn.env_storage) spawn.envp_storage.push_back(entry.data());
        spawn.envp_storage.push_back(nullptr);
        spawn.envp = spawn.envp_storage.data();
    } else {
        spawn.envp = environ;
    }
    std::copy(request.stdio, request.stdio + 3, spawn.stdio);
    move_sources_out_of_stdio(spawn);
    spawn.pass_fds = request.pass_fds;
    std::sort(spawn.pass_fds.begin(), spawn.pass_fds.end());
    spawn.pass_fds.erase(std::unique(spawn.pass_fds.begin(), spawn.pass_fds.end()), spawn.pass_fds.end());
    if (!spawn.pass_fds.empty() && spawn.pass_fds.front() < 3)
        throw std::invalid_argument("subproc: pass_fds must be >= 3 (use in/out/err for 0, 1, 2)");
    spawn.close_fds = request.close_fds;
    spawn.cwd = request.cwd ? request.cwd->c_str() : nullptr;
    spawn.group = request.group;
    spawn.umask = request.umask;
    if (request.die_with_parent) {
#ifdef __linux__
        spawn.die_with = ::getpid();
#else
        throw SpawnError(ENOSYS, "prctl", spawn.program);
#endif
    }
    if (request.preexec_fn) spawn.preexec_fn = &request.preexec_fn;
    return posix_spawn_can(spawn) ? spawn_with_posix_spawn(spawn) : spawn_with_fork(spawn);
}

}  // namespace mp::subproc::internal
