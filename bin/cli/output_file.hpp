// Opening a file a tool writes (bin/pool's --joblog): never through a symlink
// planted in its place, since such a file is often named in a shared directory
// (/tmp) where anyone may plant one pointing at a file of ours.
#pragma once

#include <cstdio>
#include <string>

namespace mp::cli {

// Opens `path` for writing: created if missing (0666 less the umask), truncated,
// or appended to when `append`; close-on-exec. A symlink as its last component is
// refused (ELOOP), never followed. Errors: std::system_error naming open and `path`.
FILE* open_output_file(const std::string& path, bool append);

}  // namespace mp::cli
