// The posix_spawn spawner. glibc runs it as clone(CLONE_VM|CLONE_VFORK): no page
// tables are copied, so its cost does not grow with the parent's heap, and it
// returns the child's exec error (ENOENT, EACCES...) as its own result.
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "subproc/errors.hpp"
#include "subproc/internal/spawn.hpp"

namespace mp::subproc::internal {

namespace {

// The glibc extensions this spawner relies on for the options beyond POSIX:
// addchdir_np (2.29), POSIX_SPAWN_SETSID (2.26), addclosefrom_np (2.34). Without them
// those options take the fork+exec path.
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
constexpr bool kHaveGlibcSpawnExtensions = true;
#else
constexpr bool kHaveGlibcSpawnExtensions = false;
#endif

// A posix_spawn object (file actions or attributes), destroyed when it goes.
template <typename T, int (*Init)(T*), int (*Destroy)(T*)>
class SpawnObject {
public:
    SpawnObject() { Init(&object_); }
    ~SpawnObject() { Destroy(&object_); }
    SpawnObject(const SpawnObject&) = delete;
    SpawnObject& operator=(const SpawnObject&) = delete;
    T* get() { return &object_; }

private:
    T object_;
};

using FileActions = SpawnObject<posix_spawn_file_actions_t, ::posix_spawn_file_actions_init,
                                ::posix_spawn_file_actions_destroy>;
using Attributes = SpawnObject<posix_spawnattr_t, ::posix_spawnattr_init, ::posix_spawnattr_destroy>;

// The add functions fail only with ENOMEM or EBADF (a negative fd).
void check(int error) {
    if (error != 0) throw SpawnError(error, "setup", "posix_spawn_file_actions");
}

void add_file_actions(const PreparedSpawn& spawn, FileActions& actions) {
    // dup2(fd, fd) clears close-on-exec in the child (glibc >= 2.29, POSIX 2024).
    for (int target = 0; target < 3; ++target)
        if (spawn.stdio[target] >= 0)
            check(::posix_spawn_file_actions_adddup2(actions.get(), spawn.stdio[target], target));
    for (int fd : spawn.pass_fds) check(::posix_spawn_file_actions_adddup2(actions.get(), fd, fd));
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    if (spawn.close_fds) {
        for (int fd : open_fds_between_kept(spawn.pass_fds))
            check(::posix_spawn_file_actions_addclose(actions.get(), fd));
        const int first_closed = spawn.pass_fds.empty() ? 3 : spawn.pass_fds.back() + 1;
        check(::posix_spawn_file_actions_addclosefrom_np(actions.get(), first_closed));
    }
    if (spawn.cwd != nullptr) check(::posix_spawn_file_actions_addchdir_np(actions.get(), spawn.cwd));
#endif
}

void set_attributes(const PreparedSpawn& spawn, Attributes& attributes) {
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    // The child starts with no signal blocked, and with SIGPIPE and SIGXFSZ at their
    // defaults even if we ignore them (as Python's restore_signals).
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGXFSZ);
    ::posix_spawnattr_setsigmask(attributes.get(), &none);
    ::posix_spawnattr_setsigdefault(attributes.get(), &defaults);
    switch (spawn.group.kind()) {
        case Group::Kind::own:
        case Group::Kind::join:
            flags |= POSIX_SPAWN_SETPGROUP;
            ::posix_spawnattr_setpgroup(attributes.get(), spawn.group.pgid());
            break;
        case Group::Kind::session:
#ifdef POSIX_SPAWN_SETSID
            flags |= POSIX_SPAWN_SETSID;
#endif
            break;
        case Group::Kind::inherit: break;
    }
    ::posix_spawnattr_setflags(attributes.get(), flags);
}

// posix_spawn reports one errno for every step; name the step that most likely
// failed, so the message points at the right object.
[[noreturn]] void throw_spawn_failure(const PreparedSpawn& spawn, int error) {
    if (spawn.cwd != nullptr) {
        struct stat info;
        if (::stat(spawn.cwd, &info) != 0) throw SpawnError(errno, "chdir", spawn.program, spawn.cwd);
        if (!S_ISDIR(info.st_mode)) throw SpawnError(ENOTDIR, "chdir", spawn.program, spawn.cwd);
        if (::access(spawn.cwd, X_OK) != 0) throw SpawnError(errno, "chdir", spawn.program, spawn.cwd);
    }
    // glibc's posix_spawn passes on clone()'s EAGAIN (RLIMIT_NPROC, pid limit): no
    // process was made. execve would say EAGAIN only for a set-user-ID program.
    if (error == EAGAIN) throw SpawnError(error, "fork", spawn.program);
    if (error == EBADF) throw SpawnError(error, "dup2", spawn.program);
    if (error == EPERM) throw SpawnError(error, spawn.group.kind() == Group::Kind::session ? "setsid" : "setpgid",
                                         spawn.program);
    throw SpawnError(error, "exec", spawn.program);
}

}  // namespace

bool posix_spawn_can(const PreparedSpawn& spawn) {
    if (spawn.umask || spawn.die_with != 0 || spawn.preexec_fn != nullptr) return false;
    if (kHaveGlibcSpawnExtensions) return true;
#ifndef POSIX_SPAWN_SETSID
    if (spawn.group.kind() == Group::Kind::session) return false;
#endif
    return !spawn.close_fds && spawn.cwd == nullptr;
}

pid_t spawn_with_posix_spawn(const PreparedSpawn& spawn) {
    FileActions actions;
    add_file_actions(spawn, actions);
    Attributes attributes;
    set_attributes(spawn, attributes);
    pid_t pid = -1;
    const int error =
        ::posix_spawn(&pid, spawn.path.c_str(), actions.get(), attributes.get(), spawn.argv.data(), spawn.envp);
    if (error != 0) throw_spawn_failure(spawn, error);
    return pid;
}

}  // namespace mp::subproc::internal
