// Opening a file a tool writes (bin/pool's --joblog, --results): never through a
// symlink planted in its place, since such a file is often named in a shared
// directory (/tmp) where anyone may plant one pointing at a file of ours.
#pragma once

#include <fcntl.h>

#include <cstdio>
#include <string>

namespace mp::cli {

// Opens `path` (relative to the directory fd `dir`; AT_FDCWD: the working
// directory) for writing: created if missing (0666 less the umask), truncated, or
// appended to when `append`; close-on-exec. A symlink as its last component is
// refused (ELOOP), never followed. Returns the fd. Errors: std::system_error naming
// open and `path`.
int open_output_fd(int dir, const std::string& path, bool append);

// open_output_fd(AT_FDCWD, path, append) as a FILE*, positioned at the end.
FILE* open_output_file(const std::string& path, bool append);

// Opens the directory `path` (relative to `dir` as above), made first when missing
// (0777 less the umask); a symlink as its last component is refused (ELOOP). Returns
// its fd (close-on-exec), for open_output_fd and open_output_directory below it.
// Errors: std::system_error naming mkdir or open and `path`.
int open_output_directory(int dir, const std::string& path);

}  // namespace mp::cli
