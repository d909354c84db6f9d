// Opening and removing named POSIX shared-memory objects, with the policy of
// sync/access.hpp in one place for every library: close-on-exec, EINTR retried,
// the name never followed as a symlink, a new object given exactly the mode asked
// for, and an existing one checked (on what was opened, by fstat) for its type,
// owner and mode.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "sync/access.hpp"
#include "sync/internal/fd.hpp"

namespace mp::sync::internal {

// Throws std::invalid_argument ("<library>: ...") unless `mode` is permission bits
// only, with read and write for the owner.
void validate_mode(mode_t mode, std::string_view library);

// shm_open(path, flags | O_CLOEXEC | O_NOFOLLOW). `flags` is O_RDWR, plus O_CREAT
// (create or open) or O_CREAT | O_EXCL (create only). A created object gets
// access.mode; an existing one must pass the checks of sync/access.hpp.
// Errors: std::system_error naming shm_open and `path`: ENOENT, EEXIST, ELOOP (a
// symlink), EINVAL (not a regular file), EACCES (another user's object, a mode
// wider than access.mode, or no permission).
Fd open_shm_object(const std::string& path, int flags, const Access& access);

// shm_unlink(path), unless the entry belongs to another user: then
// std::system_error (EACCES) naming it and its owner, and nothing is removed.
// Returns false when there is no such entry. A symlink is removed itself, never
// its target.
bool remove_shm_object(const std::string& path);

// "uid 65534 (nobody)", or "uid 1234" for a user without a name.
std::string describe_user(uid_t uid);

}  // namespace mp::sync::internal
