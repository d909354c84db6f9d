#include "sync/internal/shm_directory.hpp"

#include <dirent.h>
#include <fcntl.h>

#include "sync/internal/os_error.hpp"

namespace mp::sync::internal {

std::vector<std::string> shm_entries(int directory_fd, std::string_view prefix) {
    // fdopendir takes the fd over: give it a duplicate, the caller keeps its own.
    Fd duplicate(fcntl(directory_fd, F_DUPFD_CLOEXEC, 0));
    if (!duplicate) throw_errno("fcntl(F_DUPFD_CLOEXEC)", kShmDirectory);
    DIR* dir = fdopendir(duplicate.get());
    if (dir == nullptr) throw_errno("opendir", kShmDirectory);
    duplicate.release();
    std::vector<std::string> names;
    while (const dirent* entry = readdir(dir)) {
        const std::string_view file = entry->d_name;
        if (file.size() > prefix.size() && file.starts_with(prefix)) names.emplace_back(file.substr(prefix.size()));
    }
    closedir(dir);
    return names;
}

Fd open_shm_directory() {
    Fd directory(open(kShmDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!directory) throw_errno("open", kShmDirectory);
    return directory;
}

}  // namespace mp::sync::internal
