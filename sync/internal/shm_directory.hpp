// Listing the named POSIX shared-memory objects of one library: the entries of
// /dev/shm whose names start with its prefix ("mp-sync-", "mp-").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sync/internal/fd.hpp"

namespace mp::sync::internal {

// Where Linux keeps POSIX shared-memory objects: shm_open("/x") is <kShmDirectory>/x.
inline constexpr const char* kShmDirectory = "/dev/shm";

// The names after `prefix` of the entries of the directory open at `directory_fd`
// (kShmDirectory, opened by the caller, which keeps using it for openat and
// unlinkat) that start with it and are longer, in directory order.
// Errors: std::system_error naming opendir and kShmDirectory.
std::vector<std::string> shm_entries(int directory_fd, std::string_view prefix);

// kShmDirectory, opened for shm_entries, openat and unlinkat.
// Errors: std::system_error naming open and kShmDirectory.
Fd open_shm_directory();

}  // namespace mp::sync::internal
