#include "sync/internal/process_identity.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "sync/internal/current_process.hpp"

namespace mp::sync::internal {

namespace {

struct StatFields {
    char state = '?';
    std::uint64_t start_time = 0;
};

// Reads the state (field 3) and start time (field 22) of /proc/<pid>/stat. The
// command name (field 2) may hold spaces and parentheses: parse after the last ')'.
bool read_stat(pid_t pid, StatFields& out) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buffer[1024];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer - 1)) < 0 && errno == EINTR) {
    }
    close(fd);
    if (n <= 0) return false;
    buffer[n] = '\0';
    const char* p = std::strrchr(buffer, ')');
    if (p == nullptr || p[1] != ' ') return false;
    p += 2;
    out.state = *p;
    // From field 3 (state) to field 22 (starttime): skip 19 separators.
    for (int field = 3; field < 22 && p != nullptr; ++field) {
        p = std::strchr(p, ' ');
        if (p != nullptr) ++p;
    }
    if (p == nullptr) return false;
    out.start_time = std::strtoull(p, nullptr, 10);
    return true;
}

bool proc_available() {
    static const bool available = access("/proc/self/stat", R_OK) == 0;
    return available;
}

}  // namespace

ProcessIdentity identity_of(pid_t pid) {
    StatFields fields;
    return {pid, read_stat(pid, fields) ? fields.start_time : 0};
}

ProcessIdentity self_identity() {
    thread_local ProcessIdentity cached;  // re-read when the pid changed (after fork)
    const pid_t pid = current_pid();
    if (cached.pid != pid) cached = identity_of(pid);
    return cached;
}

bool is_alive(const ProcessIdentity& process) {
    if (process.pid <= 0) return false;
    if (proc_available()) {
        StatFields fields;
        if (!read_stat(process.pid, fields)) return false;  // gone (or reaped)
        if (fields.state == 'Z' || fields.state == 'X') return false;
        return process.start_time == 0 || fields.start_time == process.start_time;
    }
    return kill(process.pid, 0) == 0 || errno == EPERM;
}

}  // namespace mp::sync::internal
