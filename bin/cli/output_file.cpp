#include "bin/cli/output_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace mp::cli {

FILE* open_output_file(const std::string& path, bool append) {
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (append ? O_APPEND : O_TRUNC);
    int fd;
    do fd = ::open(path.c_str(), flags, 0666);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "open(\"" + path + "\")");
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

}  // namespace mp::cli
