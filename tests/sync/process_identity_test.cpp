// Process liveness: dead, zombie, reused pid, and a stat that cannot be read.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "sync/internal/process_identity.hpp"
#include "tests/sync/test_support.hpp"

namespace {

using mp::sync::internal::identity_of;
using mp::sync::internal::is_alive;
using mp::sync::internal::is_alive_given;
using mp::sync::internal::read_stat;
using mp::sync::internal::self_identity;
using mp::sync::internal::StatReading;
using mp::sync::test::Child;
using mp::sync::test::exit_code;

// A child that has exited and been reaped: its pid names no process now.
pid_t reaped_pid() {
    Child child([](Child&) { return 0; });
    const pid_t pid = child.pid();
    EXPECT_EQ(exit_code(child.join()), 0);
    return pid;
}

TEST(ProcessIdentity, ThisProcessIsAliveWithItsStartTime) {
    const auto self = self_identity();
    EXPECT_EQ(self.pid, getpid());
    EXPECT_NE(self.start_time, 0u);
    EXPECT_EQ(identity_of(getpid()).start_time, self.start_time);
    EXPECT_TRUE(is_alive(self));
}

TEST(ProcessIdentity, AReapedProcessIsDead) {
    const pid_t pid = reaped_pid();
    EXPECT_EQ(read_stat(pid).error, ENOENT);
    EXPECT_FALSE(is_alive({pid, 0}));
}

TEST(ProcessIdentity, AZombieIsDead) {
    Child child([](Child&) { return 0; });
    // Exited, not yet reaped: /proc still shows it, in state Z.
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);  // "did not hang" bound
    while (read_stat(child.pid()).state != 'Z' && std::chrono::steady_clock::now() < limit) usleep(1000);
    ASSERT_EQ(read_stat(child.pid()).state, 'Z');
    EXPECT_FALSE(is_alive(identity_of(child.pid())));
    EXPECT_EQ(exit_code(child.join()), 0);
}

TEST(ProcessIdentity, APidNowHeldByAnotherProcessIsNotTheRecordedOne) {
    auto self = self_identity();
    self.start_time += 1;  // as if the recorded process had this pid before us
    EXPECT_FALSE(is_alive(self));
}

// Regression: a stat that cannot be read was taken for a dead process, and a live
// holder's slot could be stolen. EACCES, and ENOENT as a /proc mounted hidepid
// shows another user's process, leave the verdict to kill(pid, 0).
TEST(ProcessIdentity, AnUnreadableStatOfALiveProcessMeansAlive) {
    for (const int error : {EACCES, ENOENT, EPERM}) {
        StatReading unreadable;
        unreadable.error = error;
        EXPECT_TRUE(is_alive_given(self_identity(), unreadable)) << "errno " << error;
    }
}

TEST(ProcessIdentity, AnUnreadableStatOfAVanishedPidMeansDead) {
    const pid_t pid = reaped_pid();
    StatReading unreadable;
    unreadable.error = EACCES;
    EXPECT_FALSE(is_alive_given({pid, 0}, unreadable));
}

TEST(ProcessIdentity, NoPidIsNeverAlive) {
    EXPECT_FALSE(is_alive({0, 0}));
    EXPECT_FALSE(is_alive({-1, 0}));
}

}  // namespace
