// Proves the test harness itself: the leak guard catches a leaked child, fd and
// /dev/shm entry (each leaked on purpose by a disabled test, run in a child copy of
// this suite), and the helper-child mechanism works.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/helpers.hpp"

namespace {

using mp::test::CommandResult;

// Runs one disabled test of this suite in a child copy of the suite.
CommandResult run_disabled_test(const std::string& name) {
    std::vector<std::string> argv = mp::test::helper_command("none");
    argv.resize(1);  // just the suite's own path
    argv.push_back("--gtest_also_run_disabled_tests");
    argv.push_back("--gtest_filter=LeakOnPurpose.DISABLED_" + name);
    return mp::test::run_command(argv);
}

TEST(LeakOnPurpose, DISABLED_Fd) {
    ASSERT_GE(open("/dev/null", O_RDONLY | O_CLOEXEC), 0);
}

TEST(LeakOnPurpose, DISABLED_Child) {
    const pid_t pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    ASSERT_GT(pid, 0);
}

TEST(LeakOnPurpose, DISABLED_Zombie) {
    const pid_t pid = fork();
    if (pid == 0) _exit(0);
    ASSERT_GT(pid, 0);
    usleep(20000);
}

TEST(LeakOnPurpose, DISABLED_ShmEntry) {
    const std::string name = "/" + mp::test::unique_name("leak");
    const int fd = shm_open(name.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    close(fd);
}

TEST(LeakGuard, ReportsLeakedFdByTestName) {
    const CommandResult r = run_disabled_test("Fd");
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("leak guard: leaked fd: fd"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("/dev/null"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("[  FAILED  ] LeakOnPurpose.DISABLED_Fd"), std::string::npos) << r.out;
}

TEST(LeakGuard, ReportsAndKillsLiveChild) {
    const CommandResult r = run_disabled_test("Child");
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("leak guard: leaked child process: still running: pid"), std::string::npos) << r.out;
    EXPECT_FALSE(r.timed_out) << "the guard must kill the child, not wait for it";
}

TEST(LeakGuard, ReportsUnreapedChild) {
    const CommandResult r = run_disabled_test("Zombie");
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("leak guard: leaked child process: unreaped pid"), std::string::npos) << r.out;
}

TEST(LeakGuard, ReportsAndRemovesShmEntry) {
    const CommandResult r = run_disabled_test("ShmEntry");
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("leak guard: leaked /dev/shm entry: /dev/shm/mp-test-"), std::string::npos) << r.out;
}

TEST(LeakGuard, CleanTestPasses) {
    const CommandResult r = mp::test::run_command({"/bin/sh", "-c", "echo fine"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "fine\n");
}

MP_TEST_HELPER(exit_with) {
    return std::stoi(args.at(0));
}

MP_TEST_HELPER(echo_stdin) {
    char buffer[4096];
    ssize_t n;
    while ((n = read(0, buffer, sizeof buffer)) > 0) (void)!write(1, buffer, static_cast<size_t>(n));
    return 0;
}

TEST(Helpers, HelperChildRunsRegisteredFunction) {
    EXPECT_EQ(mp::test::run_command(mp::test::helper_command("exit_with", {"7"})).exit_code, 7);
    const std::string big(1 << 20, 'x');
    const CommandResult r = mp::test::run_command(mp::test::helper_command("echo_stdin"), big);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, big);
}

TEST(Helpers, RunCommandKillsAHangingCommand) {
    const CommandResult r =
        mp::test::run_command({"/bin/sh", "-c", "sleep 30"}, "", std::chrono::milliseconds(200));
    EXPECT_TRUE(r.timed_out);
    EXPECT_EQ(r.signal, SIGKILL);
}

TEST(Helpers, RunCommandSurvivesACommandThatClosesStdin) {
    const CommandResult r = mp::test::run_command({"/bin/true"}, std::string(1 << 20, 'x'));
    EXPECT_EQ(r.exit_code, 0);
}

}  // namespace
