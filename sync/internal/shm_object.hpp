// Opening a named POSIX shared-memory object, with the policy of DESIGN.md in one
// place for every library: close-on-exec, EINTR retried, created with mode 0600
// unless the caller asks for a wider one, and an object owned by another user
// refused (its owner could read or rewrite our state, or have planted it).
#pragma once

#include <sys/types.h>

#include <string>

#include "sync/internal/fd.hpp"

namespace mp::sync::internal {

inline constexpr mode_t kPrivateMode = 0600;

// shm_open(path, flags | O_CLOEXEC, mode) (mode applies when O_CREAT creates it),
// then the owner check.
// Errors: std::system_error naming shm_open and `path` (ENOENT, EEXIST...), or
// EACCES when the object belongs to another user.
Fd open_shm_object(const std::string& path, int flags, mode_t mode = kPrivateMode);

}  // namespace mp::sync::internal
