#include "tests/support/other_user.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <utility>

namespace mp::test {

bool can_become_other_user() { return geteuid() == 0; }

int run_as_other_user(const std::function<int()>& body) {
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        int code = 98;
        if (setgid(kOtherUser) == 0 && setuid(kOtherUser) == 0) {
            try {
                code = body();
            } catch (...) {
                code = 99;
            }
        }
        _exit(code);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

ForeignShmObject::ForeignShmObject(std::string path, mode_t mode) : path_(std::move(path)) {
    const int code = run_as_other_user([&] {
        const int fd = shm_open(path_.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0) return 1;
        const bool moded = fchmod(fd, mode) == 0;
        close(fd);
        return moded ? 0 : 2;
    });
    if (code != 0) throw std::runtime_error("the other user could not create " + path_);
}

CopyForOtherUser::CopyForOtherUser(const std::string& path) {
    std::string dir = "/tmp/mp-other-user-XXXXXX";
    if (mkdtemp(dir.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = dir;
    copy_ = dir_ + "/" + std::filesystem::path(path).filename().string();
    std::filesystem::copy_file(path, copy_);
    chmod(dir_.c_str(), 0755);
    chmod(copy_.c_str(), 0755);
}

CopyForOtherUser::~CopyForOtherUser() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

// Root removes it: the libraries refuse to.
ForeignShmObject::~ForeignShmObject() { shm_unlink(path_.c_str()); }

EntryStatus shm_entry_status(const std::string& path) {
    struct stat status {};
    if (lstat(("/dev/shm" + path).c_str(), &status) != 0) return {};
    return {status.st_uid, static_cast<mode_t>(status.st_mode & 07777)};
}

}  // namespace mp::test
