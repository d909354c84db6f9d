// LeakGuard: a GoogleTest listener that fails any test leaving behind a child
// process, a file descriptor, or a /dev/shm entry of ours.
//
// Before each test it records the open fds (/proc/self/fd) and the /dev/shm entries;
// after the test it reaps any child (waitpid(-1, WNOHANG) must give ECHILD), and
// compares. Leaks are reported as failures of the test that caused them, naming what
// leaked, and are cleaned up so they do not cascade into the next test.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace mp::test {

// /dev/shm entries whose name starts with one of these belong to us, except those
// holding another suite's unique_name() (suites may run side by side).
inline constexpr const char* kOurShmPrefixes[] = {"mp-", "sem.mp-"};

class LeakGuard : public ::testing::EmptyTestEventListener {
public:
    void OnTestStart(const ::testing::TestInfo&) override;
    void OnTestEnd(const ::testing::TestInfo&) override;

private:
    std::map<int, std::string> fds_before_;
    std::set<std::string> shm_before_;
};

// The current fds and what they point at.
std::map<int, std::string> open_fds();
// Our /dev/shm entries.
std::set<std::string> our_shm_entries();

}  // namespace mp::test
