#include "bin/subproc_tree.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <system_error>
#include <vector>

namespace mp::tools::subproc {

namespace {

// The parent of `pid` from /proc/<pid>/stat, or 0 when it is gone. The parent is
// the second field after the command name, which may itself hold ')' and blanks.
pid_t parent_of(pid_t pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
    FILE* file = std::fopen(path, "re");
    if (file == nullptr) return 0;
    char line[1024];
    const bool read = std::fgets(line, sizeof line, file) != nullptr;
    std::fclose(file);
    if (!read) return 0;
    const char* end_of_name = std::strrchr(line, ')');
    char state = 0;
    int parent = 0;
    if (end_of_name == nullptr || std::sscanf(end_of_name + 1, " %c %d", &state, &parent) != 2) return 0;
    return static_cast<pid_t>(parent);
}

// Every process's parent, from one pass over /proc.
std::map<pid_t, pid_t> parents() {
    std::map<pid_t, pid_t> result;
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) throw std::system_error(errno, std::generic_category(), "opendir(/proc)");
    while (const dirent* entry = ::readdir(proc)) {
        char* end = nullptr;
        const long pid = std::strtol(entry->d_name, &end, 10);
        if (pid <= 0 || *end != '\0') continue;
        const pid_t child = static_cast<pid_t>(pid);
        if (const pid_t parent = parent_of(child); parent > 0) result[child] = parent;
    }
    ::closedir(proc);
    return result;
}

std::set<pid_t> descendants_of(pid_t root) {
    const std::map<pid_t, pid_t> parent = parents();
    std::set<pid_t> found;
    std::vector<pid_t> frontier = {root};
    while (!frontier.empty()) {
        const pid_t at = frontier.back();
        frontier.pop_back();
        for (const auto& [pid, its_parent] : parent)
            if (its_parent == at && found.insert(pid).second) frontier.push_back(pid);
    }
    return found;
}

}  // namespace

void adopt_orphans() {
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        throw std::system_error(errno, std::generic_category(), "prctl(PR_SET_CHILD_SUBREAPER)");
}

void signal_descendants(int signal) {
    std::set<pid_t> signalled;
    for (;;) {
        bool new_found = false;
        for (const pid_t pid : descendants_of(::getpid())) {
            if (!signalled.insert(pid).second) continue;
            new_found = true;
            ::kill(pid, signal);  // ESRCH: it has gone meanwhile
        }
        if (!new_found) return;
    }
}

}  // namespace mp::tools::subproc
