#include "shm/internal/process_identity.hpp"

#include <signal.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace mp::shm::internal {

namespace {

struct StatFields {
    char state = '?';
    std::uint64_t start_time = 0;
};

// Fields 3 (state) and 22 (start time) of /proc/<pid>/stat; false when unreadable.
bool read_stat(pid_t pid, StatFields& fields) {
    const std::string path = "/proc/" + std::to_string(pid) + "/stat";
    FILE* file = std::fopen(path.c_str(), "re");
    if (file == nullptr) return false;
    char line[1024];
    const bool read = std::fgets(line, sizeof line, file) != nullptr;
    std::fclose(file);
    if (!read) return false;
    // The command name (field 2) is in parentheses and may itself hold ") ": the
    // fields after it start after the last ')'.
    const char* rest = std::strrchr(line, ')');
    unsigned long long start = 0;
    if (rest == nullptr ||
        std::sscanf(rest + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                    &fields.state, &start) != 2)
        return false;
    fields.start_time = start;
    return true;
}

}  // namespace

std::uint64_t process_start_time(pid_t pid) {
    StatFields fields;
    return read_stat(pid, fields) ? fields.start_time : 0;
}

bool process_alive(pid_t pid, std::uint64_t start_time) {
    if (pid <= 0) return false;
    if (kill(pid, 0) != 0 && errno != EPERM) return false;
    StatFields fields;
    if (!read_stat(pid, fields)) return true;  // exists, but no /proc to tell more
    if (fields.state == 'Z' || fields.state == 'X') return false;  // exited, not yet reaped
    return start_time == 0 || fields.start_time == start_time;
}

}  // namespace mp::shm::internal
