#include "bench/harness/raw_loops.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace mp::bench {

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

}  // namespace mp::bench
