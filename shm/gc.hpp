// Listing our segments in /dev/shm and removing the dead ones (Linux: reads /proc).
//
// A segment is garbage when all of these hold:
// - it belongs to the user running gc (another user's segment is never removed,
//   even by root);
// - it is one of ours (/dev/shm/mp-*) and a typed segment with a valid header, so
//   its creator is known (raw SharedMemory segments and damaged ones are listed,
//   never removed);
// - its creator is dead: no process with its pid and start time runs (a reused pid
//   does not count as the creator);
// - no live process maps it or holds it open (every /proc/<pid>/maps and
//   /proc/<pid>/fd this user may read is scanned, matching the file's inode).
// A segment made by `bin/shm create` is therefore garbage as soon as nobody uses it:
// its creator, that command, has exited. Processes of other users whose /proc entries
// cannot be read are not seen; run gc as the segments' owner.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "shm/segment_header.hpp"

namespace mp::shm {

struct SegmentListing {
    std::string name;                  // the user name: "counter" for /dev/shm/mp-counter
    std::size_t size = 0;              // bytes
    uid_t owner = 0;                   // the user owning the entry
    std::optional<HeaderInfo> header;  // set for a typed segment with a valid header
    std::string problem;               // otherwise why not (e.g. "... is not initialized")
    bool creator_alive = false;        // meaningful when header is set
    std::vector<pid_t> users;          // live processes mapping it or holding it open
};

// Our segments, sorted by name. Throws std::system_error when /dev/shm cannot be read.
std::vector<SegmentListing> list_segments();

// Unlinks every garbage segment (see above) and returns what it removed.
std::vector<SegmentListing> collect_garbage();

}  // namespace mp::shm
