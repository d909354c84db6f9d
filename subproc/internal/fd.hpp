// File-descriptor plumbing shared by the spawner, the pump and the pipeline: an
// owning fd handle, close-on-exec pipes, and the errno-to-exception helper.
#pragma once

#include <string>
#include <utility>

namespace mp::subproc::internal {

// Throws std::system_error(errno) whose message names the call and its object,
// e.g. "open(\"/tmp/out\")".
[[noreturn]] void throw_errno(const std::string& what);

// Owns one file descriptor and closes it on destruction. Move-only; -1 means empty.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) reset(std::exchange(other.fd_, -1));
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    // Closes the current fd (if any) and takes `fd`.
    void reset(int fd = -1) noexcept;

private:
    int fd_ = -1;
};

struct PipeEnds {
    UniqueFd read;
    UniqueFd write;
};

// pipe2(O_CLOEXEC): neither end leaks into a child unless dup2'd there on purpose.
PipeEnds make_pipe();

// open(path, flags | O_CLOEXEC, 0666), throwing on failure.
UniqueFd open_file(const std::string& path, int flags);

// Sets O_NONBLOCK on our end of a pipe (the child's end is a separate open file
// description and stays blocking).
void set_nonblocking(int fd);

}  // namespace mp::subproc::internal
