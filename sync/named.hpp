// The named objects of mp::sync as a set: remove one by name, list them all.
//
// Every primitive's open(name) creates or opens the shared-memory segment
// /dev/shm/mp-sync-<name>: one namespace for all kinds, so "build" is either a Lock
// or a Semaphore, never both. Names are 1 to 200 characters of [A-Za-z0-9._-], not
// starting with '.'. Segments are created with mode 0600 (owner only) unless
// open() is given a wider Access::mode; an existing one owned by another user, or
// with a mode wider than asked for, is refused on open (access.hpp).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mp::sync {

// Deletes the name: later open() calls make a new object. Processes that have it
// open keep using the old one until they drop their handles. Returns false when
// there was no such name. Another user's object is never removed: std::system_error
// (EACCES) naming its owner. Errors: std::invalid_argument (bad name),
// std::system_error.
bool remove(std::string_view name);

// A process with a stake in an object: a lock's holder, a semaphore's slot holder,
// a barrier's waiting party.
struct Holder {
    pid_t pid = 0;
    std::uint32_t count = 0;  // slots held / threads waiting (1 for a lock)
    bool alive = true;        // false: it died; the next acquirer reclaims its share
};

struct ObjectInfo {
    std::string name;
    std::string kind;   // "Lock", "Semaphore", ...
    std::string state;  // e.g. "locked", "1/3 free", "set", "2/3 waiting"
    std::vector<Holder> holders;
};

// Our named objects, sorted by name. Objects that vanish or are half-built while
// listing, and other users' objects, are skipped. Errors: std::system_error (reading /dev/shm).
std::vector<ObjectInfo> list();

// The description of one named object. Errors: std::system_error with ENOENT
// when there is no such name; std::invalid_argument (bad name).
ObjectInfo describe(std::string_view name);

}  // namespace mp::sync
