#include "tests/sync/test_support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "sync/named.hpp"
#include "tests/support/helpers.hpp"

namespace mp::sync::test {

SharedMemory::SharedMemory(std::size_t size) : size_(size) {
    data_ = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (data_ == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
}

SharedMemory::~SharedMemory() { munmap(data_, size_); }

Child::Child(std::function<int(Child&)> body) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
    ready_read_ = fds[0];
    ready_write_ = fds[1];
    std::fflush(nullptr);
    pid_ = fork();
    if (pid_ < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid_ == 0) {
        close(ready_read_);
        int code = 99;
        try {
            code = body(*this);
        } catch (const std::exception& e) {
            dprintf(2, "child: %s\n", e.what());
        }
        _exit(code);
    }
    close(ready_write_);
    ready_write_ = -1;
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      ready_read_(std::exchange(other.ready_read_, -1)),
      ready_write_(std::exchange(other.ready_write_, -1)),
      reaped_(std::exchange(other.reaped_, true)) {}

Child::~Child() {
    if (!reaped_) kill_and_reap();
    if (ready_read_ >= 0) close(ready_read_);
}

void Child::ready() { (void)!write(ready_write_, "r", 1); }

bool Child::wait_ready(std::chrono::milliseconds limit) {
    pollfd p{ready_read_, POLLIN, 0};
    int n;
    while ((n = poll(&p, 1, static_cast<int>(limit.count()))) < 0 && errno == EINTR) {
    }
    if (n <= 0) return false;
    char byte;
    return read(ready_read_, &byte, 1) == 1;
}

void Child::kill_and_reap() {
    if (reaped_) return;
    kill(pid_, SIGKILL);
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
}

int Child::join(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    for (;;) {
        const pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) break;
        if (std::chrono::steady_clock::now() >= deadline) {
            kill(pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            break;
        }
        usleep(1000);
    }
    reaped_ = true;
    return status;
}

Child hold_until_killed(const std::function<void()>& take) {
    Child child([&](Child& self) {
        take();
        self.ready();
        pause();
        return 0;
    });
    if (!child.wait_ready()) throw std::runtime_error("hold_until_killed: the child never took hold");
    return child;
}

ScopedName::ScopedName(const std::string& tag) : value(mp::test::unique_name(tag)) {}
// Raw shm_unlink: a test may leave another user's object or a symlink under the
// name, which the library rightly refuses to remove.
ScopedName::~ScopedName() { shm_unlink(("/mp-sync-" + value).c_str()); }

TempFile::TempFile(const std::string& tag) {
    std::string pattern = "/tmp/mp-sync-" + tag + "-XXXXXX";
    const int fd = mkstemp(pattern.data());
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "mkstemp");
    close(fd);
    path_ = pattern;
}

TempFile::~TempFile() { unlink(path_.c_str()); }

int exit_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return -1000 - WTERMSIG(status);
    return -1;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace mp::sync::test
