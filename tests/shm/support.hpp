// Helpers of the shm suite: forked children that run a function and report an exit
// code, with a bound so that a hung child fails its test instead of the suite.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "shm/value.hpp"

namespace mp::shm::test {

// Forks a child that runs `body` and leaves with _exit(its return value); an
// exception in the child exits 99. Destruction SIGKILLs and reaps a child that is
// still running.
class Child {
public:
    explicit Child(const std::function<int()>& body);
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }
    // Waits at most `limit` (then SIGKILLs) and returns the exit code, or
    // -1000 - signal when a signal ended the child.
    int join(std::chrono::milliseconds limit = std::chrono::seconds(30));

private:
    pid_t pid_ = -1;
};

// Runs `body` in `count` forked children at once (body(i) for child i); returns how
// many of them did not exit 0.
int run_children(int count, const std::function<int(int)>& body);

// Waits (yielding, at most `limit`) until `flag` becomes nonzero; false on timeout.
// For a child to say "I got here" (e.g. "I hold the lock") before it is killed.
bool wait_until_set(const mp::shm::Value<int>& flag, std::chrono::milliseconds limit = std::chrono::seconds(10));

// Runs bin/shm (or the copy of it at `tool`) with `args`; the result of
// mp::test::run_command.
struct CliResult {
    int exit_code;
    std::string out;
    std::string err;
};
CliResult shm_cli(const std::vector<std::string>& args);
CliResult shm_cli(const std::string& tool, const std::vector<std::string>& args);

// True when /dev/shm/mp-<name> exists.
bool segment_exists(const std::string& name);

}  // namespace mp::shm::test
