// Shared helpers of the sync suite: shared anonymous memory, forked children that
// report through pipes, and bounds for "it did not hang".
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace mp::sync::test {

// A MAP_SHARED anonymous mapping, inherited by children forked after it.
class SharedMemory {
public:
    explicit SharedMemory(std::size_t size);
    ~SharedMemory();
    SharedMemory(const SharedMemory&) = delete;
    SharedMemory& operator=(const SharedMemory&) = delete;
    void* get() const { return data_; }

private:
    void* data_;
    std::size_t size_;
};

// A forked child running `body` (its return value is the exit code; an exception
// exits 99). The child reports readiness through `ready()` (one byte on a pipe),
// which the parent awaits with wait_ready(). Destruction SIGKILLs and reaps it.
class Child {
public:
    explicit Child(std::function<int(Child&)> body);
    ~Child();
    Child(Child&& other) noexcept;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }
    // In the child: tells the parent it reached its checkpoint.
    void ready();
    // In the parent: waits (bounded) for the child's ready(); false on timeout/EOF.
    bool wait_ready(std::chrono::milliseconds limit = std::chrono::seconds(10));
    // Sends SIGKILL and reaps.
    void kill_and_reap();
    // Waits (bounded by `limit`, then SIGKILL) and returns the raw wait status.
    int join(std::chrono::milliseconds limit = std::chrono::seconds(20));

private:
    pid_t pid_ = -1;
    int ready_read_ = -1;
    int ready_write_ = -1;
    bool reaped_ = false;
};

// A child that runs `take` (acquires a lock, a slot...), then waits to be killed.
// Returns once the child has taken it. Errors: std::runtime_error if it never does.
Child hold_until_killed(const std::function<void()>& take);

// A unique name for a named object (mp::test::unique_name), removed at scope end.
struct ScopedName {
    std::string value;
    explicit ScopedName(const std::string& tag);
    ~ScopedName();
};

// A new empty file under /tmp, unlinked at scope end.
class TempFile {
public:
    explicit TempFile(const std::string& tag);
    ~TempFile();
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// Exit code of a normally exited child status, or -1000 - signal.
int exit_code(int status);

// Seconds elapsed since `start`.
double seconds_since(std::chrono::steady_clock::time_point start);

}  // namespace mp::sync::test
