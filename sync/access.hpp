// Access: who may use a named object (a sync primitive's open(name), a shm
// segment's create(name) / attach(name)). The same struct for both libraries.
//
//   auto lock = mp::sync::Lock::open("build");                         // private: 0600
//   auto team = mp::sync::Lock::open("build", {.mode = 0660});         // the group too
//   auto peer = mp::sync::Lock::open("build", {.mode = 0660, .allow_other_owner = true});
//
// Creating: the object gets exactly `mode` (the umask does not narrow it).
// Opening an existing object, it is refused (std::system_error, EACCES, naming the
// object, its owner and its mode) when
// - another user owns it, unless allow_other_owner (a name squatted by someone
//   else would let them read or rewrite our state);
// - its mode grants more than `mode` (a lock everyone may write is no lock).
// The name is never followed as a symlink, and what is checked is the object that
// was opened (fstat), not the name, so it cannot be swapped under the check.
#pragma once

#include <sys/types.h>

namespace mp::sync {

struct Access {
    // Permission bits, 0600 to 0777: the owner always reads and writes.
    mode_t mode = 0600;
    // Accept an object another user created (with a mode no wider than `mode`).
    bool allow_other_owner = false;
};

}  // namespace mp::sync
