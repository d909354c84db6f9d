// Every tool that runs children reports their failures even when started by a
// parent that ignores SIGCHLD (`trap "" CHLD`: the ignored disposition survives
// exec, and the kernel would reap our children and drop their statuses).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/helpers.hpp"

namespace {

using mp::test::bin_path;
using mp::test::CommandResult;
using mp::test::run_command;

struct StatusCase {
    const char* name;
    std::vector<std::string> args;  // after bin/<tool>
    std::string input;
    int expected;
};

// The tool run as is, and run by a shell that ignores SIGCHLD and execs it.
CommandResult run_tool(const std::string& tool, const std::vector<std::string>& args, const std::string& input,
                       bool ignoring_parent) {
    std::vector<std::string> argv;
    if (ignoring_parent) argv = {"bash", "-c", "trap '' CHLD; exec \"$@\"", "bash"};
    argv.push_back(bin_path(tool));
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, input);
}

void expect_same_status(const std::string& tool, const std::vector<StatusCase>& cases) {
    for (const StatusCase& c : cases) {
        for (const bool ignoring : {false, true}) {
            const CommandResult r = run_tool(tool, c.args, c.input, ignoring);
            EXPECT_EQ(r.signal, 0) << c.name;
            EXPECT_EQ(r.exit_code, c.expected) << tool << ": " << c.name << (ignoring ? " (SIGCHLD ignored)" : "")
                                               << "\n" << r.err;
        }
    }
}

TEST(IgnoredSigchld, SubprocRunAndPipeReportTheCommandsStatus) {
    expect_same_status("subproc", {
        {"run: exit 3", {"run", "--", "sh", "-c", "exit 3"}, "", 3},
        {"run: killed by TERM", {"run", "--", "sh", "-c", "kill -TERM $$"}, "", 128 + 15},
        {"run --json", {"run", "--json", "--", "sh", "-c", "exit 3"}, "", 3},
        {"pipe: last stage fails", {"pipe", "true", "sh -c 'exit 3'"}, "", 3},
        {"pipe --pipefail", {"pipe", "--pipefail", "sh -c 'exit 3'", "true"}, "", 3},
    });
}

TEST(IgnoredSigchld, PoolCountsTheFailedJobs) {
    expect_same_status("pool", {
        {"two failing jobs", {"-j2", "sh", "-c", "exit 3"}, "a\nb\n", 2},
        {"halt on the first failure", {"-j1", "--halt", "soon", "sh", "-c", "exit 3"}, "a\n", 3},
    });
}

TEST(IgnoredSigchld, SyncLockAndSemReportTheCommandsStatus) {
    const std::string lock = mp::test::unique_name("sigchld-lock");
    const std::string sem = mp::test::unique_name("sigchld-sem");
    expect_same_status("sync", {
        {"lock: exit 3", {"lock", lock, "--", "sh", "-c", "exit 3"}, "", 3},
        {"sem: exit 3", {"sem", sem, "-j", "1", "--", "sh", "-c", "exit 3"}, "", 3},
        {"lock: CMD not found", {"lock", lock, "--", "/nonexistent/cmd"}, "", 127},
    });
    EXPECT_EQ(run_command({bin_path("sync"), "rm", lock, sem}).exit_code, 0);
}

// ipc bench checks that its child exited 0; with the status lost it failed.
TEST(IgnoredSigchld, IpcBenchSeesItsChildSucceed) {
    expect_same_status("ipc", {{"bench", {"bench", "--transport", "pipe", "--count", "20"}, "", 0}});
}

}  // namespace
