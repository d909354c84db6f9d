#include "bin/cli/output_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace mp::cli {

namespace {

int open_retrying(int dir, const std::string& path, int flags, mode_t mode) {
    int fd;
    do fd = ::openat(dir, path.c_str(), flags, mode);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "open(\"" + path + "\")");
    return fd;
}

}  // namespace

int open_output_fd(int dir, const std::string& path, bool append) {
    return open_retrying(dir, path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (append ? O_APPEND : O_TRUNC), 0666);
}

FILE* open_output_file(const std::string& path, bool append) {
    const int fd = open_output_fd(AT_FDCWD, path, append);
    // At the end, so ftell() says whether the file was empty (a header is due).
    if (append) ::lseek(fd, 0, SEEK_END);
    FILE* file = fdopen(fd, append ? "a" : "w");
    if (file == nullptr) {
        const int error = errno;
        ::close(fd);
        throw std::system_error(error, std::generic_category(), "fdopen(\"" + path + "\")");
    }
    return file;
}

int open_output_directory(int dir, const std::string& path) {
    // EEXIST covers a symlink of that name too: the open below refuses it.
    if (::mkdirat(dir, path.c_str(), 0777) != 0 && errno != EEXIST)
        throw std::system_error(errno, std::generic_category(), "mkdir(\"" + path + "\")");
    try {
        return open_retrying(dir, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW, 0);
    } catch (const std::system_error& error) {
        // Linux says ENOTDIR for a symlink there (O_DIRECTORY wins): name the symlink.
        struct stat status {};
        if (error.code().value() == ENOTDIR && ::fstatat(dir, path.c_str(), &status, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISLNK(status.st_mode))
            throw std::system_error(ELOOP, std::generic_category(), "open(\"" + path + "\")");
        throw;
    }
}

}  // namespace mp::cli
