#include "bench/harness/raw_loops.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "bench/harness/affinity.hpp"

extern char** environ;

namespace mp::bench {

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "raw loop: %s\n", what);
    std::exit(1);
}

// A raw map worker's loop: a chunk's size, its ints, squared back; until EOF.
[[noreturn]] void serve_squares(int in, int out) {
    std::vector<int> chunk(RawMapWorkers::kChunk);
    std::size_t size = 0;
    while (read_next(in, &size, sizeof size)) {
        read_exactly(in, chunk.data(), size * sizeof(int));
        for (std::size_t i = 0; i < size; ++i) chunk[i] *= chunk[i];
        write_exactly(out, chunk.data(), size * sizeof(int));
    }
    _exit(0);
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

void reap(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fail("a child process failed");
}

void with_child(const std::function<void()>& child, const std::function<void()>& parent,
                Placement placement) {
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) fail(std::strerror(errno));
    if (pid == 0) {
        std::optional<PinnedToCpu> pinned;
        if (placement == Placement::own_cpus) pinned.emplace(1);
        child();
        _exit(0);
    }
    {
        std::optional<PinnedToCpu> pinned;
        if (placement == Placement::own_cpus) pinned.emplace(0);
        parent();
    }
    reap(pid);
}

RawMapWorkers::RawMapWorkers() {
    for (Worker& w : workers_) {
        int down[2], up[2];
        if (pipe2(down, O_CLOEXEC) != 0 || pipe2(up, O_CLOEXEC) != 0) fail(std::strerror(errno));
        std::fflush(nullptr);
        w.pid = fork();
        if (w.pid < 0) fail(std::strerror(errno));
        if (w.pid == 0) {
            close(down[1]);  // else the worker never sees EOF on its own pipe
            close(up[0]);
            for (const Worker& earlier : workers_)
                if (&earlier != &w && earlier.pid > 0) {
                    close(earlier.to);
                    close(earlier.from);
                }
            serve_squares(down[0], up[1]);
        }
        close(down[0]);
        close(up[1]);
        w.to = down[1];
        w.from = up[0];
    }
}

RawMapWorkers::~RawMapWorkers() {
    for (Worker& w : workers_) {
        close(w.to);
        close(w.from);
    }
    for (Worker& w : workers_) reap(w.pid);
}

std::vector<int> RawMapWorkers::map(const std::vector<int>& items) const {
    std::vector<int> results(items.size());
    for (std::size_t first = 0; first < items.size(); first += 2 * kChunk) {
        std::size_t sizes[2];
        for (std::size_t w = 0; w < 2; ++w) {
            const std::size_t start = std::min(items.size(), first + w * kChunk);
            sizes[w] = std::min(kChunk, items.size() - start);
            write_exactly(workers_[w].to, &sizes[w], sizeof sizes[w]);
            write_exactly(workers_[w].to, items.data() + start, sizes[w] * sizeof(int));
        }
        for (std::size_t w = 0; w < 2; ++w)
            read_exactly(workers_[w].from, results.data() + first + w * kChunk, sizes[w] * sizeof(int));
    }
    return results;
}

}  // namespace mp::bench
