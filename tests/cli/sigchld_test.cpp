// Every tool that runs children reports their real exit status when its parent
// ignored SIGCHLD: an ignored disposition survives exec, and would have the kernel
// reap the children and lose their statuses.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/helpers.hpp"

namespace {

// Runs tool `argv` (argv[0] a demo name) through a shell that first ignores SIGCHLD.
mp::test::CommandResult run_ignoring_sigchld(std::vector<std::string> argv) {
    argv[0] = mp::test::bin_path(argv[0]);
    argv.insert(argv.begin(), {"bash", "-c", "trap '' CHLD; exec \"$@\"", "sh"});
    return mp::test::run_command(argv, "1\n");
}

TEST(IgnoredSigchld, EveryToolReportsItsChildsRealStatus) {
    const std::string lock = mp::test::unique_name("chld-lock");
    const std::string sem = mp::test::unique_name("chld-sem");
    const struct {
        std::vector<std::string> argv;
        int expected;
    } cases[] = {
        {{"subproc", "run", "--", "sh", "-c", "exit 3"}, 3},
        {{"subproc", "run", "--timeout", "5", "--", "sh", "-c", "kill -9 $$"}, 128 + 9},
        {{"pool", "sh", "-c", "exit 3"}, 1},  // GNU parallel: the number of failed jobs
        {{"sync", "lock", lock, "--", "sh", "-c", "exit 3"}, 3},
        {{"sync", "sem", sem, "-j", "1", "--", "sh", "-c", "exit 3"}, 3},
    };
    for (const auto& c : cases) {
        const auto result = run_ignoring_sigchld(c.argv);
        EXPECT_EQ(result.exit_code, c.expected) << c.argv[0] << " " << c.argv[1] << ": " << result.err;
    }
    EXPECT_EQ(mp::test::run_command({mp::test::bin_path("sync"), "rm", lock, sem}).exit_code, 0);
}

}  // namespace
