// Subprocess costs: spawn + wait of /bin/true (from a small parent, and from one
// that has touched 1 GiB of heap, where fork-based spawning pays for copying page
// tables), and moving 256 MiB through cat (captured, and piped in and out).
// Ours vs the raw syscall loop (posix_spawn + waitpid; a poll loop) vs CPython.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "bench/harness/harness.hpp"
#include "bench/harness/raw_loops.hpp"
#include "subproc/subproc.hpp"

extern char** environ;

namespace {

namespace sp = mp::subproc;
using mp::bench::raw_spawn_true;

// Shared with bench/subproc_bench.py.
constexpr const char* kDataFile = "/tmp/mp-subproc-bench.dat";
constexpr std::size_t kDataBytes = 256u << 20;
constexpr std::size_t kHeapBytes = 1u << 30;

void check(bool ok, const char* what) {
    if (!ok) {
        std::perror(what);
        std::exit(1);
    }
}

void wait_for(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

void raw_fork_true(std::size_t n) {
    char arg0[] = "/bin/true";
    char* argv[] = {arg0, nullptr};
    for (std::size_t i = 0; i < n; ++i) {
        const pid_t pid = fork();
        if (pid == 0) {
            execve("/bin/true", argv, environ);
            _exit(127);
        }
        wait_for(pid);
    }
}

void ours_true(std::size_t n, const sp::Options& options) {
    for (std::size_t i = 0; i < n; ++i) sp::Popen({"/bin/true"}, options).wait();
}

// Raw: posix_spawn `argv` with stdout (and optionally stdin) on pipes, and one poll
// loop that reads everything and writes `input`: the physical limit of capture.
std::string raw_through(const char* const* argv, const std::string* input) {
    int out[2], in[2] = {-1, -1};
    check(pipe2(out, O_CLOEXEC) == 0, "pipe2");
    if (input != nullptr) check(pipe2(in, O_CLOEXEC) == 0, "pipe2");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    if (input != nullptr) posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    pid_t pid;
    check(posix_spawn(&pid, argv[0], &actions, nullptr, const_cast<char* const*>(argv), environ) == 0, "posix_spawn");
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (input != nullptr) {
        close(in[0]);
        fcntl(in[1], F_SETFL, O_NONBLOCK);
    }
    std::string data;
    std::vector<char> buffer(65536);
    std::size_t written = 0;
    int to_child = input != nullptr ? in[1] : -1;
    int from_child = out[0];
    while (from_child >= 0 || to_child >= 0) {
        pollfd fds[2] = {{from_child, POLLIN, 0}, {to_child, POLLOUT, 0}};
        check(poll(fds, 2, -1) >= 0, "poll");
        if (fds[0].revents != 0) {
            const ssize_t n = read(from_child, buffer.data(), buffer.size());
            if (n > 0) data.append(buffer.data(), static_cast<std::size_t>(n));
            if (n == 0) {
                close(from_child);
                from_child = -1;
            }
        }
        if (fds[1].revents != 0) {
            const ssize_t n = write(to_child, input->data() + written, input->size() - written);
            if (n > 0) written += static_cast<std::size_t>(n);
            if (written == input->size()) {
                close(to_child);
                to_child = -1;
            }
        }
    }
    wait_for(pid);
    return data;
}

void expect_size(const std::string& data, std::size_t size) {
    if (data.size() != size) {
        std::fprintf(stderr, "subproc_bench: got %zu bytes, expected %zu\n", data.size(), size);
        std::exit(1);
    }
}

void make_data_file() {
    std::string block(1 << 20, 'x');
    FILE* file = std::fopen(kDataFile, "w");
    check(file != nullptr, kDataFile);
    for (std::size_t i = 0; i < kDataBytes / block.size(); ++i) std::fwrite(block.data(), 1, block.size(), file);
    std::fclose(file);
}

}  // namespace

int main() {
    using namespace mp::bench;
    // Spawns are timed in many short rounds: the machine's load drifts, and
    // fine-grained turns let the drift hit ours, raw and CPython alike.
    constexpr std::size_t kSpawns = 20;
    constexpr int kSpawnRounds = 31;
    constexpr std::size_t kCpythonSpawns = 50;
    constexpr int kRounds = 7;
    Table table("subproc: spawn and wait /bin/true; 256 MiB through cat");

    const sp::Options defaults;  // close_fds, own process group: what users get
    table.add({.scenario = "spawn + wait /bin/true",
               .times = measure(kSpawns,
                                {.ours = [&] { ours_true(kSpawns, defaults); },
                                 .raw = [] { raw_spawn_true(kSpawns); },
                                 .cpython = Python{"subproc_bench.py", "true", kCpythonSpawns}},
                                kSpawnRounds),
               .targets = {{Ratio::ours_raw, 1.15}, {Ratio::ours_cpython, 1}},
               .note = ""});
    {
        // A parent with a big touched heap: page tables to copy for fork, none for vfork.
        std::vector<char> heap(kHeapBytes);
        std::memset(heap.data(), 1, heap.size());
        table.add({.scenario = "same, parent touched 1 GiB",
                   .times = measure(kSpawns,
                                    {.ours = [&] { ours_true(kSpawns, defaults); },
                                     .raw = [] { raw_spawn_true(kSpawns); },
                                     .cpython = Python{"subproc_bench.py", "true_big_heap", kCpythonSpawns}},
                                    kSpawnRounds),
                   .targets = {{Ratio::ours_raw, 1.3}},
                   .note = ""});
        constexpr std::size_t kForks = 10;
        sp::Options fork_path;
        fork_path.umask = 022;  // posix_spawn cannot set a umask: our fork+exec path
        table.add({.scenario = "  fork+exec for contrast, 1 GiB",
                   .times = measure(kForks,
                                    {.ours = [&] { ours_true(kForks, fork_path); },
                                     .raw = [] { raw_fork_true(kForks); },
                                     .cpython = {}},
                                    kRounds),
                   .targets = {},
                   .note = "ours with umask set; raw fork+execve"});
        std::printf("(heap checksum %d)\n", heap[kHeapBytes / 2]);
    }

    // >= 0.9x the raw loop's throughput.
    const std::vector<Target> throughput_target{{Ratio::ours_raw, 1 / 0.9}};
    make_data_file();
    const char* const cat_file[] = {"/bin/cat", kDataFile, nullptr};
    table.add({.scenario = "capture 256 MiB: cat FILE",
               .times = measure(1,
                                {.ours =
                                     [] {
                                         expect_size(sp::check_output({"/bin/cat", kDataFile}), kDataBytes);
                                     },
                                 .raw = [&] { expect_size(raw_through(cat_file, nullptr), kDataBytes); },
                                 .cpython = Python{"subproc_bench.py", "capture", 1}},
                                kRounds),
               .targets = throughput_target,
               .note = ""});

    const std::string input(kDataBytes, 'y');
    const char* const cat[] = {"/bin/cat", nullptr};
    table.add({.scenario = "pipe 256 MiB in and out of cat",
               .times = measure(1,
                                {.ours =
                                     [&] {
                                         sp::Popen p({"/bin/cat"}, {.in = sp::PIPE, .out = sp::PIPE});
                                         expect_size(p.communicate(input).out, kDataBytes);
                                     },
                                 .raw = [&] { expect_size(raw_through(cat, &input), kDataBytes); },
                                 .cpython = Python{"subproc_bench.py", "pipe", 1}},
                                kRounds),
               .targets = throughput_target,
               .note = ""});
    std::remove(kDataFile);
    table.print();
}
