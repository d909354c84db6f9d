#include "sync/internal/shm_object.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "sync/internal/os_error.hpp"

namespace mp::sync::internal {

Fd open_shm_object(const std::string& path, int flags, mode_t mode) {
    int raw;
    do raw = shm_open(path.c_str(), flags | O_CLOEXEC, mode);
    while (raw < 0 && errno == EINTR);
    if (raw < 0) throw_errno("shm_open", path);
    Fd fd(raw);
    struct stat status {};
    if (fstat(fd.get(), &status) != 0) throw_errno("fstat", path);
    if (status.st_uid != geteuid())
        throw_errno("shm_open(\"" + path + "\") owned by uid " + std::to_string(status.st_uid) + ", not by us", EACCES);
    return fd;
}

}  // namespace mp::sync::internal
