// Helper children of the subproc suite: small real programs that misbehave on
// purpose, run as the suite itself re-executed (see tests/support/helpers.hpp).
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/helpers.hpp"

namespace {

// Writes `bytes` bytes of a repeating pattern to `fd`.
bool write_pattern(int fd, std::size_t bytes) {
    std::string block(1 << 16, '\0');
    for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>('a' + i % 26);
    while (bytes > 0) {
        const std::size_t chunk = bytes < block.size() ? bytes : block.size();
        const ssize_t n = write(fd, block.data(), chunk);
        if (n <= 0) return false;
        bytes -= static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

// flood BYTES: writes BYTES to stdout and BYTES to stderr while reading all of
// stdin, each on its own thread, as a real filter would; exits 0 when stdin held
// exactly BYTES bytes (3 otherwise).
MP_TEST_HELPER(flood) {
    const std::size_t bytes = std::stoull(args.at(0));
    bool out_ok = false, err_ok = false;
    std::thread out([&] { out_ok = write_pattern(1, bytes); });
    std::thread err([&] { err_ok = write_pattern(2, bytes); });
    std::size_t read_total = 0;
    std::vector<char> buffer(1 << 16);
    ssize_t n;
    while ((n = read(0, buffer.data(), buffer.size())) > 0) read_total += static_cast<std::size_t>(n);
    out.join();
    err.join();
    return out_ok && err_ok && read_total == bytes ? 0 : 3;
}

// list_fds: prints the fds open in this process, one per line (not the directory
// stream's own).
MP_TEST_HELPER(list_fds) {
    DIR* dir = opendir("/proc/self/fd");
    if (dir == nullptr) return 2;
    while (dirent* entry = readdir(dir))
        if (entry->d_name[0] != '.' && std::atoi(entry->d_name) != dirfd(dir)) std::printf("%s\n", entry->d_name);
    closedir(dir);
    return 0;
}

// ignore_term: ignores SIGTERM, says "ready" and sleeps (for the KILL escalation).
MP_TEST_HELPER(ignore_term) {
    signal(SIGTERM, SIG_IGN);
    std::printf("ready\n");
    std::fflush(stdout);
    for (;;) pause();
}
