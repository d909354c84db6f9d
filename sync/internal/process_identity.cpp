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

// Reads the state (field 3) and start time (field 22) of /proc/<pid>/stat. The
// command name (field 2) may hold spaces and parentheses: parse after the last ')'.
StatReading read_stat(pid_t pid) {
    StatReading out;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        out.error = errno;
        return out;
    }
    char buffer[1024];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer - 1)) < 0 && errno == EINTR) {
    }
    out.error = n < 0 ? errno : 0;
    close(fd);
    // An empty or malformed read (the process vanished mid-read): no answer either.
    if (n <= 0) {
        if (out.error == 0) out.error = ESRCH;
        return out;
    }
    buffer[n] = '\0';
    const char* p = std::strrchr(buffer, ')');
    if (p == nullptr || p[1] != ' ') {
        out.error = EIO;
        return out;
    }
    p += 2;
    out.state = *p;
    // From field 3 (state) to field 22 (starttime): skip 19 separators.
    for (int field = 3; field < 22 && p != nullptr; ++field) {
        p = std::strchr(p, ' ');
        if (p != nullptr) ++p;
    }
    if (p == nullptr) {
        out.error = EIO;
        return out;
    }
    out.start_time = std::strtoull(p, nullptr, 10);
    return out;
}

ProcessIdentity identity_of(pid_t pid) {
    const StatReading stat = read_stat(pid);
    return {pid, stat.error == 0 ? stat.start_time : 0};
}

ProcessIdentity self_identity() {
    thread_local ProcessIdentity cached;  // re-read when the pid changed (after fork)
    const pid_t pid = current_pid();
    if (cached.pid != pid) cached = identity_of(pid);
    return cached;
}

bool is_alive_given(const ProcessIdentity& process, const StatReading& stat) {
    if (process.pid <= 0) return false;
    if (stat.error != 0) return kill(process.pid, 0) == 0 || errno != ESRCH;
    if (stat.state == 'Z' || stat.state == 'X') return false;
    return process.start_time == 0 || stat.start_time == process.start_time;
}

bool is_alive(const ProcessIdentity& process) {
    if (process.pid <= 0) return false;
    return is_alive_given(process, read_stat(process.pid));
}

}  // namespace mp::sync::internal
