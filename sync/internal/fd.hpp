// Fd: an owned file descriptor, closed by its destructor (move-only). The one fd
// owner of sync and the libraries above it (ipc exports it as mp::ipc::Fd).
#pragma once

#include <utility>

namespace mp::sync::internal {

class Fd {
public:
    Fd() noexcept = default;
    // Takes ownership of `fd` (-1 for none).
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(other.release()) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    // Gives up ownership without closing; returns the fd.
    int release() noexcept { return std::exchange(fd_, -1); }
    // Closes the owned fd (if any) and owns `fd` instead.
    void reset(int fd = -1) noexcept;

private:
    int fd_ = -1;
};

}  // namespace mp::sync::internal
