#include "bench/harness/raw_loops.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace mp::bench {

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "raw loop: %s\n", what);
    std::exit(1);
}

}  // namespace

void raw_spawn_true(std::size_t n) {
    char arg0[] = "/bin/true";
    char* argv[] = {arg0, nullptr};
    for (std::size_t i = 0; i < n; ++i) {
        pid_t pid;
        if (const int error = posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, environ); error != 0) {
            std::fprintf(stderr, "posix_spawn(\"/bin/true\"): %s\n", std::strerror(error));
            std::exit(1);
        }
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
}

bool read_next(int fd, void* data, std::size_t size) {
    auto* bytes = static_cast<char*>(data);
    for (std::size_t done = 0; done < size;) {
        const ssize_t n = read(fd, bytes + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(std::strerror(errno));
        if (n == 0 && done == 0) return false;
        if (n == 0) fail("the stream ended inside a message");
        done += static_cast<std::size_t>(n);
    }
    return true;
}

void read_exactly(int fd, void* data, std::size_t size) {
    if (!read_next(fd, data, size)) fail("the stream ended before a message");
}

void write_exactly(int fd, const void* data, std::size_t size) {
    const auto* bytes = static_cast<const char*>(data);
    for (std::size_t done = 0; done < size;) {
        const ssize_t n = write(fd, bytes + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail(std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace mp::bench
