#include "tests/support/leak_guard.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <csignal>
#include <sstream>

namespace mp::test {

std::map<int, std::string> open_fds() {
    std::map<int, std::string> fds;
    DIR* dir = opendir("/proc/self/fd");
    if (dir == nullptr) return fds;
    const int own = dirfd(dir);
    while (dirent* entry = readdir(dir)) {
        if (entry->d_name[0] == '.') continue;
        const int fd = std::atoi(entry->d_name);
        if (fd == own) continue;
        char target[512];
        const std::string link = std::string("/proc/self/fd/") + entry->d_name;
        const ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
        fds[fd] = n > 0 ? std::string(target, static_cast<size_t>(n)) : "?";
    }
    closedir(dir);
    return fds;
}

namespace {

// Test names come from unique_name() and carry the pid of the process that made
// them. One whose maker is another live process belongs to a suite running alongside
// (the guard has already reaped this test's children when it looks).
bool made_by_another_suite(const std::string& name) {
    const std::size_t at = name.find("mp-test-");
    if (at == std::string::npos) return false;
    const long maker = std::atol(name.c_str() + at + std::strlen("mp-test-"));
    if (maker <= 0 || maker == getpid()) return false;
    return kill(static_cast<pid_t>(maker), 0) == 0 || errno == EPERM;
}

}  // namespace

std::set<std::string> our_shm_entries() {
    std::set<std::string> names;
    DIR* dir = opendir("/dev/shm");
    if (dir == nullptr) return names;
    while (dirent* entry = readdir(dir)) {
        const std::string name = entry->d_name;
        if (made_by_another_suite(name)) continue;
        for (const char* prefix : kOurShmPrefixes)
            if (name.rfind(prefix, 0) == 0) names.insert(name);
    }
    closedir(dir);
    return names;
}

void LeakGuard::OnTestStart(const ::testing::TestInfo&) {
    fds_before_ = open_fds();
    shm_before_ = our_shm_entries();
}

namespace {

// Kills every live child of this process (found through the parent pid in
// /proc/<pid>/stat: there is no call that lists one's children) and names them.
std::string kill_live_children() {
    std::ostringstream killed;
    DIR* dir = opendir("/proc");
    if (dir == nullptr) return killed.str();
    while (dirent* entry = readdir(dir)) {
        const int pid = std::atoi(entry->d_name);
        if (pid <= 0) continue;
        const std::string stat_path = "/proc/" + std::string(entry->d_name) + "/stat";
        FILE* stat = std::fopen(stat_path.c_str(), "r");
        if (stat == nullptr) continue;
        int ppid = 0;
        if (std::fscanf(stat, "%*d (%*[^)]) %*c %d", &ppid) == 1 && ppid == getpid()) {
            killed << " pid " << pid;
            kill(pid, SIGKILL);
        }
        std::fclose(stat);
    }
    closedir(dir);
    return killed.str();
}

// Reaps every child, killing live ones first; describes what it found.
std::string reap_children() {
    std::ostringstream leaked;
    for (;;) {
        int status = 0;
        const pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            leaked << " unreaped pid " << pid;
        } else if (pid == 0) {
            leaked << " still running:" << kill_live_children();
            while (waitpid(-1, &status, 0) > 0 || errno == EINTR) {
            }
            return leaked.str();
        } else if (errno != EINTR) {
            return leaked.str();  // ECHILD: none left
        }
    }
}

}  // namespace

void LeakGuard::OnTestEnd(const ::testing::TestInfo&) {
    const std::string children = reap_children();
    EXPECT_TRUE(children.empty()) << "leak guard: leaked child process:" << children;

    std::ostringstream fd_leaks;
    for (const auto& [fd, target] : open_fds()) {
        if (fds_before_.count(fd) != 0) continue;
        fd_leaks << " fd " << fd << " -> " << target << ";";
        close(fd);
    }
    EXPECT_TRUE(fd_leaks.str().empty()) << "leak guard: leaked fd:" << fd_leaks.str();

    std::ostringstream shm_leaks;
    for (const std::string& name : our_shm_entries()) {
        if (shm_before_.count(name) != 0) continue;
        shm_leaks << " /dev/shm/" << name;
        unlink(("/dev/shm/" + name).c_str());
    }
    EXPECT_TRUE(shm_leaks.str().empty()) << "leak guard: leaked /dev/shm entry:" << shm_leaks.str();
}

}  // namespace mp::test
