// StderrCapture: fd 2 goes to a pipe while it lives, so a test can read what the
// code under test printed on stderr without printing it.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <system_error>

namespace mp::test {

class StderrCapture {
public:
    StderrCapture() {
        if (pipe2(pipe_, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
        saved_ = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
        dup2(pipe_[1], STDERR_FILENO);
    }
    ~StderrCapture() { release(); }
    StderrCapture(const StderrCapture&) = delete;
    StderrCapture& operator=(const StderrCapture&) = delete;

    // Restores fd 2 and returns what was written (at most a pipe's buffer).
    std::string text() {
        release();
        return text_;
    }

private:
    void release() {
        if (saved_ < 0) return;
        dup2(saved_, STDERR_FILENO);
        close(saved_);
        close(pipe_[1]);
        saved_ = -1;
        char buffer[4096];
        for (ssize_t n; (n = read(pipe_[0], buffer, sizeof buffer)) > 0;) text_.append(buffer, static_cast<std::size_t>(n));
        close(pipe_[0]);
    }

    int pipe_[2] = {-1, -1};
    int saved_ = -1;
    std::string text_;
};

}  // namespace mp::test
